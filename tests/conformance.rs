//! Conformance against third-party test vectors in `$TOLLGATE_CONFORMANCE` (default
//! `../shared/conformance`). Each source's MANIFEST.md states the expected outcome of every
//! file; this test computes tollgate's verdict for each and prints a per-source agreement table.

use crate::common::*;
use std::path::Path;
use tollgate::input::Limits;
use tollgate::report::Verdict;
use tollgate::sbom::validate::{self, Options};

/// `(file, expected_valid)` rows from a MANIFEST.md table: the first column is the file in
/// backticks, the third the expected outcome (`VALID…` / `INVALID…`).
fn manifest_rows(manifest: &Path) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(manifest).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(" | ").collect();
            let file = cols
                .first()?
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_string();
            let outcome = cols.get(2)?.trim();
            let valid = if outcome.starts_with("VALID") {
                true
            } else if outcome.starts_with("INVALID") {
                false
            } else {
                return None;
            };
            Some((file, valid))
        })
        .collect()
}

struct SourceResult {
    name: &'static str,
    total: usize,
    agree: usize,
    disagreements: Vec<String>,
}

fn run_source(root: &Path, name: &'static str) -> SourceResult {
    let dir = root.join(name);
    let rows = manifest_rows(&dir.join("MANIFEST.md"));
    assert!(!rows.is_empty(), "{name}: no rows in MANIFEST.md");
    let opts = Options {
        schema: true,
        profile: None,
        strict: false,
        now: NOW.parse().unwrap(),
        limits: Limits::default(),
        max_schema_errors: 100,
    };
    let files: Vec<_> = rows.iter().map(|(f, _)| dir.join(f)).collect();
    let results = validate::validate_files(&files, &opts);
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for ((file, expected_valid), r) in rows.iter().zip(results) {
        let got_valid = r.subject.verdict == Verdict::Pass;
        if got_valid == *expected_valid {
            agree += 1;
        } else {
            let why: Vec<String> = r
                .diagnostics
                .iter()
                .take(3)
                .map(|d| format!("{} {}", d.code(), d.message))
                .collect();
            disagreements.push(format!(
                "{name}/{file}: expected {}, got {:?} ({})",
                if *expected_valid { "VALID" } else { "INVALID" },
                r.subject.verdict,
                why.join("; ")
            ));
        }
    }
    SourceResult {
        name,
        total: rows.len(),
        agree,
        disagreements,
    }
}

#[test]
fn sbom_conformance_agrees_with_every_manifest() {
    let Some(root) = conformance_dir() else {
        eprintln!("SKIPPED: conformance corpus not found (set TOLLGATE_CONFORMANCE)");
        return;
    };
    let results: Vec<SourceResult> = ["cyclonedx-specification", "spdx-spec", "spdx-tools-java"]
        .into_iter()
        .map(|s| run_source(&root, s))
        .collect();
    let mut table = String::from("\n| source | files | agree | disagree |\n|---|---:|---:|---:|\n");
    for r in &results {
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.name,
            r.total,
            r.agree,
            r.total - r.agree
        ));
    }
    eprintln!("{table}");
    let report_dir = root_target();
    let _ = std::fs::create_dir_all(&report_dir);
    let _ = std::fs::write(report_dir.join("conformance-sbom.md"), &table);
    let all: Vec<&String> = results.iter().flat_map(|r| &r.disagreements).collect();
    assert!(
        all.is_empty(),
        "disagreements:\n{}",
        all.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The bar: all 179 CycloneDX cases, all SPDX examples.
    assert_eq!(results[0].total, 179);
}

fn root_target() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}
