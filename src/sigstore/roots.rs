//! Where the trust material comes from: a `trusted_root.json` file, a TUF cache written by
//! `tollgate trust refresh`, or the built-in public-good production and staging roots (shipped by
//! the `sigstore-trust-root` crate; see docs/sigstore.md for their origin).

use super::diags as sig;
use crate::input::{self, InputError, Limits};
use crate::report::Location;
use sigstore_verify::trust_root::{
    SIGSTORE_PRODUCTION_TRUSTED_ROOT, SIGSTORE_STAGING_TRUSTED_ROOT, TrustedRoot,
};
use std::path::{Path, PathBuf};

/// A built-in Sigstore instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    Production,
    Staging,
}

/// Where to read the trusted root from.
#[derive(Debug, Clone)]
pub enum TrustSource {
    File(PathBuf),
    TufCache(PathBuf),
    Builtin(Instance),
}

/// A loaded, prepared trusted root.
pub struct TrustRoot {
    pub verifier: sigstore_verify::Verifier,
    /// What it is, for reports (`trusted_root.json`, `built-in production`, `TUF cache DIR`).
    pub description: String,
    /// For a TUF cache: when it was refreshed (RFC 3339) and its age in whole hours at --now.
    pub refreshed: Option<(String, i64)>,
}

fn root_error(loc: Location, message: String) -> InputError {
    InputError::new(
        &sig::TRUST_ROOT_INVALID,
        loc,
        message,
        "pass a trusted_root.json of a Sigstore instance (public good, staging, GitHub, private), e.g. from `tollgate trust refresh`",
    )
}

/// Leave out the trust material whose validity window starts after `now` (`--now`): Rekor and
/// CT log keys, Fulcio CAs and timestamp authorities not yet valid then. sigstore-verify skips
/// such entries by the system clock; filtering here first makes the result depend on `--now`
/// alone whenever `--now` is not later than the real time (see docs/sigstore.md).
pub fn usable_at(root: &mut serde_json::Value, now: jiff::Timestamp) {
    let not_yet = |window: Option<&serde_json::Value>| {
        window
            .and_then(|w| w.get("start"))
            .and_then(serde_json::Value::as_str)
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            .is_some_and(|start| start > now)
    };
    for (list, key_window) in [
        ("tlogs", true),
        ("ctlogs", true),
        ("certificateAuthorities", false),
        ("timestampAuthorities", false),
    ] {
        if let Some(a) = root.get_mut(list).and_then(serde_json::Value::as_array_mut) {
            a.retain(|e| {
                let w = if key_window {
                    e.get("publicKey").and_then(|k| k.get("validFor"))
                } else {
                    e.get("validFor")
                };
                !not_yet(w)
            });
        }
    }
}

/// Parse and prepare a trusted root (JSON text) named `name` in messages, as usable at `now`.
pub fn from_json(
    name: &str,
    text: &str,
    now: jiff::Timestamp,
) -> Result<sigstore_verify::Verifier, InputError> {
    let mut value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v,
        Err(e) => return Err(crate::input::json_error(name, text, &e)),
    };
    usable_at(&mut value, now);
    let filtered = serde_json::to_string(&value).unwrap_or_default();
    let root = TrustedRoot::from_json(&filtered).map_err(|e| {
        root_error(
            Location::file(name),
            format!("not a usable Sigstore trusted root: {e}"),
        )
    })?;
    sigstore_verify::Verifier::new(&root).map_err(|e| {
        root_error(
            Location::file(name),
            format!("the trusted root cannot be used: {e}"),
        )
    })
}

/// The target file name a TUF cache keeps the trusted root under.
pub const TUF_TARGET: &str = "trusted_root.json";

impl TrustSource {
    pub fn load(&self, limits: Limits, now: jiff::Timestamp) -> Result<TrustRoot, InputError> {
        match self {
            TrustSource::File(p) => {
                let name = input::display_path(p);
                let text = input::read_text(p, limits)?;
                Ok(TrustRoot {
                    verifier: from_json(&name, &text, now)?,
                    description: name,
                    refreshed: None,
                })
            }
            TrustSource::Builtin(i) => {
                let (name, text) = match i {
                    Instance::Production => (
                        "built-in public-good production trusted root",
                        SIGSTORE_PRODUCTION_TRUSTED_ROOT,
                    ),
                    Instance::Staging => (
                        "built-in public-good staging trusted root",
                        SIGSTORE_STAGING_TRUSTED_ROOT,
                    ),
                };
                Ok(TrustRoot {
                    verifier: from_json(name, text, now)?,
                    description: name.to_string(),
                    refreshed: None,
                })
            }
            TrustSource::TufCache(dir) => load_cache(dir, limits, now),
        }
    }
}

fn load_cache(dir: &Path, limits: Limits, now: jiff::Timestamp) -> Result<TrustRoot, InputError> {
    let state = super::tuf::CacheState::read(dir)?;
    let target = dir.join("targets").join(&state.target);
    let name = input::display_path(&target);
    let text = input::read_text(&target, limits)?;
    let age_hours = state
        .refreshed_at
        .parse::<jiff::Timestamp>()
        .map(|t| (now.as_second() - t.as_second()) / 3600)
        .unwrap_or(0);
    Ok(TrustRoot {
        verifier: from_json(&name, &text, now)?,
        description: format!("TUF cache {}", input::display_path(dir)),
        refreshed: Some((state.refreshed_at, age_hours)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roots_load() {
        for i in [Instance::Production, Instance::Staging] {
            TrustSource::Builtin(i)
                .load(Limits::default(), jiff::Timestamp::UNIX_EPOCH)
                .unwrap();
        }
    }

    #[test]
    fn material_not_yet_valid_at_now_is_left_out() {
        let mut v = serde_json::json!({
            "tlogs": [
                {"publicKey": {"validFor": {"start": "2025-01-01T00:00:00Z"}}},
                {"publicKey": {"validFor": {"start": "2024-01-01T00:00:00Z", "end": "2024-06-01T00:00:00Z"}}},
                {"publicKey": {}}
            ],
            "ctlogs": [{"publicKey": {"validFor": {"start": "2025-01-01T00:00:00Z"}}}],
            "certificateAuthorities": [{"validFor": {"start": "2024-12-31T23:59:59Z"}}, {"validFor": {"start": "2025-01-01T00:00:01Z"}}],
            "timestampAuthorities": [{"validFor": {"start": "2026-01-01T00:00:00Z"}}]
        });
        usable_at(&mut v, "2025-01-01T00:00:00Z".parse().unwrap());
        // Started at or before --now (ended ones too: they date old signatures): kept.
        assert_eq!(v["tlogs"].as_array().unwrap().len(), 3);
        assert_eq!(v["ctlogs"].as_array().unwrap().len(), 1);
        assert_eq!(v["certificateAuthorities"].as_array().unwrap().len(), 1);
        assert_eq!(v["timestampAuthorities"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn bad_roots_are_input_errors() {
        let Err(e) = from_json("r.json", "{\"mediaType\": 3", jiff::Timestamp::UNIX_EPOCH) else {
            panic!("accepted")
        };
        assert_eq!(e.info.code, "TG005");
        let Err(e) = from_json("r.json", "{\"tlogs\": 3}", jiff::Timestamp::UNIX_EPOCH) else {
            panic!("accepted")
        };
        assert_eq!(e.info.code, "SIG017");
    }
}
