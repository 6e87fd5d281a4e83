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
    /// Trust material left out because it is not yet valid at --now ([`usable_at`]).
    pub not_yet_valid: Vec<NotYetValid>,
    /// Key ids (base64, as in bundles' `logId.keyId`) of every transparency log the root lists.
    pub tlog_ids: Vec<String>,
}

/// Why a trusted root cannot be used.
#[derive(Debug)]
pub enum TrustError {
    /// Bad input: a missing or malformed file, or a directory that is no TUF cache (exit 2).
    Input(InputError),
    /// A TUF cache that no longer verifies as `trust refresh` left it — altered, swapped,
    /// incomplete, or expired at --now: the gate is denied (exit 1), as for a tampered repository.
    Cache {
        /// The cache directory.
        dir: String,
        error: super::tuf::TufError,
    },
}

impl From<InputError> for TrustError {
    fn from(e: InputError) -> Self {
        TrustError::Input(e)
    }
}

impl TrustError {
    /// The hint for a cache that does not verify: refresh it again.
    pub fn cache_hint(error: &super::tuf::TufError) -> &'static str {
        if std::ptr::eq(error.info, &sig::TUF_EXPIRED) {
            "the cached TUF metadata has expired at --now: run `tollgate trust refresh` again to fetch current metadata (to reproduce a past verdict, pass its time with --now)"
        } else {
            "the TUF cache is not what `tollgate trust refresh` verified and wrote (altered, swapped or incomplete): run `tollgate trust refresh` again into this cache, and never edit it by hand"
        }
    }
}

/// Trust material of a trusted root whose validity starts after --now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotYetValid {
    /// `tlogs`, `ctlogs`, `certificateAuthorities` or `timestampAuthorities`.
    pub list: &'static str,
    /// The log's key id (base64, as in bundles' `logId.keyId`), for logs.
    pub key_id: Option<String>,
    /// The start of its validity (RFC 3339, as written in the trusted root).
    pub start: String,
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
/// Returns what was left out.
pub fn usable_at(root: &mut serde_json::Value, now: jiff::Timestamp) -> Vec<NotYetValid> {
    let not_yet = |window: Option<&serde_json::Value>| {
        window
            .and_then(|w| w.get("start"))
            .and_then(serde_json::Value::as_str)
            .filter(|s| s.parse::<jiff::Timestamp>().is_ok_and(|start| start > now))
            .map(str::to_string)
    };
    let mut left_out = Vec::new();
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
                let Some(start) = not_yet(w) else {
                    return true;
                };
                left_out.push(NotYetValid {
                    list,
                    key_id: e
                        .pointer("/logId/keyId")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string),
                    start,
                });
                false
            });
        }
    }
    left_out
}

/// Parse and prepare a trusted root (JSON text) named `name` in messages, as usable at `now`.
pub fn from_json(
    name: &str,
    text: &str,
    now: jiff::Timestamp,
) -> Result<sigstore_verify::Verifier, InputError> {
    prepare(name, text, now).map(|(v, _, _)| v)
}

/// [`from_json`], what was left out as not yet valid at `now`, and the key ids of all its
/// transparency logs.
pub fn prepare(
    name: &str,
    text: &str,
    now: jiff::Timestamp,
) -> Result<(sigstore_verify::Verifier, Vec<NotYetValid>, Vec<String>), InputError> {
    let mut value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v,
        Err(e) => return Err(crate::input::json_error(name, text, &e)),
    };
    let tlog_ids = value
        .get("tlogs")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            t.pointer("/logId/keyId")
                .and_then(serde_json::Value::as_str)
        })
        .map(str::to_string)
        .collect();
    let left_out = usable_at(&mut value, now);
    let filtered = serde_json::to_string(&value).unwrap_or_default();
    let root = TrustedRoot::from_json(&filtered).map_err(|e| {
        root_error(
            Location::file(name),
            format!("not a usable Sigstore trusted root: {e}"),
        )
    })?;
    let verifier = sigstore_verify::Verifier::new(&root).map_err(|e| {
        root_error(
            Location::file(name),
            format!("the trusted root cannot be used: {e}"),
        )
    })?;
    Ok((verifier, left_out, tlog_ids))
}

/// The target file name a TUF cache keeps the trusted root under.
pub const TUF_TARGET: &str = "trusted_root.json";

impl TrustSource {
    /// Load and prepare the root. A TUF cache is verified first ([`super::tuf::verify_cache`]).
    pub fn load(&self, limits: Limits, now: jiff::Timestamp) -> Result<TrustRoot, TrustError> {
        match self {
            TrustSource::File(p) => {
                let name = input::display_path(p);
                let text = input::read_text(p, limits)?;
                let (verifier, not_yet_valid, tlog_ids) = prepare(&name, &text, now)?;
                Ok(TrustRoot {
                    verifier,
                    description: name,
                    refreshed: None,
                    not_yet_valid,
                    tlog_ids,
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
                let (verifier, not_yet_valid, tlog_ids) = prepare(name, text, now)?;
                Ok(TrustRoot {
                    verifier,
                    description: name.to_string(),
                    refreshed: None,
                    not_yet_valid,
                    tlog_ids,
                })
            }
            TrustSource::TufCache(dir) => load_cache(dir, limits, now),
        }
    }
}

/// A TUF cache: `refresh.json` says which target it holds; the cached metadata chain and the
/// target are then verified as `trust refresh` verified them (offline, expiry at `now`) and the
/// verified bytes are used — never a file of the cache that was not checked.
fn load_cache(dir: &Path, limits: Limits, now: jiff::Timestamp) -> Result<TrustRoot, TrustError> {
    let state = super::tuf::CacheState::read(dir)?;
    let target = dir.join("targets").join(&state.target);
    let name = input::display_path(&target);
    let (_, bytes) =
        super::tuf::verify_cache(dir, &state.target, now).map_err(|error| TrustError::Cache {
            dir: input::display_path(dir),
            error,
        })?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(input::too_large(&name, bytes.len() as u64, limits).into());
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        root_error(
            Location::file(name.clone()),
            "is not UTF-8 text, so not a trusted_root.json".into(),
        )
    })?;
    let age_hours = state
        .refreshed_at
        .parse::<jiff::Timestamp>()
        .map(|t| (now.as_second() - t.as_second()) / 3600)
        .unwrap_or(0);
    let (verifier, not_yet_valid, tlog_ids) = prepare(&name, &text, now)?;
    Ok(TrustRoot {
        verifier,
        description: format!("TUF cache {}", input::display_path(dir)),
        refreshed: Some((state.refreshed_at, age_hours)),
        not_yet_valid,
        tlog_ids,
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
                {"logId": {"keyId": "L1"}, "publicKey": {"validFor": {"start": "2025-01-01T00:00:01Z"}}},
                {"publicKey": {"validFor": {"start": "2024-01-01T00:00:00Z", "end": "2024-06-01T00:00:00Z"}}},
                {"publicKey": {}}
            ],
            "ctlogs": [{"publicKey": {"validFor": {"start": "2025-01-01T00:00:00Z"}}}],
            "certificateAuthorities": [{"validFor": {"start": "2024-12-31T23:59:59Z"}}, {"validFor": {"start": "2025-01-01T00:00:01Z"}}],
            "timestampAuthorities": [{"validFor": {"start": "2026-01-01T00:00:00Z"}}]
        });
        let left_out = usable_at(&mut v, "2025-01-01T00:00:00Z".parse().unwrap());
        // Started at or before --now (ended ones too: they date old signatures): kept.
        assert_eq!(v["tlogs"].as_array().unwrap().len(), 3);
        assert_eq!(v["ctlogs"].as_array().unwrap().len(), 1);
        assert_eq!(v["certificateAuthorities"].as_array().unwrap().len(), 1);
        assert_eq!(v["timestampAuthorities"].as_array().unwrap().len(), 0);
        // What was left out is reported (log key ids name the log, for findings).
        let lists: Vec<&str> = left_out.iter().map(|l| l.list).collect();
        assert_eq!(
            lists,
            ["tlogs", "certificateAuthorities", "timestampAuthorities"]
        );
        assert_eq!(left_out[0].key_id.as_deref(), Some("L1"));
        assert_eq!(left_out[0].start, "2025-01-01T00:00:01Z");
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
