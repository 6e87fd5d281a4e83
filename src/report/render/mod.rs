//! Renderers: every output format is produced from the same [`Report`].

mod github;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

use super::{Report, Severity, Verdict};
use crate::cli::Format;
use std::borrow::Cow;

/// Presentation settings that do not change what a report says.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    pub verbose: u8,
}

/// Render a report in the requested format. Output always ends with a newline.
pub fn render(report: &Report, format: Format, opts: RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// The Markdown job summary appended to `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(report: &Report) -> String {
    markdown::render(report)
}

pub use json::to_value as json_value;

// ---------------------------------------------------------------------------------------------
// Helpers shared by the text renderers.

/// `1 error`, `2 errors`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `3 files, 0 errors, 1 warning` (notes only when there are any).
fn counts_text(report: &Report) -> String {
    let mut s = format!(
        "{}, {}, {}",
        plural(report.subjects.len(), "file"),
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
    );
    let notes = report.count(Severity::Note);
    if notes > 0 {
        s.push_str(", ");
        s.push_str(&plural(notes, "note"));
    }
    s
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::Deny => "DENY",
        Verdict::Error => "ERROR",
    }
}

/// The one-line outcome every text format ends with: `PASS sbom validate: 3 files, 0 errors, 1 warning`.
fn verdict_line(report: &Report) -> String {
    format!(
        "{} {}: {}",
        verdict_word(report.verdict()),
        report.command,
        counts_text(report)
    )
}

/// A fact value as people read it: strings unquoted, everything else as compact JSON.
fn fact_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Neutralise control characters that could rewrite a terminal or CI log (ANSI escapes, carriage
/// returns…) since messages quote untrusted input. `\r\n` becomes `\n`; newlines and tabs stay.
fn clean(s: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let s = s.replace("\r\n", "\n");
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a diagnostic's file names the same input as a subject path (`./a.json` = `a.json`).
fn same_path(a: &str, b: &str) -> bool {
    fn norm(p: &str) -> String {
        let p = p.replace('\\', "/");
        let mut p = p.as_str();
        while let Some(rest) = p.strip_prefix("./") {
            p = rest;
        }
        p.to_string()
    }
    a == b || norm(a) == norm(b)
}

/// `12:5 /components/0/purl`: the position within a file, as much of it as is known.
fn position_text(loc: &super::Location) -> Option<String> {
    let mut parts = Vec::new();
    match (loc.line, loc.column) {
        (Some(l), Some(c)) => parts.push(format!("{l}:{c}")),
        (Some(l), None) => parts.push(l.to_string()),
        _ => {}
    }
    if let Some(p) = loc.pointer.as_deref().filter(|p| !p.is_empty()) {
        parts.push(p.to_string());
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    use super::{Diagnostic, Location, Subject, Table};
    use crate::diags as tg;
    use crate::sbom::diags as sbom;

    let mut r = Report::new("sbom validate", "2025-01-02T03:04:05Z");

    let mut good = Subject::new("sboms/good.cdx.json");
    good.kind = Some("CycloneDX 1.6 JSON".into());
    good.facts.insert("components".into(), 12.into());
    good.facts.insert("dependencies".into(), 11.into());
    good.facts
        .insert("licenses".into(), serde_json::json!(["Apache-2.0", "MIT"]));

    let mut bad = Subject::new("sboms/bad.spdx.json");
    bad.kind = Some("SPDX 2.3 JSON".into());
    bad.verdict = Verdict::Deny;
    bad.facts.insert("components".into(), 3.into());

    let mut broken = Subject::new("sboms/broken.json");
    broken.verdict = Verdict::Error;

    r.subjects = vec![good, bad, broken];

    r.diagnostics = vec![
        Diagnostic::new(
            &sbom::SCHEMA,
            "\"1.0|beta, rc\" does not match pattern: ^[0-9]+\nexpected a version like 1.2.3",
        )
        .at(Location::file("sboms/bad.spdx.json")
            .with_pointer("/packages/0/versionInfo")
            .with_line_col(12, 5)),
        Diagnostic::new(
            &sbom::INVALID_PURL,
            "pkg:npm/@scope/left-pad is not a valid purl: missing version after '@'",
        )
        .at(Location::file("sboms/bad.spdx.json")
            .with_pointer("/packages/1/externalRefs/0/referenceLocator"))
        .help("write it as pkg:npm/%40scope/left-pad@1.3.0"),
        Diagnostic::new(&sbom::MISSING_VERSION, "package \"zlib\" has no version")
            .at(Location::file("sboms/bad.spdx.json").with_pointer("/packages/2")),
        Diagnostic::new(&sbom::DRIFT_ADDED, "component pkg:npm/left-pad@1.3.0 added")
            .at(Location::file("sboms/good.cdx.json").with_pointer("/components/4")),
        Diagnostic::new(
            &tg::INPUT_MALFORMED,
            "expected `,` or `}` at line 3 column 17",
        )
        .at(Location::file("sboms/broken.json").with_line_col(3, 17)),
        Diagnostic::new(
            &sbom::ALLOW_UNUSED,
            "allow entry pkg:npm/lodash@* matched no change",
        ),
    ];

    r.tables.push(Table {
        title: "Profile coverage (NTIA)".into(),
        headers: vec!["element".into(), "present".into(), "share".into()],
        rows: vec![
            vec!["supplier | author".into(), "11/12".into(), "92%".into()],
            vec!["component name".into(), "12/12".into(), "100%".into()],
            vec!["timestamp".into(), "yes".into()],
        ],
    });
    r.sort();
    r
}

/// The sample report without its input error: verdict deny.
#[cfg(test)]
pub(crate) fn sample_deny_report() -> Report {
    let mut r = sample_report();
    r.diagnostics.retain(|d| !d.is_input_error());
    r.subjects.retain(|s| s.verdict != Verdict::Error);
    r
}

/// Only the clean subject: verdict pass.
#[cfg(test)]
pub(crate) fn sample_pass_report() -> Report {
    let mut r = sample_report();
    r.subjects.retain(|s| s.verdict == Verdict::Pass);
    r.diagnostics
        .retain(|d| d.file() == Some("sboms/good.cdx.json"));
    r.tables.clear();
    r
}

/// Replace the crate version so snapshots survive version bumps.
#[cfg(test)]
pub(crate) fn redact_version(s: &str) -> String {
    s.replace(crate::VERSION, "[VERSION]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_verdicts() {
        assert_eq!(sample_report().verdict(), Verdict::Error);
        assert_eq!(sample_deny_report().verdict(), Verdict::Deny);
        assert_eq!(sample_pass_report().verdict(), Verdict::Pass);
    }

    #[test]
    fn verdict_line_counts() {
        assert_eq!(
            verdict_line(&sample_report()),
            "ERROR sbom validate: 3 files, 3 errors, 2 warnings, 1 note"
        );
        assert_eq!(
            verdict_line(&sample_pass_report()),
            "PASS sbom validate: 1 file, 0 errors, 0 warnings, 1 note"
        );
    }

    #[test]
    fn clean_escapes_control_characters() {
        assert_eq!(clean("a\x1b[31mb\r\nc\td"), "a\\u{1b}[31mb\nc\td");
        assert!(matches!(clean("plain\ntext"), Cow::Borrowed(_)));
    }

    #[test]
    fn same_path_normalises() {
        assert!(same_path("./a/b.json", "a/b.json"));
        assert!(same_path("a\\b.json", "a/b.json"));
        assert!(!same_path("a.json", "b.json"));
    }
}
