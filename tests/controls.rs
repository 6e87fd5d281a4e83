//! `tollgate attest controls`, `catalog validate`, `verify attestation` on the bundled example
//! evidence tree: all pass, then each single fault flips exactly the right control.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TEAM_CATALOG: &str = "schema: 1
controls:
  - id: SC-01
    name: Supply Chain — SBOM & Scans
    evidence:
      - path: sbom/sbom-*.json
      - path: scans/trivy.sarif
    assert:
      - type: sarif_no_levels
        levels: [CRITICAL, HIGH]
  - id: SC-02
    name: Signing & Provenance
    evidence:
      - path: provenance/*.json
    assert:
      - type: cosign_verify_attestation
  - id: PL-01
    name: Policy Pack (Warrant/License/Citations)
    evidence: [ policies/conftest-results.json ]
";

/// A private copy of the example (evidence, key, waivers) and of the default catalog.
struct Example {
    dir: tempfile::TempDir,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

impl Example {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&testdata("controls/example"), dir.path());
        copy_tree(&root().join("catalog"), &dir.path().join("catalog"));
        write(dir.path(), "team.yaml", TEAM_CATALOG);
        Example { dir }
    }
    fn p(&self) -> &Path {
        self.dir.path()
    }
    fn ev(&self, rel: &str) -> PathBuf {
        self.p().join("evidence").join(rel)
    }
    fn attest(&self, catalog: &str, extra: &[&str]) -> std::process::Output {
        let mut c = tollgate();
        c.current_dir(self.p())
            .env_remove("GITHUB_ACTIONS")
            .args([
                "--format",
                "json",
                "attest",
                "controls",
                "--catalog",
                catalog,
            ])
            .args([
                "--evidence",
                "evidence",
                "--trusted-key",
                "signer.pub",
                "--out",
                "out",
            ])
            .args(extra);
        c.output().unwrap()
    }
}

/// OUT/controls is replaced whole on every run, so it must hold only a previous run's output:
/// anything else there (a repository's own `controls/` with catalogs) is refused, not deleted.
#[test]
fn out_controls_holding_other_files_is_refused_not_replaced() {
    let ex = Example::new();
    let out = ex.attest("catalog/default.yaml", &["--waivers", "waivers.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    // A second run replaces the first run's outputs.
    let out = ex.attest(
        "catalog/default.yaml",
        &["--waivers", "waivers.yaml", "--no-pdf"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    assert!(!ex.p().join("out/controls/report.pdf").exists());
    // A file tollgate does not write: refused with exit 2, nothing removed.
    std::fs::write(ex.p().join("out/controls/soc2.yaml"), "schema: 1\n").unwrap();
    let out = ex.attest("catalog/default.yaml", &["--waivers", "waivers.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"soc2.yaml\", which attest controls does not write"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(ex.p().join("out/controls/soc2.yaml").is_file());
    assert!(ex.p().join("out/controls/attestation.json").is_file());
    // Nor a file where the directory should be.
    std::fs::create_dir(ex.p().join("other")).unwrap();
    std::fs::write(ex.p().join("other/controls"), "not a directory").unwrap();
    let mut c = tollgate();
    let out = c
        .current_dir(ex.p())
        .args([
            "attest",
            "controls",
            "--evidence",
            "evidence",
            "--out",
            "other",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
    assert_eq!(
        std::fs::read_to_string(ex.p().join("other/controls")).unwrap(),
        "not a directory"
    );
}

/// With --out inside the evidence directory, a run does not attest the previous run's outputs:
/// two runs give the same statement, even with a glob that matches every JSON file.
#[test]
fn outputs_inside_the_evidence_are_not_evidence() {
    let ex = Example::new();
    std::fs::write(
        ex.p().join("all.yaml"),
        "schema: 1\ncontrols:\n  - id: ALL-01\n    name: Every JSON file is there\n    evidence:\n      - path: \"**/*.json\"\n    assert:\n      - type: file_exists\n",
    )
    .unwrap();
    let run = || {
        tollgate()
            .current_dir(ex.p())
            .env_remove("GITHUB_ACTIONS")
            .args(["attest", "controls", "--catalog", "all.yaml"])
            .args(["--evidence", "evidence", "--out", "evidence"])
            .assert()
            .code(0);
        std::fs::read(ex.p().join("evidence/controls/attestation.json")).unwrap()
    };
    let paths = |bytes: &[u8]| -> Vec<String> {
        let v: Value = serde_json::from_slice(bytes).unwrap();
        v["predicate"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    };
    let first = run();
    let second = run();
    assert!(
        !paths(&second).iter().any(|p| p.starts_with("controls/")),
        "{:?}",
        paths(&second)
    );
    assert_eq!(paths(&first), paths(&second));
    assert!(
        first == second,
        "the second run's statement differs from the first's"
    );
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `id status: reason` per control, and the finding codes: what a snapshot should pin.
fn summary(out: &std::process::Output) -> String {
    let v = json(out);
    let mut s = format!("verdict: {}\n", v["verdict"].as_str().unwrap());
    for c in v["data"]["controls"].as_array().unwrap() {
        s.push_str(&format!(
            "{} {}: {}\n",
            c["id"].as_str().unwrap(),
            c["status"].as_str().unwrap(),
            c["reason"].as_str().unwrap()
        ));
    }
    for d in v["diagnostics"].as_array().unwrap() {
        s.push_str(&format!(
            "{} {}\n",
            d["code"].as_str().unwrap(),
            d["message"].as_str().unwrap()
        ));
    }
    s
}

#[test]
fn teams_catalog_loads_unchanged_and_passes_on_the_example() {
    let ex = Example::new();
    let out = ex.attest("team.yaml", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    insta::assert_snapshot!(summary(&out));
}

#[test]
fn default_catalog_passes_and_writes_every_output() {
    let ex = Example::new();
    let out = ex.attest(
        "catalog/default.yaml",
        &["--waivers", "waivers.yaml", "--release", "app 1.4.2"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    insta::assert_snapshot!(summary(&out));
    let dir = ex.p().join("out/controls");
    for f in [
        "attestation.json",
        "vsa.json",
        "oscal-assessment-results.json",
        "control-map.csv",
        "report.md",
        "report.html",
        "report.pdf",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let st: Value =
        serde_json::from_slice(&std::fs::read(dir.join("attestation.json")).unwrap()).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://tollgate.dev/attestation/controls/v1"
    );
    assert_eq!(st["predicate"]["verdict"], "pass");
    let names: Vec<&str> = st["subject"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"scans/trivy.sarif"), "{names:?}");
    // Valid statement by tollgate's own in-toto rules.
    tollgate::attest::intoto::check_statement_json(
        &std::fs::read_to_string(dir.join("attestation.json")).unwrap(),
    )
    .unwrap();
    let vsa: Value = serde_json::from_slice(&std::fs::read(dir.join("vsa.json")).unwrap()).unwrap();
    assert_eq!(vsa["predicate"]["verificationResult"], "PASSED");
    let oscal: Value =
        serde_json::from_slice(&std::fs::read(dir.join("oscal-assessment-results.json")).unwrap())
            .unwrap();
    assert_eq!(
        oscal["assessment-results"]["results"][0]["findings"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let csv = std::fs::read_to_string(dir.join("control-map.csv")).unwrap();
    assert!(csv.starts_with("control_id,control_name,framework,framework_control,status"));
    assert!(
        csv.contains("SC-01,Supply Chain — SBOM & Scans,iso27001,A.8.8,pass"),
        "{csv}"
    );
    // Deterministic: a second run gives identical bytes.
    let before: Vec<Vec<u8>> = [
        "attestation.json",
        "report.html",
        "report.pdf",
        "control-map.csv",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect();
    let out = ex.attest(
        "catalog/default.yaml",
        &["--waivers", "waivers.yaml", "--release", "app 1.4.2"],
    );
    assert_eq!(out.status.code(), Some(0));
    for (i, f) in [
        "attestation.json",
        "report.html",
        "report.pdf",
        "control-map.csv",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            before[i],
            "{f} differs between runs"
        );
    }
}

#[test]
fn each_single_fault_flips_the_right_control() {
    type Fault = fn(&Example);
    let faults: Vec<(&str, Fault, &str)> = vec![
        (
            "high_sarif",
            |ex| {
                let p = ex.ev("scans/trivy.sarif");
                let s = std::fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"5.3\"", "\"8.1\"");
                std::fs::write(p, s).unwrap();
            },
            "SC-01",
        ),
        (
            "missing_sbom",
            |ex| std::fs::remove_file(ex.ev("sbom/sbom-app.cdx.json")).unwrap(),
            "SC-01",
        ),
        (
            "bad_provenance_signature",
            |ex| {
                let p = ex.ev("provenance/app.intoto.json");
                let mut v: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
                let sig = v["signatures"][0]["sig"].as_str().unwrap().to_string();
                let mut b = tollgate::attest::dsse::decode_base64(&sig).unwrap();
                let n = b.len() / 2;
                b[n] ^= 0x01;
                use base64::Engine as _;
                v["signatures"][0]["sig"] =
                    base64::engine::general_purpose::STANDARD.encode(b).into();
                std::fs::write(p, serde_json::to_vec(&v).unwrap()).unwrap();
            },
            "SC-02",
        ),
        (
            "expired_waiver",
            |ex| {
                let p = ex.p().join("waivers.yaml");
                let s = std::fs::read_to_string(&p)
                    .unwrap()
                    .replace("2027-01-31", "2026-11-01");
                std::fs::write(p, s).unwrap();
            },
            "DR-01",
        ),
        (
            "waiver_without_approver",
            |ex| {
                let p = ex.p().join("waivers.yaml");
                let s = std::fs::read_to_string(&p)
                    .unwrap()
                    .replace("    approver: cto@acme.example\n", "");
                std::fs::write(p, s).unwrap();
            },
            "DR-01",
        ),
    ];
    for (name, fault, control) in faults {
        let ex = Example::new();
        fault(&ex);
        let out = ex.attest("catalog/default.yaml", &["--waivers", "waivers.yaml"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", summary(&out));
        let v = json(&out);
        // Exactly one control changes; waiver faults fail the gate without touching controls.
        let changed: Vec<String> = v["data"]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] != "pass")
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        let waiver_fault = name.contains("waiver");
        if waiver_fault {
            assert!(changed.is_empty(), "{name}: {changed:?}");
            let w = v["data"]["waivers"].as_array().unwrap();
            assert_eq!(w[0]["control"], control);
        } else {
            assert_eq!(changed, vec![control.to_string()], "{name}");
        }
        insta::assert_snapshot!(format!("fault_{name}"), summary(&out));
    }
}

#[test]
fn stale_drill_is_waived_not_passed() {
    let ex = Example::new();
    let p = ex.ev("dr/drill-2026-11.json");
    let s = std::fs::read_to_string(&p)
        .unwrap()
        .replace("2026-11-10", "2026-01-10");
    std::fs::write(p, s).unwrap();
    let out = ex.attest("catalog/default.yaml", &["--waivers", "waivers.yaml"]);
    // Waived: the gate passes, the control is reported as waived, never as passed.
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    let v = json(&out);
    let dr = v["data"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DR-01")
        .unwrap()
        .clone();
    assert_eq!(dr["status"], "waived");
    assert!(dr["reason"].as_str().unwrap().contains("cto@acme.example"));
    assert_eq!(v["data"]["summary"]["waived"], 1);
    assert_eq!(v["data"]["summary"]["passed"], 6);
}

/// A waiver expires at the instant it names (a date: as the next day starts); a spelling that
/// is neither a date nor RFC 3339 with an offset is bad input, never "the end of that day".
#[test]
fn waiver_expiry_is_exact_and_strict() {
    let ex = Example::new();
    let p = ex.ev("dr/drill-2026-11.json");
    let s = std::fs::read_to_string(&p)
        .unwrap()
        .replace("2026-11-10", "2026-01-10");
    std::fs::write(p, s).unwrap();
    let waivers = std::fs::read_to_string(ex.p().join("waivers.yaml")).unwrap();
    let with_expiry = |e: &str| {
        std::fs::write(
            ex.p().join("w.yaml"),
            waivers.replace("expires: 2027-01-31", &format!("expires: {e}")),
        )
        .unwrap();
        ex.attest("catalog/default.yaml", &["--waivers", "w.yaml"])
    };
    // NOW is 2026-11-23T12:00:00Z.
    for (expiry, code) in [
        ("2026-11-23T12:00:01Z", 0),
        ("2026-11-23T12:00:00Z", 1),
        ("2026-11-23T13:00:00+01:00", 1),
        ("2026-11-23", 0),
        ("2026-11-22", 1),
        ("2026-11-23 12:00:00", 2),
        ("2026-11-23T23:59:59", 2),
        ("2026-11-23T13", 2),
    ] {
        let out = with_expiry(expiry);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{expiry}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code == 1 {
            assert!(
                summary(&out).contains("CTL004"),
                "{expiry}: {}",
                summary(&out)
            );
        }
    }
}

#[test]
fn signed_attestation_verifies_and_a_flipped_byte_fails() {
    let ex = Example::new();
    tollgate()
        .current_dir(ex.p())
        .args(["key", "generate", "--out-prefix", "att"])
        .assert()
        .code(0);
    let out = ex.attest("catalog/default.yaml", &["--key", "att.key"]);
    assert_eq!(out.status.code(), Some(0), "{}", summary(&out));
    let env = ex.p().join("out/controls/attestation.dsse.json");
    let verify = |extra: &[&str]| {
        tollgate()
            .current_dir(ex.p())
            .args(["verify", "attestation"])
            .arg(&env)
            .args(["--key", "att.pub"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(verify(&[]).status.code(), Some(0));
    assert_eq!(verify(&["--evidence", "evidence"]).status.code(), Some(0));
    // The PDF names the signing key.
    let keyid = tollgate::attest::keys::PublicKey::from_pem(
        &std::fs::read_to_string(ex.p().join("att.pub")).unwrap(),
    )
    .unwrap()
    .keyid();
    let md = std::fs::read_to_string(ex.p().join("out/controls/report.md")).unwrap();
    assert!(md.contains(&keyid[..16]), "report.md names the key");
    // Evidence changed after attesting: denied with CTL007.
    std::fs::write(ex.ev("db/shadow-reads.json"), b"{\"mismatches\": 3}").unwrap();
    let out = verify(&["--evidence", "evidence", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CTL007"));
    // Flip one byte of the payload (decoded) or of the signature: exit 1.
    let text = std::fs::read_to_string(&env).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for field in ["payload", "sig"] {
        for i in [0usize, 7, 100] {
            let mut w = v.clone();
            let slot = if field == "payload" {
                &mut w["payload"]
            } else {
                &mut w["signatures"][0]["sig"]
            };
            let mut bytes = b64.decode(slot.as_str().unwrap()).unwrap();
            let i = i % bytes.len();
            bytes[i] ^= 0x20;
            *slot = b64.encode(bytes).into();
            std::fs::write(&env, serde_json::to_vec(&w).unwrap()).unwrap();
            assert_eq!(verify(&[]).status.code(), Some(1), "{field} byte {i}");
        }
    }
    // Truncated file: bad input.
    std::fs::write(&env, &text[..text.len() / 2]).unwrap();
    assert_eq!(verify(&[]).status.code(), Some(2));
}

#[test]
fn catalog_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "schema: 1\ncontrols:\n  - id: A\n    name: a\n    evidence: [x.json]\n    assert:\n      - type: sarif_no_levels\n  - id: A\n    name: b\n    evidence: [y.json]\n    assert:\n      - type: magic\n",
    );
    let out = tollgate()
        .args(["catalog", "validate"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("7:9") && text.contains("missing parameter levels"),
        "{text}"
    );
    assert!(text.contains("duplicate control id"), "{text}");
    assert!(text.contains("unknown assertion type \"magic\""), "{text}");
    // attest controls refuses it with one line, and writes nothing.
    let out = tollgate()
        .args(["attest", "controls", "--catalog"])
        .arg(&bad)
        .args(["--evidence"])
        .arg(dir.path())
        .args(["--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.yaml:") && err.contains("more problem"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
    // The shipped catalog validates, and so does the example waivers file.
    tollgate()
        .args([
            "catalog",
            "validate",
            "catalog/default.yaml",
            "--waivers",
            "testdata/controls/example/waivers.yaml",
        ])
        .assert()
        .code(0);
}

/// Files a catalog names (budgets, keys, hermetic rules) are part of the catalog: missing or
/// malformed, they are bad input at the assertion's line:column, not a failed control.
#[test]
fn files_a_catalog_names_are_checked_with_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let cat = write(
        dir.path(),
        "cat.yaml",
        "schema: 1\ncontrols:\n  - id: K\n    name: k\n    evidence: [x.json]\n    assert:\n      - type: dsse_verified\n        key: keys/missing.pub\n      - type: k6_budget\n        budgets: budgets.yaml\n",
    );
    write(
        dir.path(),
        "budgets.yaml",
        "perf:\n  http_req_duration:\n    p95: < 500ms\n",
    );
    let out = tollgate()
        .args(["catalog", "validate"])
        .arg(&cat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("7:9") && text.contains("key keys/missing.pub"),
        "{text}"
    );
    assert!(
        text.contains("9:9") && text.contains("budgets budgets.yaml") && text.contains("p95"),
        "{text}"
    );
    assert!(text.contains("relative to the catalog file"), "{text}");
    let out = tollgate()
        .args(["attest", "controls", "--catalog"])
        .arg(&cat)
        .arg("--evidence")
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn shipped_catalog_matches_its_json_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/catalog.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let catalog: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join("catalog/default.yaml")).unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&catalog)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let team: Value = serde_saphyr::from_str(TEAM_CATALOG).unwrap();
    assert!(validator.is_valid(&team));
    let bad: Value =
        serde_json::json!({"schema": 1, "controls": [{"id": "A", "name": "a", "evidense": []}]});
    assert!(!validator.is_valid(&bad));
}
