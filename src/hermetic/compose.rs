//! Compose files for `hermetic check --compose`: `docker compose build` has no command-line
//! switch for the build's network; each service sets it in the compose file
//! (`services.NAME.build.network: none`). A compose build counts as offline only when every
//! service that builds says so in the files given.

use crate::diags;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use serde_json::Value;
use std::path::Path;

/// What one compose file says about its builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    /// The file, as given.
    pub file: String,
    /// Services with a `build` section, in file order.
    pub building: Vec<String>,
    /// Those of them whose build may use the network (no `network: none`).
    pub online: Vec<String>,
}

impl Compose {
    /// Every service that builds has its network off (and at least one builds).
    pub fn offline(&self) -> bool {
        !self.building.is_empty() && self.online.is_empty()
    }
}

pub fn load(path: &Path, limits: Limits) -> Result<Compose, InputError> {
    let name = input::display_path(path);
    let text = input::read_text(path, limits)?;
    parse(&name, &text)
}

pub fn parse(name: &str, text: &str) -> Result<Compose, InputError> {
    let doc: Value =
        serde_saphyr::from_str(text).map_err(|e| crate::sbom::document::yaml_error(name, &e))?;
    let Some(services) = doc.get("services").and_then(Value::as_object) else {
        return Err(InputError::new(
            &diags::INPUT_MALFORMED,
            Location::file(name.to_string()),
            "not a compose file: no `services` mapping",
            "pass the compose file the build uses (compose.yaml or docker-compose.yml)",
        ));
    };
    let mut building = Vec::new();
    let mut online = Vec::new();
    // serde_json's map is sorted; compose files are read by service name either way.
    for (service, def) in services {
        let Some(build) = def.get("build") else {
            continue;
        };
        building.push(service.clone());
        // `build: ./dir` (a string) takes every default, the network included.
        let network = build.get("network").and_then(Value::as_str);
        if network != Some("none") {
            online.push(service.clone());
        }
    }
    Ok(Compose {
        file: name.to_string(),
        building,
        online,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_building_service_needs_network_none() {
        let c = parse(
            "compose.yaml",
            "services:\n  app:\n    build:\n      context: .\n      network: none\n  db:\n    image: postgres:16\n",
        )
        .unwrap();
        assert_eq!(c.building, vec!["app"]);
        assert!(c.offline());

        let c = parse(
            "compose.yaml",
            "services:\n  app:\n    build:\n      context: .\n      network: none\n  worker:\n    build: ./worker\n  api:\n    build:\n      context: api\n      network: host\n",
        )
        .unwrap();
        assert_eq!(c.online, vec!["api", "worker"]);
        assert!(!c.offline());
    }

    #[test]
    fn a_file_without_builds_proves_nothing() {
        let c = parse("compose.yaml", "services:\n  db:\n    image: postgres:16\n").unwrap();
        assert!(c.building.is_empty());
        assert!(!c.offline());
    }

    #[test]
    fn bad_files_name_the_position() {
        let e = parse("compose.yaml", "services:\n  app: [unclosed\n").unwrap_err();
        assert!(e.one_line().starts_with("TG"), "{}", e.one_line());
        assert!(e.one_line().contains("compose.yaml:"), "{}", e.one_line());
        let e = parse("compose.yaml", "version: '3'\n").unwrap_err();
        assert!(
            e.one_line().contains("no `services` mapping"),
            "{}",
            e.one_line()
        );
    }
}
