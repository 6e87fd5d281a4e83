//! `tollgate trust refresh`: a TUF refresh from a local repository copy or an HTTP(S)
//! repository into a cache directory
//! (the client is [`crate::sigstore::tuf`]). Nothing is written unless the whole refresh
//! verifies; `refresh.json` is written last, so a cache is never half-updated from the
//! verify commands' point of view.

use super::Context;
use crate::cli::{GlobalArgs, TrustRefreshArgs};
use crate::error::{Error, Result};
use crate::input;
use crate::output::{Env, write_atomic};
use crate::report::{Diagnostic, Location, Report, Subject, Table, Verdict};
use crate::sigstore::diags as sig;
use crate::sigstore::fetch;
use crate::sigstore::tuf::{self, CacheState, RefreshRequest};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

pub fn cmd_refresh(
    ctx: &Context,
    args: &TrustRefreshArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let remote = fetch::is_url(&args.tuf_repo);
    if let Some(t) = &args.tuf_targets_url
        && !(remote && fetch::is_url(t))
    {
        return Err(Error::usage(
            format!(
                "--tuf-targets-url {t}: it applies to an http(s) --tuf-repo, and must be an http(s) URL"
            ),
            "e.g. --tuf-repo https://tuf.example.com/metadata --tuf-targets-url https://tuf.example.com/targets",
        ));
    }
    if !remote {
        let repo = PathBuf::from(&args.tuf_repo);
        if !repo.join("metadata").is_dir() {
            return Err(Error::from(input::InputError::new(
                &crate::diags::INPUT_NOT_FOUND,
                Location::file(input::display_path(&repo.join("metadata"))),
                "is not a directory: --tuf-repo must hold metadata/ (and targets/)",
                "pass the directory that contains metadata/N.root.json, metadata/timestamp.json, … or an http(s):// URL of the repository",
            )));
        }
    }
    let repo = fetch::open(
        &args.tuf_repo,
        args.tuf_targets_url.as_deref(),
        Duration::from_secs(args.timeout),
    );
    let root_name = input::display_path(&args.tuf_root);
    let initial_root = input::read_text(&args.tuf_root, ctx.limits)?;
    tuf::check_initial_root(&root_name, &initial_root)?;
    let req = RefreshRequest {
        initial_root: initial_root.into_bytes(),
        initial_root_name: root_name,
        cache: args.cache.clone(),
        target: args.target.clone(),
        now: ctx.now,
    };
    let cache_name = input::display_path(&args.cache);
    let mut report = Report::new("trust refresh", ctx.now_rfc3339.clone());
    let mut s = Subject::new(cache_name.clone());
    s.kind = Some("TUF cache".into());
    match tuf::refresh(&req, repo.as_ref()) {
        Ok(r) => {
            for (rel, bytes) in &r.files {
                let path = args.cache.join(rel);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                write_atomic(&path, bytes)?;
            }
            let state = CacheState {
                refreshed_at: ctx.now_rfc3339.clone(),
                repository: Some(args.tuf_repo.clone()),
                target: r.target.clone(),
                root_version: r.root_version,
                expires: r.expires.clone(),
            };
            let mut state_json = serde_json::to_vec_pretty(&state).expect("serializes");
            state_json.push(b'\n');
            write_atomic(&args.cache.join("refresh.json"), &state_json)?;
            s.facts.insert("rootVersion".into(), json!(r.root_version));
            s.facts.insert("target".into(), json!(r.target));
            s.facts
                .insert("targetSha256".into(), json!(r.target_sha256));
            s.facts.insert("expires".into(), json!(r.expires));
            report.tables.push(Table {
                title: "TUF refresh".into(),
                headers: vec!["Step".into(), "Result".into(), "Detail".into()],
                rows: vec![
                    vec![
                        "root".into(),
                        "pass".into(),
                        if r.root_versions_applied.is_empty() {
                            format!("version {} (no newer root)", r.root_version)
                        } else {
                            format!(
                                "rotated to version {} via {}",
                                r.root_version,
                                r.root_versions_applied
                                    .iter()
                                    .map(u64::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                    ],
                    vec![
                        "timestamp".into(),
                        "pass".into(),
                        format!("version {}", r.timestamp_version),
                    ],
                    vec![
                        "snapshot".into(),
                        "pass".into(),
                        format!("version {}", r.snapshot_version),
                    ],
                    vec![
                        "targets".into(),
                        "pass".into(),
                        format!("version {}", r.targets_version),
                    ],
                    vec![
                        "target".into(),
                        "pass".into(),
                        format!(
                            "{} ({} bytes, sha256 {}) listed by {}",
                            r.target, r.target_length, r.target_sha256, r.target_role
                        ),
                    ],
                ],
            });
            report.data = json!({ "cache": cache_name, "refresh": r });
        }
        // The repository could not be reached or read: bad input (exit 2), naming the URL.
        Err(e) if std::ptr::eq(e.info, &sig::TUF_FETCH) => {
            return Err(Error::from(input::InputError::new(
                e.info,
                Location::file(e.file),
                e.message,
                e.info.help,
            )));
        }
        Err(e) => {
            s.verdict = Verdict::Deny;
            report.diagnostics.push(
                Diagnostic::new(e.info, e.message.clone()).at(Location::file(e.file.clone())),
            );
            report.data = json!({ "cache": cache_name, "refresh": null });
        }
    }
    report.subjects.push(s);
    env.emit(&report, global)
}
