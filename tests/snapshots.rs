//! Snapshot tests of what users see: diff and merge outputs in the formats people read.

use crate::common::*;

fn stdout_of(args: &[&str]) -> String {
    let out = tollgate().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

const OLD: &str = "testdata/sbom/diff/old.cdx.json";
const NEW: &str = "testdata/sbom/diff/new.cdx.json";

#[test]
fn diff_human() {
    insta::assert_snapshot!(stdout_of(&[
        "sbom",
        "diff",
        OLD,
        NEW,
        "--fail-on",
        "hash,version",
        "--allow",
        "testdata/sbom/diff/allow.yaml"
    ]));
}

#[test]
fn diff_markdown_pull_request_comment() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "markdown",
        "sbom",
        "diff",
        OLD,
        NEW,
        "--fail-on",
        "hash"
    ]));
}

#[test]
fn diff_json_across_formats() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "json",
        "sbom",
        "diff",
        OLD,
        "testdata/sbom/diff/new.spdx.json"
    ]));
}

#[test]
fn merge_flat() {
    insta::assert_snapshot!(stdout_of(&[
        "sbom",
        "merge",
        "testdata/sbom/merge/api.cdx.json",
        "testdata/sbom/merge/worker.cdx.json",
        "--root-name",
        "platform",
        "--root-version",
        "2.0.0"
    ]));
}

#[test]
fn merge_hierarchical() {
    insta::assert_snapshot!(stdout_of(&[
        "sbom",
        "merge",
        "--hierarchical",
        "testdata/sbom/merge/api.cdx.json",
        "testdata/sbom/merge/worker.cdx.json"
    ]));
}

#[test]
fn validate_profile_human() {
    insta::assert_snapshot!(stdout_of(&[
        "sbom",
        "validate",
        "--profile",
        "cisa-2025",
        NEW,
        "testdata/sbom/diff/new.spdx.json"
    ]));
}

#[test]
fn validate_errors_sarif() {
    insta::assert_snapshot!(stdout_of(&[
        "--format",
        "sarif",
        "sbom",
        "validate",
        "testdata/sbom/invalid/mixed-errors.cdx.json"
    ]));
}
