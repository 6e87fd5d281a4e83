//! `tollgate sbom generate`: read lockfiles / a root filesystem / artifacts, render CycloneDX or
//! SPDX, validate the result with tollgate's own validator (and the NTIA profile, reported as
//! coverage), write it atomically only when valid.

use super::Context;
use crate::cli::{GlobalArgs, SbomFormat, SbomGenerateArgs};
use crate::error::{Error, Result};
use crate::input::InputError;
use crate::output::{Env, write_atomic};
use crate::report::{Diagnostic, Location, Report, Severity, Subject, Table, Verdict};
use crate::sbom::generate::{self, Inventory, artifact, diags as gd, rootfs};
use crate::sbom::schema::{self, SchemaId};
use crate::sbom::{diags as sd, document, validate};
use rayon::prelude::*;
use serde_json::{Value, json};

/// Why a generated SBOM can lack an NTIA element (shown beside the coverage).
fn why_missing(element: &str) -> &'static str {
    match element {
        "supplier name" => {
            "lockfiles do not record suppliers; only dpkg (Maintainer) and apk (m:) databases do"
        }
        "component version" => {
            "lockfile projects have no version of their own, and artifacts one only with --root-version"
        }
        "unique identifier" => {
            "a purl needs a version: lockfile projects, and artifacts without --root-version, have none"
        }
        "dependency relationship" => {
            "packages the lockfile lists that no recorded dependency reaches (one only another platform needs, say) are outside the graph"
        }
        _ => "recorded by tollgate for every SBOM",
    }
}

/// `--now` wins; without it `SOURCE_DATE_EPOCH` (reproducible builds) sets the time.
fn timestamp(ctx: &Context, global: &GlobalArgs, env: &Env) -> Result<String> {
    if global.now.is_none()
        && let Some(s) = env.var("SOURCE_DATE_EPOCH")
    {
        let secs: i64 = s.trim().parse().map_err(|_| {
            Error::usage(
                format!("SOURCE_DATE_EPOCH {s:?} is not a number of seconds"),
                "set it to e.g. $(git log -1 --format=%ct)",
            )
        })?;
        let t = jiff::Timestamp::from_second(secs).map_err(|e| {
            Error::usage(
                format!("SOURCE_DATE_EPOCH {s:?}: {e}"),
                "use seconds since 1970",
            )
        })?;
        return Ok(t.to_string());
    }
    Ok(ctx.now_rfc3339.clone())
}

pub fn cmd_generate(
    ctx: &Context,
    args: &SbomGenerateArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let ts = timestamp(ctx, global, env)?;
    // Compiling the output's JSON schema is the biggest fixed cost of a run; do it while the
    // lockfiles are read (the validator's LazyLock makes the later use wait for it).
    let schema_id = match (args.sbom_format, args.spec_version.as_str()) {
        (SbomFormat::SpdxJson, _) => SchemaId::Spdx23,
        (_, "1.5") => SchemaId::CycloneDx15,
        _ => SchemaId::CycloneDx16,
    };
    std::thread::spawn(move || {
        let _ = schema::validate(schema_id, &Value::Null, 0);
    });
    let mut report = Report::new("sbom generate", ctx.now_rfc3339.clone());
    let mut builder = globset::GlobSetBuilder::new();
    for g in &args.exclude {
        // Globs match paths relative to DIR: `./api/` means `api`.
        let mut pattern = g.trim_end_matches('/');
        while let Some(rest) = pattern.strip_prefix("./") {
            pattern = rest.trim_start_matches('/');
        }
        let glob = globset::Glob::new(pattern).map_err(|e| {
            Error::usage(
                format!("--exclude {g:?} is not a valid glob: {e}"),
                "use *, ?, [..] or {a,b}",
            )
        })?;
        builder.add(glob);
    }
    let exclude = builder
        .build()
        .map_err(|e| Error::usage(format!("--exclude: {e}"), "use *, ?, [..] or {a,b}"))?;

    // --- lockfiles ------------------------------------------------------------------------
    let dir_name = crate::input::display_path(&args.dir);
    let mut projects = Vec::new();
    let mut lockfile_errors = 0usize;
    if !args.no_lockfiles {
        if !args.dir.is_dir() {
            let e = if args.dir.exists() {
                InputError::new(
                    &crate::diags::INPUT_NOT_A_FILE,
                    Location::file(dir_name.clone()),
                    "is not a directory",
                    "pass the project directory to search for lockfiles",
                )
            } else {
                crate::input::io_error(
                    &dir_name,
                    &std::io::Error::from(std::io::ErrorKind::NotFound),
                )
            };
            return Err(Error::from(e));
        }
        let found = generate::discover(&args.dir, &exclude)
            .map_err(|e| Error::from(crate::input::io_error(&dir_name, &e)))?;
        let results: Vec<_> = found
            .par_iter()
            .map(|f| (f, generate::read_lockfile(&f.path, &f.rel, ctx.limits)))
            .collect();
        for (f, r) in results {
            let mut subject = Subject::new(crate::input::display_path(&f.path));
            match r {
                Ok(p) => {
                    subject.kind = Some(p.format.clone());
                    subject
                        .facts
                        .insert("components".into(), json!(p.packages.len()));
                    for w in &p.warnings {
                        report.diagnostics.push(w.clone().into_diagnostic());
                    }
                    projects.push(p);
                }
                Err(mut e) => {
                    if args.strict {
                        // One bad lockfile fails the run: bad input, nothing written.
                        e.info = &crate::diags::INPUT_MALFORMED;
                        e.hint = format!("{} (--strict: nothing was written)", e.hint);
                        return Err(Error::from(e));
                    }
                    e.info = &gd::BAD_LOCKFILE;
                    lockfile_errors += 1;
                    subject.verdict = Verdict::Deny;
                    report.diagnostics.push(e.into_diagnostic());
                }
            }
            report.subjects.push(subject);
        }
    }

    // --- root filesystem and artifacts ------------------------------------------------------
    if let Some(root) = &args.rootfs {
        let rel = crate::input::display_path(root);
        let rel = rel.trim_end_matches('/');
        for p in rootfs::read(root, if rel.is_empty() { "/" } else { rel }, ctx.limits)? {
            let mut s = Subject::new(format!(
                "{}/{}",
                root.display().to_string().trim_end_matches('/'),
                p.lockfile.rsplit_once("/var/").map_or_else(
                    || p.lockfile
                        .rsplit_once("/lib/")
                        .map_or(p.lockfile.clone(), |(_, b)| format!("lib/{b}")),
                    |(_, b)| format!("var/{b}")
                )
            ));
            s.kind = Some(p.format.clone());
            s.facts.insert("components".into(), json!(p.packages.len()));
            report.subjects.push(s);
            projects.push(p);
        }
    }
    let mut artifacts = Vec::new();
    for path in artifact::expand(&args.artifact)? {
        artifacts.push(artifact::read(&path, ctx.limits)?);
    }
    if projects.is_empty() && artifacts.is_empty() && lockfile_errors == 0 {
        return Err(Error::from(InputError::new(
            &gd::NO_INPUTS,
            Location::file(dir_name.clone()),
            "no lockfile, package database or artifact found",
            "point DIR at the project (see docs/sbom-generate.md for the lockfiles read), or pass --rootfs / --artifact",
        )));
    }

    // --- render ------------------------------------------------------------------------------
    let name = args
        .root_name
        .clone()
        .unwrap_or_else(|| generate::dir_name(&args.dir));
    let inv = Inventory::build(
        name,
        args.root_version.clone(),
        projects,
        artifacts,
        args.exclude_dev,
    );
    let (bom, kind) = match args.sbom_format {
        SbomFormat::CyclonedxJson => (
            generate::cdx::render(&inv, &args.spec_version, &ts),
            format!("CycloneDX {} JSON", args.spec_version),
        ),
        SbomFormat::SpdxJson => (
            generate::spdx::render(&inv, &ts),
            "SPDX 2.3 JSON".to_string(),
        ),
    };
    let mut text = serde_json::to_string_pretty(&bom).expect("serialises");
    text.push('\n');
    let to_stdout = args.out.as_os_str() == "-";
    let out_name = if to_stdout {
        "<stdout>".to_string()
    } else {
        args.out.display().to_string()
    };

    // --- validate with tollgate's own validator (+ NTIA coverage) -----------------------------
    let check = validate::Options {
        schema: true,
        profile: Some(crate::cli::Profile::Ntia),
        strict: false,
        now: ctx.now.max(ts.parse().unwrap_or(ctx.now)),
        limits: ctx.limits,
        max_schema_errors: 20,
    };
    let doc = document::parse(&out_name, text.clone()).map_err(Error::from)?;
    let result = validate::validate_document(doc, &check);
    let mut valid = true;
    for d in result.diagnostics {
        if std::ptr::eq(d.info, &sd::PROFILE_ELEMENT) {
            continue; // reported below, with the reason
        }
        if d.severity == Severity::Error {
            valid = false;
        }
        report.diagnostics.push(d);
    }
    if !valid {
        report.diagnostics.push(
            Diagnostic::new(
                &gd::INVALID_OUTPUT,
                "the generated SBOM failed validation; nothing was written",
            )
            .at(Location::file(out_name.clone())),
        );
    }
    let mut ntia_rows = Vec::new();
    let mut ntia = Vec::new();
    if let Some(elements) = result
        .data
        .pointer("/profile/elements")
        .and_then(Value::as_array)
    {
        for e in elements {
            let element = e["element"].as_str().unwrap_or("");
            let (met, total) = (
                e["met"].as_u64().unwrap_or(0),
                e["total"].as_u64().unwrap_or(0),
            );
            let why = if met == total {
                ""
            } else {
                why_missing(element)
            };
            ntia_rows.push(vec![
                element.to_string(),
                format!("{met}/{total}"),
                format!("{:.1}%", e["percent"].as_f64().unwrap_or(0.0)),
                why.to_string(),
            ]);
            ntia.push(json!({"element": element, "met": met, "total": total, "percent": e["percent"], "missingBecause": if why.is_empty() { Value::Null } else { json!(why) }}));
            if met < total {
                report.diagnostics.push(
                    Diagnostic::new(
                        &gd::PROFILE_GAP,
                        format!(
                            "NTIA {element}: {met} of {total} ({:.1}%) — {why}",
                            e["percent"].as_f64().unwrap_or(0.0)
                        ),
                    )
                    .at(Location::file(out_name.clone())),
                );
            }
        }
    }
    let ecosystems = inv.ecosystems();
    let mut out_subject = Subject::new(out_name.clone());
    out_subject.kind = Some(kind.clone());
    out_subject.verdict = if valid { Verdict::Pass } else { Verdict::Deny };
    out_subject.facts.insert(
        "components".into(),
        json!(inv.components.len() + inv.artifacts.len()),
    );
    out_subject
        .facts
        .insert("projects".into(), json!(inv.projects.len()));
    report.subjects.push(out_subject);
    report.tables.push(Table {
        title: format!("Components per ecosystem — {out_name}"),
        headers: vec!["ecosystem".into(), "components".into()],
        rows: ecosystems
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect(),
    });
    report.tables.push(Table {
        title: format!("NTIA minimum elements — {out_name}"),
        headers: vec![
            "element".into(),
            "met".into(),
            "coverage".into(),
            "missing because".into(),
        ],
        rows: ntia_rows,
    });
    let serial = bom
        .get("serialNumber")
        .or_else(|| bom.get("documentNamespace"))
        .cloned()
        .unwrap_or(Value::Null);
    report.data = json!({
        "output": out_name,
        "format": kind,
        "serialNumber": serial,
        "components": inv.components.len() + inv.artifacts.len(),
        "ecosystems": ecosystems,
        "projects": inv.projects.iter().map(|p| json!({
            "lockfile": p.lockfile, "format": p.format, "ecosystem": p.ecosystem,
            "name": p.root.name, "components": p.packages.len(),
        })).collect::<Vec<_>>(),
        "lockfileErrors": lockfile_errors,
        "ntia": ntia,
        "written": valid,
    });
    if valid {
        if to_stdout {
            use std::io::Write;
            let _ = env.stdout.write_all(text.as_bytes());
            let _ = env.stdout.flush();
        } else {
            write_atomic(&args.out, text.as_bytes())?;
        }
    }
    report.sort();
    let to_stderr = to_stdout && global.output.is_none();
    env.emit_to(&report, global, to_stderr)
}
