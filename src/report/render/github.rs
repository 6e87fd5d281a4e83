//! GitHub Actions workflow commands: one annotation per diagnostic (`::error`, `::warning`,
//! `::notice`) and a final verdict annotation. Escaping follows `@actions/core`, so a message
//! from untrusted input can never start a second command.

use super::{clean, verdict_line};
use crate::report::{Diagnostic, Report, Severity, Verdict};
use std::fmt::Write as _;

/// Escape command data (the text after `::`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=…`, `title=…`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn annotation(d: &Diagnostic) -> String {
    let mut props = Vec::new();
    if let Some(loc) = d.location.as_ref().filter(|l| !l.file.is_empty()) {
        props.push(format!(
            "file={}",
            escape_property(&clean(&loc.file).replace('\\', "/"))
        ));
        if let Some(line) = loc.line {
            props.push(format!("line={line}"));
            if let Some(col) = loc.column {
                props.push(format!("col={col}"));
            }
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} {}", d.info.code, d.info.name))
    ));
    let pointer = d
        .location
        .as_ref()
        .and_then(|l| l.pointer.as_deref())
        .filter(|p| !p.is_empty());
    let message = match pointer {
        Some(p) => format!("{}: {}\nhelp: {}", p, d.message, d.help_text()),
        None => format!("{}\nhelp: {}", d.message, d.help_text()),
    };
    format!(
        "::{} {}::{}",
        command(d.severity),
        props.join(","),
        escape_data(&clean(&message))
    )
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let _ = writeln!(out, "{}", annotation(d));
    }
    let cmd = match report.verdict() {
        Verdict::Pass => "notice",
        Verdict::Deny | Verdict::Error => "error",
    };
    let _ = writeln!(
        out,
        "::{cmd} title=tollgate::{}",
        escape_data(&clean(&verdict_line(report)))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{sample_deny_report, sample_pass_report, sample_report};

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("github", render(&sample_report()));
    }

    #[test]
    fn verdict_commands() {
        let last = |r: &Report| render(r).lines().last().unwrap().to_string();
        assert_eq!(
            last(&sample_pass_report()),
            "::notice title=tollgate::PASS sbom validate: 1 file, 0 errors, 0 warnings, 1 note"
        );
        assert!(last(&sample_deny_report()).starts_with("::error title=tollgate::DENY "));
        assert!(last(&sample_report()).starts_with("::error title=tollgate::ERROR "));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100%\r\nnext: a,b"), "100%25%0D%0Anext: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_line_per_diagnostic_and_no_injection() {
        let mut r = sample_report();
        r.diagnostics[0].message = "x\n::error::injected\r\n".into();
        let out = render(&r);
        assert_eq!(out.lines().count(), r.diagnostics.len() + 1);
        assert!(out.lines().all(|l| l.starts_with("::")));
        assert!(!out.contains("\n::error::injected"));
    }

    #[test]
    fn file_properties_are_escaped() {
        let mut r = sample_pass_report();
        r.diagnostics[0].location.as_mut().unwrap().file = "dir\\a:b,c.json".into();
        assert!(
            render(&r)
                .starts_with("::notice file=dir/a%3Ab%2Cc.json,title=SBOM030 component-added::")
        );
    }
}
