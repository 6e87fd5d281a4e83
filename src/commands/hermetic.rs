//! `tollgate hermetic check|run|verify` and `tollgate repro compare|run`.

use super::Context;
use crate::attest::dsse;
use crate::attest::keys::PublicKey;
use crate::cli::{
    GlobalArgs, HermeticCheckArgs, HermeticRunArgs, HermeticVerifyArgs, IsolationChoice,
    ReproCompareArgs, ReproOptions, ReproRunArgs,
};
use crate::error::{Error, Result};
use crate::hermetic::{check, diags as hd, rules, run};
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Diagnostic, Location, Report, Subject, Table, Verdict};
use crate::repro::{compare, diags as rd};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

// ------------------------------------------------------------------ hermetic check

pub fn cmd_check(
    ctx: &Context,
    args: &HermeticCheckArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let extra = match &args.rules {
        Some(p) => rules::load(p, ctx.limits)?,
        None => Vec::new(),
    };
    let mut opts = check::Options::new(extra, &args.allow_host).map_err(|e| {
        Error::usage(
            e,
            "write hosts as globs such as mirror.internal or *.corp.example",
        )
    })?;
    for path in &args.compose {
        opts.compose
            .push(crate::hermetic::compose::load(path, ctx.limits)?);
    }
    let mut report = Report::new("hermetic check", ctx.now_rfc3339.clone());
    let mut logs = Vec::new();
    for path in &args.logs {
        let name = input::display_path(path);
        let mut subject = Subject::new(name.clone());
        match input::read_text(path, ctx.limits) {
            Err(e) => {
                subject.verdict = Verdict::Error;
                report.diagnostics.push(e.into_diagnostic());
            }
            Ok(text) => {
                let r = check::check_text(&name, &text, &opts);
                subject.facts.insert("lines".into(), json!(r.lines));
                subject
                    .facts
                    .insert("network findings".into(), json!(r.denied()));
                if r.recognised() {
                    let mut tools = r.tools.clone();
                    for i in &r.invocations {
                        if !tools.contains(&i.tool) {
                            tools.push(i.tool.clone());
                        }
                    }
                    subject.kind = Some(format!("build log ({})", tools.join(", ")));
                    subject.verdict = if r.denied() > 0 {
                        Verdict::Deny
                    } else {
                        Verdict::Pass
                    };
                } else {
                    subject.kind = Some("unrecognised log".into());
                    subject.verdict = Verdict::Error;
                    report.diagnostics.push(
                        Diagnostic::new(
                            &hd::UNRECOGNISED_LOG,
                            format!(
                                "no known build tool output or invocation in {} line(s); no verdict on this log",
                                r.lines
                            ),
                        )
                        .at(Location::file(name.clone())),
                    );
                }
                report
                    .diagnostics
                    .extend(r.findings.iter().map(check::Finding::diagnostic));
                logs.push(r);
            }
        }
        report.subjects.push(subject);
    }
    let mut commands = Vec::new();
    for c in &args.command {
        let (invs, findings) = check::check_command(c, &opts);
        report
            .diagnostics
            .extend(findings.iter().map(check::Finding::diagnostic));
        let mut s = Subject::new(format!("--command {c}"));
        s.kind = Some("build invocation".into());
        s.verdict = if invs.is_empty() {
            // As with logs: no known build tool or downloader, no verdict by guessing.
            s.kind = Some("unrecognised command".into());
            report.diagnostics.push(
                Diagnostic::new(
                    &hd::UNRECOGNISED_LOG,
                    format!("no known build tool or downloader in `{c}`; no verdict on it"),
                )
                .at(Location::file(format!("--command {c}")))
                .help("pass the build tool's own invocation (e.g. `docker build --network=none .`, `cargo build --offline`); --rules patterns apply to logs only"),
            );
            Verdict::Error
        } else if findings.iter().any(|f| !f.allowed) {
            Verdict::Deny
        } else {
            Verdict::Pass
        };
        report.subjects.push(s);
        commands.push(json!({"command": c, "invocations": invs, "findings": findings}));
    }
    let rows: Vec<Vec<String>> = logs
        .iter()
        .flat_map(|l| l.findings.iter())
        .map(|f| {
            vec![
                format!("{}:{}", f.file, f.line),
                f.tool.clone(),
                f.host.clone().unwrap_or_else(|| "—".into()),
                match (f.kind, f.allowed) {
                    (_, true) => "allowed".into(),
                    (check::Kind::Network, false) => "network access".into(),
                    (check::Kind::NetworkNotDisabled, false) => "network not disabled".into(),
                },
                f.text.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        report.tables.push(Table {
            title: "Network access in build logs".into(),
            headers: ["line", "tool", "host", "finding", "text"]
                .map(String::from)
                .to_vec(),
            rows,
        });
    }
    report.sort();
    report.data = json!({
        "logs": logs.iter().map(|l| json!({
            "path": l.path,
            "lines": l.lines,
            "recognised": l.recognised(),
            "tools": l.tools,
            "invocations": l.invocations,
            "findings": l.findings,
        })).collect::<Vec<_>>(),
        "commands": commands,
        "allowHosts": args.allow_host,
        "rules": args.rules.as_ref().map(|p| input::display_path(p)),
        "compose": opts.compose.iter().map(|c| json!({
            "file": c.file,
            "building": c.building,
            "networkNotNone": c.online,
        })).collect::<Vec<_>>(),
    });
    env.emit(&report, global)
}

// ------------------------------------------------------------------ hermetic run

fn isolation_error(choice: IsolationChoice, why: String) -> Error {
    let flag = match choice {
        IsolationChoice::Auto => "--isolation auto",
        IsolationChoice::Unshare => "--isolation unshare",
        IsolationChoice::Bwrap => "--isolation bwrap",
    };
    Error::from(InputError::new(
        &hd::ISOLATION_UNAVAILABLE,
        Location::file(flag),
        format!("network isolation could not be set up, so the command was not run: {why}"),
        hd::ISOLATION_UNAVAILABLE.help,
    ))
}

/// The command line as one string, for the report (arguments with spaces or quotes quoted).
fn command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn cmd_run(
    ctx: &Context,
    args: &HermeticRunArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    if args.attest.is_some() && args.artifact.is_empty() {
        return Err(Error::usage(
            "--attest needs at least one --artifact GLOB: the statement's subjects are the artifacts the command builds",
            "e.g. --artifact 'target/release/app'",
        ));
    }
    for v in &args.record_env {
        if v.is_empty() || v.contains('=') {
            return Err(Error::usage(
                format!("--record-env {v:?} is not a variable name"),
                "pass the name only, e.g. --record-env GITHUB_SHA",
            ));
        }
    }
    // Everything that can fail is checked before the command runs.
    let (key, key_warning) = match &args.key {
        Some(k) => {
            let (key, warning) = super::sign::load_private_key(k, ctx, env)?;
            (Some(key), warning)
        }
        None => (None, None),
    };
    let choice = match args.isolation {
        IsolationChoice::Auto => run::Choice::Auto,
        IsolationChoice::Unshare => run::Choice::Unshare,
        IsolationChoice::Bwrap => run::Choice::Bwrap,
    };
    let cmdline = command_line(&args.command);
    let mut report = Report::new("hermetic run", ctx.now_rfc3339.clone());
    report.diagnostics.extend(key_warning);
    let mut subject = Subject::new(cmdline.clone());
    subject.kind = Some("isolated command".into());
    let iso = match run::probe(choice) {
        Ok(iso) => iso,
        Err(why) => {
            let err = isolation_error(args.isolation, why);
            // With --output the report records why nothing ran; either way one line on stderr.
            if global.output.is_none() {
                return Err(err);
            }
            let Error::Input(e) = err else {
                return Err(err);
            };
            subject.verdict = Verdict::Error;
            subject.facts.insert("ran".into(), json!(false));
            report.subjects.push(subject);
            report.data = json!({
                "command": args.command,
                "ran": false,
                "isolation": null,
                "exitCode": null,
                "attestation": null,
            });
            report.diagnostics.push((*e).into_diagnostic());
            return env.emit(&report, global);
        }
    };
    let cwd = std::env::current_dir().map_err(|e| {
        Error::usage(
            format!("cannot read the working directory: {e}"),
            "run from an existing directory",
        )
    })?;
    let now =
        || jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).expect("in range");
    let started = now();
    let status = iso.command(&args.command).status().map_err(|e| {
        Error::usage(
            format!("cannot start `{}`: {e}", iso.method),
            "check that the isolation tool is installed",
        )
    })?;
    let finished = now();
    let code = run::exit_code(status);
    let duration = finished.as_second() - started.as_second();
    subject.facts.insert("isolation".into(), json!(iso.method));
    subject
        .facts
        .insert("interfaces".into(), json!(iso.interfaces.join(",")));
    subject.facts.insert(
        "loopback".into(),
        json!(if iso.loopback_up { "up" } else { "down" }),
    );
    subject.facts.insert("exit code".into(), json!(code));
    subject
        .facts
        .insert("duration".into(), json!(format!("{duration}s")));
    if code != 0 {
        report.diagnostics.push(
            Diagnostic::new(
                &hd::RUN_COMMAND_FAILED,
                format!("`{cmdline}` exited {code} (with no network, loopback only)"),
            )
            .at(Location::file(cmdline.clone()))
            .help("a failed build proves nothing about its outputs; run it with network to see whether it needs any, and vendor or pre-fetch what it downloads"),
        );
    }
    let mut attestation = Value::Null;
    let mut subjects = Vec::new();
    if let (Some(out), Some(key)) = (&args.attest, &key) {
        let mut files = run::glob_files(&cwd, &args.artifact)
            .map_err(|e| Error::usage(e, "use globs relative to the working directory"))?;
        // What this run writes (a previous run's statement or report) is not what it built.
        let own: Vec<crate::output::FileId> = std::iter::once(out.as_path())
            .chain(global.output.as_deref())
            .filter_map(crate::output::FileId::of)
            .collect();
        files.retain(|(_, path)| !own.iter().any(|o| o.is(path)));
        if files.is_empty() {
            report.diagnostics.push(
                Diagnostic::new(
                    &hd::RUN_NO_ARTIFACTS,
                    format!(
                        "--artifact {} matched no files after the run; no statement was written",
                        args.artifact.join(" ")
                    ),
                )
                .at(Location::file(format!(
                    "--artifact {}",
                    args.artifact.join(" ")
                )))
                .help(format!(
                    "check the globs, relative to {}, and that the command builds them",
                    cwd.display()
                )),
            );
        } else {
            let mut outputs = Vec::new();
            for (name, path) in files {
                let sha = run::sha256_file(&path).map_err(|e| Error::Output {
                    path: name.clone(),
                    source: e,
                })?;
                outputs.push((name, sha));
            }
            let record = run::RunRecord {
                command: args.command.clone(),
                cwd: cwd.display().to_string(),
                env: args
                    .record_env
                    .iter()
                    .map(|k| (k.clone(), env.var(k).map(str::to_string)))
                    .collect(),
                started_on: started.to_string(),
                finished_on: finished.to_string(),
                exit_code: code,
                isolation: iso.clone(),
                outputs,
            };
            let st = run::statement(&record);
            let payload = serde_json::to_vec(&st).expect("serialises");
            let envelope = dsse::sign(dsse::INTOTO_PAYLOAD_TYPE, &payload, key);
            let mut text = serde_json::to_string_pretty(&envelope).expect("serialises");
            text.push('\n');
            crate::output::write_atomic(out, text.as_bytes())?;
            let out_name = input::display_path(out);
            subject
                .facts
                .insert("attestation".into(), json!(out_name.clone()));
            subject
                .facts
                .insert("artifacts".into(), json!(record.outputs.len()));
            attestation = json!(out_name);
            subjects = record
                .outputs
                .iter()
                .map(|(n, s)| json!({"name": n, "sha256": s}))
                .collect();
        }
    }
    report.sort();
    subject.verdict = report.verdict();
    report.subjects.push(subject);
    report.data = json!({
        "command": args.command,
        "ran": true,
        "cwd": cwd.display().to_string(),
        "isolation": iso,
        "exitCode": code,
        "startedOn": started.to_string(),
        "finishedOn": finished.to_string(),
        "durationSeconds": duration,
        "attestation": attestation,
        "artifacts": subjects,
    });
    // stdout is the command's: without --output the report goes to stderr, after its output.
    let verdict_code = env.emit_to(&report, global, global.output.is_none())?;
    // The exit code is the command's own (so a build step can be wrapped transparently), or 2
    // when tollgate could not do what it was asked (no artifacts to attest).
    if verdict_code == crate::EXIT_ERROR {
        return Ok(crate::EXIT_ERROR);
    }
    Ok(code.clamp(0, 255) as u8)
}

// ------------------------------------------------------------------ hermetic verify

/// The verified statement of a hermetic-run envelope, or the finding that says why not.
pub fn verify_run_statement(
    name: &str,
    text: &str,
    keys: &[PublicKey],
) -> std::result::Result<Value, Box<Diagnostic>> {
    let loc = || Location::file(name.to_string());
    let envelope: dsse::Envelope = serde_json::from_str(text).map_err(|e| {
        Box::new(
            input::json_error(name, text, &e)
                .into_diagnostic()
                .help("pass the DSSE envelope `tollgate hermetic run --attest` wrote"),
        )
    })?;
    let verified = dsse::verify_envelope(&envelope, keys, 1)
        .map_err(|e| Box::new(Diagnostic::new(e.info(), e.to_string()).at(loc())))?;
    let st: Value = serde_json::from_slice(&verified.payload).map_err(|e| {
        Box::new(
            Diagnostic::new(
                &hd::RUN_ATTESTATION_INVALID,
                format!("the signed payload is not JSON: {e}"),
            )
            .at(loc()),
        )
    })?;
    if st.get("predicateType").and_then(Value::as_str) != Some(crate::hermetic::RUN_PREDICATE_TYPE)
    {
        return Err(Box::new(
            Diagnostic::new(
                &hd::RUN_ATTESTATION_INVALID,
                format!(
                    "predicateType is {}, not {}",
                    st.get("predicateType").unwrap_or(&Value::Null),
                    crate::hermetic::RUN_PREDICATE_TYPE
                ),
            )
            .at(loc().with_pointer("/predicateType")),
        ));
    }
    let method = st
        .pointer("/predicate/isolation/method")
        .and_then(Value::as_str);
    let interfaces = st.pointer("/predicate/isolation/interfaces");
    if method.is_none() || interfaces != Some(&json!(["lo"])) {
        return Err(Box::new(
            Diagnostic::new(
                &hd::RUN_ATTESTATION_INVALID,
                "the statement records no network isolation with loopback only",
            )
            .at(loc().with_pointer("/predicate/isolation")),
        ));
    }
    Ok(st)
}

pub fn cmd_verify(
    ctx: &Context,
    args: &HermeticVerifyArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = super::key::load_public_keys(&args.key, ctx)?;
    let name = input::display_path(&args.attestation);
    let text = input::read_text(&args.attestation, ctx.limits)?;
    let mut report = Report::new("hermetic verify", ctx.now_rfc3339.clone());
    let mut subject = Subject::new(name.clone());
    subject.kind = Some("hermetic-run statement (DSSE)".into());
    let mut data = json!({"attestation": name, "verified": false});
    match verify_run_statement(&name, &text, &keys) {
        Err(d) => {
            if d.is_input_error() {
                return Err(Error::from(InputError::new(
                    d.info,
                    d.location.clone().unwrap_or_default(),
                    d.message.clone(),
                    d.help_text().to_string(),
                )));
            }
            report.diagnostics.push(*d);
        }
        Ok(st) => {
            let code = st.pointer("/predicate/exitCode").and_then(Value::as_i64);
            let method = st
                .pointer("/predicate/isolation/method")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            subject.facts.insert("isolation".into(), json!(method));
            subject.facts.insert("exit code".into(), json!(code));
            if code != Some(0) {
                report.diagnostics.push(
                    Diagnostic::new(
                        &hd::RUN_COMMAND_FAILED,
                        format!(
                            "the attested command exited {}",
                            code.map(|c| c.to_string()).unwrap_or("(unknown)".into())
                        ),
                    )
                    .at(Location::file(name.clone()).with_pointer("/predicate/exitCode")),
                );
            }
            let subjects = st
                .get("subject")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            subject
                .facts
                .insert("subjects".into(), json!(subjects.len()));
            for a in &args.artifact {
                let an = input::display_path(a);
                let bytes = input::read_bytes(a, ctx.limits)?;
                let sha = {
                    use sha2::Digest;
                    crate::attest::intoto::hex(&sha2::Sha256::digest(&bytes))
                };
                let found = subjects
                    .iter()
                    .any(|s| s.pointer("/digest/sha256").and_then(Value::as_str) == Some(&sha));
                if !found {
                    report.diagnostics.push(
                        Diagnostic::new(
                            &hd::RUN_ATTESTATION_INVALID,
                            format!("{an} (sha256 {sha}) is not a subject of the statement"),
                        )
                        .at(Location::file(an)),
                    );
                }
            }
            data = json!({"attestation": name, "verified": true, "statement": st});
        }
    }
    subject.verdict = if report.diagnostics.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Deny
    };
    report.subjects.push(subject);
    report.sort();
    report.data = data;
    env.emit(&report, global)
}

// ------------------------------------------------------------------ repro

fn check_ratio(opts: &ReproOptions) -> Result<()> {
    if !(0.0..=1.0).contains(&opts.min_ratio) {
        return Err(Error::usage(
            format!("--min-ratio {} is not between 0 and 1", opts.min_ratio),
            "e.g. --min-ratio 0.95",
        ));
    }
    Ok(())
}

fn dir_exists(p: &Path) -> Result<()> {
    let name = input::display_path(p);
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::from(InputError::new(
            &crate::diags::INPUT_NOT_A_FILE,
            Location::file(name),
            "is not a directory",
            "pass the directory that holds the build's artifacts",
        ))),
        Err(e) => Err(Error::from(input::io_error(&name, &e))),
    }
}

#[allow(clippy::too_many_arguments)]
fn repro_report(
    ctx: &Context,
    global: &GlobalArgs,
    env: &mut Env,
    command: &str,
    labels: &[String],
    kinds: &[String],
    cmp: &compare::Comparison,
    opts: &ReproOptions,
    extra: Value,
    failed: &[(String, i32)],
) -> Result<u8> {
    let mut report = Report::new(command, ctx.now_rfc3339.clone());
    for (label, code) in failed {
        report.diagnostics.push(
            Diagnostic::new(&rd::BUILD_FAILED, format!("{label} exited {code}"))
                .at(Location::file(label.clone())),
        );
    }
    if cmp.total == 0 {
        report.diagnostics.push(
            Diagnostic::new(&rd::NO_ARTIFACTS, "no artifacts to compare in any build")
                .at(Location::file(labels.join(" "))),
        );
    }
    for a in &cmp.artifacts {
        match a.status {
            compare::Status::Identical => {}
            compare::Status::Different => {
                let mut d = Diagnostic::new(
                    &rd::ARTIFACT_DIFFERS,
                    format!("{} differs between builds", a.name),
                )
                .at(Location::file(a.name.clone()));
                if let Some(s) = &a.diffoscope {
                    let first: Vec<&str> =
                        s.lines().filter(|l| !l.trim().is_empty()).take(6).collect();
                    d = d.help(format!("diffoscope: {}", first.join(" | ")));
                }
                report.diagnostics.push(d);
            }
            compare::Status::Missing => {
                let missing: Vec<&str> = labels
                    .iter()
                    .zip(&a.sha256)
                    .filter(|(_, s)| s.is_none())
                    .map(|(l, _)| l.as_str())
                    .collect();
                report.diagnostics.push(
                    Diagnostic::new(
                        &rd::ARTIFACT_MISSING,
                        format!("{} is missing from {}", a.name, missing.join(", ")),
                    )
                    .at(Location::file(a.name.clone())),
                );
            }
        }
    }
    if cmp.total > 0 && cmp.ratio + 1e-12 < opts.min_ratio {
        report.diagnostics.push(
            Diagnostic::new(
                &rd::BELOW_MIN_RATIO,
                format!(
                    "reproducibility ratio {:.4} ({}/{} identical) is below --min-ratio {}",
                    cmp.ratio, cmp.identical, cmp.total, opts.min_ratio
                ),
            )
            .at(Location::file(labels.join(" "))),
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let mut s = Subject::new(l.clone());
        s.kind = Some(kinds.get(i).cloned().unwrap_or_else(|| "build".into()));
        s.facts.insert(
            "artifacts".into(),
            json!(
                cmp.artifacts
                    .iter()
                    .filter(|a| a.sha256[i].is_some())
                    .count()
            ),
        );
        report.subjects.push(s);
    }
    let rows = cmp
        .artifacts
        .iter()
        .map(|a| {
            let mut r = vec![a.name.clone(), a.status.as_str().to_string()];
            r.extend(a.sha256.iter().map(|s| {
                s.as_deref()
                    .map(|s| s[..12.min(s.len())].to_string())
                    .unwrap_or_else(|| "—".into())
            }));
            r
        })
        .collect();
    let mut headers = vec!["artifact".to_string(), "status".to_string()];
    headers.extend(labels.iter().map(|l| format!("sha256 {l}")));
    report.tables.push(Table {
        title: format!(
            "Reproducibility: {}/{} identical (ratio {:.4})",
            cmp.identical, cmp.total, cmp.ratio
        ),
        headers,
        rows,
    });
    report.sort();
    let verdict = report.verdict();
    for s in &mut report.subjects {
        s.verdict = verdict;
    }
    let mut data = json!({
        "schema": crate::repro::REPORT_SCHEMA,
        "generatedAt": ctx.now_rfc3339,
        "builds": labels,
        "total": cmp.total,
        "identical": cmp.identical,
        "different": cmp.different,
        "missing": cmp.missing,
        "ratio": cmp.ratio,
        "minRatio": opts.min_ratio,
        "diffoscope": cmp.diffoscope,
        "artifacts": cmp.artifacts,
        "reproducible": verdict == Verdict::Pass,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    if let Some(p) = &opts.report {
        let mut text = serde_json::to_string_pretty(&data).expect("serialises");
        text.push('\n');
        crate::output::write_atomic(p, text.as_bytes())?;
    }
    report.data = data;
    env.emit(&report, global)
}

/// One side of `repro compare`: what the user gave and what was read from it.
struct Side {
    label: String,
    kind: String,
    format: Option<&'static str>,
    artifacts: BTreeMap<String, compare::Source>,
}

fn single_file(p: &Path) -> BTreeMap<String, compare::Source> {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "artifact".into());
    [(name, compare::Source::File(p.to_path_buf()))].into()
}

fn read_list(ctx: &Context, p: &Path) -> Result<Side> {
    let label = input::display_path(p);
    let text = input::read_text(p, ctx.limits)?;
    let list = crate::repro::list::parse(&label, &text)?;
    // Names are relative to the list's directory (where `sha256sum -c` would run).
    let base = p.parent().unwrap_or(Path::new("."));
    let artifacts = list
        .entries
        .into_iter()
        .map(|(name, sha256)| {
            let local = Some(base.join(&name)).filter(|f| f.is_file());
            (name, compare::Source::Listed { sha256, local })
        })
        .collect();
    Ok(Side {
        label,
        kind: format!("artifact list ({})", list.format.as_str()),
        format: Some(list.format.as_str()),
        artifacts,
    })
}

pub fn cmd_repro_compare(
    ctx: &Context,
    args: &ReproCompareArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    check_ratio(&args.opts)?;
    // --list-a/--list-b take the place of DIR_A/DIR_B; the positionals fill the other sides.
    let mut positional = args.dir_a.iter().chain(args.dir_b.iter());
    let a_list = args.list_a.clone();
    let a_path = if a_list.is_none() {
        positional.next().cloned()
    } else {
        None
    };
    let b_list = args.list_b.clone();
    let b_path = if b_list.is_none() {
        positional.next().cloned()
    } else {
        None
    };
    if let Some(extra) = positional.next() {
        return Err(Error::usage(
            format!(
                "{} is one build too many: --list-a/--list-b take the place of DIR_A/DIR_B",
                input::display_path(extra)
            ),
            "give two builds in all, e.g. `repro compare --list-a SHA256SUMS dist/`",
        ));
    }
    let missing = || {
        Error::usage(
            "repro compare needs two builds: DIR_A DIR_B, or --list-a/--list-b FILE in place of either",
            "e.g. `repro compare build-1/ build-2/` or `repro compare --list-a SHA256SUMS dist/`",
        )
    };
    let (a_list, a_path) = match (a_list, a_path) {
        (None, None) => return Err(missing()),
        x => x,
    };
    let (b_list, b_path) = match (b_list, b_path) {
        (None, None) => return Err(missing()),
        x => x,
    };
    let any_list = a_list.is_some() || b_list.is_some();
    let is_file = |p: &Path| std::fs::metadata(p).is_ok_and(|m| m.is_file());
    let mut sides = Vec::new();
    match (&a_path, &b_path) {
        (Some(a), Some(b)) if is_file(a) && is_file(b) => {
            // Two files: one artifact, named after the first.
            let one = single_file(a);
            let name = one.keys().next().cloned().unwrap_or_default();
            for p in [a, b] {
                sides.push(Side {
                    label: input::display_path(p),
                    kind: "artifact".into(),
                    format: None,
                    artifacts: [(name.clone(), compare::Source::File(p.clone()))].into(),
                });
            }
        }
        _ => {
            for (list, path) in [(&a_list, &a_path), (&b_list, &b_path)] {
                let side = match (list, path) {
                    (Some(l), _) => read_list(ctx, l)?,
                    (None, Some(p)) if any_list && is_file(p) => Side {
                        label: input::display_path(p),
                        kind: "artifact".into(),
                        format: None,
                        artifacts: single_file(p),
                    },
                    (None, Some(p)) => {
                        dir_exists(p)?;
                        Side {
                            label: input::display_path(p),
                            kind: "build directory".into(),
                            format: None,
                            artifacts: compare::tree(p)
                                .into_iter()
                                .map(|(k, v)| (k, compare::Source::File(v)))
                                .collect(),
                        }
                    }
                    (None, None) => unreachable!("checked above"),
                };
                sides.push(side);
            }
        }
    }
    let mut builds: Vec<BTreeMap<String, compare::Source>> = sides
        .iter_mut()
        .map(|s| std::mem::take(&mut s.artifacts))
        .collect();
    let paired = if any_list {
        compare::pair_by_file_name(&mut builds)
    } else {
        Vec::new()
    };
    // One file against a list: is that artifact in the list, with the same digest? The list's
    // other entries are not this comparison's business.
    if any_list && let Some(i) = sides.iter().position(|s| s.kind == "artifact") {
        let keep: Vec<String> = builds[i].keys().cloned().collect();
        for b in builds.iter_mut() {
            b.retain(|k, _| keep.contains(k));
        }
    }
    let use_diffoscope = !args.opts.no_diffoscope && compare::diffoscope_installed();
    let cmp = compare::compare_sources(&builds, use_diffoscope).map_err(|e| Error::Output {
        path: sides[0].label.clone(),
        source: e,
    })?;
    let labels: Vec<String> = sides.iter().map(|s| s.label.clone()).collect();
    let kinds: Vec<String> = sides.iter().map(|s| s.kind.clone()).collect();
    let inputs: Vec<Value> = sides
        .iter()
        .map(|s| json!({"path": s.label, "kind": s.kind, "format": s.format}))
        .collect();
    repro_report(
        ctx,
        global,
        env,
        "repro compare",
        &labels,
        &kinds,
        &cmp,
        &args.opts,
        json!({
            "command": null,
            "inputs": inputs,
            "pairedByFileName": paired.iter().map(|(o, f)| json!({"name": o, "as": f})).collect::<Vec<_>>(),
        }),
        &[],
    )
}

pub fn cmd_repro_run(
    ctx: &Context,
    args: &ReproRunArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    check_ratio(&args.opts)?;
    dir_exists(&args.source)?;
    // Bad globs are usage errors before anything is built.
    run::glob_files(&args.source, &args.artifact)
        .map_err(|e| Error::usage(e, "use globs relative to the build directory"))?;
    let sde = match args.source_date_epoch {
        Some(s) => s,
        None => env
            .var("SOURCE_DATE_EPOCH")
            .and_then(|s| s.parse().ok())
            .unwrap_or(1_700_000_000),
    };
    let faketime = !args.no_faketime && crate::repro::run::faketime_installed();
    let mut plan = crate::repro::run::plan(args.runs, sde, faketime);
    let root = tempfile::Builder::new()
        .prefix("tollgate-repro-")
        .tempdir()
        .map_err(|e| Error::Output {
            path: std::env::temp_dir().display().to_string(),
            source: e,
        })?;
    let mut builds = Vec::new();
    let mut failed = Vec::new();
    let mut labels = Vec::new();
    for v in &mut plan {
        let dir = crate::repro::run::build_dir(root.path(), v);
        crate::repro::run::copy_tree(&args.source, &dir).map_err(|e| Error::Output {
            path: dir.display().to_string(),
            source: e,
        })?;
        let label = format!("run-{}", v.run);
        let _ = writeln!(
            env.stderr,
            "tollgate repro run: build {} of {} in {} (TZ={}, LC_ALL={}, umask {}{})",
            v.run,
            args.runs,
            v.build_path,
            v.env["TZ"],
            v.env["LC_ALL"],
            v.umask,
            v.faketime
                .as_ref()
                .map(|f| format!(", faketime {f}"))
                .unwrap_or_default()
        );
        let status = crate::repro::run::command(v, &dir, &args.command)
            .and_then(|mut c| c.status())
            .map_err(|e| {
                Error::usage(
                    format!("cannot run `{}`: {e}", args.command.join(" ")),
                    "check the command after `--`",
                )
            })?;
        let code = run::exit_code(status);
        v.exit_code = Some(code);
        if code != 0 {
            failed.push((label.clone(), code));
        }
        let files = run::glob_files(&dir, &args.artifact)
            .map_err(|e| Error::usage(e, "use globs relative to the build directory"))?;
        builds.push(files.into_iter().collect());
        labels.push(label);
    }
    let use_diffoscope = !args.opts.no_diffoscope && compare::diffoscope_installed();
    let cmp = compare::compare(&builds, use_diffoscope).map_err(|e| Error::Output {
        path: root.path().display().to_string(),
        source: e,
    })?;
    repro_report(
        ctx,
        global,
        env,
        "repro run",
        &labels,
        &vec!["build".to_string(); labels.len()],
        &cmp,
        &args.opts,
        json!({
            "command": args.command,
            "runs": args.runs,
            "artifactGlobs": args.artifact,
            "sourceDateEpoch": sde,
            "faketime": faketime,
            "variations": plan,
        }),
        &failed,
    )
}
