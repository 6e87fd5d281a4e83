//! `tollgate attest controls`, `tollgate catalog validate` and `tollgate verify attestation`.

use super::Context;
use super::sign::load_private_key;
use crate::attest::dsse;
use crate::attest::intoto::{self, hex};
use crate::attest::{ci_env, slsa};
use crate::cli::{AttestControlsArgs, CatalogValidateArgs, GlobalArgs, VerifyAttestationArgs};
use crate::controls::diags as ctl;
use crate::controls::model::{
    ControlsPredicate, PREDICATE_TYPE, Release, RenderContext, SignatureInfo, Status, WaiverState,
};
use crate::controls::{assertions, cfg, evaluate, outputs, render};
use crate::error::{Error, Result};
use crate::input::{self, InputError};
use crate::output::Env;
use crate::report::{Diagnostic, Location, Report, Severity, Subject, Table, Verdict};
use serde_json::json;
use sha2::Digest as _;
use std::path::Path;

fn sha256_hex(b: &[u8]) -> String {
    hex(&sha2::Sha256::digest(b))
}

fn release_from(args: &AttestControlsArgs, env: &Env) -> Release {
    let ci = if args.no_ci_env {
        ci_env::CiInfo::default()
    } else {
        ci_env::detect(&env.vars)
    };
    Release {
        name: args.release.clone().or_else(|| {
            ci.source_ref
                .as_deref()
                .and_then(|r| r.strip_prefix("refs/tags/"))
                .map(str::to_string)
        }),
        repository: ci.source_uri.as_deref().map(slsa::normalize_repository),
        git_ref: ci.source_ref.clone(),
        commit: ci.source_digest.clone(),
    }
}

/// Write every file into a fresh temporary directory beside `final_dir`, then swap it in, so
/// an interrupted run never leaves a half-written `controls/`.
/// Every file `attest controls` may write into OUT/controls/ (some only with --key or without
/// --no-pdf): a directory holding only these is a previous run's output and may be replaced.
const OUTPUT_FILES: &[&str] = &[
    "attestation.json",
    "attestation.dsse.json",
    "vsa.json",
    "vsa.dsse.json",
    "oscal-assessment-results.json",
    "control-map.csv",
    "report.md",
    "report.html",
    "report.pdf",
];

/// Refuse to replace OUT/controls unless it is a previous run's output: `--out .` in a
/// repository with its own `controls/` directory (catalogs, say) must not delete it.
fn check_replaceable(final_dir: &Path) -> Result<()> {
    let shown = final_dir.display();
    let Ok(meta) = std::fs::symlink_metadata(final_dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(Error::usage(
            format!("cannot write the outputs to {shown}: it exists and is not a directory"),
            "choose another --out (the outputs go to OUT/controls/)",
        ));
    }
    let entries = std::fs::read_dir(final_dir).map_err(|source| Error::Output {
        path: shown.to_string(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours =
            OUTPUT_FILES.contains(&name.as_str()) && entry.file_type().is_ok_and(|t| t.is_file());
        if !ours {
            return Err(Error::usage(
                format!(
                    "refusing to replace {shown}: it holds {name:?}, which attest controls does not write"
                ),
                "choose another --out (the outputs go to OUT/controls/, replaced whole on every run)",
            ));
        }
    }
    Ok(())
}

fn write_dir_atomically(final_dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    debug_assert!(files.iter().all(|(n, _)| OUTPUT_FILES.contains(n)));
    let parent = final_dir.parent().unwrap_or(Path::new("."));
    let out_err = |source| Error::Output {
        path: final_dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(parent).map_err(out_err)?;
    let tmp = tempfile::Builder::new()
        .prefix(".controls-")
        .tempdir_in(parent)
        .map_err(out_err)?;
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).map_err(out_err)?;
    }
    let staged = tmp.keep();
    if final_dir.exists() {
        let old = parent.join(format!(".controls-old-{}", std::process::id()));
        std::fs::rename(final_dir, &old).map_err(out_err)?;
        std::fs::rename(&staged, final_dir).map_err(out_err)?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&staged, final_dir).map_err(out_err)?;
    }
    Ok(())
}

fn config_error(e: cfg::ConfigErrors) -> Error {
    Error::from(e.into_input_error())
}

pub fn cmd_attest(
    ctx: &Context,
    args: &AttestControlsArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let catalog = cfg::load_catalog(&args.catalog, ctx.limits).map_err(config_error)?;
    let waivers = match &args.waivers {
        Some(w) => cfg::load_waivers(w, ctx.limits).map_err(config_error)?,
        None => Vec::new(),
    };
    // Before any work: what is at OUT/controls must be a previous run's output, or nothing.
    check_replaceable(&args.out.join("controls"))?;
    if !args.evidence.is_dir() {
        return Err(Error::from(InputError::new(
            &crate::diags::INPUT_NOT_FOUND,
            Location::file(input::display_path(&args.evidence)),
            "the evidence directory does not exist or is not a directory",
            "pass --evidence DIR, the directory the catalog's evidence globs are relative to",
        )));
    }
    let (signing_key, key_warning) = match &args.key {
        Some(k) => {
            let (key, warning) = load_private_key(k, ctx, env)?;
            (Some(key), warning)
        }
        None => (None, None),
    };
    let trusted = super::key::load_public_keys(&args.trusted_key, ctx)?;
    let files = evaluate::list_evidence(&args.evidence, &args.out.join("controls"))
        .map_err(|e| Error::from(input::io_error(&input::display_path(&args.evidence), &e)))?;
    let catalog_dir = args
        .catalog
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let opts = evaluate::Options {
        evidence_root: &args.evidence,
        catalog_dir: &catalog_dir,
        now: ctx.now,
        limits: ctx.limits,
        trusted_keys: &trusted,
        release: release_from(args, env),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let predicate = evaluate::evaluate(&catalog, &waivers, &files, &opts)
        .map_err(|e| Error::from(input::io_error(&input::display_path(&args.evidence), &e)))?;

    // Machine outputs.
    let statement = outputs::canonical_pretty(&outputs::statement(&predicate));
    let statement_sha = sha256_hex(statement.as_bytes());
    let vsa = outputs::canonical_pretty(&outputs::vsa(&predicate));
    let oscal = outputs::canonical_pretty(&outputs::oscal(&predicate, &statement_sha));
    let csv = outputs::control_map_csv(&predicate);
    let mut files_out: Vec<(&str, Vec<u8>)> = vec![
        ("attestation.json", statement.clone().into_bytes()),
        ("vsa.json", vsa.clone().into_bytes()),
        ("oscal-assessment-results.json", oscal.into_bytes()),
        ("control-map.csv", csv.into_bytes()),
    ];
    let mut signature = None;
    if let Some(key) = &signing_key {
        let env_att = dsse::sign(intoto::PAYLOAD_TYPE, statement.as_bytes(), key);
        let env_vsa = dsse::sign(intoto::PAYLOAD_TYPE, vsa.as_bytes(), key);
        files_out.push((
            "attestation.dsse.json",
            outputs::canonical_pretty(&env_att).into_bytes(),
        ));
        files_out.push((
            "vsa.dsse.json",
            outputs::canonical_pretty(&env_vsa).into_bytes(),
        ));
        let public = key.public_key();
        signature = Some(SignatureInfo {
            keyid: public.keyid(),
            algorithm: public.algorithm().as_str().to_string(),
            envelope: "attestation.dsse.json".into(),
        });
    }
    // Human renderings.
    let render_ctx = RenderContext {
        predicate: predicate.clone(),
        statement_sha256: statement_sha.clone(),
        signature: signature.clone(),
    };
    let template_err = |e: render::RenderError| {
        Error::usage(
            e.to_string(),
            "fix the template (minijinja syntax), or drop --templates to use the built-in ones",
        )
    };
    let markdown =
        render::render_markdown(&render_ctx, args.templates.as_deref()).map_err(template_err)?;
    let html = render::render_html(&render_ctx, args.templates.as_deref()).map_err(template_err)?;
    files_out.push(("report.md", markdown.into_bytes()));
    files_out.push(("report.html", html.into_bytes()));
    if !args.no_pdf {
        files_out.push(("report.pdf", render::render_pdf(&render_ctx)));
    }
    let out_dir = args.out.join("controls");
    write_dir_atomically(&out_dir, &files_out)?;

    let mut report = build_report(
        ctx,
        &predicate,
        &catalog,
        &waivers,
        &out_dir,
        &statement_sha,
        &signature,
    );
    if let Some(w) = key_warning {
        report.diagnostics.push(w);
        report.sort();
    }
    env.emit(&report, global)
}

fn build_report(
    ctx: &Context,
    p: &ControlsPredicate,
    catalog: &cfg::Catalog,
    waivers: &[cfg::Waiver],
    out_dir: &Path,
    statement_sha: &str,
    signature: &Option<SignatureInfo>,
) -> Report {
    let mut report = Report::new("attest controls", ctx.now_rfc3339.clone());
    for (c, spec) in p.controls.iter().zip(&catalog.controls) {
        let mut s = Subject::new(c.id.clone());
        s.kind = Some(c.name.clone());
        s.verdict = match (c.status, c.required) {
            (Status::Fail, true) => Verdict::Deny,
            _ => Verdict::Pass,
        };
        s.facts.insert("status".into(), json!(c.status.as_str()));
        for (fw, ids) in &c.frameworks {
            s.facts.insert(fw.clone(), json!(ids.join(", ")));
        }
        s.facts.insert("evidence".into(), json!(c.evidence.len()));
        report.subjects.push(s);
        let d = match (c.status, c.required) {
            (Status::Pass, _) => None,
            (Status::Fail, true) => Some(Diagnostic::new(
                &ctl::CONTROL_FAILED,
                format!("{} failed: {}", c.id, c.reason),
            )),
            (Status::Fail, false) => Some(Diagnostic::new(
                &ctl::OPTIONAL_CONTROL_FAILED,
                format!("{} (optional) failed: {}", c.id, c.reason),
            )),
            (Status::Waived, _) => Some(Diagnostic::new(
                &ctl::CONTROL_WAIVED,
                format!("{} {}", c.id, c.reason),
            )),
        };
        if let Some(d) = d {
            report.diagnostics.push(d.at(spec.location.clone()));
        }
    }
    for (w, raw) in p.waivers.iter().zip(sorted_waivers(waivers)) {
        let info = match w.state {
            WaiverState::Active => continue,
            WaiverState::Expired => &ctl::WAIVER_EXPIRED,
            WaiverState::Invalid => &ctl::WAIVER_INVALID,
        };
        report.diagnostics.push(
            Diagnostic::new(info, format!("waiver for {} {}", w.control, w.note))
                .at(raw.location.clone()),
        );
    }
    report.sort();
    report.tables.push(Table {
        title: "Controls".into(),
        headers: vec![
            "Control".into(),
            "Name".into(),
            "Frameworks".into(),
            "Status".into(),
            "Reason".into(),
        ],
        rows: p
            .controls
            .iter()
            .map(|c| {
                let fws: Vec<String> = c
                    .frameworks
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                    .collect();
                let status = if !c.required && c.status == Status::Fail {
                    "fail (optional)".to_string()
                } else {
                    c.status.as_str().to_string()
                };
                vec![
                    c.id.clone(),
                    c.name.clone(),
                    fws.join("; "),
                    status,
                    c.reason.clone(),
                ]
            })
            .collect(),
    });
    if p.verdict != "pass"
        && !report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        report.verdict_override = Some(Verdict::Deny);
    }
    let out = out_dir.display().to_string();
    report.data = json!({
        "verdict": p.verdict,
        "summary": p.summary,
        "outDir": out,
        "attestation": format!("{out}/attestation.json"),
        "attestationSha256": statement_sha,
        "signed": signature.is_some(),
        "signature": signature,
        "controls": p.controls,
        "waivers": p.waivers,
    });
    report
}

/// Waivers in the order the predicate lists them (by control, then expiry).
fn sorted_waivers(w: &[cfg::Waiver]) -> Vec<&cfg::Waiver> {
    let mut v: Vec<&cfg::Waiver> = w.iter().collect();
    v.sort_by(|a, b| {
        a.control
            .cmp(&b.control)
            .then(a.expires_text.cmp(&b.expires_text))
    });
    v
}

pub fn cmd_catalog_validate(
    ctx: &Context,
    args: &CatalogValidateArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let mut report = Report::new("catalog validate", ctx.now_rfc3339.clone());
    if args.list_assertions {
        report.tables.push(Table {
            title: "Assertion types".into(),
            headers: vec!["Type".into(), "Parameters".into(), "What it checks".into()],
            rows: assertions::describe()
                .into_iter()
                .map(|(name, summary, params)| {
                    let ps: Vec<String> = params
                        .iter()
                        .map(|(n, req, _)| {
                            if *req {
                                format!("{n} (required)")
                            } else {
                                n.to_string()
                            }
                        })
                        .collect();
                    vec![name.to_string(), ps.join(", "), summary.to_string()]
                })
                .collect(),
        });
    }
    if args.catalogs.is_empty() && !args.list_assertions {
        return Err(Error::usage(
            "no catalog to validate",
            "tollgate catalog validate catalog/default.yaml [--waivers waivers.yaml]",
        ));
    }
    let mut ids = std::collections::BTreeSet::new();
    for path in &args.catalogs {
        let name = input::display_path(path);
        let mut s = Subject::new(name.clone());
        s.kind = Some("control catalog".into());
        match cfg::load_catalog(path, ctx.limits) {
            Ok(c) => {
                s.facts.insert("controls".into(), json!(c.controls.len()));
                s.facts.insert("sha256".into(), json!(c.sha256));
                ids.extend(c.controls.iter().map(|c| c.id.clone()));
            }
            Err(e) => {
                s.verdict = Verdict::Error;
                report.diagnostics.extend(e.diagnostics());
            }
        }
        report.subjects.push(s);
    }
    if let Some(w) = &args.waivers {
        let name = input::display_path(w);
        let mut s = Subject::new(name.clone());
        s.kind = Some("waivers".into());
        match cfg::load_waivers(w, ctx.limits) {
            Ok(ws) => {
                s.facts.insert("waivers".into(), json!(ws.len()));
                for x in &ws {
                    let problem = if !args.catalogs.is_empty() && !ids.contains(&x.control) {
                        Some((
                            &ctl::WAIVER_INVALID,
                            format!("waiver names no control of the catalog ({})", x.control),
                        ))
                    } else if x.approver.is_none() {
                        Some((
                            &ctl::WAIVER_INVALID,
                            format!("waiver for {} has no approver", x.control),
                        ))
                    } else if x.expires < ctx.now {
                        Some((
                            &ctl::WAIVER_EXPIRED,
                            format!("waiver for {} expired on {}", x.control, x.expires_text),
                        ))
                    } else {
                        None
                    };
                    if let Some((info, msg)) = problem {
                        s.verdict = Verdict::Deny;
                        report
                            .diagnostics
                            .push(Diagnostic::new(info, msg).at(x.location.clone()));
                    }
                }
            }
            Err(e) => {
                s.verdict = Verdict::Error;
                report.diagnostics.extend(e.diagnostics());
            }
        }
        report.subjects.push(s);
    }
    report.sort();
    env.emit(&report, global)
}

pub fn cmd_verify_attestation(
    ctx: &Context,
    args: &VerifyAttestationArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let keys = super::key::load_public_keys(&args.key, ctx)?;
    let name = input::display_path(&args.envelope);
    let text = input::read_text(&args.envelope, ctx.limits)?;
    let envelope: dsse::Envelope = serde_json::from_str(&text).map_err(|e| {
        let mut ie = input::json_error(&name, &text, &e);
        if !e.is_syntax() && !e.is_eof() {
            ie.message = format!("not a DSSE envelope: {e}");
            ie.hint =
                "pass controls/attestation.dsse.json written by tollgate attest controls --key"
                    .into();
        }
        Error::from(ie)
    })?;
    let mut report = Report::new("verify attestation", ctx.now_rfc3339.clone());
    let mut subject = Subject::new(name.clone());
    subject.kind = Some("Control Attestation (DSSE)".into());
    let loc = Location::file(name.clone());
    let mut checks: Vec<Vec<String>> = Vec::new();
    let mut check = |what: &str, ok: bool, detail: String| {
        checks.push(vec![
            what.to_string(),
            if ok { "pass" } else { "FAIL" }.to_string(),
            detail,
        ]);
    };
    match dsse::verify_envelope(&envelope, &keys, 1) {
        Err(e) => {
            check("signature", false, e.to_string());
            report
                .diagnostics
                .push(Diagnostic::new(e.info(), e.to_string()).at(loc.clone()));
        }
        Ok(v) => {
            check(
                "signature",
                true,
                format!("signed by {}", v.keyids.join(", ")),
            );
            subject.facts.insert("signers".into(), json!(v.keyids));
            let predicate = serde_json::from_slice::<intoto::Statement>(&v.payload)
                .ok()
                .filter(|s| s.predicate_type.as_deref() == Some(PREDICATE_TYPE))
                .and_then(|s| serde_json::from_value::<ControlsPredicate>(s.predicate?).ok());
            match predicate {
                None => {
                    check(
                        "predicate",
                        false,
                        format!("not a {PREDICATE_TYPE} statement"),
                    );
                    report.diagnostics.push(
                        Diagnostic::new(&ctl::NOT_A_CONTROL_ATTESTATION, format!("the signed statement is not a Control Attestation ({PREDICATE_TYPE})")).at(loc.clone()),
                    );
                }
                Some(p) => {
                    check("predicate", true, PREDICATE_TYPE.into());
                    subject.facts.insert("verdict".into(), json!(p.verdict));
                    subject
                        .facts
                        .insert("controls".into(), json!(p.summary.total));
                    subject
                        .facts
                        .insert("generatedAt".into(), json!(p.generated_at));
                    if p.verdict == "pass" {
                        check("verdict", true, "pass".into());
                    } else if args.allow_fail_verdict {
                        check(
                            "verdict",
                            true,
                            "fail (allowed by --allow-fail-verdict)".into(),
                        );
                    } else {
                        check(
                            "verdict",
                            false,
                            format!("fail: {} control(s) failed", p.summary.failed),
                        );
                        report.diagnostics.push(
                            Diagnostic::new(
                                &ctl::ATTESTED_FAIL,
                                format!(
                                    "the attested verdict is fail ({} of {} controls failed)",
                                    p.summary.failed, p.summary.total
                                ),
                            )
                            .at(loc.clone()),
                        );
                    }
                    if let Some(dir) = &args.evidence {
                        let mut bad = 0;
                        let mut buf = vec![0u8; 1 << 20];
                        for e in &p.evidence {
                            let path = dir.join(&e.path);
                            let got = crate::attest::subjects::hash_file(
                                &path,
                                &[crate::attest::subjects::Algorithm::Sha256],
                                &mut buf,
                            )
                            .ok()
                            .and_then(|d| d.get("sha256").cloned());
                            if got.as_deref() != Some(e.sha256.as_str()) {
                                bad += 1;
                                let msg = match got {
                                    None => format!("{} is missing or unreadable", e.path),
                                    Some(g) => format!(
                                        "{} has sha256 {g}, the attestation recorded {}",
                                        e.path, e.sha256
                                    ),
                                };
                                report.diagnostics.push(
                                    Diagnostic::new(&ctl::EVIDENCE_CHANGED, msg)
                                        .at(Location::file(path.display().to_string())),
                                );
                            }
                        }
                        check(
                            "evidence",
                            bad == 0,
                            format!(
                                "{} of {} evidence file(s) unchanged",
                                p.evidence.len() - bad,
                                p.evidence.len()
                            ),
                        );
                    }
                }
            }
        }
    }
    if report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        subject.verdict = Verdict::Deny;
    }
    report.subjects.push(subject);
    report.tables.push(Table {
        title: "Checks".into(),
        headers: vec!["Check".into(), "Result".into(), "Detail".into()],
        rows: checks,
    });
    report.sort();
    env.emit(&report, global)
}
