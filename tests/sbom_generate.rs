//! `tollgate sbom generate`: snapshots of the SBOMs generated from fixtures made by the real
//! package managers, their validity (tollgate's own validator), reproducibility, and whole-CLI
//! bad-input cases.

use crate::common::*;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

const FIXTURES: &str = "testdata/sbom-generate";

/// Generate to stdout; returns (exit code, SBOM text, stderr).
fn generate(args: &[&str]) -> (i32, String, String) {
    let out = tollgate()
        .args(["sbom", "generate"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Validate with tollgate's own validator (schema + semantic rules); panics on any error.
fn assert_valid(name: &str, text: &str) -> Value {
    let doc = tollgate::sbom::document::parse(name, text.to_string()).expect("parses");
    let opts = tollgate::sbom::validate::Options {
        schema: true,
        profile: None,
        strict: true,
        now: NOW.parse().unwrap(),
        limits: Default::default(),
        max_schema_errors: 20,
    };
    let r = tollgate::sbom::validate::validate_document(doc, &opts);
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {:?}", d.code(), d.message, d.location))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    serde_json::from_str(text).unwrap()
}

fn purls(bom: &Value) -> Vec<String> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_string))
        .collect()
}

fn fixture_snapshot(dir: &str) -> Value {
    let path = format!("{FIXTURES}/{dir}");
    let (code, sbom, stderr) = generate(&[&path]);
    assert_eq!(code, 0, "{dir}: {stderr}");
    let bom = assert_valid(dir, &sbom);
    insta::assert_snapshot!(format!("generate_{}", dir.replace('-', "_")), sbom);
    bom
}

#[test]
fn cargo_lockfile() {
    let bom = fixture_snapshot("cargo");
    let p = purls(&bom);
    assert!(p.iter().any(|p| p.starts_with("pkg:cargo/itoa@")), "{p:?}");
    let itoa = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "itoa")
        .unwrap();
    assert_eq!(itoa["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        bom["metadata"]["component"]["components"][0]["name"],
        "gen-fixture"
    );
}

#[test]
fn npm_lockfile_v3() {
    let bom = fixture_snapshot("npm");
    let p = purls(&bom);
    assert!(
        p.iter()
            .any(|p| p.starts_with("pkg:npm/%40babel/code-frame@7.24.7")),
        "{p:?}"
    );
    let dev = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "is-number")
        .unwrap();
    assert_eq!(dev["scope"], "optional");
    assert_eq!(dev["hashes"][0]["alg"], "SHA-512");
    assert!(dev["licenses"].is_array(), "npm lockfiles record licences");
}

#[test]
fn npm_lockfile_v1() {
    let bom = fixture_snapshot("npm-v1");
    assert!(purls(&bom).iter().any(|p| p == "pkg:npm/ms@2.1.3"));
}

#[test]
fn yarn_classic() {
    let bom = fixture_snapshot("yarn-classic");
    assert!(purls(&bom).iter().any(|p| p == "pkg:npm/debug@4.3.4"));
}

#[test]
fn yarn_berry() {
    let bom = fixture_snapshot("yarn-berry");
    assert!(purls(&bom).iter().any(|p| p == "pkg:npm/debug@4.3.4"));
}

#[test]
fn pnpm_v9() {
    let bom = fixture_snapshot("pnpm-v9");
    assert!(purls(&bom).iter().any(|p| p == "pkg:npm/debug@4.3.4"));
}

#[test]
fn pnpm_v6() {
    let bom = fixture_snapshot("pnpm-v6");
    assert!(purls(&bom).iter().any(|p| p == "pkg:npm/debug@4.3.4"));
}

#[test]
fn uv_lock() {
    let bom = fixture_snapshot("uv");
    // PEP 503 normalisation: Jinja2 → jinja2, markupsafe lower-case.
    assert!(purls(&bom).iter().any(|p| p == "pkg:pypi/jinja2@3.1.4"));
}

#[test]
fn poetry_lock() {
    let bom = fixture_snapshot("poetry");
    assert!(
        purls(&bom)
            .iter()
            .any(|p| p == "pkg:pypi/typing-extensions@4.12.2")
    );
}

#[test]
fn requirements_txt_with_hashes() {
    let bom = fixture_snapshot("requirements");
    assert!(purls(&bom).iter().any(|p| p == "pkg:pypi/pyyaml@6.0.2"));
}

#[test]
fn pipfile_lock() {
    let bom = fixture_snapshot("pipenv");
    assert!(purls(&bom).iter().any(|p| p == "pkg:pypi/six@1.16.0"));
}

#[test]
fn go_mod_keeps_h1_as_property() {
    let bom = fixture_snapshot("go");
    let mux = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == "pkg:golang/github.com/gorilla/mux@v1.8.1")
        .unwrap();
    assert!(mux.get("hashes").is_none(), "h1: is not a file hash");
    assert!(mux["properties"].to_string().contains("tollgate:go:h1"));
}

#[test]
fn gemfile_lock() {
    let bom = fixture_snapshot("ruby");
    assert!(
        purls(&bom)
            .iter()
            .any(|p| p == "pkg:gem/nokogiri@1.16.7?platform=x86_64-linux")
    );
}

#[test]
fn composer_lock() {
    let bom = fixture_snapshot("composer");
    assert!(
        purls(&bom)
            .iter()
            .any(|p| p == "pkg:composer/monolog/monolog@3.7.0")
    );
}

#[test]
fn gradle_lockfile() {
    let bom = fixture_snapshot("gradle");
    assert!(
        purls(&bom)
            .iter()
            .any(|p| p == "pkg:maven/com.google.guava/guava@33.3.1-jre")
    );
}

#[test]
fn monorepo_projects_nest_under_the_release() {
    let (code, sbom, stderr) = generate(&[
        &format!("{FIXTURES}/monorepo"),
        "--root-name",
        "platform",
        "--root-version",
        "2.0.0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let bom = assert_valid("monorepo", &sbom);
    let top = &bom["metadata"]["component"];
    assert_eq!(top["name"], "platform");
    let projects: Vec<&str> = top["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(projects, ["api", "web", "worker"]);
    insta::assert_snapshot!("generate_monorepo", sbom);
    insta::assert_snapshot!("generate_monorepo_report", stderr);
}

/// The same project in both formats is the same set of components: a cross-format diff of
/// them finds no drift (the member projects sit under the CycloneDX subject and are packages
/// the SPDX root contains; both count).
#[test]
fn monorepo_in_both_formats_diffs_clean() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["cyclonedx", "spdx"] {
        let out = dir.path().join(format!("{format}.json"));
        tollgate()
            .args(["sbom", "generate"])
            .arg(format!("{FIXTURES}/monorepo"))
            .args(["--sbom-format", format, "--out"])
            .arg(&out)
            .assert()
            .code(0);
    }
    let out = tollgate()
        .current_dir(dir.path())
        .args([
            "--format",
            "json",
            "sbom",
            "diff",
            "cyclonedx.json",
            "spdx.json",
        ])
        .args(["--fail-on", "added,removed,version,license,hash"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{v}");
    let counts: Vec<u64> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["facts"]["components"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [10, 10], "{v}");
}

#[test]
fn rootfs_debian_and_alpine() {
    for (dir, needle) in [
        ("rootfs-debian", "pkg:deb/debian/libc6@"),
        (
            "rootfs-alpine",
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
        ),
    ] {
        let (code, sbom, stderr) = generate(&[
            "--no-lockfiles",
            "--rootfs",
            &format!("{FIXTURES}/{dir}"),
            "--root-name",
            "image",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let bom = assert_valid(dir, &sbom);
        assert!(
            purls(&bom).iter().any(|p| p.starts_with(needle)),
            "{dir}: {:?}",
            purls(&bom)
        );
        assert!(sbom.contains("distro="), "{dir}");
        insta::assert_snapshot!(format!("generate_{}", dir.replace('-', "_")), sbom);
    }
}

#[test]
fn spdx_and_cyclonedx_15_validate() {
    let dir = format!("{FIXTURES}/monorepo");
    let (code, spdx, stderr) = generate(&[&dir, "--sbom-format", "spdx-json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc = assert_valid("monorepo.spdx.json", &spdx);
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert!(spdx.contains("DEV_DEPENDENCY_OF"));
    insta::assert_snapshot!("generate_monorepo_spdx", spdx);
    let (code, cdx15, stderr) = generate(&[&dir, "--spec-version", "1.5"]);
    assert_eq!(code, 0, "{stderr}");
    let doc = assert_valid("monorepo-1.5.cdx.json", &cdx15);
    assert_eq!(doc["specVersion"], "1.5");
}

#[test]
fn byte_reproducible_with_now_and_source_date_epoch() {
    let dir = format!("{FIXTURES}/monorepo");
    let a = generate(&[&dir]).1;
    let b = generate(&[&dir]).1;
    assert_eq!(a, b);
    // Without --now, SOURCE_DATE_EPOCH sets the timestamp.
    let run = || {
        let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("tollgate"));
        cmd.current_dir(root())
            .env_remove("TOLLGATE_NOW")
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .args(["sbom", "generate", &dir]);
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    let c = run();
    assert_eq!(c, run());
    assert!(c.contains("\"timestamp\": \"2026-01-01T00:00:00Z\""), "{c}");
}

#[test]
fn exclude_dev_drops_dev_packages() {
    let (code, sbom, _) = generate(&[&format!("{FIXTURES}/npm"), "--exclude-dev"]);
    assert_eq!(code, 0);
    let bom = assert_valid("npm", &sbom);
    assert!(!purls(&bom).iter().any(|p| p.contains("is-number")));
    assert!(purls(&bom).iter().any(|p| p.contains("debug")));
}

#[test]
fn artifacts_are_file_components_with_sha256_and_sha512() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app-linux.tar.gz", b"release bytes");
    write(dir.path(), "app-darwin.tar.gz", b"other bytes");
    let out = dir.path().join("sbom.cdx.json");
    tollgate()
        .args([
            "sbom",
            "generate",
            "--no-lockfiles",
            "--root-name",
            "app",
            "--root-version",
            "1.0.0",
            "--out",
        ])
        .arg(&out)
        .arg("--artifact")
        .arg(format!("{}/*.tar.gz", dir.path().display()))
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    let bom = assert_valid("artifacts", &text);
    let files: Vec<&Value> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "file")
        .collect();
    assert_eq!(files.len(), 2);
    // Two artifacts with the same file name in different directories stay distinct.
    let sub = dir.path().join("linux");
    std::fs::create_dir_all(&sub).unwrap();
    write(&sub, "app-darwin.tar.gz", b"third");
    for format in ["cyclonedx-json", "spdx-json"] {
        let o = tollgate()
            .args([
                "sbom",
                "generate",
                "--no-lockfiles",
                "--sbom-format",
                format,
                "--artifact",
            ])
            .arg(format!("{}/**/*.tar.gz", dir.path().display()))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_valid(format, &String::from_utf8(o.stdout).unwrap());
    }
    assert_eq!(files[0]["name"], "app-darwin.tar.gz");
    assert_eq!(files[0]["hashes"][0]["alg"], "SHA-256");
    assert_eq!(files[0]["hashes"][1]["alg"], "SHA-512");
    assert_eq!(bom["metadata"]["component"]["name"], "app");
}

fn one_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    lines[0].to_string()
}

/// A project with a good Cargo.lock and a malformed package-lock.json.
fn half_broken() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("good")).unwrap();
    std::fs::create_dir_all(dir.path().join("broken")).unwrap();
    std::fs::copy(
        root().join(FIXTURES).join("cargo/Cargo.lock"),
        dir.path().join("good/Cargo.lock"),
    )
    .unwrap();
    write(
        &dir.path().join("broken"),
        "package-lock.json",
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {,}\n  }\n}\n",
    );
    dir
}

#[test]
fn malformed_lockfile_is_reported_and_the_rest_still_described() {
    let dir = half_broken();
    let out = dir.path().join("sbom.cdx.json");
    let o = tollgate()
        .args(["--format", "json", "sbom", "generate"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "GEN001", "{report:#}");
    assert!(
        d["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("broken/package-lock.json")
    );
    assert_eq!(d["location"]["line"], 4);
    let bom = assert_valid("out", &std::fs::read_to_string(&out).unwrap());
    assert!(purls(&bom).iter().any(|p| p.starts_with("pkg:cargo/itoa@")));
}

#[test]
fn strict_fails_the_whole_run_on_one_bad_lockfile() {
    let dir = half_broken();
    let out = dir.path().join("sbom.cdx.json");
    let o = tollgate()
        .args(["sbom", "generate", "--strict"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&String::from_utf8_lossy(&o.stderr));
    assert!(line.contains("broken/package-lock.json:4:"), "{line}");
    assert!(line.contains("hint:"), "{line}");
    assert!(!out.exists(), "nothing is written under --strict");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tollgate-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn unknown_lockfile_version_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.lock",
        "# generated\nversion = 99\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n",
    );
    let o = tollgate()
        .args(["sbom", "generate", "--strict"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&String::from_utf8_lossy(&o.stderr));
    assert!(line.contains("Cargo.lock:2:1"), "{line}");
    assert!(line.contains("unknown lockfile version 99"), "{line}");
}

#[test]
fn yaml_and_toml_syntax_errors_have_positions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\nimporters:\n  .: [unclosed\n",
    );
    let o = tollgate()
        .args(["sbom", "generate", "--strict"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&String::from_utf8_lossy(&o.stderr));
    assert!(line.contains("pnpm-lock.yaml:"), "{line}");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "uv.lock",
        "version = 1\n[[package]\nname = \"x\"\n",
    );
    let o = tollgate()
        .args(["sbom", "generate", "--strict"])
        .arg(dir.path())
        .output()
        .unwrap();
    let line = one_error_line(&String::from_utf8_lossy(&o.stderr));
    assert!(line.contains("uv.lock:2:"), "{line}");
}

#[test]
fn nothing_to_describe_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = tollgate()
        .args(["sbom", "generate"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&String::from_utf8_lossy(&o.stderr));
    assert!(line.contains("GEN002"), "{line}");
    tollgate()
        .args(["sbom", "generate", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(contains("TG001"));
    tollgate()
        .args([
            "sbom",
            "generate",
            "--no-lockfiles",
            "--artifact",
            "nothing/*.bin",
        ])
        .assert()
        .code(2)
        .stderr(contains("matched no file"));
}

#[test]
fn exclude_skips_lockfiles() {
    // Paths relative to DIR, however spelled.
    for pattern in ["web", "web/", "./web", "./web/"] {
        let (code, sbom, _) = generate(&[&format!("{FIXTURES}/monorepo"), "--exclude", pattern]);
        assert_eq!(code, 0);
        assert!(!sbom.contains("pkg:npm/"), "{pattern}");
        assert!(sbom.contains("pkg:cargo/"));
    }
}

#[test]
fn repository_cargo_lock_validates_with_ntia_coverage() {
    let (code, sbom, stderr) = generate(&["--exclude", "testdata", "--exclude", "bench", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert_valid("self", &sbom);
    assert!(stderr.contains("NTIA minimum elements"), "{stderr}");
    assert!(
        stderr.contains("lockfiles do not record suppliers"),
        "{stderr}"
    );
    let _ = Path::new(".");
}

#[cfg(unix)]
#[test]
fn symlinked_lockfiles_are_read_and_dangling_ones_named() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("shared");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::copy(
        root().join(FIXTURES).join("cargo/Cargo.lock"),
        real.join("Cargo.lock.real"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    symlink(
        real.join("Cargo.lock.real"),
        dir.path().join("app/Cargo.lock"),
    )
    .unwrap();
    // A symlinked directory is not entered (it could loop back to its parent).
    symlink(dir.path(), dir.path().join("app/loop")).unwrap();
    let (code, sbom, stderr) = generate(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let bom = assert_valid("out", &sbom);
    assert!(purls(&bom).iter().any(|p| p.starts_with("pkg:cargo/itoa@")));
    assert!(
        sbom.contains("app/Cargo.lock"),
        "the link's own path is recorded"
    );
    assert!(!sbom.contains("loop/"), "{sbom}");

    symlink(
        dir.path().join("gone.lock"),
        dir.path().join("app/yarn.lock"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = tollgate()
        .args(["--format", "json", "sbom", "generate"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path().join("sbom.cdx.json"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let named = report["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["location"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("app/yarn.lock"))
    });
    assert!(named, "{report:#}");
}
