//! GitHub-flavoured Markdown for pull-request comments and `$GITHUB_STEP_SUMMARY`: a verdict
//! heading, counts, a table of subjects, the report's tables, then the findings (at most
//! [`MAX_FINDINGS`], folded in `<details>` when there are more than [`FOLD_OVER`]).

use super::{clean, counts_text, fact_text, verdict_word};
use crate::report::{Diagnostic, Report, Table, Verdict};
use std::fmt::Write as _;

/// Findings listed at most; the rest are counted.
pub const MAX_FINDINGS: usize = 50;
/// Findings are folded away in `<details>` when there are more than this.
pub const FOLD_OVER: usize = 10;

fn icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✅",
        Verdict::Deny => "❌",
        Verdict::Error => "⚠️",
    }
}

/// Text for a table cell or inline position: Markdown and HTML syntax escaped, `|` escaped so it
/// cannot split the cell, newlines as `<br>`.
fn md(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A code span for a cell; `|` must still be escaped inside it in a GFM table. Falls back to
/// escaped text when the value contains a backtick or newline.
fn code(s: &str) -> String {
    let s = clean(s);
    if s.is_empty() {
        return String::new();
    }
    if s.contains(['`', '\n']) {
        return md(&s);
    }
    format!("`{}`", s.replace('|', "\\|"))
}

fn table_row(cells: impl IntoIterator<Item = String>) -> String {
    let cells: Vec<String> = cells.into_iter().collect();
    format!("| {} |", cells.join(" | "))
}

fn table_head(out: &mut String, headers: &[String]) {
    let _ = writeln!(out, "{}", table_row(headers.iter().cloned()));
    let _ = writeln!(
        out,
        "{}",
        table_row(headers.iter().map(|_| "---".to_string()))
    );
}

fn subjects(out: &mut String, report: &Report) {
    if report.subjects.is_empty() {
        return;
    }
    let headers = ["file", "kind", "verdict", "facts"].map(String::from);
    table_head(out, &headers);
    for s in &report.subjects {
        let facts: Vec<String> = s
            .facts
            .iter()
            .map(|(k, v)| format!("{}: {}", md(k), md(&fact_text(v))))
            .collect();
        let _ = writeln!(
            out,
            "{}",
            table_row([
                code(&s.path),
                md(s.kind.as_deref().unwrap_or("")),
                format!("{} {}", icon(s.verdict), s.verdict.as_str()),
                facts.join(", "),
            ])
        );
    }
    out.push('\n');
}

fn table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "#### {}\n", md(&t.title));
    let cols = t
        .rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(t.headers.len()))
        .max()
        .unwrap_or(0);
    if cols == 0 {
        return;
    }
    let cell = |row: &[String], i: usize| row.get(i).map(|c| md(c)).unwrap_or_default();
    let headers: Vec<String> = (0..cols).map(|i| cell(&t.headers, i)).collect();
    table_head(out, &headers);
    for row in &t.rows {
        let _ = writeln!(out, "{}", table_row((0..cols).map(|i| cell(row, i))));
    }
    out.push('\n');
}

fn location(d: &Diagnostic) -> String {
    let Some(loc) = d.location.as_ref().filter(|l| !l.file.is_empty()) else {
        return String::new();
    };
    let mut s = code(&loc.display_short());
    if let Some(p) = loc.pointer.as_deref().filter(|p| !p.is_empty()) {
        s.push(' ');
        s.push_str(&code(p));
    }
    s
}

fn findings(out: &mut String, report: &Report) {
    let n = report.diagnostics.len();
    out.push_str("#### Findings\n\n");
    if n == 0 {
        out.push_str("No findings.\n");
        return;
    }
    let fold = n > FOLD_OVER;
    if fold {
        let _ = writeln!(
            out,
            "<details>\n<summary>{} finding{}</summary>\n",
            n,
            if n == 1 { "" } else { "s" }
        );
    }
    let headers = ["severity", "code", "location", "message"].map(String::from);
    table_head(out, &headers);
    for d in report.diagnostics.iter().take(MAX_FINDINGS) {
        let message = format!("{}<br>_help: {}_", md(&d.message), md(d.help_text()));
        let _ = writeln!(
            out,
            "{}",
            table_row([
                d.severity.as_str().to_string(),
                code(d.code()),
                location(d),
                message,
            ])
        );
    }
    if n > MAX_FINDINGS {
        let _ = writeln!(
            out,
            "\n{} more finding{} omitted; run with `--format json` or `--format sarif` for the full list.",
            n - MAX_FINDINGS,
            if n - MAX_FINDINGS == 1 {
                " was"
            } else {
                "s were"
            }
        );
    }
    if fold {
        out.push_str("\n</details>\n");
    }
}

pub fn render(report: &Report) -> String {
    let verdict = report.verdict();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {} tollgate {}: {}\n",
        icon(verdict),
        md(&report.command),
        verdict_word(verdict)
    );
    let _ = writeln!(out, "{}\n", counts_text(report));
    subjects(&mut out, report);
    for t in &report.tables {
        table(&mut out, t);
    }
    findings(&mut out, report);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Location;
    use crate::report::render::{sample_deny_report, sample_pass_report, sample_report};

    fn many(n: usize) -> Report {
        let mut r = sample_pass_report();
        r.diagnostics = (0..n)
            .map(|i| {
                Diagnostic::new(
                    &crate::sbom::diags::MISSING_VERSION,
                    format!("component {i} has no version"),
                )
                .at(Location::file("sboms/good.cdx.json").with_pointer(format!("/components/{i}")))
            })
            .collect();
        r
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("markdown", render(&sample_report()));
    }

    #[test]
    fn pass_and_deny_headings() {
        insta::assert_snapshot!("markdown_pass", render(&sample_pass_report()));
        assert!(render(&sample_deny_report()).starts_with("### ❌ tollgate sbom validate: DENY\n"));
        assert!(render(&sample_report()).starts_with("### ⚠️ tollgate sbom validate: ERROR\n"));
    }

    #[test]
    fn cells_cannot_break_the_table() {
        let out = render(&sample_report());
        for line in out.lines().filter(|l| l.starts_with("| ")) {
            // every row of a table has the same number of unescaped pipes as its header
            let pipes = line.replace("\\|", "").matches('|').count();
            assert!(pipes == 5 || pipes == 4, "{line}");
        }
        assert!(out.contains("\"1.0\\|beta, rc\" does not match pattern: ^\\[0-9\\]+<br>expected"));
        assert!(out.contains("| supplier \\| author | 11/12 | 92% |"));
    }

    #[test]
    fn no_findings() {
        let out = render(&many(0));
        assert!(out.ends_with("#### Findings\n\nNo findings.\n"));
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            md("<b>&lt;</b> *x*\r\ny"),
            "&lt;b&gt;&amp;lt;&lt;/b&gt; \\*x\\*<br>y"
        );
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "a\\`b");
    }

    #[test]
    fn few_findings_are_not_folded() {
        let out = render(&many(FOLD_OVER));
        assert!(!out.contains("<details>"));
        assert_eq!(out.matches("| warning |").count(), FOLD_OVER);
    }

    #[test]
    fn many_findings_are_folded() {
        let out = render(&many(FOLD_OVER + 2));
        assert!(out.contains("<details>\n<summary>12 findings</summary>\n\n| severity |"));
        assert!(out.trim_end().ends_with("</details>"));
        assert!(!out.contains("omitted"));
    }

    #[test]
    fn too_many_findings_are_cut() {
        let out = render(&many(MAX_FINDINGS + 7));
        assert_eq!(out.matches("| warning |").count(), MAX_FINDINGS);
        assert!(out.contains("7 more findings were omitted"));
        let one = render(&many(MAX_FINDINGS + 1));
        assert!(one.contains("1 more finding was omitted"));
    }
}
