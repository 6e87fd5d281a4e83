//! `sbom validate`: schema of the declared version + semantic rules + optional profile, per file,
//! files in parallel.

use super::diags as d;
use super::document::{self, Document, Family};
use super::schema::{self, SchemaId};
use super::{model, profile, semantic};
use crate::cli::Profile;
use crate::input::Limits;
use crate::report::{Diagnostic, Location, Severity, Subject, Table, Verdict};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    pub schema: bool,
    pub profile: Option<Profile>,
    pub strict: bool,
    pub now: jiff::Timestamp,
    pub limits: Limits,
    /// Schema violations reported per file; the rest are counted.
    pub max_schema_errors: usize,
}

/// The result for one file.
#[derive(Debug)]
pub struct FileResult {
    pub subject: Subject,
    pub diagnostics: Vec<Diagnostic>,
    pub table: Option<Table>,
    pub data: Value,
}

/// Validate many files in parallel; results keep the input order.
pub fn validate_files(files: &[PathBuf], opts: &Options) -> Vec<FileResult> {
    files.par_iter().map(|f| validate_file(f, opts)).collect()
}

pub fn validate_file(path: &std::path::Path, opts: &Options) -> FileResult {
    let name = crate::input::display_path(path);
    match document::load(path, opts.limits) {
        Ok(doc) => validate_document(doc, opts),
        Err(e) => {
            let mut subject = Subject::new(name.clone());
            subject.verdict = Verdict::Error;
            FileResult {
                subject,
                data: json!({"path": name, "verdict": "error", "error": e.one_line()}),
                diagnostics: vec![e.into_diagnostic()],
                table: None,
            }
        }
    }
}

/// The schema for a document's declared version, or a diagnostic saying it is unsupported.
fn schema_for(doc: &Document) -> Result<SchemaId, Box<Diagnostic>> {
    let unsupported = |what: String| {
        let pointer = match doc.family {
            Family::CycloneDx => "/specVersion",
            Family::Spdx2 => "/spdxVersion",
            Family::Spdx3 => "/@context",
        };
        Err(Box::new(
            Diagnostic::new(&d::UNSUPPORTED_VERSION, what).at(doc.location(pointer)),
        ))
    };
    match doc.family {
        Family::CycloneDx => match SchemaId::cyclonedx(&doc.version) {
            Some(id) => Ok(id),
            None if doc.version.is_empty() => {
                unsupported("CycloneDX document has no specVersion".to_string())
            }
            None => unsupported(format!(
                "CycloneDX specVersion {:?} is not supported (1.2-1.7 are)",
                doc.version
            )),
        },
        Family::Spdx2 => match doc.version.as_str() {
            "2.2" => Ok(SchemaId::Spdx22),
            "2.3" => Ok(SchemaId::Spdx23),
            v => unsupported(format!(
                "spdxVersion \"SPDX-{v}\" is not a released SPDX 2 version (SPDX-2.2 and SPDX-2.3 are supported)"
            )),
        },
        Family::Spdx3 => match doc.version.as_str() {
            "3.0.1" => Ok(SchemaId::Spdx301),
            v => unsupported(format!("SPDX {v} is not supported (3.0.1 is)")),
        },
    }
}

pub fn validate_document(doc: Document, opts: &Options) -> FileResult {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let schema_id = schema_for(&doc);
    let mut schema_valid = None;
    match &schema_id {
        Ok(id) if opts.schema => {
            let (violations, total) = schema::validate(*id, &doc.value, opts.max_schema_errors);
            schema_valid = Some(total == 0);
            for v in violations {
                diags.push(
                    Diagnostic::new(&d::SCHEMA, v.message)
                        .at(doc.location(&v.pointer))
                        .help(format!(
                            "fix the value at {} to match {}",
                            if v.pointer.is_empty() {
                                "/"
                            } else {
                                &v.pointer
                            },
                            id.file_name()
                        )),
                );
            }
            if total > opts.max_schema_errors {
                diags.push(
                    Diagnostic::new(
                        &d::SCHEMA,
                        format!(
                            "{} more schema violations not shown",
                            total - opts.max_schema_errors
                        ),
                    )
                    .at(Location::file(doc.path.clone())),
                );
            }
        }
        Ok(_) => {}
        Err(diag) => diags.push((**diag).clone()),
    }

    for f in semantic::check(&doc, opts.now) {
        let mut diag = Diagnostic::new(f.info, f.message).at(doc.location(&f.pointer));
        if let Some(h) = f.help {
            diag = diag.help(h);
        }
        diags.push(diag);
    }

    let comps = model::components(&doc);
    let mut subject = Subject::new(doc.path.clone());
    subject.kind = Some(doc.kind());
    subject
        .facts
        .insert("components".into(), json!(comps.len()));
    if let Ok(id) = &schema_id {
        subject.facts.insert("schema".into(), json!(id.file_name()));
    }

    let mut table = None;
    let mut profile_data = Value::Null;
    if let Some(p) = opts.profile {
        let facts = model::facts(&doc);
        let coverage = profile::evaluate(p, &doc, &comps, &facts);
        let mut rows = Vec::new();
        let mut elements = Vec::new();
        for c in &coverage {
            rows.push(vec![
                c.element.to_string(),
                c.scope.to_string(),
                format!("{}/{}", c.met, c.total),
                format!("{:.1}%", c.percent()),
            ]);
            elements.push(json!({
                "element": c.element, "scope": c.scope, "met": c.met, "total": c.total,
                "percent": (c.percent() * 10.0).round() / 10.0,
            }));
            if !c.complete() {
                let msg = if c.scope == "document" {
                    format!("{}: {} is missing", profile::profile_name(p), c.element)
                } else {
                    let mut m = format!(
                        "{}: {} of {} components lack {} ({:.1}% coverage)",
                        profile::profile_name(p),
                        c.total - c.met,
                        c.total,
                        c.element,
                        c.percent()
                    );
                    if !c.examples.is_empty() {
                        m.push_str(&format!(", e.g. {}", c.examples.join(", ")));
                    }
                    m
                };
                diags.push(
                    Diagnostic::new(&d::PROFILE_ELEMENT, msg).at(Location::file(doc.path.clone())),
                );
            }
        }
        let met_all = coverage.iter().all(profile::ElementCoverage::complete);
        subject.facts.insert(
            "profile".into(),
            json!(format!(
                "{} {}",
                profile::profile_name(p),
                if met_all { "met" } else { "not met" }
            )),
        );
        table = Some(Table {
            title: format!("{} — {}", profile::profile_name(p), doc.path),
            headers: vec![
                "element".into(),
                "scope".into(),
                "met".into(),
                "coverage".into(),
            ],
            rows,
        });
        profile_data =
            json!({"name": profile::profile_name(p), "met": met_all, "elements": elements});
    }

    if opts.strict {
        for diag in &mut diags {
            if diag.severity == Severity::Warning {
                diag.severity = Severity::Error;
            }
        }
    }
    // Positions for every pointer in one pass over the text.
    {
        let mut locs: Vec<&mut Location> = diags
            .iter_mut()
            .filter_map(|d| d.location.as_mut())
            .collect();
        doc.resolve_lines(&mut locs);
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    subject.verdict = if errors > 0 {
        Verdict::Deny
    } else {
        Verdict::Pass
    };
    let data = json!({
        "path": doc.path,
        "format": match doc.family { Family::CycloneDx => "cyclonedx", Family::Spdx2 | Family::Spdx3 => "spdx" },
        "specVersion": doc.version,
        "kind": doc.kind(),
        "schema": schema_id.as_ref().ok().map(|id| id.file_name()),
        "schemaValid": schema_valid,
        "components": comps.len(),
        "errors": errors,
        "warnings": warnings,
        "verdict": subject.verdict,
        "profile": profile_data,
    });
    FileResult {
        subject,
        diagnostics: diags,
        table,
        data,
    }
}
