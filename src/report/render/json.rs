//! Stable JSON output (documented in docs/json-output.md). Keys are sorted, so the same report
//! always renders to the same bytes.

use crate::report::{Diagnostic, Report, Severity};
use serde_json::{Value, json};

/// Version of the JSON report shape; bumped only on incompatible changes.
pub const REPORT_SCHEMA: &str = "https://tollgate.dev/schemas/report/v1";

fn diagnostic(d: &Diagnostic) -> Value {
    let mut v = json!({
        "code": d.info.code,
        "name": d.info.name,
        "category": d.info.category,
        "severity": d.severity,
        "message": d.message,
        "help": d.help_text(),
    });
    if let Some(loc) = &d.location {
        v["location"] = serde_json::to_value(loc).expect("location serialises");
    }
    v
}

pub fn to_value(report: &Report) -> Value {
    let verdict = report.verdict();
    json!({
        "schema": REPORT_SCHEMA,
        "tool": {"name": "tollgate", "version": crate::VERSION},
        "command": report.command,
        "generatedAt": report.generated_at,
        "verdict": verdict,
        "exitCode": verdict.exit_code(),
        "summary": {
            "subjects": report.subjects.len(),
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "notes": report.count(Severity::Note),
        },
        "subjects": report.subjects,
        "diagnostics": report.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
        "data": report.data,
    })
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).expect("report serialises");
    s.push('\n');
    s
}
