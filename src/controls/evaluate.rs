//! Evaluate a catalog against an evidence directory: list the evidence once, match every
//! control's globs, run its assertions (controls in parallel), apply waivers, and produce the
//! Control Attestation predicate. Fail closed: missing evidence, an unreadable file or an
//! assertion error fails the control with the reason.

use super::assertions::EvalContext;
use super::cfg::{Catalog, Waiver};
use super::model::*;
use crate::attest::keys::PublicKey;
use crate::input::Limits;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

/// Every regular file under `root`, as sorted `/`-separated relative paths (symlinks and
/// special files are not evidence; `.git` is skipped, and so is `outputs`, the directory the
/// attestation is written to, with its `.controls-*` staging siblings: with `--out` inside the
/// evidence, a run must not attest the previous run's outputs).
pub fn list_evidence(root: &Path, outputs: &Path) -> std::io::Result<Vec<String>> {
    let outputs = crate::output::FileId::of(outputs);
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            let path = entry.path();
            if ft.is_dir() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let ours =
                    name.starts_with(".controls-") || outputs.as_ref().is_some_and(|o| o.is(&path));
                if name != ".git" && !ours {
                    stack.push(path);
                }
            } else if ft.is_file()
                && let Ok(rel) = path.strip_prefix(root)
            {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(rel.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

pub struct Options<'a> {
    pub evidence_root: &'a Path,
    pub catalog_dir: &'a Path,
    pub now: jiff::Timestamp,
    pub limits: Limits,
    pub trusted_keys: &'a [PublicKey],
    pub release: Release,
    pub tool_version: String,
}

/// Evaluate every control. Returns the predicate (evidence digests included).
pub fn evaluate(
    catalog: &Catalog,
    waivers: &[Waiver],
    files: &[String],
    o: &Options,
) -> std::io::Result<ControlsPredicate> {
    let ctx = EvalContext {
        root: o.evidence_root,
        catalog_dir: o.catalog_dir,
        now: o.now,
        limits: o.limits,
        trusted_keys: o.trusted_keys,
        json_cache: None,
    };
    let ids: BTreeSet<&str> = catalog.controls.iter().map(|c| c.id.as_str()).collect();
    // Waivers first: which are usable, and why the others are not.
    let mut records: Vec<WaiverRecord> = waivers
        .iter()
        .map(|w| {
            let (state, note) = if !ids.contains(w.control.as_str()) {
                (
                    WaiverState::Invalid,
                    format!("names no control of the catalog ({})", w.control),
                )
            } else if w.approver.is_none() {
                (
                    WaiverState::Invalid,
                    "has no approver, so it waives nothing".to_string(),
                )
            } else if w.expires <= o.now {
                // Expired from the instant it names (a date: from the start of the next day).
                (
                    WaiverState::Expired,
                    format!("expired on {}", w.expires_text),
                )
            } else {
                (
                    WaiverState::Active,
                    "not needed: the control passed".to_string(),
                )
            };
            WaiverRecord {
                control: w.control.clone(),
                reason: w.reason.clone(),
                approver: w.approver.clone(),
                expires: w.expires_text.clone(),
                ticket: w.ticket.clone(),
                state,
                note,
            }
        })
        .collect();

    // Match every file against every evidence glob of the catalog in one pass (one glob set),
    // instead of once per control and glob: 20,000 files x 400 globs would dominate the run.
    let specs: Vec<&super::cfg::EvidenceSpec> = catalog
        .controls
        .iter()
        .flat_map(|c| c.evidence.iter())
        .collect();
    let mut builder = globset::GlobSetBuilder::new();
    for spec in &specs {
        builder.add(spec.glob.clone());
    }
    let set = builder.build().map_err(std::io::Error::other)?;
    let hits: Vec<Vec<usize>> = files.par_iter().map(|f| set.matches(f.as_str())).collect();
    let mut by_spec: Vec<Vec<&String>> = vec![Vec::new(); specs.len()];
    for (f, hit) in files.iter().zip(&hits) {
        for &i in hit {
            by_spec[i].push(f);
        }
    }
    let mut offsets = Vec::with_capacity(catalog.controls.len());
    let mut next = 0;
    for c in &catalog.controls {
        offsets.push(next);
        next += c.evidence.len();
    }

    let mut controls: Vec<ControlResult> = catalog
        .controls
        .par_iter()
        .zip(offsets.par_iter())
        .map(|(c, &first)| {
            let mut results = Vec::new();
            let mut evidence: BTreeSet<String> = BTreeSet::new();
            for (k, spec) in c.evidence.iter().enumerate() {
                let matched: &[&String] = &by_spec[first + k];
                let mut fresh = Vec::new();
                let mut stale = Vec::new();
                for f in matched {
                    match spec.max_age {
                        Some(max) => {
                            let age = std::fs::metadata(ctx.abs(f))
                                .and_then(|m| m.modified())
                                .ok()
                                .and_then(|t| jiff::Timestamp::try_from(t).ok())
                                .map(|t| o.now.duration_since(t));
                            if age.is_some_and(|a| a <= max) {
                                fresh.push(*f);
                            } else {
                                stale.push(*f);
                            }
                        }
                        None => fresh.push(*f),
                    }
                }
                evidence.extend(fresh.iter().map(|f| f.to_string()));
                if fresh.len() < spec.min {
                    let why = if matched.is_empty() {
                        format!("missing evidence: {} matched no file", spec.pattern)
                    } else if !stale.is_empty() {
                        format!(
                            "stale evidence: {} has {} file(s) within max_age, {} required ({} too old)",
                            spec.pattern,
                            fresh.len(),
                            spec.min,
                            stale.len()
                        )
                    } else {
                        format!(
                            "not enough evidence: {} matched {} file(s), at least {} required",
                            spec.pattern,
                            fresh.len(),
                            spec.min
                        )
                    };
                    results.push(AssertionResult {
                        kind: "evidence".into(),
                        status: Status::Fail,
                        message: why,
                        evidence: matched.iter().map(|f| f.to_string()).collect(),
                    });
                }
            }
            let evidence: Vec<String> = evidence.into_iter().collect();
            if c.evidence.is_empty() || results.is_empty() {
                // Assertions read the control's evidence (or, with no evidence globs, every file
                // their own `evidence:` filter selects).
                let scope: &[String] = if c.evidence.is_empty() { files } else { &evidence };
                let cache = super::assertions::JsonCache::default();
                let ctx = super::assertions::EvalContext {
                    json_cache: Some(&cache),
                    ..ctx
                };
                for a in &c.assertions {
                    results.push(a.evaluate(&ctx, scope));
                }
            }
            let failed = results.iter().find(|r| r.status == Status::Fail);
            let (status, reason) = match failed {
                Some(f) => (Status::Fail, format!("{}: {}", f.kind, f.message)),
                None => {
                    let n = results.len();
                    let what = if n == 0 {
                        format!("{} evidence file(s) present", evidence.len())
                    } else {
                        format!("{n} assertion(s) passed over {} evidence file(s)", evidence.len())
                    };
                    (Status::Pass, what)
                }
            };
            if c.evidence.len() + c.assertions.len() > 0 && results.is_empty() {
                results.push(AssertionResult {
                    kind: "evidence".into(),
                    status: Status::Pass,
                    message: format!("{} evidence file(s) present", evidence.len()),
                    evidence: evidence.clone(),
                });
            }
            ControlResult {
                id: c.id.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                frameworks: c.frameworks.clone(),
                required: c.required,
                status,
                reason,
                evidence,
                assertions: results,
                waiver: None,
            }
        })
        .collect();

    // Apply usable waivers to failed controls; a waived control is never counted as passed.
    for c in &mut controls {
        if c.status != Status::Fail {
            continue;
        }
        if let Some(w) = records
            .iter_mut()
            .find(|w| w.control == c.id && w.state == WaiverState::Active)
        {
            w.note = format!("waives {} until {}", c.id, w.expires);
            c.status = Status::Waived;
            c.reason = format!(
                "waived by {} until {}: {} (failure: {})",
                w.approver.as_deref().unwrap_or("?"),
                w.expires,
                w.reason,
                c.reason
            );
            c.waiver = Some(w.clone());
        }
    }

    let mut summary = Summary {
        total: controls.len(),
        ..Default::default()
    };
    for c in &controls {
        match (c.status, c.required) {
            (Status::Pass, _) => summary.passed += 1,
            (Status::Waived, _) => summary.waived += 1,
            (Status::Fail, true) => summary.failed += 1,
            (Status::Fail, false) => summary.failed_optional += 1,
        }
    }
    let waiver_problem = records.iter().any(|w| w.state != WaiverState::Active);
    let verdict = if summary.failed == 0 && !waiver_problem {
        "pass"
    } else {
        "fail"
    };

    // Digests of every evidence file any control used.
    let used: BTreeSet<&str> = controls
        .iter()
        .flat_map(|c| {
            c.evidence
                .iter()
                .chain(c.assertions.iter().flat_map(|a| a.evidence.iter()))
        })
        .map(String::as_str)
        .collect();
    let used: Vec<&str> = used.into_iter().collect();
    let evidence: Vec<EvidenceFile> = used
        .par_iter()
        .map_init(
            || vec![0u8; 1 << 20],
            |buf, rel| -> std::io::Result<EvidenceFile> {
                let path = o.evidence_root.join(rel);
                let d = crate::attest::subjects::hash_file(
                    &path,
                    &[crate::attest::subjects::Algorithm::Sha256],
                    buf,
                )?;
                Ok(EvidenceFile {
                    path: rel.to_string(),
                    sha256: d.get("sha256").cloned().unwrap_or_default(),
                    size: std::fs::metadata(&path)?.len(),
                })
            },
        )
        .collect::<std::io::Result<Vec<_>>>()?;
    records.sort_by(|a, b| a.control.cmp(&b.control).then(a.expires.cmp(&b.expires)));

    Ok(ControlsPredicate {
        verdict: verdict.into(),
        generated_at: o.now.to_string(),
        tool: Tool {
            name: "tollgate".into(),
            version: o.tool_version.clone(),
        },
        release: o.release.clone(),
        catalog: CatalogRef {
            path: catalog.path.clone(),
            sha256: catalog.sha256.clone(),
            schema: catalog.schema,
        },
        summary,
        controls,
        waivers: records,
        evidence,
    })
}
