//! SARIF 2.1.0 output (GitHub code scanning, GitLab, IDE viewers), built with `serde-sarif`.
//!
//! One run; the driver's rules are the distinct codes of the report, results reference them by
//! `ruleId` and `ruleIndex`. Every located result carries a physical artifact location (the file as
//! given, as a relative URI reference) with a region when line/column are known, and the JSON
//! pointer as a logical location of kind `member`.

use crate::report::{Category, CodeInfo, Diagnostic, Report, Severity};
use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/tollgate-dev/tollgate";

fn level_str(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

fn category_str(category: Category) -> String {
    match serde_json::to_value(category) {
        Ok(Value::String(s)) => s,
        _ => format!("{category:?}").to_lowercase(),
    }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn rule(info: &CodeInfo) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        Value::String(format!("{:.1}", info.security_severity)),
    );
    let help_md = format!(
        "**{}** ({}): {}\n\nRun `tollgate explain {}` for details.",
        info.code, info.name, info.help, info.code
    );
    ReportingDescriptor::builder()
        .id(info.code)
        .name(info.name)
        .short_description(text(info.description))
        .full_description(text(format!(
            "{} Category: {}; default severity: {}.",
            info.description,
            category_str(info.category),
            info.default_severity.as_str()
        )))
        .help(
            MultiformatMessageString::builder()
                .text(info.help)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(Value::String(level_str(info.default_severity).into()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_string(), category_str(info.category)])
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// A file path as a SARIF URI reference: forward slashes, percent-encoding where a URI needs it,
/// Windows drive paths as `file:///C:/…`.
fn path_to_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    let (prefix, rest) = if drive {
        (format!("file:///{}:", &path[..1]), &path[2..])
    } else {
        (String::new(), path.as_str())
    };
    let mut out = prefix;
    for b in rest.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GitHub code scanning rejects a whole upload when any result has no physical location, so a
/// finding about no particular file is anchored at the report's first input and says so.
fn anchor(report: &Report) -> Option<Location> {
    let first = report.subjects.first()?;
    let artifact = ArtifactLocation::builder()
        .uri(path_to_uri(&first.path))
        .build();
    Some(
        Location::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .build(),
            )
            .message(
                Message::builder()
                    .text("not tied to one file; shown at the first input of the run")
                    .build(),
            )
            .build(),
    )
}

fn location(d: &Diagnostic, report: &Report) -> Option<Location> {
    let Some(loc) = d.location.as_ref().filter(|l| !l.file.is_empty()) else {
        return anchor(report);
    };
    let artifact = ArtifactLocation::builder()
        .uri(path_to_uri(&loc.file))
        .build();
    let region = loc.line.map(|line| {
        let mut r = Region::builder().start_line(i64::from(line)).build();
        r.start_column = loc.column.map(i64::from);
        r
    });
    let mut physical = PhysicalLocation::builder()
        .artifact_location(artifact)
        .build();
    physical.region = region;
    let mut location = Location::builder().physical_location(physical).build();
    if let Some(pointer) = loc.pointer.as_deref().filter(|p| !p.is_empty()) {
        location.logical_locations = Some(vec![
            LogicalLocation::builder()
                .fully_qualified_name(pointer)
                .kind("member")
                .build(),
        ]);
    }
    Some(location)
}

fn result(d: &Diagnostic, rule_index: usize, report: &Report) -> SarifResult {
    let message = format!("{}\nhelp: {}", d.message, d.help_text());
    let mut r = SarifResult::builder()
        .rule_id(d.code())
        .rule_index(rule_index as i64)
        .level(result_level(d.severity))
        .message(Message::builder().text(message).build())
        .build();
    r.locations = location(d, report).map(|l| vec![l]);
    r
}

pub fn to_sarif(report: &Report) -> Sarif {
    let codes = report.codes();
    let index: BTreeMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
    let rules: Vec<ReportingDescriptor> = codes.iter().map(|c| rule(c)).collect();
    let driver = ToolComponent::builder()
        .name("tollgate")
        .version(crate::VERSION)
        .semantic_version(crate::VERSION)
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let results: Vec<SarifResult> = report
        .diagnostics
        .iter()
        .map(|d| result(d, index[d.code()], report))
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(Value::String("2.1.0".into()))
        .runs(vec![run])
        .build()
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_sarif(report)).expect("SARIF serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{
        redact_version, sample_deny_report, sample_pass_report, sample_report,
    };
    use std::path::PathBuf;

    fn conformance_dir() -> PathBuf {
        match std::env::var_os("TOLLGATE_CONFORMANCE") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
        }
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!("sarif", redact_version(&render(&sample_report())));
    }

    #[test]
    fn valid_against_official_schema() {
        let path = conformance_dir().join("schemas/sarif-schema-2.1.0.json");
        let Ok(schema) = std::fs::read_to_string(&path) else {
            eprintln!(
                "note: {} not found; skipping SARIF schema validation",
                path.display()
            );
            return;
        };
        let schema: Value = serde_json::from_str(&schema).expect("schema is JSON");
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("SARIF schema compiles");
        let mut odd = sample_report();
        for d in odd.diagnostics.iter_mut() {
            if let Some(loc) = d.location.as_mut() {
                loc.file = format!("C:\\evidence dir\\sbom #1:{}", loc.file);
            }
        }
        for report in [
            sample_report(),
            sample_deny_report(),
            sample_pass_report(),
            odd,
        ] {
            let sarif: Value = serde_json::from_str(&render(&report)).expect("SARIF is JSON");
            let errors: Vec<String> = validator
                .iter_errors(&sarif)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
        }
        // The check has teeth: formats are validated (draft-04 checks `uri`, not `uri-reference`).
        let mut bad: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        bad["runs"][0]["tool"]["driver"]["informationUri"] = "not a uri".into();
        assert!(!validator.is_valid(&bad));
    }

    #[test]
    fn rules_results_and_locations() {
        let v: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        assert_eq!(v["$schema"], SARIF_SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for (i, r) in run["results"].as_array().unwrap().iter().enumerate() {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"], "result {i}");
        }
        let props = &rules[0]["properties"];
        assert!(props["security-severity"].is_string());
        assert_eq!(props["tags"][0], "security");
        // pointer-only: artifact + logical location, no region
        let purl = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "SBOM005")
            .unwrap();
        let loc = &purl["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "sboms/bad.spdx.json"
        );
        assert!(loc["physicalLocation"].get("region").is_none());
        assert_eq!(loc["logicalLocations"][0]["kind"], "member");
    }

    #[test]
    fn every_result_has_an_artifact_location() {
        let v: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        for r in v["runs"][0]["results"].as_array().unwrap() {
            let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            assert!(uri.as_str().is_some_and(|u| !u.is_empty()), "{r}");
        }
    }

    #[test]
    fn uris() {
        assert_eq!(path_to_uri("a/b c.json"), "a/b%20c.json");
        assert_eq!(path_to_uri("dir\\x:y.json"), "dir/x%3Ay.json");
        assert_eq!(path_to_uri("C:\\work\\a.json"), "file:///C:/work/a.json");
        assert_eq!(path_to_uri("sbom-ü.json"), "sbom-%C3%BC.json");
    }
}
