//! JUnit XML for CI test reports (GitLab `artifacts: reports: junit`, Jenkins, Azure DevOps).
//!
//! One `<testsuite>` per subject (named by its path) plus a `general` suite for findings that
//! belong to no subject. A subject without blocking findings is one passing testcase `valid`;
//! otherwise there is one testcase per diagnostic code: error-severity findings are a
//! `<failure>`, input problems (category `input`) an `<error>`, and codes with only warnings or
//! notes pass with the findings in `<system-out>`.

use super::{clean, same_path};
use crate::report::{Diagnostic, Report, Severity};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::collections::BTreeMap;
use std::io;

/// Name of the suite of findings that belong to no subject.
const GENERAL: &str = "general";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pass,
    Failure,
    Error,
}

struct Case<'a> {
    name: String,
    outcome: Outcome,
    findings: Vec<&'a Diagnostic>,
}

struct Suite<'a> {
    name: String,
    file: Option<String>,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }
}

fn blocking(d: &Diagnostic) -> bool {
    d.is_input_error() || d.severity == Severity::Error
}

fn cases<'a>(diags: &[&'a Diagnostic]) -> Vec<Case<'a>> {
    if !diags.iter().any(|d| blocking(d)) {
        return vec![Case {
            name: "valid".into(),
            outcome: Outcome::Pass,
            findings: diags.to_vec(),
        }];
    }
    let mut by_code: BTreeMap<&str, Vec<&'a Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_code.entry(d.code()).or_default().push(d);
    }
    by_code
        .into_values()
        .map(|findings| {
            let info = findings[0].info;
            let outcome = if findings.iter().any(|d| d.is_input_error()) {
                Outcome::Error
            } else if findings.iter().any(|d| d.severity == Severity::Error) {
                Outcome::Failure
            } else {
                Outcome::Pass
            };
            Case {
                name: format!("{} {}", info.code, info.name),
                outcome,
                findings,
            }
        })
        .collect()
}

fn suites(report: &Report) -> Vec<Suite<'_>> {
    let mut out = Vec::new();
    let mut claimed = vec![false; report.diagnostics.len()];
    for s in &report.subjects {
        let mut diags = Vec::new();
        for (i, d) in report.diagnostics.iter().enumerate() {
            if !claimed[i] && d.file().is_some_and(|f| same_path(f, &s.path)) {
                claimed[i] = true;
                diags.push(d);
            }
        }
        out.push(Suite {
            name: s.path.clone(),
            file: Some(s.path.clone()),
            cases: cases(&diags),
        });
    }
    let rest: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .zip(&claimed)
        .filter(|(_, c)| !**c)
        .map(|(d, _)| d)
        .collect();
    if !rest.is_empty() || report.subjects.is_empty() {
        out.push(Suite {
            name: GENERAL.into(),
            file: None,
            cases: cases(&rest),
        });
    }
    out
}

/// Text safe for XML 1.0: control characters other than tab/newline are shown escaped, and the
/// two non-characters XML forbids are replaced.
fn xml_safe(s: &str) -> String {
    clean(s).replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Where a finding is, for people: `sboms/a.json:12:5 /components/0`.
fn place(d: &Diagnostic) -> Option<String> {
    let l = d.location.as_ref().filter(|l| !l.file.is_empty())?;
    let mut p = l.display_short();
    if let Some(pointer) = l.pointer.as_deref().filter(|p| !p.is_empty()) {
        p.push(' ');
        p.push_str(pointer);
    }
    Some(p)
}

/// One finding as a few lines of text: `error sboms/a.json:12:5 /x: message` then `help: …`.
fn finding_text(d: &Diagnostic) -> String {
    let message = d.message.replace('\n', "\n  ");
    let mut s = match place(d) {
        Some(place) => format!("{} {}: {}", d.severity.as_str(), place, message),
        None => format!("{}: {}", d.severity.as_str(), message),
    };
    s.push_str("\nhelp: ");
    s.push_str(&d.help_text().replace('\n', "\n  "));
    s
}

fn body(findings: &[&Diagnostic]) -> String {
    let parts: Vec<String> = findings.iter().map(|d| finding_text(d)).collect();
    format!("{}\n", parts.join("\n\n"))
}

fn write_case(w: &mut Writer<Vec<u8>>, suite: &Suite<'_>, case: &Case<'_>) -> io::Result<()> {
    let mut el = w
        .create_element("testcase")
        .with_attribute(("name", xml_safe(&case.name).as_str()))
        .with_attribute(("classname", xml_safe(&suite.name).as_str()));
    if let Some(file) = &suite.file {
        el = el.with_attribute(("file", xml_safe(file).as_str()));
    }
    if case.findings.is_empty() {
        el.write_empty()?;
        return Ok(());
    }
    let text = xml_safe(&body(&case.findings));
    el.write_inner_content(|w| {
        let (tag, relevant): (&str, Vec<&Diagnostic>) = match case.outcome {
            Outcome::Pass => {
                w.create_element("system-out")
                    .write_text_content(BytesText::from_escaped(partial_escape(&text)))?;
                return Ok(());
            }
            Outcome::Failure => (
                "failure",
                case.findings
                    .iter()
                    .copied()
                    .filter(|d| d.severity == Severity::Error)
                    .collect(),
            ),
            Outcome::Error => (
                "error",
                case.findings
                    .iter()
                    .copied()
                    .filter(|d| d.is_input_error())
                    .collect(),
            ),
        };
        let first = xml_safe(first_line(&relevant[0].message));
        let message = if relevant.len() == 1 {
            first
        } else {
            format!("{} findings, first: {}", relevant.len(), first)
        };
        w.create_element(tag)
            .with_attribute(("message", message.as_str()))
            .with_attribute(("type", relevant[0].code()))
            .write_text_content(BytesText::from_escaped(partial_escape(&text)))?;
        Ok(())
    })?;
    Ok(())
}

fn write(report: &Report) -> io::Result<Vec<u8>> {
    let suites = suites(report);
    let total = |f: &dyn Fn(&Suite<'_>) -> usize| suites.iter().map(f).sum::<usize>().to_string();
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("testsuites")
        .with_attribute(("name", "tollgate"))
        .with_attribute(("tests", total(&|s| s.cases.len()).as_str()))
        .with_attribute(("failures", total(&|s| s.count(Outcome::Failure)).as_str()))
        .with_attribute(("errors", total(&|s| s.count(Outcome::Error)).as_str()))
        .write_inner_content(|w| {
            for suite in &suites {
                w.create_element("testsuite")
                    .with_attribute(("name", xml_safe(&suite.name).as_str()))
                    .with_attribute(("tests", suite.cases.len().to_string().as_str()))
                    .with_attribute((
                        "failures",
                        suite.count(Outcome::Failure).to_string().as_str(),
                    ))
                    .with_attribute(("errors", suite.count(Outcome::Error).to_string().as_str()))
                    .write_inner_content(|w| {
                        for case in &suite.cases {
                            write_case(w, suite, case)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

pub fn render(report: &Report) -> String {
    let bytes = write(report).expect("writing XML to memory cannot fail");
    String::from_utf8(bytes).expect("XML output is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{sample_deny_report, sample_pass_report, sample_report};
    use quick_xml::{Reader, XmlVersion};

    /// Parse the XML back, returning (element name, attributes) of every start/empty tag.
    fn parse(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
        let mut reader = Reader::from_str(xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            (
                                a.key.as_ref().to_string(),
                                a.normalized_value(XmlVersion::Implicit1_0)
                                    .expect("unescape")
                                    .into_owned(),
                            )
                        })
                        .collect();
                    out.push((e.name().as_ref().to_string(), attrs));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("junit", render(&sample_report()));
    }

    #[test]
    fn pass_and_deny_snapshots() {
        insta::assert_snapshot!("junit_pass", render(&sample_pass_report()));
        insta::assert_snapshot!("junit_deny", render(&sample_deny_report()));
    }

    #[test]
    fn declaration_first_and_counts_add_up() {
        let xml = render(&sample_report());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
        let tags = parse(&xml);
        let root = &tags[0].1;
        let cases = tags.iter().filter(|(n, _)| n == "testcase").count();
        let failures = tags.iter().filter(|(n, _)| n == "failure").count();
        let errors = tags.iter().filter(|(n, _)| n == "error").count();
        assert_eq!(root["tests"], cases.to_string());
        assert_eq!(root["failures"], failures.to_string());
        assert_eq!(root["errors"], errors.to_string());
        assert_eq!((failures, errors), (2, 1));
        let suites: Vec<&str> = tags
            .iter()
            .filter(|(n, _)| n == "testsuite")
            .map(|(_, a)| a["name"].as_str())
            .collect();
        assert_eq!(
            suites,
            [
                "sboms/good.cdx.json",
                "sboms/bad.spdx.json",
                "sboms/broken.json",
                "general"
            ]
        );
    }

    #[test]
    fn attribute_values_round_trip() {
        let mut r = sample_deny_report();
        let msg = "a \"quoted\" <tag> & 'x'\tend\x07";
        r.diagnostics
            .iter_mut()
            .find(|d| d.code() == "SBOM005")
            .unwrap()
            .message = msg.into();
        let tags = parse(&render(&r));
        let failure = tags
            .iter()
            .find(|(n, a)| n == "failure" && a["type"] == "SBOM005")
            .unwrap();
        assert_eq!(failure.1["message"], "a \"quoted\" <tag> & 'x'\tend\\u{7}");
    }

    #[test]
    fn empty_report_has_one_passing_test() {
        let r = Report::new("sbom validate", "2025-01-01T00:00:00Z");
        let xml = render(&r);
        assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\""));
        assert!(xml.contains("<testcase name=\"valid\" classname=\"general\"/>"));
    }
}
