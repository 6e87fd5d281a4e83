//! Whole-CLI cases of `tollgate key generate` and `tollgate sign` (keys generated at test time).

use crate::common::*;
use base64::Engine as _;
use predicates::str::contains;
use std::path::Path;
use tollgate::attest::bundle::Bundle;
use tollgate::attest::dsse::{self, Envelope};
use tollgate::attest::keys::PublicKey;

const STATEMENT: &str = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"aa"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#;
const PASSWORD: &str = "pw-Zq8-never-printed";

fn keygen(dir: &Path, prefix: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    tollgate()
        .env_remove("TOLLGATE_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .args(["key", "generate", "--out-prefix"])
        .arg(dir.join(prefix))
        .args(extra)
        .assert()
}

fn public_key(dir: &Path, prefix: &str) -> PublicKey {
    let pem = std::fs::read_to_string(dir.join(format!("{prefix}.pub"))).unwrap();
    PublicKey::from_pem(&pem).unwrap()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_generate_both_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, name) in [("ecdsa-p256", "ecdsa-p256-sha256"), ("ed25519", "ed25519")] {
        let out = keygen(dir.path(), alg, &["--algorithm", alg, "--format", "json"])
            .code(0)
            .get_output()
            .stdout
            .clone();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let key = public_key(dir.path(), alg);
        assert_eq!(report["data"]["algorithm"], name);
        assert_eq!(report["data"]["keyid"], key.keyid());
        let private = std::fs::read_to_string(dir.path().join(format!("{alg}.key"))).unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(!String::from_utf8_lossy(&out).contains("PRIVATE KEY"));
        #[cfg(unix)]
        assert_eq!(mode(&dir.path().join(format!("{alg}.key"))), 0o600);
    }
}

#[test]
fn key_generate_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &[]).code(0);
    let before = std::fs::read(dir.path().join("k.key")).unwrap();
    keygen(dir.path(), "k", &[])
        .code(2)
        .stderr(contains("already exists"))
        .stderr(contains("--force"));
    assert_eq!(std::fs::read(dir.path().join("k.key")).unwrap(), before);
    keygen(dir.path(), "k", &["--force"]).code(0);
    assert_ne!(std::fs::read(dir.path().join("k.key")).unwrap(), before);
}

#[test]
fn encrypted_key_needs_a_password() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &["--encrypt"])
        .code(2)
        .stderr(contains("TOLLGATE_PASSWORD"));
    assert!(!dir.path().join("k.key").exists());
}

#[test]
fn encrypted_key_signs_with_the_right_password_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = tollgate()
        .env("TOLLGATE_PASSWORD", PASSWORD)
        .args(["key", "generate", "--encrypt", "--out-prefix"])
        .arg(dir.path().join("enc"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(PASSWORD));
    let private = std::fs::read_to_string(dir.path().join("enc.key")).unwrap();
    assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    assert!(!private.contains(PASSWORD));
    let stmt = write(dir.path(), "st.json", STATEMENT);

    // Wrong password: exit 2, one clear line, and the password nowhere.
    let wrong = "wrong-Pw-4711";
    let out = tollgate()
        .env_remove("TOLLGATE_PASSWORD")
        .env("COSIGN_PASSWORD", wrong)
        .args(["sign", "--key"])
        .arg(dir.path().join("enc.key"))
        .arg(&stmt)
        .assert()
        .code(2)
        .stderr(contains("ATT006"))
        .stderr(contains("wrong password"))
        .get_output()
        .clone();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(wrong), "{all}");
    assert!(out.stdout.is_empty());

    // No password at all.
    tollgate()
        .env_remove("TOLLGATE_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .args(["sign", "--key"])
        .arg(dir.path().join("enc.key"))
        .arg(&stmt)
        .assert()
        .code(2)
        .stderr(contains("encrypted"));

    // Right password (COSIGN_PASSWORD works too).
    let out = tollgate()
        .env_remove("TOLLGATE_PASSWORD")
        .env("COSIGN_PASSWORD", PASSWORD)
        .args(["sign", "--key"])
        .arg(dir.path().join("enc.key"))
        .arg(&stmt)
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PASSWORD));
    let env: Envelope = serde_json::from_slice(&out.stdout).unwrap();
    let key = public_key(dir.path(), "enc");
    let v = dsse::verify_envelope(&env, &[key], 1).unwrap();
    assert_eq!(v.payload, STATEMENT.as_bytes());
}

#[test]
fn sign_envelope_jsonl_and_bundle() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &["--algorithm", "ed25519"]).code(0);
    let key = public_key(dir.path(), "k");
    let stmt = write(dir.path(), "st.json", STATEMENT);
    for fmt in ["envelope", "jsonl", "bundle"] {
        let target = dir.path().join(format!("out.{fmt}"));
        let out = tollgate()
            .args(["--format", "json", "sign", "--key"])
            .arg(dir.path().join("k.key"))
            .arg(&stmt)
            .args(["--as", fmt, "--out"])
            .arg(&target)
            .assert()
            .code(0)
            .get_output()
            .clone();
        // stdout carries only the report when the product goes to a file.
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["command"], "sign");
        assert_eq!(report["data"]["keyid"], key.keyid());
        assert_eq!(report["data"]["algorithm"], "ed25519");
        assert_eq!(report["data"]["as"], fmt);
        let text = std::fs::read_to_string(&target).unwrap();
        let env: Envelope = match fmt {
            "jsonl" => {
                assert_eq!(text.lines().count(), 1);
                assert!(text.ends_with('\n'));
                serde_json::from_str(text.trim_end()).unwrap()
            }
            "bundle" => {
                let b: Bundle = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    b.media_type,
                    "application/vnd.dev.sigstore.bundle.v0.3+json"
                );
                assert_eq!(
                    b.verification_material.public_key.unwrap().hint,
                    key.keyid()
                );
                assert!(b.verification_material.tlog_entries.is_empty());
                b.dsse_envelope.unwrap()
            }
            _ => serde_json::from_str(&text).unwrap(),
        };
        assert_eq!(env.payload_type, "application/vnd.in-toto+json");
        assert_eq!(env.signatures[0].keyid, key.keyid());
        dsse::verify_envelope(&env, std::slice::from_ref(&key), 1).unwrap();
    }
}

#[test]
fn sign_to_stdout_puts_the_report_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &[]).code(0);
    let stmt = write(dir.path(), "st.json", STATEMENT);
    let out = tollgate()
        .args(["sign", "--key"])
        .arg(dir.path().join("k.key"))
        .arg(&stmt)
        .assert()
        .code(0)
        .stderr(contains("PASS sign"))
        .get_output()
        .clone();
    let env: Envelope = serde_json::from_slice(&out.stdout).unwrap();
    dsse::verify_envelope(&env, &[public_key(dir.path(), "k")], 1).unwrap();
}

#[test]
fn sign_refuses_a_non_statement_unless_payload_type_is_given() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &[]).code(0);
    let f = write(dir.path(), "x.json", r#"{"hello":"world"}"#);
    tollgate()
        .args(["sign", "--key"])
        .arg(dir.path().join("k.key"))
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("in-toto Statement"))
        .stderr(contains("--payload-type"));
    let out = tollgate()
        .args(["sign", "--payload-type", "application/json", "--key"])
        .arg(dir.path().join("k.key"))
        .arg(&f)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let env: Envelope = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(env.payload_type, "application/json");
}

#[test]
fn sign_blob_is_cosign_compatible() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "app.tar.gz", b"\x1f\x8b binary release bytes");
    for alg in ["ecdsa-p256", "ed25519"] {
        keygen(dir.path(), alg, &["--algorithm", alg]).code(0);
        let sig_path = dir.path().join(format!("{alg}.sig"));
        tollgate()
            .args(["sign", "blob"])
            .arg(&data)
            .arg("--key")
            .arg(dir.path().join(format!("{alg}.key")))
            .arg("--out")
            .arg(&sig_path)
            .assert()
            .code(0)
            .stdout(contains("PASS sign"));
        let b64 = std::fs::read_to_string(&sig_path).unwrap();
        let sig = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .unwrap();
        let key = public_key(dir.path(), alg);
        let bytes = std::fs::read(&data).unwrap();
        assert!(key.verify_blob(&bytes, &sig));
        assert!(!key.verify_blob(b"other", &sig));
        if alg == "ecdsa-p256" {
            assert_eq!(sig[0], 0x30, "ASN.1 DER SEQUENCE");
        }
    }
}

#[cfg(unix)]
/// A world-readable private key is a real finding of the report (ATT007, a warning: counted,
/// in every output format), not a stray stderr line; the key never appears in any output.
#[test]
fn world_readable_private_key_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &[]).code(0);
    let key = dir.path().join("k.key");
    let stmt = write(dir.path(), "st.json", STATEMENT);
    let sign = |format: &str, blob: bool| {
        let mut c = tollgate();
        c.args(["--format", format, "sign"]);
        if blob {
            c.args(["blob", "--out"]).arg(dir.path().join("sig"));
        } else {
            c.arg("--out").arg(dir.path().join("st.dsse.json"));
        }
        c.arg("--key").arg(&key).arg(&stmt).output().unwrap()
    };
    let out = sign("json", false);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]), "{v}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let private = std::fs::read_to_string(&key).unwrap();
    let body = private.lines().nth(1).unwrap();
    for blob in [false, true] {
        let out = sign("json", blob);
        assert_eq!(out.status.code(), Some(0), "blob {blob}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = &v["diagnostics"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
        assert_eq!(d[0]["code"], "ATT007");
        assert_eq!(d[0]["severity"], "warning");
        assert!(
            d[0]["message"].as_str().unwrap().contains("mode 644"),
            "{v}"
        );
        assert!(d[0]["help"].as_str().unwrap().contains("chmod 600"), "{v}");
        assert!(
            d[0]["location"]["file"]
                .as_str()
                .unwrap()
                .ends_with("k.key")
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sarif = sign("sarif", blob);
        let text = String::from_utf8_lossy(&sarif.stdout);
        assert!(text.contains("ATT007"), "{text}");
        let human = sign("human", blob);
        let text = String::from_utf8_lossy(&human.stdout);
        assert!(
            text.contains("warning[ATT007]") && text.contains("1 warning"),
            "{text}"
        );
        for o in [&out, &sarif, &human] {
            assert!(!String::from_utf8_lossy(&o.stdout).contains(body));
            assert!(!String::from_utf8_lossy(&o.stderr).contains(body));
        }
    }
}

#[test]
fn public_key_passed_as_signing_key_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "k", &[]).code(0);
    let stmt = write(dir.path(), "st.json", STATEMENT);
    tollgate()
        .args(["sign", "--key"])
        .arg(dir.path().join("k.pub"))
        .arg(&stmt)
        .assert()
        .code(2)
        .stderr(contains("ATT005"))
        .stderr(contains("private key"));
}
