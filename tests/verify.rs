//! `tollgate verify provenance`: round trips (generate → sign → verify), tamper resistance,
//! one finding per policy failure, bad input, and slsa-verifier's real provenance.

use crate::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tollgate::attest::dsse::Envelope;
use tollgate::attest::keys::PublicKey;
use tollgate::attest::verify::{
    self, Artifact, Attestation, KeyVerifier, Policy, Rejection, SignedAttestation, Verified,
    Verifier,
};

const PASSWORD: &str = "pw-verify-Xy7";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const BUILDER: &str = "https://github.com/acme/ci/.github/workflows/release.yml";

fn tg(dir: &Path) -> assert_cmd::Command {
    let mut c = tollgate();
    c.current_dir(dir)
        .env_remove("TOLLGATE_PASSWORD")
        .env_remove("COSIGN_PASSWORD");
    c
}

/// A signed release in `dir`: key pair `k`, artifacts `app.bin` and `lib.so`, provenance
/// `prov.json`, signed as `signed.<ext>`.
struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    fn new(key_args: &[&str], sign_as: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "app.bin", b"the application\n");
        write(d, "lib.so", b"\x7fELF a library");
        let mut gen_cmd = tg(d);
        gen_cmd.env("TOLLGATE_PASSWORD", PASSWORD);
        gen_cmd
            .args(["key", "generate", "--out-prefix", "k"])
            .args(key_args)
            .assert()
            .code(0);
        tg(d)
            .args(["provenance", "generate", "app.bin", "lib.so", "--no-ci-env"])
            .args(["--builder-id", &format!("{BUILDER}@refs/tags/v2.0.0")])
            .args(["--source-uri", "git+https://github.com/acme/app"])
            .args([
                "--source-ref",
                "refs/tags/v1.4.2",
                "--source-digest",
                COMMIT,
            ])
            .args(["--build-type", "https://acme.example/build/v1"])
            .args(["--out", "prov.json"])
            .assert()
            .code(0);
        tg(d)
            .env("TOLLGATE_PASSWORD", PASSWORD)
            .args(["sign", "prov.json", "--key", "k.key", "--as", sign_as])
            .args(["--out", &format!("signed.{sign_as}")])
            .assert()
            .code(0);
        Release { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn signed(&self) -> PathBuf {
        let d = self.path();
        ["envelope", "jsonl", "bundle"]
            .iter()
            .map(|e| d.join(format!("signed.{e}")))
            .find(|p| p.exists())
            .unwrap()
    }

    fn verify(&self) -> assert_cmd::Command {
        let mut c = tg(self.path());
        c.args([
            "verify",
            "provenance",
            "app.bin",
            "lib.so",
            "--key",
            "k.pub",
        ])
        .arg("--provenance")
        .arg(self.signed());
        c
    }
}

fn codes(out: &std::process::Output) -> Vec<String> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut c = diag_codes(&v);
    c.sort();
    c.dedup();
    c
}

#[test]
fn round_trip_p256_ed25519_encrypted_and_every_output_form() {
    for (key_args, sign_as) in [
        (&[][..], "envelope"),
        (&["--algorithm", "ed25519"][..], "jsonl"),
        (&["--encrypt"][..], "bundle"),
        (&["--algorithm", "ed25519", "--encrypt"][..], "envelope"),
    ] {
        let r = Release::new(key_args, sign_as);
        let out = r
            .verify()
            .args(["--format", "json", "--builder-id", BUILDER])
            .args([
                "--source-uri",
                "github.com/acme/app",
                "--source-tag",
                "v1.4.2",
            ])
            .args([
                "--source-ref",
                "refs/tags/v1.4.2",
                "--source-versioned-tag",
                "v1.4",
            ])
            .args(["--build-type", "https://acme.example/build/v1"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{key_args:?} {sign_as}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["verdict"], "pass");
        let checks = v["data"]["checks"].as_array().unwrap();
        assert!(checks.iter().all(|c| c["passed"] == true));
        let names: Vec<&str> = checks
            .iter()
            .map(|c| c["check"].as_str().unwrap())
            .collect();
        for want in [
            "signature",
            "payload type",
            "statement type",
            "predicate type",
            "statement",
            "builder id",
            "source uri",
            "source ref",
            "source tag",
            "source versioned tag",
            "build type",
            "subject digest",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
    }
}

#[test]
fn round_trip_five_thousand_subjects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("dist")).unwrap();
    for i in 0..5000 {
        write(
            &d.join("dist"),
            &format!("f{i:04}.bin"),
            format!("file {i}\n"),
        );
    }
    tg(d)
        .args(["key", "generate", "--out-prefix", "k"])
        .assert()
        .code(0);
    tg(d)
        .args([
            "provenance",
            "generate",
            "dist/*.bin",
            "--no-ci-env",
            "--out",
            "p.json",
        ])
        .args(["--builder-id", BUILDER])
        .assert()
        .code(0);
    tg(d)
        .args(["sign", "p.json", "--key", "k.key", "--out", "p.dsse.json"])
        .assert()
        .code(0);
    let artifacts: Vec<String> = (0..5000).map(|i| format!("dist/f{i:04}.bin")).collect();
    tg(d)
        .args([
            "-q",
            "verify",
            "provenance",
            "--provenance",
            "p.dsse.json",
            "--key",
            "k.pub",
        ])
        .args(&artifacts)
        .assert()
        .code(0);
    // One file changed among 5,000: exactly that one is reported.
    write(&d.join("dist"), "f2345.bin", "changed\n");
    let out = tg(d)
        .args([
            "--format",
            "json",
            "verify",
            "provenance",
            "--provenance",
            "p.dsse.json",
        ])
        .args(["--key", "k.pub"])
        .args(&artifacts)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "ATT016");
    assert_eq!(diags[0]["location"]["file"], "dist/f2345.bin");
}

/// Each policy failure has its own finding.
#[test]
fn each_failure_has_its_own_finding() {
    let r = Release::new(&[], "envelope");
    let d = r.path();
    tg(d)
        .args(["key", "generate", "--out-prefix", "other"])
        .assert()
        .code(0);
    write(d, "stranger.bin", b"not built here");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("ATT001", vec!["--key", "other.pub"]),
        (
            "ATT012",
            vec![
                "--builder-id",
                "https://github.com/evil/ci/.github/workflows/x.yml",
            ],
        ),
        (
            "ATT012",
            vec![
                "--builder-id",
                &"https://github.com/acme/ci/.github/workflows/release.yml@refs/tags/v9",
            ],
        ),
        ("ATT013", vec!["--source-uri", "github.com/acme/app-fork"]),
        ("ATT014", vec!["--source-ref", "refs/heads/main"]),
        ("ATT014", vec!["--source-branch", "main"]),
        ("ATT014", vec!["--source-tag", "v1.4.3"]),
        ("ATT014", vec!["--source-versioned-tag", "v1.5"]),
        ("ATT014", vec!["--source-versioned-tag", "v2"]),
        ("ATT015", vec!["--build-type", "https://other/build"]),
        (
            "ATT010",
            vec!["--predicate-type", "https://slsa.dev/provenance/v0.2"],
        ),
        ("ATT016", vec!["stranger.bin"]),
        (
            "ATT016",
            vec![
                "--artifact-digest",
                &"sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
        ),
    ];
    for (code, extra) in cases {
        // A wrong key replaces the right one; everything else is added to a passing run.
        let mut cmd = tg(d);
        cmd.args([
            "--format",
            "json",
            "verify",
            "provenance",
            "app.bin",
            "--provenance",
        ])
        .arg(r.signed());
        if extra[0] != "--key" {
            cmd.args(["--key", "k.pub"]);
        }
        let out = cmd.args(&extra).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{extra:?}");
        assert_eq!(codes(&out), vec![code.to_string()], "{extra:?}");
    }
    // Threshold: two keys required, one signed.
    let out = tg(d)
        .args([
            "--format",
            "json",
            "verify",
            "provenance",
            "app.bin",
            "--provenance",
        ])
        .arg(r.signed())
        .args(["--key", "k.pub", "--key", "other.pub", "--threshold", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&out), vec!["ATT002"]);
    // Either of two trusted keys is enough at threshold 1.
    tg(d)
        .args(["verify", "provenance", "app.bin", "--provenance"])
        .arg(r.signed())
        .args(["--key", "other.pub", "--key", "k.pub"])
        .assert()
        .code(0);
    // An unsigned statement is denied, not passed.
    let out = tg(d)
        .args(["--format", "json", "verify", "provenance", "app.bin"])
        .args(["--provenance", "prov.json", "--key", "k.pub"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&out), vec!["ATT018"]);
}

/// A subject's digests must all agree with the artifact on every algorithm both have: a right
/// sha256 does not excuse a wrong sha512 or sha384 (each is computed in the same read).
#[test]
fn every_shared_digest_algorithm_must_match() {
    use sha2::Digest as _;
    let r = Release::new(&[], "envelope");
    let d = r.path();
    let app = std::fs::read(d.join("app.bin")).unwrap();
    let mut stmt: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("prov.json")).unwrap()).unwrap();
    let subjects = stmt["subject"].as_array().unwrap().clone();
    let i = subjects
        .iter()
        .position(|s| s["name"] == "app.bin")
        .unwrap();
    let sha384 = hex(&sha2::Sha384::digest(&app));
    let sha512 = hex(&sha2::Sha512::digest(&app));
    let evil384 = hex(&sha2::Sha384::digest(b"evil"));
    let evil512 = hex(&sha2::Sha512::digest(b"evil"));
    let cases = [
        ("right.json", &sha384, &sha512, 0, vec![]),
        (
            "bad512.json",
            &sha384,
            &evil512,
            1,
            vec!["ATT016".to_string()],
        ),
        (
            "bad384.json",
            &evil384,
            &sha512,
            1,
            vec!["ATT016".to_string()],
        ),
    ];
    for (name, h384, h512, exit, want) in cases {
        stmt["subject"][i]["digest"]["sha384"] = h384.as_str().into();
        stmt["subject"][i]["digest"]["sha512"] = h512.as_str().into();
        let signed = resign(
            &r,
            name,
            "application/vnd.in-toto+json",
            stmt.to_string().as_bytes(),
        );
        let out = tg(d)
            .args(["--format", "json", "verify", "provenance", "app.bin"])
            .arg("--provenance")
            .arg(&signed)
            .args(["--key", "k.pub"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(exit), "{name}");
        assert_eq!(codes(&out), want, "{name}");
    }
}

fn resign(r: &Release, name: &str, payload_type: &str, payload: &[u8]) -> PathBuf {
    let d = r.path();
    write(d, "payload.bin", payload);
    tg(d)
        .args([
            "sign",
            "payload.bin",
            "--key",
            "k.key",
            "--payload-type",
            payload_type,
        ])
        .args(["--out", name])
        .assert()
        .code(0);
    d.join(name)
}

#[test]
fn payload_statement_and_predicate_types_are_checked() {
    let r = Release::new(&[], "envelope");
    let d = r.path();
    let st = std::fs::read(d.join("prov.json")).unwrap();
    let run = |file: &Path| {
        let out = tg(d)
            .args([
                "--format",
                "json",
                "verify",
                "provenance",
                "app.bin",
                "--key",
                "k.pub",
            ])
            .arg("--provenance")
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        codes(&out)
    };
    let f = resign(&r, "pt.json", "application/json", &st);
    assert_eq!(run(&f), vec!["ATT008"]);
    let mut v: Value = serde_json::from_slice(&st).unwrap();
    v["_type"] = "https://in-toto.io/Statement/v9".into();
    let f = resign(
        &r,
        "st.json",
        "application/octet-stream",
        &serde_json::to_vec(&v).unwrap(),
    );
    assert_eq!(run(&f), vec!["ATT008"]);
    // Signing checks the statement, so tamper via the library: sign arbitrary bytes as in-toto.
    let key = tollgate::attest::keys::PrivateKey::from_pem(
        &std::fs::read_to_string(d.join("k.key")).unwrap(),
        None,
    )
    .unwrap();
    let sign_raw = |name: &str, payload: &[u8]| {
        let env = tollgate::attest::dsse::sign("application/vnd.in-toto+json", payload, &key);
        write(d, name, serde_json::to_vec(&env).unwrap())
    };
    assert_eq!(
        run(&sign_raw("t1.json", &serde_json::to_vec(&v).unwrap())),
        vec!["ATT009"]
    );
    assert_eq!(run(&sign_raw("t2.json", b"not json")), vec!["ATT009"]);
    let mut v: Value = serde_json::from_slice(&st).unwrap();
    v["predicateType"] = "https://example.com/other".into();
    assert_eq!(
        run(&sign_raw("t3.json", &serde_json::to_vec(&v).unwrap())),
        vec!["ATT010"]
    );
    let mut v: Value = serde_json::from_slice(&st).unwrap();
    v["predicate"]["runDetails"]["builder"]["id"] = "".into();
    assert_eq!(
        run(&sign_raw("t4.json", &serde_json::to_vec(&v).unwrap())),
        vec!["ATT011"]
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let r = Release::new(&[], "envelope");
    let d = r.path();
    write(d, "broken.json", "{\"payload\": \"e30=\", ");
    write(d, "notes.txt", "hello: world\n");
    write(
        d,
        "msg.json",
        r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"messageSignature":{}}"#,
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["app.bin", "--provenance", "missing.json", "--key", "k.pub"],
            "missing.json",
        ),
        (
            vec!["app.bin", "--provenance", "broken.json", "--key", "k.pub"],
            "broken.json:1:",
        ),
        (
            vec!["app.bin", "--provenance", "notes.txt", "--key", "k.pub"],
            "notes.txt",
        ),
        (
            vec!["app.bin", "--provenance", "msg.json", "--key", "k.pub"],
            "messageSignature",
        ),
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--key",
                "k.key",
            ],
            "k.key",
        ),
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--key",
                "nope.pub",
            ],
            "nope.pub",
        ),
        (vec!["app.bin", "--provenance", "signed.envelope"], "--key"),
        (
            vec!["--provenance", "signed.envelope", "--key", "k.pub"],
            "no artifact",
        ),
        (
            vec![
                "nope.bin",
                "--provenance",
                "signed.envelope",
                "--key",
                "k.pub",
            ],
            "nope.bin",
        ),
        (
            vec![
                "--artifact-digest",
                "sha256:xyz",
                "--provenance",
                "signed.envelope",
                "--key",
                "k.pub",
            ],
            "ALG:HEX",
        ),
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--key",
                "k.pub",
                "--threshold",
                "2",
            ],
            "--threshold",
        ),
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--key",
                "k.pub",
                "--source-versioned-tag",
                "1.2",
            ],
            "versioned",
        ),
        // A bad regular expression is one line: the option, the reason and where, a hint.
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--certificate-identity-regexp",
                "(",
                "--certificate-oidc-issuer",
                "https://issuer",
            ],
            "--certificate-identity-regexp \"(\" is not a valid regular expression: unclosed group at character 1",
        ),
        (
            vec![
                "app.bin",
                "--provenance",
                "signed.envelope",
                "--certificate-identity",
                "x",
                "--certificate-oidc-issuer-regexp",
                "https://[a",
            ],
            "--certificate-oidc-issuer-regexp \"https://[a\" is not a valid regular expression: unclosed character class at character 9",
        ),
    ];
    for (args, needle) in cases {
        let out = tg(d)
            .args(["verify", "provenance"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(stderr.contains("hint:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("PRIVATE"), "{stderr}");
    }
}

/// Signers are counted by public key: one signature does not meet `--threshold 2` because the
/// same key is given twice under two `--key-id`s (exit 2: the threshold can never be met).
#[test]
fn the_same_key_twice_is_one_signer() {
    let r = Release::new(&[], "envelope");
    let d = r.path();
    std::fs::copy(d.join("k.pub"), d.join("kcopy.pub")).unwrap();
    let mut env: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("signed.envelope")).unwrap()).unwrap();
    env["signatures"][0]["keyid"] = "".into();
    write(d, "nokeyid.json", env.to_string().as_bytes());
    let run = |threshold: &str| {
        tg(d)
            .args([
                "verify",
                "provenance",
                "app.bin",
                "--provenance",
                "nokeyid.json",
            ])
            .args(["--key", "k.pub", "--key", "kcopy.pub"])
            .args(["--key-id", "a", "--key-id", "b", "--threshold", threshold])
            .output()
            .unwrap()
    };
    let out = run("2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("kcopy.pub is the same key as k.pub") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert_eq!(run("1").status.code(), Some(0));
}

// ---- tamper resistance (property) -------------------------------------------------------------

/// xorshift: a fixed-seed generator so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A non-zero XOR mask for a byte.
    fn mask(&mut self) -> u8 {
        (self.next() % 255 + 1) as u8
    }
}

fn library_verify(env: &Envelope, key: &PublicKey, artifact: &[u8]) -> bool {
    use sha2::Digest as _;
    let att = Attestation::Signed(SignedAttestation {
        location: tollgate::report::Location::file("t"),
        envelope: env.clone(),
        bundle: None,
    });
    let kv = KeyVerifier::new(vec![key.clone()], 1);
    let digest = [("sha256".to_string(), hex(&sha2::Sha256::digest(artifact)))].into();
    let out = verify::verify_provenance(
        &[att],
        &[Artifact {
            name: "app.bin".into(),
            digest,
        }],
        &[&kv],
        &Policy::default(),
    );
    out.passed() && out.statements.len() == 1
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn flipping_any_byte_fails_verification() {
    for key_args in [&[][..], &["--algorithm", "ed25519"][..]] {
        let r = Release::new(key_args, "envelope");
        let d = r.path();
        let env: Envelope =
            serde_json::from_slice(&std::fs::read(d.join("signed.envelope")).unwrap()).unwrap();
        let key = PublicKey::from_pem(&std::fs::read_to_string(d.join("k.pub")).unwrap()).unwrap();
        let artifact = std::fs::read(d.join("app.bin")).unwrap();
        assert!(
            library_verify(&env, &key, &artifact),
            "the untampered release verifies"
        );
        let payload = STANDARD.decode(&env.payload).unwrap();
        let sig = STANDARD.decode(&env.signatures[0].sig).unwrap();
        let keyid = env.signatures[0].keyid.clone();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        // Every byte position of payload, signature, key id and artifact, each with a random mask.
        for i in 0..payload.len() {
            let mut p = payload.clone();
            p[i] ^= rng.mask();
            let mut e = env.clone();
            e.payload = STANDARD.encode(&p);
            assert!(!library_verify(&e, &key, &artifact), "payload byte {i}");
        }
        for i in 0..sig.len() {
            let mut s = sig.clone();
            s[i] ^= rng.mask();
            let mut e = env.clone();
            e.signatures[0].sig = STANDARD.encode(&s);
            assert!(!library_verify(&e, &key, &artifact), "signature byte {i}");
        }
        for i in 0..keyid.len() {
            let mut k = keyid.clone().into_bytes();
            k[i] ^= rng.mask() & 0x7f | 1; // stays ASCII, never zero
            let mut e = env.clone();
            e.signatures[0].keyid = String::from_utf8(k).unwrap();
            assert!(!library_verify(&e, &key, &artifact), "keyid byte {i}");
        }
        for i in 0..artifact.len() {
            let mut a = artifact.clone();
            a[i] ^= rng.mask();
            assert!(!library_verify(&env, &key, &a), "artifact byte {i}");
        }
        // The same through the CLI, for a sample of positions: exit 1, never a panic.
        let text = std::fs::read_to_string(d.join("signed.envelope")).unwrap();
        for n in 0..6 {
            let mut p = payload.clone();
            let i = (rng.next() as usize) % p.len();
            p[i] ^= rng.mask();
            let mut e = env.clone();
            e.payload = STANDARD.encode(&p);
            write(d, "t.json", serde_json::to_vec(&e).unwrap());
            tg(d)
                .args([
                    "verify",
                    "provenance",
                    "app.bin",
                    "--provenance",
                    "t.json",
                    "--key",
                    "k.pub",
                ])
                .assert()
                .code(1);
            let mut a = artifact.clone();
            let i = (rng.next() as usize) % a.len();
            a[i] ^= rng.mask();
            write(d, &format!("a{n}.bin"), &a);
            tg(d)
                .args([
                    "verify",
                    "provenance",
                    &format!("a{n}.bin"),
                    "--key",
                    "k.pub",
                ])
                .args(["--provenance", "signed.envelope"])
                .assert()
                .code(1);
        }
        assert!(text.contains("payloadType"));
    }
}

// ---- real provenance from slsa-verifier's test data --------------------------------------------

/// Stands in for the Sigstore plugin (keyless bundles): it vouches for the envelope without
/// checking the certificate, so the policy half can be compared with slsa-verifier's verdicts.
struct TrustForPolicyTest;
impl Verifier for TrustForPolicyTest {
    fn name(&self) -> &'static str {
        "test-trust"
    }
    fn supports(&self, _: &SignedAttestation) -> bool {
        true
    }
    fn verify(&self, a: &SignedAttestation) -> Result<Verified, Rejection> {
        Ok(Verified {
            payload_type: a.envelope.payload_type.clone(),
            payload: tollgate::attest::dsse::decode_base64(&a.envelope.payload).unwrap(),
            signers: vec!["test".into()],
            method: "test".into(),
        })
    }
}

#[test]
fn slsa_verifier_policy_cases_agree() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("slsa-verifier");
    let (agree, total) = slsa_policy_cases(&dir, &TrustForPolicyTest, "stand-in verifier");
    assert_eq!(agree, total);
    assert_eq!(
        total, 42,
        "docs/provenance.md states the number of cases: keep it in step"
    );

    // With only a key verifier, keyless bundles are denied (fail closed), never passed.
    let wd = "gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl";
    let k = PublicKey::from_pem(
        &std::fs::read_to_string(dir.join("vsa/gce/v1/vsa_signing_public_key.pem")).unwrap(),
    )
    .unwrap();
    let kv = KeyVerifier::new(vec![k], 1);
    let text = std::fs::read_to_string(dir.join(wd)).unwrap();
    let atts = verify::parse_attestations(wd, &text).unwrap();
    let out = verify::verify_attestations(&atts, &[&kv], &Policy::default());
    assert_eq!(
        out.diagnostics.iter().map(|d| d.code()).collect::<Vec<_>>(),
        vec!["ATT017"]
    );
}

/// slsa-verifier's pass/fail matrix (source, branch, tag, versioned tag, builder id) run with
/// `verifier` deciding the signature; returns (agreeing, total).
pub(crate) fn slsa_policy_cases(
    dir: &std::path::Path,
    verifier: &dyn Verifier,
    label: &str,
) -> (usize, usize) {
    let generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
    let container = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml";
    let trw = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml";
    let untrusted =
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml";
    let src = "github.com/slsa-framework/example-package";
    let bin = "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa";
    let hello = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    let empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let wd = "gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl";
    let push = "gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl";
    let del = "gha_delegator/v2.1.0/binary-linux-amd64-workflow_dispatch.build.slsa";
    let cont = "gha_container-based/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.build.slsa";
    // (file, artifact digest, policy flags, expected: None = pass, Some(code))
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, Option<&'a str>);
    let b = |id: &str| ("builder", id.to_string());
    let s = |u: &str| ("source", u.to_string());
    let mut cases: Vec<Case> = Vec::new();
    // Builder ids: unset, the name alone, `@v2.1.0` (slsa-verifier accepts it for the
    // provenance's `@refs/tags/v2.1.0`) and `@refs/tags/v2.1.0`.
    for id in [
        None,
        Some(generic.to_string()),
        Some(format!("{generic}@v2.1.0")),
        Some(format!("{generic}@refs/tags/v2.1.0")),
    ] {
        let mut p = vec![s(src)];
        if let Some(id) = &id {
            p.push(b(id));
        }
        cases.push((wd, bin, p.clone(), None));
        cases.push((push, bin, p, None));
    }
    cases.push((wd, bin, vec![s(src), ("branch", "main".into())], None));
    cases.push((
        wd,
        bin,
        vec![s(src), ("branch", "master".into())],
        Some("ATT014"),
    ));
    cases.push((wd, bin, vec![s(src), b(untrusted)], Some("ATT012")));
    cases.push((
        wd,
        bin,
        vec![s("github.com/laurentsimon/slsa-verifier-test-gen")],
        Some("ATT013"),
    ));
    cases.push((
        wd,
        bin,
        vec![s(src), ("tag", "v1.2.3".into())],
        Some("ATT014"),
    ));
    cases.push((wd, bin, vec![s(src), ("vtag", "v1".into())], Some("ATT014")));
    for t in ["v13.0.29", "v13.0", "v13"] {
        cases.push((push, bin, vec![s(src), ("tag", t.into())], Some("ATT014")));
    }
    cases.push((push, bin, vec![s(src), ("tag", "v13.0.30".into())], None));
    for t in ["v13.0.30", "v13.0", "v13"] {
        cases.push((push, bin, vec![s(src), ("vtag", t.into())], None));
    }
    for t in ["v2", "v0", "v13.1", "v12.9", "v13.0.29", "v13.0.31"] {
        cases.push((push, bin, vec![s(src), ("vtag", t.into())], Some("ATT014")));
    }
    for id in [
        trw.to_string(),
        format!("{trw}@v2.1.0"),
        format!("{trw}@refs/tags/v2.1.0"),
    ] {
        cases.push((del, hello, vec![s(src), b(&id)], None));
    }
    cases.push((
        del,
        hello,
        vec![s(src), b(trw), ("branch", "master".into())],
        Some("ATT014"),
    ));
    cases.push((del, hello, vec![s(src), b(untrusted)], Some("ATT012")));
    cases.push((
        del,
        hello,
        vec![s("github.com/slsa-framework/example-packageA"), b(trw)],
        Some("ATT013"),
    ));
    for id in [
        None,
        Some(container.to_string()),
        Some(format!("{container}@v2.1.0")),
        Some(format!("{container}@refs/tags/v2.1.0")),
    ] {
        let mut p = vec![s(src), ("branch", "main".into())];
        if let Some(id) = &id {
            p.push(b(id));
        }
        cases.push((cont, empty, p, None));
    }
    cases.push((
        cont,
        empty,
        vec![s(src), ("branch", "master".into())],
        Some("ATT014"),
    ));
    cases.push((
        cont,
        empty,
        vec![s(src), ("vtag", "v1".into())],
        Some("ATT014"),
    ));
    cases.push((cont, empty, vec![s(src), b(untrusted)], Some("ATT012")));
    cases.push((
        cont,
        empty,
        vec![s("github.com/Aslsa-framework/example-package")],
        Some("ATT013"),
    ));
    cases.push((cont, bin, vec![s(src)], Some("ATT016")));

    let mut agree = 0;
    let total = cases.len();
    for (file, digest, flags, expected) in &cases {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let atts = verify::parse_attestations(file, &text).unwrap();
        let mut policy = Policy::default();
        for (k, v) in flags {
            let v = Some(v.clone());
            match *k {
                "builder" => policy.builder_id = v,
                "source" => policy.source_uri = v,
                "branch" => policy.source_branch = v,
                "tag" => policy.source_tag = v,
                "vtag" => policy.source_versioned_tag = v,
                _ => unreachable!(),
            }
        }
        let (alg, hexd) = digest.split_once(':').unwrap();
        let artifact = Artifact {
            name: digest.to_string(),
            digest: [(alg.to_string(), hexd.to_string())].into(),
        };
        let out = verify::verify_provenance(&atts, &[artifact], &[verifier], &policy);
        let got: Vec<&str> = out.diagnostics.iter().map(|d| d.code()).collect();
        let ok = match expected {
            None => got.is_empty(),
            Some(code) => got == vec![*code],
        };
        if ok {
            agree += 1;
        } else {
            eprintln!("DISAGREE {file} {flags:?}: expected {expected:?}, got {got:?}");
        }
    }
    eprintln!("slsa-verifier policy cases ({label}): {agree}/{total} agree");
    (agree, total)
}

/// slsa-verifier's VSA: a bare DSSE envelope signed by a key known as a KMS URI. It verifies with
/// that key id and fails with any other (the signature names its key).
#[test]
fn slsa_verifier_vsa_key_id() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("slsa-verifier/vsa/gce/v1");
    let run = |key_id: Option<&str>| {
        let mut c = tollgate();
        c.current_dir(&dir)
            .args(["--format", "json", "verify", "provenance"])
            .args(["--provenance", "gke-gce-pre.bcid-vsa.jsonl"])
            .args(["--key", "vsa_signing_public_key.pem"])
            .args([
                "--predicate-type",
                "https://slsa.dev/verification_summary/v1",
            ])
            .args(["--artifact-digest", &format!("sha256:{}", "0".repeat(64))]);
        if let Some(id) = key_id {
            c.args(["--key-id", id]);
        }
        c.output().unwrap()
    };
    let out = run(Some("keystore://76574:prod:vsa_signing_public_key"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sig = &v["data"]["checks"][0];
    assert_eq!(sig["check"], "signature");
    assert_eq!(sig["passed"], true, "{sig}");
    // The subject is a gce_image_id, not a file digest: the artifact is (rightly) not found.
    assert_eq!(codes(&out), vec!["ATT016"]);
    for id in [None, Some("my_key_id")] {
        let out = run(id);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(codes(&out), vec!["ATT001"], "{id:?}");
    }
}

#[test]
fn verify_report_snapshot() {
    let r = Release::new(&["--algorithm", "ed25519"], "bundle");
    let d = r.path();
    // Fixed key bytes are not available (keys are generated per run), so redact ids.
    let out = tg(d)
        .args([
            "--format",
            "markdown",
            "verify",
            "provenance",
            "app.bin",
            "--key",
            "k.pub",
        ])
        .args(["--provenance", "signed.bundle", "--source-branch", "main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let keyid = PublicKey::from_pem(&std::fs::read_to_string(d.join("k.pub")).unwrap())
        .unwrap()
        .keyid();
    let text = text
        .replace(&keyid, "[keyid]")
        .replace(&keyid[..16], "[keyid]");
    insta::assert_snapshot!(text);
}
