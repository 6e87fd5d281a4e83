//! Whole-CLI cases: every exit code and every bad-input case a new user can hit.

use crate::common::*;
use predicates::prelude::*;
use predicates::str::contains;

fn one_line_error(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr).to_string();
    let lines: Vec<&str> = s.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "expected exactly one error line, got:\n{s}");
    assert!(!s.contains("panicked"), "{s}");
    lines[0].to_string()
}

fn validate_json(path: &std::path::Path) -> assert_cmd::assert::Assert {
    tollgate()
        .args(["--format", "json", "sbom", "validate"])
        .arg(path)
        .assert()
}

#[test]
fn valid_sbom_passes_with_exit_0() {
    tollgate()
        .args([
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(0)
        .stdout(contains("PASS sbom validate"));
}

#[test]
fn invalid_sbom_is_denied_with_exit_1_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = MINIMAL_CDX.replace(r#""name":"serde","#, "");
    let f = write(dir.path(), "bad.cdx.json", bad);
    tollgate()
        .args(["sbom", "validate"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(contains("SBOM001"))
        .stdout(contains("/components/0"))
        .stdout(contains("DENY"));
}

#[test]
fn missing_file_is_exit_2_with_one_line() {
    let out = tollgate()
        .args([
            "--format",
            "json",
            "sbom",
            "validate",
            "does/not/exist.json",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("does/not/exist.json"), "{line}");
    assert!(line.contains("TG001") && line.contains("hint:"), "{line}");
}

#[test]
fn human_format_bad_input_names_file_and_hint() {
    tollgate()
        .args(["sbom", "validate", "does/not/exist.json"])
        .assert()
        .code(2)
        .stdout(contains("does/not/exist.json"))
        .stdout(contains("TG001"))
        .stdout(contains("help:"));
}

#[test]
fn directory_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = validate_json(dir.path()).code(2).get_output().clone();
    assert!(one_line_error(&out.stderr).contains("is a directory"));
}

#[test]
fn empty_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "empty.json", "");
    let out = validate_json(&f).code(2).get_output().clone();
    assert!(one_line_error(&out.stderr).contains("empty"));
}

#[test]
fn truncated_json_is_exit_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "cut.json", &MINIMAL_CDX[..120]);
    let out = validate_json(&f).code(2).get_output().clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("truncated JSON"), "{line}");
    assert!(line.contains("cut.json:1:120"), "{line}");
}

#[test]
fn malformed_json_reports_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.json",
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\" \"1.6\"\n}\n",
    );
    let out = validate_json(&f).code(2).get_output().clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("bad.json:3:17"), "{line}");
    assert!(line.contains("malformed JSON"), "{line}");
}

#[test]
fn malformed_json_column_counts_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Three 4-byte and two 2-byte characters before the error: byte column 116, character 105.
    let f = write(
        dir.path(),
        "wide.json",
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"😀😀😀éé",,}]}"#,
    );
    let out = validate_json(&f).code(2).get_output().clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("wide.json:1:105:"), "{line}");
}

/// A key twice in one object could show one reader one component list and the next another,
/// so it is bad input for every command that reads SBOMs, at the second occurrence.
#[test]
fn duplicate_json_keys_are_bad_input_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let comp = |n: &str| {
        format!(r#"{{"type":"library","name":"{n}","version":"1.0.0","purl":"pkg:npm/{n}@1.0.0"}}"#)
    };
    let head = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"#;
    let base = write(
        dir.path(),
        "base.cdx.json",
        format!(r#"{head}"components":[{}]}}"#, comp("good")),
    );
    let hidden = write(
        dir.path(),
        "hidden.cdx.json",
        format!(
            "{head}\n\"components\":[{}],\n\"components\":[{}]}}",
            comp("evil"),
            comp("good")
        ),
    );
    let in_object = write(
        dir.path(),
        "purl.cdx.json",
        format!(
            r#"{head}"components":[{{"type":"library","name":"good","version":"1.0.0","purl":"pkg:npm/evil@6.6.6","purl":"pkg:npm/good@1.0.0"}}]}}"#
        ),
    );
    let spdx = write(
        dir.path(),
        "hidden.spdx.json",
        r#"{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"x","documentNamespace":"https://example.com/x","creationInfo":{"created":"2025-01-01T00:00:00Z","creators":["Tool: x"]},"packages":[],
"packages":[]}"#,
    );
    let first_error = |args: &[&std::path::Path]| {
        let out = tollgate()
            .args(["--format", "json", "sbom"])
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        one_line_error(&out.stderr)
    };
    let validate = std::path::Path::new("validate");
    let diff = std::path::Path::new("diff");
    let line = first_error(&[validate, &hidden]);
    assert!(
        line.contains("hidden.cdx.json:3:1: duplicate key \"components\" in the top-level object (first at 2:1)"),
        "{line}"
    );
    let line = first_error(&[validate, &in_object]);
    assert!(line.contains("in the object at /components/0"), "{line}");
    let line = first_error(&[validate, &spdx]);
    assert!(
        line.contains("hidden.spdx.json:2:1: duplicate key \"packages\""),
        "{line}"
    );
    for new in [&hidden, &in_object, &spdx] {
        let line = first_error(&[diff, &base, new]);
        assert!(
            line.contains("TG005") && line.contains("duplicate key"),
            "{line}"
        );
    }
    tollgate()
        .args(["sbom", "merge"])
        .args([&base, &hidden])
        .args(["--out", "-"])
        .assert()
        .code(2)
        .stderr(contains("duplicate key"));
}

#[test]
fn binary_garbage_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "garbage.bin",
        [0x7f, b'E', b'L', b'F', 0, 1, 2, 3, 0xff, 0xfe],
    );
    let out = validate_json(&f).code(2).get_output().clone();
    assert!(one_line_error(&out.stderr).contains("binary"));
}

#[test]
fn gzip_archive_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "sbom.json.gz",
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, b'x'],
    );
    let out = validate_json(&f).code(2).get_output().clone();
    assert!(one_line_error(&out.stderr).contains("binary"));
}

#[test]
fn two_gigabyte_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(2 * 1024 * 1024 * 1024).unwrap(); // sparse: no disk used
    let out = validate_json(&p).code(2).get_output().clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("above the input limit"), "{line}");
    assert!(line.contains("--max-input-size"), "{line}");
}

#[test]
fn size_limit_is_configurable() {
    tollgate()
        .args([
            "--max-input-size",
            "100B",
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(2)
        .stdout(contains("TG004"));
    tollgate()
        .env("TOLLGATE_MAX_INPUT_SIZE", "1MiB")
        .args([
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(0);
}

/// The largest size is a limit like any other (limit + 1 wrapped to 0: "file is empty");
/// a size beyond u64 is a usage error, from the flag and the environment alike.
#[test]
fn size_limit_at_and_beyond_the_largest_size() {
    let file = "testdata/sbom/valid/minimal-1.6.cdx.json";
    tollgate()
        .args([
            "--max-input-size",
            "18446744073709551615",
            "sbom",
            "validate",
            file,
        ])
        .assert()
        .code(0);
    tollgate()
        .env("TOLLGATE_MAX_INPUT_SIZE", "17179869183GiB")
        .args(["sbom", "validate", file])
        .assert()
        .code(0);
    for (flag, env) in [
        (Some("17179869184GiB"), None),
        (None, Some("18446744073709551616")),
    ] {
        let mut cmd = tollgate();
        if let Some(v) = env {
            cmd.env("TOLLGATE_MAX_INPUT_SIZE", v);
        }
        if let Some(v) = flag {
            cmd.args(["--max-input-size", v]);
        }
        let out = cmd
            .args(["sbom", "validate", file])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let line = one_line_error(&out.stderr);
        assert!(line.contains("larger than the largest size"), "{line}");
    }
}

#[test]
fn yaml_where_json_expected_is_exit_2_with_hint() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "sbom.json",
        "bomFormat: CycloneDX\nspecVersion: '1.6'\n",
    );
    let out = validate_json(&f).code(2).get_output().clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("YAML"), "{line}");
}

#[test]
fn json_that_is_not_an_sbom_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "package.json",
        r#"{"name": "app", "version": "1.0.0"}"#,
    );
    let out = validate_json(&f).code(2).get_output().clone();
    assert!(one_line_error(&out.stderr).contains("not an SBOM"));
}

#[test]
fn usage_errors_are_exit_2() {
    // Every usage error is one line on stderr, with the usage in its hint.
    for args in [
        &["sbom", "validate"][..],
        &["sbom", "frobnicate"],
        &["--format", "yaml", "sbom", "validate", "x"],
        &["sbom", "diff", "--fail-on", "bogus", "a", "b"],
        &["--bogus"],
    ] {
        let out = tollgate().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains("(hint: "),
            "{err}"
        );
    }
    let out = Command::new(assert_cmd::cargo::cargo_bin!("tollgate"))
        .current_dir(root())
        .args([
            "--now",
            "yesterday",
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_line_error(&out.stderr).contains("RFC 3339"));
}

#[test]
fn help_and_version_exit_0() {
    tollgate()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(contains("Exit codes"));
    tollgate()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(contains(env!("CARGO_PKG_VERSION")).and(contains("commit")));
}

#[test]
fn many_files_report_per_file_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.json",
        MINIMAL_CDX.replace("urn:uuid:3e67", "urn:uuid:zz67"),
    );
    let out = tollgate()
        .args([
            "--format",
            "json",
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
            "testdata/sbom/diff/new.spdx.json",
        ])
        .arg(&bad)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts: Vec<&str> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["pass", "pass", "deny"]);
    assert_eq!(v["exitCode"], 1);
}

#[test]
fn a_bad_file_among_good_ones_is_exit_2() {
    tollgate()
        .args([
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
            "nope.json",
        ])
        .assert()
        .code(2);
}

#[test]
fn every_format_renders() {
    for (format, check) in [
        ("json", "\"verdict\""),
        ("sarif", "\"2.1.0\""),
        ("junit", "<testsuites"),
        ("github", "::"),
        ("markdown", "tollgate sbom validate"),
        ("human", "sbom validate"),
    ] {
        tollgate()
            .args([
                "--format",
                format,
                "sbom",
                "validate",
                "testdata/sbom/diff/old.cdx.json",
            ])
            .assert()
            .code(0)
            .stdout(contains(check));
    }
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    tollgate()
        .args(["--format", "sarif", "--output"])
        .arg(&out)
        .args([
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    // No temporary files are left next to the output.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
}

#[test]
fn unwritable_output_is_exit_2() {
    let out = tollgate()
        .args([
            "--output",
            "/nonexistent-dir/report.json",
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(one_line_error(&out.stderr).contains("/nonexistent-dir/report.json"));
}

#[test]
fn github_step_summary_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    let summary = write(dir.path(), "summary.md", "existing\n");
    tollgate()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "sbom",
            "validate",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("existing\n"));
    assert!(text.contains("sbom validate"), "{text}");
}

#[test]
fn same_inputs_give_byte_identical_output() {
    let run = || {
        tollgate()
            .args([
                "--format",
                "json",
                "sbom",
                "diff",
                "testdata/sbom/diff/old.cdx.json",
                "testdata/sbom/diff/new.cdx.json",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn future_timestamp_is_relative_to_now() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "f.json",
        MINIMAL_CDX.replace("2026-01-01T00:00:00Z", "2027-06-01T00:00:00Z"),
    );
    tollgate()
        .args(["sbom", "validate"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(contains("SBOM009"));
    Command::new(assert_cmd::cargo::cargo_bin!("tollgate"))
        .args(["--now", "2028-01-01T00:00:00Z", "sbom", "validate"])
        .arg(&f)
        .assert()
        .code(0);
}

use assert_cmd::Command;

#[test]
fn ntia_profile_denies_incomplete_sboms_and_reports_shares() {
    let out = tollgate()
        .args([
            "--format",
            "json",
            "sbom",
            "validate",
            "--profile",
            "ntia",
            "testdata/sbom/valid/minimal-1.6.cdx.json",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let elements = v["data"]["files"][0]["profile"]["elements"]
        .as_array()
        .unwrap();
    let supplier = elements
        .iter()
        .find(|e| e["element"] == "supplier name")
        .unwrap();
    assert_eq!(supplier["percent"], 0.0);
    tollgate()
        .args([
            "sbom",
            "validate",
            "--profile",
            "ntia",
            "testdata/sbom/diff/new.cdx.json",
        ])
        .assert()
        .code(0);
}

#[test]
fn strict_turns_warnings_into_denials() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "nover.json",
        MINIMAL_CDX.replace(r#""version":"1.0.0","#, ""),
    );
    tollgate()
        .args(["sbom", "validate"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(contains("SBOM011"));
    tollgate()
        .args(["sbom", "validate", "--strict"])
        .arg(&f)
        .assert()
        .code(1);
}

#[test]
fn diff_fail_on_and_allow_decide_the_verdict() {
    let base = [
        "sbom",
        "diff",
        "testdata/sbom/diff/old.cdx.json",
        "testdata/sbom/diff/new.cdx.json",
    ];
    tollgate().args(base).assert().code(0);
    tollgate()
        .args(base)
        .args(["--fail-on", "added"])
        .assert()
        .code(1);
    tollgate()
        .args(base)
        .args([
            "--fail-on",
            "added,version",
            "--allow",
            "testdata/sbom/diff/allow.yaml",
        ])
        .assert()
        .code(0);
    tollgate()
        .args(base)
        .args([
            "--fail-on",
            "version",
            "--allow",
            "testdata/sbom/diff/allow-expired.yaml",
        ])
        .assert()
        .code(1)
        .stdout(contains("SBOM036"));
    tollgate()
        .args(base)
        .args(["--fail-on", "bogus"])
        .assert()
        .code(2);
}

/// A component list that is not an array (or a version that is not a string) would be read as
/// empty (absent): diff and merge refuse such documents instead of passing them.
#[test]
fn diff_and_merge_refuse_component_structures_they_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let head = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"#;
    let evil = r#"{"type":"library","name":"evil","version":"1","purl":"pkg:npm/evil@1"}"#;
    let cases = [
        (
            "compobj.json",
            format!(r#"{head}"components":{evil}}}"#),
            "/components:",
        ),
        (
            "nestedobj.json",
            format!(
                r#"{head}"components":[{{"type":"library","name":"good","version":"1.0.0","components":{evil}}}]}}"#
            ),
            "/components/0/components:",
        ),
        (
            "numver.json",
            format!(r#"{head}"components":[{}]}}"#, evil.replace(r#""1""#, "1")),
            "/components/0/version:",
        ),
    ];
    for (name, text, pointer) in cases {
        let f = write(dir.path(), name, text);
        let out = tollgate()
            .args(["sbom", "diff", "testdata/sbom/diff/old.cdx.json"])
            .arg(&f)
            .args(["--fail-on", "added"])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let line = one_line_error(&out.stderr);
        assert!(line.contains("SBOM001") && line.contains(pointer), "{line}");
        tollgate()
            .args(["sbom", "merge", "testdata/sbom/merge/api.cdx.json"])
            .arg(&f)
            .args(["--out", "-"])
            .assert()
            .code(2)
            .stderr(contains(pointer));
    }
}

#[test]
fn diff_allow_file_errors_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "allow.yaml",
        "allow:\n  - match: x\n    kinds: [renamed]\n    reason: ''\n",
    );
    let out = tollgate()
        .args([
            "sbom",
            "diff",
            "testdata/sbom/diff/old.cdx.json",
            "testdata/sbom/diff/new.cdx.json",
            "--allow",
        ])
        .arg(&f)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("/allow/0/kinds") && line.contains("/allow/0/reason"),
        "{line}"
    );
    let g = write(
        dir.path(),
        "typo.yaml",
        "allow:\n  - match: x\n    reason: y\n    expire: 2026-01-01\n",
    );
    let out = tollgate()
        .args([
            "sbom",
            "diff",
            "testdata/sbom/diff/old.cdx.json",
            "testdata/sbom/diff/new.cdx.json",
            "--allow",
        ])
        .arg(&g)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let line = one_line_error(&out.stderr);
    assert!(line.contains("typo.yaml:4:"), "{line}");
    // `kinds: []` allowed every kind; it is bad input at its position, worded once.
    let h = write(
        dir.path(),
        "nokinds.yaml",
        "allow:\n  - match: pkg:npm/express\n    kinds: []\n    reason: y\n",
    );
    let out = tollgate()
        .args([
            "sbom",
            "diff",
            "testdata/sbom/diff/old.cdx.json",
            "testdata/sbom/diff/new.cdx.json",
            "--allow",
        ])
        .arg(&h)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("nokinds.yaml:3:12: ") && line.contains("/allow/0/kinds"),
        "{line}"
    );
    assert!(!line.contains("error: line"), "{line}");
}

/// The file that carries a denying change is denied, not "pass" (JSON and Markdown alike);
/// the other file passes.
#[test]
fn diff_subject_verdicts_follow_their_findings() {
    let base = [
        "sbom",
        "diff",
        "testdata/sbom/diff/old.cdx.json",
        "testdata/sbom/diff/new.cdx.json",
    ];
    let out = tollgate()
        .args(["--format", "json"])
        .args(base)
        .args(["--fail-on", "added"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts: Vec<(&str, &str)> = report["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("testdata/sbom/diff/old.cdx.json", "pass"),
            ("testdata/sbom/diff/new.cdx.json", "deny")
        ]
    );
    // Removals deny the old file.
    let out = tollgate()
        .args(["--format", "json"])
        .args(base)
        .args(["--fail-on", "removed"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["subjects"][0]["verdict"], "deny");
    assert_eq!(report["subjects"][1]["verdict"], "pass");
    let md = tollgate()
        .args(["--format", "markdown"])
        .args(base)
        .args(["--fail-on", "added"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let md = String::from_utf8(md.stdout).unwrap();
    let new_line = md
        .lines()
        .find(|l| l.contains("new.cdx.json") && l.starts_with('|'))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(!new_line.to_lowercase().contains("pass"), "{new_line}");
}

/// The subject of an SPDX 3 document (its root element) is not a component: diffing it against
/// the CycloneDX SBOM of the same application adds nothing, and the NTIA profile does not count it.
#[test]
fn spdx3_subject_is_not_counted_as_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = write(
        dir.path(),
        "app.cdx.json",
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"application","name":"app","version":"1.0.0","bom-ref":"app"}},"components":[{"type":"library","name":"lodash","version":"4.17.21","purl":"pkg:npm/lodash@4.17.21","bom-ref":"l"}],"dependencies":[{"ref":"app","dependsOn":["l"]}]}"#,
    );
    let spdx3 = write(
        dir.path(),
        "app.spdx3.json",
        r#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
{"type":"CreationInfo","@id":"_:c","specVersion":"3.0.1","created":"2025-01-01T00:00:00Z","createdBy":["https://example.com/person"]},
{"type":"Person","spdxId":"https://example.com/person","name":"Jane","creationInfo":"_:c"},
{"type":"SpdxDocument","spdxId":"https://example.com/doc","creationInfo":"_:c","rootElement":["https://example.com/sbom"]},
{"type":"software_Sbom","spdxId":"https://example.com/sbom","creationInfo":"_:c","rootElement":["https://example.com/pkg/app"],"element":["https://example.com/pkg/app","https://example.com/pkg/lodash"]},
{"type":"software_Package","spdxId":"https://example.com/pkg/app","name":"app","software_packageVersion":"1.0.0","creationInfo":"_:c"},
{"type":"software_Package","spdxId":"https://example.com/pkg/lodash","name":"lodash","software_packageVersion":"4.17.21","software_packageUrl":"pkg:npm/lodash@4.17.21","creationInfo":"_:c"},
{"type":"Relationship","spdxId":"https://example.com/rel/1","from":"https://example.com/pkg/app","relationshipType":"dependsOn","to":["https://example.com/pkg/lodash"],"creationInfo":"_:c"}]}"#,
    );
    tollgate()
        .args(["sbom", "diff"])
        .args([&cdx, &spdx3])
        .args(["--fail-on", "added,removed"])
        .assert()
        .code(0);
    tollgate()
        .args(["--format", "json", "sbom", "validate"])
        .arg(&spdx3)
        .assert()
        .stdout(contains("\"components\": 1"));
}

/// Help says what is true: XML is refused, and the allow-file format is in docs/sbom.md
/// (there is no docs/sbom-diff.md).
#[test]
fn sbom_help_points_to_existing_docs_and_formats() {
    let help = |sub: &str| {
        let out = tollgate()
            .args(["sbom", sub, "--help"])
            .assert()
            .code(0)
            .get_output()
            .clone();
        let text = String::from_utf8(out.stdout).unwrap();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let validate = help("validate");
    assert!(
        !validate.contains("JSON/XML") && validate.contains("XML is"),
        "{validate}"
    );
    let diff = help("diff");
    assert!(
        diff.contains("docs/sbom.md") && !diff.contains("sbom-diff"),
        "{diff}"
    );
    assert!(std::path::Path::new("docs/sbom.md").exists());
}

/// A bare name (and group/name) matches as docs/sbom.md says: `express` covers
/// pkg:npm/express.
#[test]
fn diff_allow_matches_bare_names() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "allow.yaml",
        "allow:\n  - match: express\n    kinds: [version]\n    reason: CVE fix\n",
    );
    tollgate()
        .args([
            "--format",
            "json",
            "sbom",
            "diff",
            "testdata/sbom/diff/old.cdx.json",
            "testdata/sbom/diff/new.cdx.json",
            "--fail-on",
            "version",
            "--allow",
        ])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(contains("\"allowReason\": \"CVE fix\""))
        .stdout(contains("SBOM035").not());
}

#[test]
fn merge_result_validates_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        tollgate()
            .args([
                "sbom",
                "merge",
                "testdata/sbom/merge/api.cdx.json",
                "testdata/sbom/merge/worker.cdx.json",
                "--out",
            ])
            .arg(out)
            .assert()
            .code(0);
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    tollgate()
        .args(["sbom", "validate"])
        .arg(&a)
        .assert()
        .code(0);
}

/// The report, the ledger and a command's product are never the same file (one would silently
/// replace the other); `--output -` is stdout.
#[test]
fn report_ledger_and_product_must_be_different_files() {
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.json");
    let merge = |extra: &[&std::ffi::OsStr]| {
        tollgate()
            .args([
                "sbom",
                "merge",
                "testdata/sbom/merge/api.cdx.json",
                "testdata/sbom/merge/worker.cdx.json",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = merge(&[
        "--out".as_ref(),
        same.as_os_str(),
        "--output".as_ref(),
        same.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("--out and --output name the same file"),
        "{line}"
    );
    assert!(!same.exists());
    // A relative and an absolute spelling of one ledger/report path are the same file too.
    std::fs::write(&same, b"").unwrap();
    let out = tollgate()
        .current_dir(dir.path())
        .args(["--output", "same.json", "--ledger"])
        .arg(&same)
        .args(["sbom", "validate"])
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/sbom/merge/api.cdx.json"),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out.stderr).contains("--output and --ledger"));
    // `--output -` writes the report to stdout, not to a file named `-`.
    let out = tollgate()
        .current_dir(dir.path())
        .args(["--format", "json", "--output", "-", "sbom", "validate"])
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/sbom/merge/api.cdx.json"),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"verdict\""));
    assert!(!dir.path().join("-").exists());
}

/// Files a command derives from an option (`key generate`'s PREFIX.key and PREFIX.pub) and
/// directories it fills (`attest controls`' OUT/controls) are products too: a report there
/// would replace a private key or an auditor's report.
#[test]
fn report_and_ledger_never_replace_derived_or_directory_products() {
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate()
        .current_dir(dir.path())
        .args([
            "key",
            "generate",
            "--out-prefix",
            "release",
            "--output",
            "release.key",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("--out-prefix and --output name the same file, release.key"),
        "{line}"
    );
    assert!(!dir.path().join("release.key").exists());
    assert!(!dir.path().join("release.pub").exists());

    let ledger = dir.path().join("release.pub");
    let out = tollgate()
        .current_dir(dir.path())
        .args(["--ledger"])
        .arg(&ledger)
        .args(["key", "generate", "--out-prefix", "release"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out.stderr).contains("--out-prefix and --ledger"));
    assert!(!dir.path().join("release.key").exists());

    let attest = |report: &std::path::Path| {
        tollgate()
            .args(["attest", "controls", "--catalog", "catalog/default.yaml"])
            .args(["--evidence", "testdata/controls/example/evidence", "--out"])
            .arg(dir.path().join("out"))
            .arg("--output")
            .arg(report)
            .output()
            .unwrap()
    };
    // Spelled through `..` and before the directory exists.
    let inside = dir.path().join("out/x/../controls/report.md");
    let out = attest(&inside);
    assert_eq!(out.status.code(), Some(2));
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("which --out has this command fill or replace"),
        "{line}"
    );
    assert!(!dir.path().join("out").exists());
    // Beside the directory is fine (the example denies without its waivers and key: exit 1).
    let out = attest(&dir.path().join("out/report.md"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("out/controls/report.md").exists());
    assert!(dir.path().join("out/report.md").exists());
}

/// No output replaces a key or the file being signed: `sign st.json --key k.key --out k.key`
/// used to leave the envelope where the private key was.
#[test]
fn outputs_never_replace_keys_or_signed_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        tollgate()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(
        run(&["key", "generate", "--out-prefix", "k"]).status.code(),
        Some(0)
    );
    std::fs::write(dir.path().join("blob.bin"), b"artifact").unwrap();
    let key_before = std::fs::read(dir.path().join("k.key")).unwrap();
    for (args, expected) in [
        (
            &[
                "sign", "blob", "blob.bin", "--key", "k.key", "--out", "./k.key",
            ][..],
            "--out would replace --key, k.key",
        ),
        (
            &[
                "sign", "blob", "blob.bin", "--key", "k.key", "--out", "blob.bin",
            ][..],
            "--out would replace the signed file, blob.bin",
        ),
        (
            &[
                "--output", "k.key", "sign", "blob", "blob.bin", "--key", "k.key",
            ][..],
            "--output would replace --key, k.key",
        ),
        (
            &[
                "--ledger", "k.pub", "evidence", "verify", "pack.tgz", "--key", "k.pub",
            ][..],
            "--ledger would replace --key, k.pub",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let line = one_line_error(&out.stderr);
        assert!(line.contains(expected), "{args:?}: {line}");
        assert!(line.contains("never overwrites the keys"), "{line}");
    }
    assert_eq!(std::fs::read(dir.path().join("k.key")).unwrap(), key_before);
    assert_eq!(
        std::fs::read(dir.path().join("blob.bin")).unwrap(),
        b"artifact"
    );
}

/// Flat and hierarchical merges of the same inputs hold the same components: diff finds no
/// drift of any kind between them.
#[test]
fn flat_and_hierarchical_merges_of_the_same_inputs_do_not_drift() {
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("flat.json");
    let hier = dir.path().join("hier.json");
    for (out, extra) in [(&flat, None), (&hier, Some("--hierarchical"))] {
        tollgate()
            .args([
                "sbom",
                "merge",
                "testdata/sbom/merge/api.cdx.json",
                "testdata/sbom/merge/worker.cdx.json",
            ])
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .code(0);
    }
    let text = std::fs::read_to_string(&hier).unwrap();
    // serde is in both inputs: one component, not a second renamed `#2`.
    assert_eq!(text.matches(r#""name": "serde""#).count(), 1, "{text}");
    assert!(!text.contains("serde@1.0.200#2"), "{text}");
    tollgate()
        .args(["sbom", "diff"])
        .args([&flat, &hier])
        .args(["--fail-on", "added,removed,version,license,hash"])
        .assert()
        .code(0);
}

/// Services and compositions travel through a merge: carried into the merged SBOM (a service
/// once, however many inputs list it), references kept, the result valid; formulation is still
/// named as dropped (SBOM041).
#[test]
fn merge_carries_services_and_compositions() {
    let dir = tempfile::tempdir().unwrap();
    let mut api: serde_json::Value =
        serde_json::from_slice(&std::fs::read("testdata/sbom/merge/api.cdx.json").unwrap())
            .unwrap();
    api["services"] = serde_json::json!([{
        "bom-ref": "svc-pay", "name": "payments", "version": "2",
        "endpoints": ["https://pay.example/v2"], "authenticated": true
    }]);
    let root = api["metadata"]["component"]["bom-ref"]
        .as_str()
        .unwrap()
        .to_string();
    for dep in api["dependencies"].as_array_mut().unwrap() {
        if dep["ref"] == root.as_str() {
            dep["dependsOn"]
                .as_array_mut()
                .unwrap()
                .push("svc-pay".into());
        }
    }
    let with_services = write(dir.path(), "api.cdx.json", api.to_string());
    api["compositions"] = serde_json::json!([{"aggregate": "complete", "assemblies": [root]}]);
    api["formulation"] = serde_json::json!([{"bom-ref": "build-1"}]);
    let with_compositions = write(dir.path(), "api-comp.cdx.json", api.to_string());
    let out = dir.path().join("merged.json");
    let report = tollgate()
        .args(["--format", "json", "sbom", "merge"])
        .args([&with_services, &with_compositions])
        .arg("testdata/sbom/merge/worker.cdx.json")
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(diag_codes(&report), ["SBOM041"], "{report:#}");
    let message = report["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("api-comp.cdx.json has formulation that"),
        "{message}"
    );
    let merged: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let services = merged["services"].as_array().unwrap();
    assert_eq!(services.len(), 1, "{merged:#}");
    assert_eq!(services[0]["name"], "payments");
    assert_eq!(
        merged["compositions"][0]["assemblies"],
        serde_json::json!([root])
    );
    assert!(merged["dependencies"].as_array().unwrap().iter().any(|d| {
        d["ref"] == root.as_str()
            && d["dependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "svc-pay")
    }));
    tollgate()
        .args(["sbom", "validate"])
        .arg(&out)
        .assert()
        .code(0);

    // A carried section it cannot read exactly is refused, never carried as nothing.
    api["services"] = serde_json::json!({"name": "payments"});
    let bad = write(dir.path(), "api-bad.cdx.json", api.to_string());
    let out = tollgate()
        .args(["sbom", "merge"])
        .arg(&bad)
        .arg("testdata/sbom/merge/worker.cdx.json")
        .args(["--out", "-"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let line = one_line_error(&out.stderr);
    assert!(
        line.contains("SBOM001") && line.contains("cannot read the services: /services:"),
        "{line}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn merge_refuses_spdx_inputs() {
    tollgate()
        .args([
            "sbom",
            "merge",
            "testdata/sbom/merge/api.cdx.json",
            "testdata/sbom/diff/new.spdx.json",
        ])
        .assert()
        .code(2)
        .stderr(contains("CycloneDX"));
}

#[test]
fn explain_lists_and_explains_codes() {
    tollgate()
        .arg("explain")
        .assert()
        .code(0)
        .stdout(contains("SBOM001"))
        .stdout(contains("TG001"));
    tollgate()
        .args(["explain", "sbom034"])
        .assert()
        .code(0)
        .stdout(contains("hash-changed"));
    tollgate().args(["explain", "NOPE999"]).assert().code(2);
}

/// A CycloneDX document of more than 4 MiB (read by mapping the file): `components` lines
/// long, one component per line after a line of its own for `"components": [`.
fn large_cdx(components: usize, bad_at: Option<usize>) -> String {
    let mut s = String::from(
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\",\"version\":1,\n\"components\": [\n",
    );
    for i in 0..components {
        let purl = if bad_at == Some(i) {
            "pkg:cargo/".to_string()
        } else {
            format!("pkg:cargo/crate-number-{i:06}@1.0.{i}")
        };
        let sep = if i + 1 == components { "" } else { "," };
        s.push_str(&format!(
            "{{\"type\":\"library\",\"bom-ref\":\"c{i}\",\"name\":\"crate-number-{i:06}\",\"version\":\"1.0.{i}\",\"purl\":\"{purl}\",\"description\":\"{}\"}}{sep}\n",
            "x".repeat(200)
        ));
    }
    s.push_str("]}\n");
    assert!(s.len() > 4 << 20);
    s
}

#[test]
fn large_file_findings_keep_their_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    // A byte order mark in front: columns count from after it, as for small files.
    let text = format!("\u{feff}{}", large_cdx(20_000, Some(15_000)));
    let f = write(dir.path(), "big.cdx.json", &text);
    let out = validate_json(&f).code(1).get_output().stdout.clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["subjects"][0]["facts"]["components"], 20_000);
    let purl = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "SBOM005")
        .unwrap_or_else(|| panic!("no SBOM005 in {report}"));
    let loc = &purl["location"];
    assert_eq!(loc["pointer"], "/components/15000/purl", "{loc}");
    // Line 1 is the header, line 2 `"components": [`, component i on line i + 3.
    assert_eq!(loc["line"], 15_003, "{loc}");
    assert!(loc["column"].as_u64().unwrap() > 1, "{loc}");

    let f = write(dir.path(), "good.cdx.json", large_cdx(20_000, None));
    validate_json(&f).code(0);
}

#[test]
fn large_file_that_is_cut_or_not_utf8_is_exit_2_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = large_cdx(20_000, None);
    let cut = write(dir.path(), "cut.cdx.json", &text[..text.len() - 10]);
    let out = validate_json(&cut).code(2).get_output().stderr.clone();
    let line = one_line_error(&out);
    assert!(line.contains("cut.cdx.json:20002:"), "{line}");

    let mut bytes = text.into_bytes();
    let at = bytes.len() - 300;
    bytes[at] = 0xFF;
    let bad = write(dir.path(), "latin1.cdx.json", &bytes);
    let out = validate_json(&bad).code(2).get_output().stderr.clone();
    let line = one_line_error(&out);
    assert!(line.contains("latin1.cdx.json:20002:"), "{line}");
}
