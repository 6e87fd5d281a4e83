//! `tollgate provenance generate`: an in-toto Statement v1 with a SLSA Provenance v1.0
//! predicate for files, globs or a checksums file, filled from the CI environment (GitHub
//! Actions, GitLab CI) and flags. The statement goes to `--out` (atomically) or stdout; the
//! report goes to stderr when stdout carries the statement.

use super::Context;
use crate::attest::ci_env;
use crate::attest::intoto::{ResourceDescriptor, validate_statement};
use crate::attest::slsa::{self, BUILD_TYPE_GENERIC, GenerateOptions};
use crate::attest::subjects::{self, Algorithm};
use crate::cli::{DigestAlgorithm, GlobalArgs, ProvenanceGenerateArgs};
use crate::error::{Error, Result};
use crate::output::{Env, write_atomic};
use crate::report::{Report, Subject};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;

fn rfc3339(flag: &str, v: &Option<String>, default: &str) -> Result<String> {
    match v {
        None => Ok(default.to_string()),
        Some(s) => s
            .parse::<jiff::Timestamp>()
            .map(|t| t.to_string())
            .map_err(|e| {
                Error::usage(
                    format!("--{flag} {s:?} is not an RFC 3339 time: {e}"),
                    "write it like 2026-01-31T12:00:00Z",
                )
            }),
    }
}

fn is_commit(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub fn cmd_generate(
    ctx: &Context,
    args: &ProvenanceGenerateArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    if args.subjects.is_empty() && args.checksums.is_none() {
        return Err(Error::usage(
            "no subjects: name files or globs, or pass --checksums FILE",
            "e.g. tollgate provenance generate 'dist/*.tar.gz' --out provenance.intoto.json",
        ));
    }
    let to_stdout = args.out.as_os_str() == "-";

    // Subjects: files and globs, hashed; plus a checksums file.
    let cwd = std::env::current_dir().map_err(|e| {
        Error::usage(
            format!("cannot read the current directory: {e}"),
            "run tollgate from an existing directory",
        )
    })?;
    let mut algs: Vec<Algorithm> = args
        .digest
        .iter()
        .map(|d| match d {
            DigestAlgorithm::Sha256 => Algorithm::Sha256,
            DigestAlgorithm::Sha512 => Algorithm::Sha512,
        })
        .collect();
    algs.sort();
    algs.dedup();
    let exclude = (!to_stdout).then_some(args.out.as_path());
    let files = subjects::expand(&args.subjects, &cwd, exclude)?;
    let mut by_name: BTreeMap<String, ResourceDescriptor> = BTreeMap::new();
    for rd in subjects::hash_files(&files, &algs)? {
        by_name.insert(rd.name.clone().unwrap_or_default(), rd);
    }
    if let Some(sums) = &args.checksums {
        let text = crate::input::read_text(sums, ctx.limits)?;
        let listed = subjects::parse_checksums(&text, &crate::input::display_path(sums))?;
        for rd in listed {
            let name = rd.name.clone().unwrap_or_default();
            match by_name.get_mut(&name) {
                None => {
                    by_name.insert(name, rd);
                }
                Some(have) => {
                    let have_d = have.digest.get_or_insert_default();
                    for (alg, v) in rd.digest.unwrap_or_default() {
                        if let Some(h) = have_d.get(&alg)
                            && *h != v
                        {
                            return Err(Error::usage(
                                format!(
                                    "{name}: {alg} in {} is {v} but the file hashes to {h}",
                                    sums.display()
                                ),
                                "regenerate the checksums file, or attest the file or the checksums, not both",
                            ));
                        }
                        have_d.insert(alg, v);
                    }
                }
            }
        }
    }
    let subject_list: Vec<ResourceDescriptor> = by_name.into_values().collect();

    // Facts: CI environment first, flags override.
    let ci = if args.no_ci_env {
        ci_env::CiInfo::default()
    } else {
        ci_env::detect(&env.vars)
    };
    let pick = |flag: &Option<String>, ci: &Option<String>| {
        flag.clone()
            .or_else(|| ci.clone())
            .filter(|s| !s.is_empty())
    };
    let builder_id = pick(&args.builder_id, &ci.builder_id).ok_or_else(|| {
        Error::usage(
            "no builder id: not running in GitHub Actions or GitLab CI, and --builder-id is not set",
            "pass --builder-id URI naming the build platform, e.g. https://ci.example.com/runners/linux",
        )
    })?;
    let source_digest =
        pick(&args.source_digest, &ci.source_digest).map(|d| d.to_ascii_lowercase());
    if let Some(d) = &source_digest
        && !is_commit(d)
    {
        return Err(Error::usage(
            format!("source digest {d:?} is not a git commit (40 or 64 hex digits)"),
            "pass the full commit id, e.g. --source-digest $(git rev-parse HEAD)",
        ));
    }
    let started_on = rfc3339("started-on", &args.started_on, &ctx.now_rfc3339)?;
    let finished_on = rfc3339("finished-on", &args.finished_on, &ctx.now_rfc3339)?;
    if started_on.parse::<jiff::Timestamp>().ok() > finished_on.parse::<jiff::Timestamp>().ok() {
        return Err(Error::usage(
            format!("--started-on {started_on} is after --finished-on {finished_on}"),
            "a build finishes after it starts",
        ));
    }
    let mut external = ci.external.clone();
    if !args.external_parameters.is_empty() {
        let mut params = Map::new();
        for kv in &args.external_parameters {
            let Some((k, v)) = kv.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(Error::usage(
                    format!("--external-parameter {kv:?} is not KEY=VALUE"),
                    "e.g. --external-parameter target=x86_64-unknown-linux-gnu",
                ));
            };
            if params.insert(k.to_string(), json!(v)).is_some() {
                return Err(Error::usage(
                    format!("--external-parameter {k} is given twice"),
                    "give each key once",
                ));
            }
        }
        external.insert("parameters".into(), Value::Object(params));
    }
    let mut internal = ci.internal.clone();
    if let Some(sys) = ci.system {
        internal.insert("ci".into(), json!(sys.name()));
    }
    let opts = GenerateOptions {
        builder_id,
        build_type: args
            .build_type
            .clone()
            .unwrap_or_else(|| BUILD_TYPE_GENERIC.to_string()),
        source_uri: pick(&args.source_uri, &ci.source_uri),
        source_ref: pick(&args.source_ref, &ci.source_ref),
        source_digest,
        invocation_id: pick(&args.invocation_id, &ci.invocation_id),
        started_on,
        finished_on,
        external,
        internal,
    };
    let subject_count = subject_list.len();
    let statement = slsa::generate(subject_list, &opts);
    validate_statement(&statement).map_err(|e| {
        Error::usage(
            format!("the provenance would be invalid: {e}"),
            "fix the flag that sets this field",
        )
    })?;
    let text = slsa::to_canonical_pretty(&statement);
    let out_name = if to_stdout {
        "<stdout>".to_string()
    } else {
        args.out.display().to_string()
    };
    if to_stdout {
        let _ = env.stdout.write_all(text.as_bytes());
        let _ = env.stdout.flush();
    } else {
        write_atomic(&args.out, text.as_bytes())?;
    }

    let mut report = Report::new("provenance generate", ctx.now_rfc3339.clone());
    let mut s = Subject::new(out_name.clone());
    s.kind = Some("in-toto Statement v1, SLSA Provenance v1.0".into());
    s.facts.insert("subjects".into(), json!(subject_count));
    s.facts.insert("builderId".into(), json!(opts.builder_id));
    report.subjects.push(s);
    report.data = json!({
        "output": out_name,
        "subjects": subject_count,
        "digests": algs.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "ci": ci.system.map(|s| s.name()),
        "builderId": opts.builder_id,
        "buildType": opts.build_type,
        "source": {"uri": opts.source_uri, "ref": opts.source_ref, "digest": opts.source_digest},
        "invocationId": opts.invocation_id,
    });
    let to_stderr = to_stdout && global.output.is_none();
    env.emit_to(&report, global, to_stderr)
}
