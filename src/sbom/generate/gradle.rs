//! `gradle.lockfile` (Gradle dependency locking): `group:artifact:version=conf1,conf2` lines,
//! read by hand. A package only on test configurations is dev scope.

use super::model::{Package, Project, Scope, Source, purl};
use crate::input::{InputError, Limits};
use std::path::Path;

pub fn read(src: &Source, _dir: &Path, _limits: Limits) -> Result<Project, InputError> {
    let mut project = Project::new(src.name, "gradle.lockfile", "maven");
    project.root.ecosystem = "maven";
    for (i, line) in src.text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coord, confs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coord.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            return Err(src.err_at(
                (i + 1) as u32,
                1,
                format!("expected `group:artifact:version=configurations`, found {line:?}"),
                "regenerate it with `gradle dependencies --write-locks`",
            ));
        };
        let Some(p) = purl("maven", Some(group), artifact, Some(version), &[]) else {
            continue;
        };
        let mut pkg = Package::new("maven", p.clone(), artifact, version);
        pkg.group = Some(group.to_string());
        let confs: Vec<&str> = confs.split(',').filter(|c| !c.is_empty()).collect();
        if !confs.is_empty() && confs.iter().all(|c| c.starts_with("test")) {
            pkg.scope = Scope::Dev;
        }
        pkg.properties
            .insert("tollgate:gradle:configurations".into(), confs.join(","));
        project.root.deps.insert(p);
        project.packages.push(pkg);
    }
    Ok(project)
}
