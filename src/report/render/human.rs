//! Human-readable terminal output: findings grouped by file, one status line per subject, the
//! report's tables, and a final verdict line. Colour only when [`RenderOptions::color`] is set.

use super::{RenderOptions, clean, fact_text, position_text, verdict_line, verdict_word};
use crate::report::{Diagnostic, Report, Severity, Table, Verdict};
use anstyle::{AnsiColor, Style};
use std::fmt::Write as _;

/// Heading of the group of findings that have no file.
const GENERAL: &str = "general";

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => fg(AnsiColor::Red).bold(),
        Severity::Warning => fg(AnsiColor::Yellow).bold(),
        Severity::Note => fg(AnsiColor::Cyan).bold(),
    }
}

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Pass => fg(AnsiColor::Green).bold(),
        Verdict::Deny => fg(AnsiColor::Red).bold(),
        Verdict::Error => fg(AnsiColor::Magenta).bold(),
    }
}

/// Diagnostics grouped by file, files in order of first appearance, the file-less group last.
fn groups<'a>(
    diags: impl Iterator<Item = &'a Diagnostic>,
) -> Vec<(Option<&'a str>, Vec<&'a Diagnostic>)> {
    let mut out: Vec<(Option<&'a str>, Vec<&'a Diagnostic>)> = Vec::new();
    let mut general = Vec::new();
    for d in diags {
        match d.file().filter(|f| !f.is_empty()) {
            None => general.push(d),
            Some(file) => match out.iter_mut().find(|(f, _)| *f == Some(file)) {
                Some((_, list)) => list.push(d),
                None => out.push((Some(file), vec![d])),
            },
        }
    }
    if !general.is_empty() {
        out.push((None, general));
    }
    out
}

fn diagnostic(out: &mut String, d: &Diagnostic, p: &Painter, opts: RenderOptions) {
    let head = p.paint(
        severity_style(d.severity),
        &format!("{}[{}]", d.severity.as_str(), d.code()),
    );
    let pos = d.location.as_ref().and_then(position_text);
    let message = clean(&d.message);
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    match pos {
        Some(pos) => {
            let _ = writeln!(
                out,
                "  {head} {}: {first}",
                p.paint(Style::new().bold(), &pos)
            );
        }
        None => {
            let _ = writeln!(out, "  {head} {first}");
        }
    }
    for line in lines {
        let _ = writeln!(out, "    {line}");
    }
    if d.severity != Severity::Note || opts.verbose > 0 {
        let help = clean(d.help_text());
        let label = p.paint(fg(AnsiColor::Cyan).bold(), "help");
        let mut lines = help.lines();
        let _ = writeln!(out, "    {label}: {}", lines.next().unwrap_or(""));
        for line in lines {
            let _ = writeln!(out, "          {line}");
        }
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

fn subjects(out: &mut String, report: &Report, p: &Painter, opts: RenderOptions) {
    let vw = report
        .subjects
        .iter()
        .map(|s| verdict_word(s.verdict).len())
        .max()
        .unwrap_or(0);
    let pw = report
        .subjects
        .iter()
        .map(|s| clean(&s.path).chars().count())
        .max()
        .unwrap_or(0);
    let kw = report
        .subjects
        .iter()
        .map(|s| s.kind.as_deref().map_or(0, |k| clean(k).chars().count()))
        .max()
        .unwrap_or(0);
    for s in &report.subjects {
        let verdict = p.paint(verdict_style(s.verdict), &pad(verdict_word(s.verdict), vw));
        let facts: Vec<String> = s
            .facts
            .iter()
            .filter(|(_, v)| opts.verbose > 0 || !(v.is_array() || v.is_object()))
            .map(|(k, v)| format!("{}={}", clean(k), clean(&fact_text(v))))
            .collect();
        let mut line = format!("  {verdict} {}", pad(&clean(&s.path), pw));
        if kw > 0 {
            line.push_str("  ");
            line.push_str(&pad(&clean(s.kind.as_deref().unwrap_or("")), kw));
        }
        if !facts.is_empty() {
            line.push_str("  ");
            line.push_str(&facts.join(", "));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// A table cell on one line.
fn cell(text: &str) -> String {
    clean(text).replace('\n', " ")
}

fn table(out: &mut String, t: &Table, p: &Painter) {
    let _ = writeln!(out, "{}", p.paint(Style::new().bold(), &cell(&t.title)));
    let cols = t
        .rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(t.headers.len()))
        .max()
        .unwrap_or(0);
    let get = |row: &[String], i: usize| row.get(i).map(|c| cell(c)).unwrap_or_default();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            t.rows
                .iter()
                .map(|r| get(r, i).chars().count())
                .chain(std::iter::once(get(&t.headers, i).chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let joined: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        format!("  {}", joined.join("  ")).trim_end().to_string()
    };
    if !t.headers.is_empty() {
        let headers = line((0..cols).map(|i| get(&t.headers, i)).collect());
        let _ = writeln!(out, "{}", p.paint(Style::new().bold(), &headers));
        let _ = writeln!(
            out,
            "{}",
            line(widths.iter().map(|w| "-".repeat(*w)).collect())
        );
    }
    for row in &t.rows {
        let _ = writeln!(out, "{}", line((0..cols).map(|i| get(row, i)).collect()));
    }
}

pub fn render(report: &Report, opts: RenderOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();

    let shown = report
        .diagnostics
        .iter()
        .filter(|d| !opts.quiet || d.severity == Severity::Error);
    for (file, diags) in groups(shown) {
        let heading = file.map_or(std::borrow::Cow::Borrowed(GENERAL), clean);
        let _ = writeln!(
            out,
            "{}",
            p.paint(Style::new().bold().underline(), &heading)
        );
        for d in diags {
            diagnostic(&mut out, d, &p, opts);
        }
        out.push('\n');
    }

    if !opts.quiet {
        if !report.subjects.is_empty() {
            subjects(&mut out, report, &p, opts);
            out.push('\n');
        }
        for t in &report.tables {
            table(&mut out, t, &p);
            out.push('\n');
        }
    }

    let verdict = report.verdict();
    let line = verdict_line(report);
    let (word, rest) = line.split_at(verdict_word(verdict).len());
    let _ = writeln!(
        out,
        "{}{}",
        p.paint(verdict_style(verdict), word),
        clean(rest)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{sample_deny_report, sample_pass_report, sample_report};

    fn opts() -> RenderOptions {
        RenderOptions::default()
    }

    #[test]
    fn default_output() {
        insta::assert_snapshot!("human_default", render(&sample_report(), opts()));
    }

    #[test]
    fn quiet_output() {
        let o = RenderOptions {
            quiet: true,
            ..opts()
        };
        insta::assert_snapshot!("human_quiet", render(&sample_report(), o));
    }

    #[test]
    fn verbose_output() {
        let o = RenderOptions {
            verbose: 1,
            ..opts()
        };
        insta::assert_snapshot!("human_verbose", render(&sample_report(), o));
    }

    #[test]
    fn deny_and_pass_verdict_lines() {
        insta::assert_snapshot!("human_deny", render(&sample_deny_report(), opts()));
        insta::assert_snapshot!("human_pass", render(&sample_pass_report(), opts()));
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = render(&sample_report(), opts());
        assert!(!plain.contains('\x1b'));
        let coloured = render(
            &sample_report(),
            RenderOptions {
                color: true,
                ..opts()
            },
        );
        assert!(coloured.contains("\x1b["));
        assert_eq!(anstream::adapter::strip_str(&coloured).to_string(), plain);
    }

    #[test]
    fn untrusted_escape_sequences_are_neutralised() {
        let mut r = sample_pass_report();
        r.diagnostics[0].message = "evil\x1b[2J\rname".into();
        let out = render(
            &r,
            RenderOptions {
                color: true,
                ..opts()
            },
        );
        assert!(out.contains("evil\\u{1b}[2J\\u{d}name"));
    }
}
