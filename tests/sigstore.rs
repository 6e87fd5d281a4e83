//! Sigstore bundles, TUF and X.509 against third-party conformance data (sigstore-conformance,
//! slsa-verifier's bundles, tuf-conformance) and a tamper property test. Every case runs offline;
//! cases skip cleanly when `$TOLLGATE_CONFORMANCE` is absent.

use crate::common::*;
use base64::Engine;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tollgate::sigstore::{ArtifactRef, IdentityPolicy, KeyPolicy, verify_bundle};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// `verify bundle` of sigstore-conformance's happy-path-v0.3 bundle with the trusted root from
/// a TUF cache (no network, no --trusted-root), while the cached sigstore-root-signing metadata
/// is current (its timestamp expires 2025-02-15T19:20:37Z).
fn verify_happy_bundle_from_cache(root: &Path, cache: &Path) -> std::process::Output {
    verify_case_from_cache(root, cache, "happy-path-v0.3", "2025-02-14T00:00:00Z")
}

fn verify_case_from_cache(
    root: &Path,
    cache: &Path,
    case: &str,
    now: &str,
) -> std::process::Output {
    let cases = root.join("sigstore-conformance/bundle-verify");
    tollgate_at(now)
        .args(["--format", "json", "verify", "bundle"])
        .arg(cases.join("a.txt"))
        .arg("--bundle")
        .arg(cases.join(case).join("bundle.sigstore.json"))
        .arg("--tuf-cache")
        .arg(cache)
        .args([
            "--certificate-identity",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .output()
        .unwrap()
}
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    tollgate::attest::keys::hex(&sha2::Sha256::digest(bytes))
}

fn read_trim(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

/// The agreement table for one source.
fn table(source: &str, rows: &[(String, bool, bool)]) -> usize {
    let agree = rows.iter().filter(|(_, want, got)| want == got).count();
    eprintln!("\n| source | cases | agree |\n|---|---:|---:|");
    eprintln!("| {source} | {} | {agree} |", rows.len());
    for (name, want, got) in rows.iter().filter(|(_, w, g)| w != g) {
        eprintln!(
            "  DISAGREE {name}: expected {}, got {}",
            verdict(*want),
            verdict(*got)
        );
    }
    agree
}

fn verdict(ok: bool) -> &'static str {
    if ok { "verifies" } else { "fails" }
}

/// sigstore-conformance `bundle-verify`: every case, once with the artifact file and once with
/// its `sha256:` digest, through the CLI (`tollgate verify bundle`) exactly as the conformance
/// suite's client protocol runs it.
#[test]
fn sigstore_conformance_bundles_agree() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("sigstore-conformance/bundle-verify");
    let prod = root.join("sigstore-trust-roots/production/trusted_root.json");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundle.sigstore.json").is_file())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 70, "the corpus has 70 cases");
    let mut rows = Vec::new();
    let mut by_case = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expect = !name.ends_with("_fail");
        let artifact = if case.join("artifact").is_file() {
            case.join("artifact")
        } else {
            dir.join("a.txt")
        };
        let digest = format!("sha256:{}", sha256_hex(&std::fs::read(&artifact).unwrap()));
        let trusted = if case.join("trusted_root.json").is_file() {
            case.join("trusted_root.json")
        } else {
            prod.clone()
        };
        let mut both = true;
        for (how, art) in [
            ("file", artifact.to_string_lossy().to_string()),
            ("digest", digest),
        ] {
            let mut c = tollgate();
            c.args(["--format", "json", "verify", "bundle", &art])
                .arg("--bundle")
                .arg(case.join("bundle.sigstore.json"))
                .arg("--trusted-root")
                .arg(&trusted);
            if case.join("key.pub").is_file() {
                c.arg("--key").arg(case.join("key.pub"));
            } else {
                let id = read_trim(&case.join("identity")).unwrap_or(DEFAULT_IDENTITY.into());
                let iss = read_trim(&case.join("issuer")).unwrap_or(GITHUB_ISSUER.into());
                c.args([
                    "--certificate-identity",
                    &id,
                    "--certificate-oidc-issuer",
                    &iss,
                ]);
            }
            let out = c.output().unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{name} ({how}): exit {code:?} (a panic?) {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let got = code == Some(0);
            both &= got == expect;
            rows.push((format!("{name} ({how})"), expect, got));
        }
        by_case += usize::from(both);
    }
    let agree = table("sigstore-conformance (runs: file + digest)", &rows);
    eprintln!(
        "| sigstore-conformance (cases) | {} | {by_case} |",
        cases.len()
    );
    assert_eq!(agree, rows.len());
}

/// The subject digest of a DSSE bundle's statement.
fn first_subject(bundle: &Value) -> (String, Vec<u8>) {
    let payload = B64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: Value = serde_json::from_slice(&payload).unwrap();
    let hex = st["subject"][0]["digest"]["sha256"].as_str().unwrap();
    (
        format!("sha256:{hex}"),
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect(),
    )
}

fn prod_root(root: &Path) -> sigstore_verify::Verifier {
    let text =
        std::fs::read_to_string(root.join("sigstore-trust-roots/production/trusted_root.json"))
            .unwrap();
    tollgate::sigstore::roots::from_json("production", &text, now()).unwrap()
}

/// The tests' `--now` (common::NOW) as a timestamp.
fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

fn github_policy(regexp: &str) -> KeyPolicy {
    KeyPolicy::Keyless(Box::new(IdentityPolicy {
        identity_regexp: Some(regex::Regex::new(regexp).unwrap()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    }))
}

/// slsa-verifier's bundle fixtures (Test_verifyBundle) and real v2.1.0 provenance, bundle-level.
#[test]
fn slsa_verifier_bundles_agree() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("slsa-verifier");
    let verifier = prod_root(&root);
    let cases = [
        ("bundle/valid.intoto.sigstore", true),
        ("bundle/valid-v0.3.intoto.sigstore", true),
        ("bundle/mismatch-tlog.intoto.sigstore", false),
        ("bundle/invalid-set.intoto.sigstore", false),
        ("bundle/invalid-dsse-sig.intoto.sigstore", false),
        (
            "gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl",
            true,
        ),
        (
            "gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl",
            true,
        ),
        (
            "gha_delegator/v2.1.0/binary-linux-amd64-workflow_dispatch.build.slsa",
            true,
        ),
        (
            "gha_container-based/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.build.slsa",
            true,
        ),
    ];
    let policy = github_policy("^https://github\\.com/");
    let mut rows = Vec::new();
    for (file, expect) in cases {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let (_, digest) = first_subject(&v);
        let r = verify_bundle(
            &verifier,
            &v,
            ArtifactRef::Digest("sha256", &digest),
            &policy,
            now(),
        );
        if let Err(e) = &r {
            eprintln!("{file}: {} {}", e.info.code, e.message);
        }
        rows.push((file.to_string(), expect, r.is_ok()));
    }
    let agree = table("slsa-verifier bundles", &rows);
    assert_eq!(agree, rows.len());
}

/// `verify provenance` with the real Sigstore plugin on slsa-verifier's provenance: the
/// identity decides ("wrong signer"), then the SLSA policy.
#[test]
fn verify_provenance_keyless_cli() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("slsa-verifier");
    let prod = root.join("sigstore-trust-roots/production/trusted_root.json");
    let run = |identity: &[&str], extra: &[&str]| {
        let out = tollgate()
            .args(["--format", "json", "verify", "provenance"])
            .arg("--bundle")
            .arg(dir.join("gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl"))
            .arg("--trusted-root")
            .arg(&prod)
            .args([
                "--artifact-digest",
                "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa",
                "--certificate-oidc-issuer",
                GITHUB_ISSUER,
                "--source-uri",
                "github.com/slsa-framework/example-package",
            ])
            .args(identity)
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let codes = diag_codes(&v);
        (
            out.status.code(),
            codes,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0";
    let (code, codes, err) = run(
        &["--certificate-identity", generic],
        &["--source-versioned-tag", "v13"],
    );
    assert_eq!((code, codes.clone()), (Some(0), vec![]), "{err}");
    // --builder-id NAME@v2.1.0 accepts the provenance's NAME@refs/tags/v2.1.0 (slsa-verifier:
    // PASS); another version, or a malformed id (exit 2), does not.
    let name = generic.split_once('@').unwrap().0;
    for (version, want) in [
        ("@v2.1.0", (Some(0), vec![])),
        ("@v2.1.1", (Some(1), vec!["ATT012".to_string()])),
        ("@", (Some(2), vec![])),
    ] {
        let (code, codes, err) = run(
            &[
                "--certificate-identity-regexp",
                "^https://github\\.com/slsa-framework/slsa-github-generator/",
            ],
            &["--builder-id", &format!("{name}{version}")],
        );
        assert_eq!((code, codes), want, "--builder-id …{version}: {err}");
    }
    // Wrong signer: another workflow's identity. The builder id in the predicate would match,
    // but the certificate says who signed, and it denies.
    let other = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml@refs/tags/v2.1.0";
    let (code, codes, _) = run(
        &["--certificate-identity", other],
        &[
            "--builder-id",
            "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml",
        ],
    );
    assert_eq!((code, codes), (Some(1), vec!["SIG005".to_string()]));
    // GitHub workflow extensions.
    let (code, codes, _) = run(
        &["--certificate-identity", generic],
        &[
            "--certificate-github-workflow-repository",
            "slsa-framework/example-package",
            "--certificate-github-workflow-ref",
            "refs/tags/v13.0.30",
        ],
    );
    assert_eq!((code, codes), (Some(0), vec![]));
    let (code, codes, _) = run(
        &["--certificate-identity", generic],
        &["--certificate-github-workflow-trigger", "workflow_dispatch"],
    );
    assert_eq!((code, codes), (Some(1), vec!["SIG007".to_string()]));
    // A staging root does not vouch for a production certificate.
    let out = tollgate()
        .args(["--format", "json", "verify", "provenance"])
        .arg("--bundle")
        .arg(dir.join("gha_generic/v2.1.0/binary-linux-amd64-push-v13.0.30.intoto.jsonl"))
        .arg("--trusted-root")
        .arg(root.join("sigstore-trust-roots/staging/trusted_root.json"))
        .args([
            "--artifact-digest",
            "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa",
        ])
        .args([
            "--certificate-identity",
            generic,
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // Keyless needs an issuer too.
    let out = tollgate()
        .args([
            "verify",
            "provenance",
            "--bundle",
            "x.json",
            "--certificate-identity",
            generic,
        ])
        .args([
            "--artifact-digest",
            "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

// ---- tamper property test ----------------------------------------------------------------------

/// A tiny deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn mask(&mut self) -> u8 {
        (self.next() % 255 + 1) as u8
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Value {
    let mut cur = v;
    for p in path {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    cur
}

/// Flip one byte of the base64-decoded field at `path`.
fn flip_b64(v: &Value, path: &[&str], rng: &mut Rng) -> Value {
    let mut v = v.clone();
    let field = get_mut(&mut v, path);
    let mut bytes = B64.decode(field.as_str().unwrap()).unwrap();
    let i = rng.below(bytes.len());
    bytes[i] ^= rng.mask();
    *field = Value::String(B64.encode(bytes));
    v
}

/// Flip one byte of the checkpoint: either in the signed note body (kept printable) or in the
/// decoded signature of its signature line.
fn flip_checkpoint(v: &Value, path: &[&str], rng: &mut Rng) -> Value {
    let mut v = v.clone();
    let field = get_mut(&mut v, path);
    let text = field.as_str().unwrap().to_string();
    let (body, sigs) = text.split_once("\n\n").unwrap();
    let new = if rng.next().is_multiple_of(2) {
        let mut b = body.as_bytes().to_vec();
        let i = rng.below(b.len());
        let old = b[i];
        let mut c = b'!' + (rng.next() % 90) as u8;
        if c == old || c == b'\n' {
            c = if old == b'A' { b'B' } else { b'A' };
        }
        b[i] = c;
        format!("{}\n\n{sigs}", String::from_utf8(b).unwrap())
    } else {
        let mut lines: Vec<String> = sigs.lines().map(str::to_string).collect();
        let line = &mut lines[0];
        let (prefix, sig) = line.rsplit_once(' ').unwrap();
        let mut raw = B64.decode(sig).unwrap();
        // The first 4 bytes are the key hint, the rest the signature.
        let i = rng.below(raw.len());
        raw[i] ^= rng.mask();
        *line = format!("{prefix} {}", B64.encode(raw));
        format!("{body}\n\n{}\n", lines.join("\n"))
    };
    *field = Value::String(new);
    v
}

#[test]
fn tampered_bundles_never_verify() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("sigstore-conformance/bundle-verify");
    let verifier = prod_root(&root);
    let artifact = std::fs::read(dir.join("a.txt")).unwrap();
    let policy = KeyPolicy::Keyless(Box::new(IdentityPolicy {
        identity: Some(DEFAULT_IDENTITY.into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    }));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut tried = 0;
    for case in ["happy-path-v0.3", "happy-path-intoto-in-dsse-v3"] {
        let v: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(case).join("bundle.sigstore.json")).unwrap(),
        )
        .unwrap();
        verify_bundle(&verifier, &v, ArtifactRef::Bytes(&artifact), &policy, now())
            .unwrap_or_else(|e| panic!("{case} must verify untampered: {}", e.message));
        let sig_path: Vec<&str> = if v.get("dsseEnvelope").is_some() {
            vec!["dsseEnvelope", "signatures", "0", "sig"]
        } else {
            vec!["messageSignature", "signature"]
        };
        let t = ["verificationMaterial", "tlogEntries", "0"];
        let with = |rest: &[&'static str]| -> Vec<&'static str> {
            t.iter().copied().chain(rest.iter().copied()).collect()
        };
        let n_hashes = v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"]
            .as_array()
            .unwrap()
            .len();
        for round in 0..70 {
            let field: (&str, Value) = match round % 7 {
                0 => ("signature", flip_b64(&v, &sig_path, &mut rng)),
                1 => (
                    "certificate",
                    flip_b64(
                        &v,
                        &["verificationMaterial", "certificate", "rawBytes"],
                        &mut rng,
                    ),
                ),
                2 => {
                    let i = rng.below(n_hashes).to_string();
                    let i: &'static str = Box::leak(i.into_boxed_str());
                    (
                        "inclusion proof hash",
                        flip_b64(&v, &with(&["inclusionProof", "hashes", i]), &mut rng),
                    )
                }
                3 => (
                    "inclusion proof root",
                    flip_b64(&v, &with(&["inclusionProof", "rootHash"]), &mut rng),
                ),
                4 => (
                    "checkpoint",
                    flip_checkpoint(
                        &v,
                        &with(&["inclusionProof", "checkpoint", "envelope"]),
                        &mut rng,
                    ),
                ),
                5 => (
                    "SET",
                    flip_b64(
                        &v,
                        &with(&["inclusionPromise", "signedEntryTimestamp"]),
                        &mut rng,
                    ),
                ),
                _ => (
                    "canonicalized body",
                    flip_b64(&v, &with(&["canonicalizedBody"]), &mut rng),
                ),
            };
            let r = std::panic::catch_unwind(|| {
                verify_bundle(
                    &verifier,
                    &field.1,
                    ArtifactRef::Bytes(&artifact),
                    &policy,
                    now(),
                )
                .is_ok()
            });
            assert_eq!(
                r.ok(),
                Some(false),
                "{case}: tampered {} verified or panicked",
                field.0
            );
            tried += 1;
        }
    }
    eprintln!("tamper property: {tried} single-byte changes, all refused");
}

// ---- TUF ---------------------------------------------------------------------------------------

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// The faketime file is `YYYY-MM-DD HH:MM:SS+00:00`.
fn faketime(case: &Path) -> String {
    read_trim(&case.join("faketime"))
        .unwrap()
        .replacen(' ', "T", 1)
}

/// The tollgate binary at a given `--now` (the common helper fixes it).
fn tollgate_at(now: &str) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("tollgate"));
    c.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("TOLLGATE_NOW")
        .env_remove("TOLLGATE_FORMAT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .args(["--now", now, "--color", "never"]);
    c
}

fn refresh(
    repo: &Path,
    root: &Path,
    cache: &Path,
    now: &str,
    target: &str,
) -> (Option<i32>, Vec<String>, Value) {
    let out = tollgate_at(now)
        .args(["--format", "json", "trust", "refresh"])
        .arg("--tuf-root")
        .arg(root)
        .arg("--tuf-repo")
        .arg(repo)
        .arg("--cache")
        .arg(cache)
        .args(["--target", target])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if out.status.code() == Some(2) {
        eprintln!("exit 2: {}", String::from_utf8_lossy(&out.stderr));
    }
    let codes = diag_codes(&v);
    (out.status.code(), codes, v)
}

#[test]
fn tuf_conformance_static_repositories() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let base = root.join("tuf-conformance/static_data");
    let mut rows = Vec::new();
    for name in ["sigstore-root-signing", "tuf-on-ci-0.11"] {
        let case = base.join(name);
        let tmp = tempfile::tempdir().unwrap();
        let target = read_trim(&case.join("targetpath")).unwrap();
        let (code, codes, v) = refresh(
            &case,
            &case.join("initial_root.json"),
            tmp.path(),
            &faketime(&case),
            &target,
        );
        let ok = code == Some(0);
        if !ok {
            eprintln!("{name}: {code:?} {codes:?} {v}");
        }
        // The fetched target is the file the repository has for it, byte for byte.
        let got = std::fs::read(tmp.path().join("targets").join(&target)).unwrap_or_default();
        let ok =
            ok && sha256_hex(&got) == v["data"]["refresh"]["targetSha256"].as_str().unwrap_or("");
        rows.push((name.to_string(), true, ok));
        // Refreshing again from the same copy is a no-op that still verifies.
        let (code, _, _) = refresh(
            &case,
            &case.join("initial_root.json"),
            tmp.path(),
            &faketime(&case),
            &target,
        );
        rows.push((format!("{name} (again, from cache)"), true, code == Some(0)));
    }
    // Root rotation through Sigstore's real history, 1 → 12 (thresholds of old and new keys,
    // early hex ECDSA keys, unsigned key holders), then a bundle verified from the cache alone.
    let case = base.join("sigstore-root-signing");
    let cache = tempfile::tempdir().unwrap();
    let (code, codes, v) = refresh(
        &case,
        &case.join("metadata/1.root.json"),
        cache.path(),
        &faketime(&case),
        "trusted_root.json",
    );
    rows.push((
        "sigstore-root-signing from root v1 (rotation to v12)".into(),
        true,
        code == Some(0) && codes.is_empty() && v["data"]["refresh"]["rootVersion"] == 12,
    ));
    let out = verify_happy_bundle_from_cache(&root, cache.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let facts = &v["subjects"][0]["facts"];
    rows.push((
        "verify bundle --tuf-cache (age reported)".into(),
        true,
        out.status.code() == Some(0) && facts["trustedRootAgeHours"] == 107,
    ));
    // The cache is verified on every use, offline: expired metadata at --now is refused…
    let out = verify_case_from_cache(
        &root,
        cache.path(),
        "happy-path-v0.3",
        "2025-03-01T00:00:00Z",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    rows.push((
        "verify bundle --tuf-cache, metadata expired at --now: SIG021".into(),
        false,
        !(out.status.code() == Some(1) && diag_codes(&v) == ["SIG021"]),
    ));
    // …and so is a cached trusted root swapped for another instance's (staging): the bundle of
    // that instance must not verify against a cache refreshed from production.
    let wrong = "bundle-from-wrong-instance_fail";
    let out = verify_case_from_cache(&root, cache.path(), wrong, "2025-02-14T00:00:00Z");
    rows.push((
        format!("{wrong} against the production cache"),
        false,
        out.status.code() == Some(0),
    ));
    std::fs::copy(
        root.join("sigstore-trust-roots/staging/trusted_root.json"),
        cache.path().join("targets/trusted_root.json"),
    )
    .unwrap();
    let out = verify_case_from_cache(&root, cache.path(), wrong, "2025-02-14T00:00:00Z");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    rows.push((
        format!("{wrong} against the cache with the staging root swapped in: SIG023"),
        false,
        !(out.status.code() == Some(1) && diag_codes(&v) == ["SIG023"]),
    ));
    let agree = table("tuf-conformance", &rows);
    assert_eq!(agree, rows.len());
}

#[test]
fn tuf_refuses_tampered_expired_rolled_back_and_under_signed() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let base = root.join("tuf-conformance/static_data");
    let onci = base.join("tuf-on-ci-0.11");
    let sig = base.join("sigstore-root-signing");
    let now_onci = faketime(&onci);
    let now_sig = faketime(&sig);
    let edit = |p: &Path, f: &dyn Fn(&mut Value)| {
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    };
    let mut results = Vec::new();
    let mut check = |what: &str, got: (Option<i32>, Vec<String>, Value), want: &str| {
        let ok = got.0 == Some(1) && got.1 == vec![want.to_string()];
        if !ok {
            eprintln!("{what}: expected {want}, got {:?} {:?}", got.0, got.1);
        }
        results.push((what.to_string(), true, ok));
    };

    // Tampered: a signed field changed (the signature no longer verifies).
    let t = tempfile::tempdir().unwrap();
    copy_dir(&onci, t.path());
    edit(&t.path().join("metadata/timestamp.json"), &|v| {
        v["signed"]["expires"] = "2044-08-10T10:21:52Z".into();
    });
    let cache = tempfile::tempdir().unwrap();
    check(
        "tampered timestamp",
        refresh(
            t.path(),
            &onci.join("initial_root.json"),
            cache.path(),
            &now_onci,
            "delegatedrole/artifact",
        ),
        "SIG020",
    );
    assert!(
        !cache.path().join("refresh.json").exists(),
        "a refused refresh writes nothing"
    );

    // Under threshold: the signature removed.
    let t = tempfile::tempdir().unwrap();
    copy_dir(&onci, t.path());
    edit(&t.path().join("metadata/2.snapshot.json"), &|v| {
        v["signatures"] = Value::Array(vec![]);
    });
    let cache = tempfile::tempdir().unwrap();
    check(
        "unsigned snapshot",
        refresh(
            t.path(),
            &onci.join("initial_root.json"),
            cache.path(),
            &now_onci,
            "delegatedrole/artifact",
        ),
        "SIG020",
    );

    // A tampered target (hash and length recorded by the delegated role).
    let t = tempfile::tempdir().unwrap();
    copy_dir(&onci, t.path());
    let art = t.path().join("targets/delegatedrole/45f337ee451b4c098d121d09cc224bacc7794503ac58a47a78cfe7ebefb7fab3.artifact");
    let mut bytes = std::fs::read(&art).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&art, bytes).unwrap();
    let cache = tempfile::tempdir().unwrap();
    check(
        "tampered target",
        refresh(
            t.path(),
            &onci.join("initial_root.json"),
            cache.path(),
            &now_onci,
            "delegatedrole/artifact",
        ),
        "SIG023",
    );

    // Expired: the sigstore repository's timestamp expires within days of its recorded time.
    let cache = tempfile::tempdir().unwrap();
    check(
        "expired at --now",
        refresh(
            &sig,
            &sig.join("initial_root.json"),
            cache.path(),
            "2025-06-01T00:00:00Z",
            "trusted_root.json",
        ),
        "SIG021",
    );

    // Rolled back: the cache has seen a newer timestamp than the repository now serves.
    let cache = tempfile::tempdir().unwrap();
    let first = refresh(
        &sig,
        &sig.join("initial_root.json"),
        cache.path(),
        &now_sig,
        "trusted_root.json",
    );
    assert_eq!(first.0, Some(0), "{:?}", first.1);
    edit(&cache.path().join("timestamp.json"), &|v| {
        let n = v["signed"]["version"].as_u64().unwrap();
        v["signed"]["version"] = (n + 1).into();
    });
    check(
        "rolled-back timestamp",
        refresh(
            &sig,
            &sig.join("initial_root.json"),
            cache.path(),
            &now_sig,
            "trusted_root.json",
        ),
        "SIG022",
    );

    // Root rotation from version 1: each new root needs a threshold of the old root's keys and
    // of its own. One rotation with its signatures stripped is refused.
    let t = tempfile::tempdir().unwrap();
    copy_dir(&sig, t.path());
    edit(&t.path().join("metadata/5.root.json"), &|v| {
        for s in v["signatures"].as_array_mut().unwrap() {
            s["sig"] = "".into();
        }
    });
    let cache = tempfile::tempdir().unwrap();
    check(
        "under-threshold root 5 in rotation",
        refresh(
            t.path(),
            &sig.join("metadata/1.root.json"),
            cache.path(),
            &now_sig,
            "trusted_root.json",
        ),
        "SIG020",
    );

    let agree = table("tuf-conformance (tampered copies)", &results);
    assert_eq!(agree, results.len());
}

/// A TUF repository made at test time — one Ed25519 key (generated now) for every role,
/// consistent snapshots, metadata expiring at `expires` — whose one target is
/// `trusted_root.json` with `content`. Returns the initial root.
fn make_tuf_repo(dir: &Path, content: &[u8], expires: &str) -> PathBuf {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let public = tollgate::attest::keys::hex(key.verifying_key().as_bytes());
    let keyid = sha256_hex(public.as_bytes());
    let sign = |signed: Value| {
        let msg = tollgate::sigstore::tuf::canonical_json(&signed).unwrap();
        let sig = tollgate::attest::keys::hex(&key.sign(&msg).to_bytes());
        serde_json::to_vec_pretty(&serde_json::json!({
            "signed": signed,
            "signatures": [{"keyid": keyid, "sig": sig}],
        }))
        .unwrap()
    };
    let role = serde_json::json!({"keyids": [keyid], "threshold": 1});
    let hash = sha256_hex(content);
    std::fs::create_dir_all(dir.join("metadata")).unwrap();
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    let files = [
        (
            "metadata/1.root.json",
            serde_json::json!({
                "_type": "root", "spec_version": "1.0.31", "version": 1, "expires": expires,
                "consistent_snapshot": true,
                "keys": {&keyid: {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": public}}},
                "roles": {"root": role, "timestamp": role, "snapshot": role, "targets": role},
            }),
        ),
        (
            "metadata/1.targets.json",
            serde_json::json!({
                "_type": "targets", "spec_version": "1.0.31", "version": 1, "expires": expires,
                "targets": {"trusted_root.json": {"length": content.len(), "hashes": {"sha256": hash}}},
            }),
        ),
        (
            "metadata/1.snapshot.json",
            serde_json::json!({
                "_type": "snapshot", "spec_version": "1.0.31", "version": 1, "expires": expires,
                "meta": {"targets.json": {"version": 1}},
            }),
        ),
        (
            "metadata/timestamp.json",
            serde_json::json!({
                "_type": "timestamp", "spec_version": "1.0.31", "version": 1, "expires": expires,
                "meta": {"snapshot.json": {"version": 1}},
            }),
        ),
    ];
    for (name, signed) in files {
        std::fs::write(dir.join(name), sign(signed)).unwrap();
    }
    std::fs::write(
        dir.join(format!("targets/{hash}.trusted_root.json")),
        content,
    )
    .unwrap();
    dir.join("metadata/1.root.json")
}

/// Every use of `--tuf-cache` re-verifies the cache as `trust refresh` left it (metadata chain,
/// expiry at --now, the target's length and hashes): a swapped or altered trusted root, altered
/// metadata, a missing file or expired metadata is a denial (exit 1) naming the cache file and
/// saying to refresh again — never a verdict from an unverified root. (Regression: the cached
/// trusted_root.json was used as it was, so another instance's root could be slipped in.)
#[test]
fn tuf_cache_is_reverified_on_every_use() {
    use sigstore_verify::trust_root::{
        SIGSTORE_PRODUCTION_TRUSTED_ROOT, SIGSTORE_STAGING_TRUSTED_ROOT,
    };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let initial = make_tuf_repo(
        &repo,
        SIGSTORE_PRODUCTION_TRUSTED_ROOT.as_bytes(),
        "2030-01-01T00:00:00Z",
    );
    let fresh_cache = |name: &str| {
        let cache = tmp.path().join(name);
        let (code, codes, _) = refresh(
            &repo,
            &initial,
            &cache,
            "2026-01-01T00:00:00Z",
            "trusted_root.json",
        );
        assert_eq!((code, codes), (Some(0), vec![]), "refresh of {name}");
        cache
    };
    // Not a real signature: what matters is whether the trusted root is accepted first.
    let artifact = write(tmp.path(), "app.bin", b"release\n");
    let bundle = write(
        tmp.path(),
        "app.sigstore.json",
        serde_json::to_vec(&serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"certificate": {"rawBytes": "AAAA"}},
            "dsseEnvelope": {
                "payloadType": "application/vnd.in-toto+json",
                "payload": B64.encode(serde_json::to_vec(&serde_json::json!({
                    "_type": "https://in-toto.io/Statement/v1",
                    "subject": [{"name": "app.bin", "digest": {"sha256": sha256_hex(b"release\n")}}],
                    "predicateType": "https://slsa.dev/provenance/v1",
                    "predicate": {},
                })).unwrap()),
                "signatures": [{"sig": "AAAA"}],
            },
        }))
        .unwrap(),
    );
    let verify = |cmd: &str, cache: &Path, now: &str| {
        let mut c = tollgate_at(now);
        c.args(["--format", "json", "verify", cmd]);
        if cmd == "bundle" {
            c.arg(&artifact).arg("--bundle").arg(&bundle);
        } else {
            c.arg(&artifact).arg("--provenance").arg(&bundle);
        }
        let out = c
            .arg("--tuf-cache")
            .arg(cache)
            .args([
                "--certificate-identity",
                DEFAULT_IDENTITY,
                "--certificate-oidc-issuer",
                GITHUB_ISSUER,
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if out.status.code() == Some(2) {
            eprintln!("exit 2: {}", String::from_utf8_lossy(&out.stderr));
        }
        (out.status.code(), diag_codes(&v), v)
    };
    let now = "2026-01-01T00:00:00Z";

    // Untouched: the root is trusted and the (fake) bundle itself is what fails.
    let cache = fresh_cache("intact");
    for cmd in ["bundle", "provenance"] {
        let (code, codes, v) = verify(cmd, &cache, now);
        assert_eq!(code, Some(1), "{cmd}: {v}");
        assert!(
            !codes
                .iter()
                .any(|c| ["SIG020", "SIG021", "SIG023", "SIG024"].contains(&c.as_str()))
                && v["diagnostics"][0]["location"]["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("app.sigstore.json")),
            "{cmd}: an intact cache is accepted, the bundle is what fails: {v}"
        );
    }

    let denied = |what: &str, cache: &Path, now: &str, code: &str, file: &str| {
        for cmd in ["bundle", "provenance"] {
            let (exit, codes, v) = verify(cmd, cache, now);
            assert_eq!(
                (exit, codes),
                (Some(1), vec![code.to_string()]),
                "{what} ({cmd}): {v}"
            );
            let d = &v["diagnostics"][0];
            assert!(
                d["location"]["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(file)),
                "{what} ({cmd}): {d}"
            );
            assert!(
                d["help"].as_str().unwrap_or("").contains("trust refresh"),
                "{what} ({cmd}): {d}"
            );
            assert_eq!(v["subjects"][0]["kind"], "TUF cache", "{what} ({cmd})");
        }
    };

    // Another instance's trusted root swapped in (longer than recorded).
    let cache = fresh_cache("swapped");
    std::fs::write(
        cache.join("targets/trusted_root.json"),
        SIGSTORE_STAGING_TRUSTED_ROOT,
    )
    .unwrap();
    denied(
        "swapped trusted root",
        &cache,
        now,
        "SIG023",
        "targets/trusted_root.json",
    );

    // One byte changed, same length: the hash no longer matches.
    let cache = fresh_cache("flipped");
    let p = cache.join("targets/trusted_root.json");
    let mut b = std::fs::read(&p).unwrap();
    let i = b.iter().position(|c| *c == b'"').unwrap();
    b[i + 1] ^= 0x20;
    std::fs::write(&p, b).unwrap();
    denied(
        "one byte of the trusted root changed",
        &cache,
        now,
        "SIG023",
        "targets/trusted_root.json",
    );

    // The cached targets metadata rewritten to vouch for the swapped root: its signature fails.
    let cache = fresh_cache("retargeted");
    let staging = SIGSTORE_STAGING_TRUSTED_ROOT.as_bytes();
    std::fs::write(cache.join("targets/trusted_root.json"), staging).unwrap();
    let p = cache.join("targets.json");
    let mut t: Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    t["signed"]["targets"]["trusted_root.json"] =
        serde_json::json!({"length": staging.len(), "hashes": {"sha256": sha256_hex(staging)}});
    std::fs::write(&p, serde_json::to_vec(&t).unwrap()).unwrap();
    denied(
        "targets.json rewritten",
        &cache,
        now,
        "SIG020",
        "targets.json",
    );

    // Incomplete: a metadata file missing.
    let cache = fresh_cache("incomplete");
    std::fs::remove_file(cache.join("snapshot.json")).unwrap();
    denied(
        "snapshot.json missing",
        &cache,
        now,
        "SIG024",
        "snapshot.json",
    );

    // Expired at --now (the metadata expires in 2030).
    let cache = fresh_cache("expired");
    denied(
        "expired at --now",
        &cache,
        "2031-01-01T00:00:00Z",
        "SIG021",
        "root.json",
    );
}

/// A `--tuf-root` that is not JSON, or JSON that is not TUF root metadata, is bad input: exit 2,
/// one line naming the file (with line:column for malformed JSON) and a hint about the root —
/// not a repository refusal (exit 1, SIG024, a hint about the --tuf-repo layout).
#[test]
fn trust_refresh_rejects_a_tuf_root_that_is_not_root_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    make_tuf_repo(&repo, b"{}", "2030-01-01T00:00:00Z");
    let cases = [
        (
            "malformed.json",
            "{\"signed\": {\"_type\": \"root\",]}",
            "TG005",
            ":1:",
        ),
        (
            "statement.json",
            "{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": []}",
            "TG007",
            "is not TUF root metadata",
        ),
        (
            "targets.json",
            "{\"signed\": {\"_type\": \"targets\", \"spec_version\": \"1.0\", \"version\": 1, \"expires\": \"2030-01-01T00:00:00Z\"}, \"signatures\": []}",
            "TG007",
            "_type is \"targets\"",
        ),
    ];
    for (name, text, code, says) in cases {
        let root = write(tmp.path(), name, text);
        let cache = tmp.path().join(format!("cache-{name}"));
        let out = tollgate_at("2026-01-01T00:00:00Z")
            .args(["trust", "refresh", "--tuf-root"])
            .arg(&root)
            .arg("--tuf-repo")
            .arg(&repo)
            .arg("--cache")
            .arg(&cache)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: no report");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
        assert!(
            err.contains(&format!("{code}: {}", root.display())) && err.contains(says),
            "{name}: {err}"
        );
        assert!(
            err.contains("hint:") && !err.contains("SIG024"),
            "{name}: {err}"
        );
        assert!(!cache.exists(), "{name}: nothing written");
    }
}

/// slsa-verifier's policy matrix with the REAL Sigstore plugin (production trusted root, the
/// generator workflows' identity), plus the wrong-signer case: the same provenance, the same
/// SLSA policy, but a certificate identity that is not the one required.
#[test]
fn slsa_verifier_policy_cases_agree_with_sigstore_plugin() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("slsa-verifier");
    let plugin = |identity: IdentityPolicy| {
        tollgate::sigstore::SigstoreVerifier::new(
            prod_root(&root),
            identity,
            "production".into(),
            now(),
        )
    };
    let generators = IdentityPolicy {
        identity_regexp: Some(
            regex::Regex::new(
                "^https://github\\.com/slsa-framework/slsa-github-generator/\\.github/workflows/[a-z_-]+_slsa3\\.yml@refs/tags/v2\\.1\\.0$",
            )
            .unwrap(),
        ),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    };
    let (agree, total) =
        crate::verify::slsa_policy_cases(&dir, &plugin(generators), "sigstore plugin");
    assert_eq!(agree, total);

    // Wrong signer.
    use tollgate::attest::verify::{self, Artifact, Policy};
    let wd = "gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl";
    let text = std::fs::read_to_string(dir.join(wd)).unwrap();
    let atts = verify::parse_attestations(wd, &text).unwrap();
    let artifact = Artifact {
        name: "bin".into(),
        digest: [(
            "sha256".to_string(),
            "376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa".to_string(),
        )]
        .into(),
    };
    let policy = Policy {
        source_uri: Some("github.com/slsa-framework/example-package".into()),
        builder_id: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml".into()),
        ..Default::default()
    };
    let wrong = plugin(IdentityPolicy {
        identity: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0".into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    });
    let out = verify::verify_provenance(&atts, std::slice::from_ref(&artifact), &[&wrong], &policy);
    let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        vec!["SIG005"],
        "wrong signer must be denied by identity"
    );
    let right = plugin(IdentityPolicy {
        identity: Some("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0".into()),
        issuer: Some(GITHUB_ISSUER.into()),
        ..Default::default()
    });
    let out = verify::verify_provenance(&atts, &[artifact], &[&right], &policy);
    assert!(out.passed(), "{:?}", out.diagnostics);
    eprintln!("| slsa-verifier wrong signer | 2 | 2 |");
}

// ---- X.509 plugin ------------------------------------------------------------------------------

/// Enterprise PKI: a CA (made with the openssl CLI; skipped when it is not installed), a leaf
/// with or without the code-signing EKU, an envelope signed by the leaf's key and wrapped in a
/// bundle with the chain as verification material.
#[test]
fn x509_plugin_chain_usage_identity() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipping: openssl not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(d)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ca = |name: &str| {
        ssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "3650",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ]);
    };
    ca("ca");
    ca("other-ca");
    // A certificate for a new P-256 key, issued by `issuer` (NAME.pem/NAME.key) with the
    // extensions `ext` (an openssl extfile).
    let issue = |name: &str, issuer: &str, ext: &str| {
        ssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &format!("{name}.key"),
        ]);
        ssl(&[
            "req",
            "-new",
            "-key",
            &format!("{name}.key"),
            "-subj",
            &format!("/CN={name}"),
            "-out",
            &format!("{name}.csr"),
        ]);
        std::fs::write(d.join(format!("{name}.ext")), ext).unwrap();
        ssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{issuer}.pem"),
            "-CAkey",
            &format!("{issuer}.key"),
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ]);
    };
    let leaf_ext = |eku: &str| {
        format!(
            "keyUsage=critical,digitalSignature\nextendedKeyUsage={eku}\nsubjectAltName=email:release@example.com\nbasicConstraints=CA:FALSE\n"
        )
    };
    issue("leaf", "ca", &leaf_ext("codeSigning"));
    issue("server", "ca", &leaf_ext("serverAuth"));
    // No keyUsage extension at all: digitalSignature is required, so it is refused.
    issue(
        "noku",
        "ca",
        "extendedKeyUsage=codeSigning\nsubjectAltName=email:release@example.com\nbasicConstraints=CA:FALSE\n",
    );
    // No extKeyUsage on the leaf: codeSigning is required of the leaf.
    issue(
        "noeku",
        "ca",
        "keyUsage=critical,digitalSignature\nsubjectAltName=email:release@example.com\nbasicConstraints=CA:FALSE\n",
    );
    // Intermediate CAs: without extKeyUsage (unrestricted, RFC 5280), with codeSigning, and
    // with an extKeyUsage that excludes it (EKU chaining: refused); each issues a code-signing
    // leaf.
    let ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n";
    issue("int", "ca", ca_ext);
    issue(
        "int_cs",
        "ca",
        &format!("{ca_ext}extendedKeyUsage=codeSigning\n"),
    );
    issue(
        "int_server",
        "ca",
        &format!("{ca_ext}extendedKeyUsage=serverAuth\n"),
    );
    for int in ["int", "int_cs", "int_server"] {
        issue(&format!("under_{int}"), int, &leaf_ext("codeSigning"));
    }
    // The statement, signed by each leaf's key.
    let artifact = b"release contents\n";
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.bin", "digest": {"sha256": sha256_hex(artifact)}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "https://example.com/build", "externalParameters": {}}, "runDetails": {"builder": {"id": "https://example.com/builder"}}}
    });
    write(d, "app.bin", artifact);
    write(d, "statement.json", serde_json::to_vec(&statement).unwrap());
    let pem_der = |name: &str| {
        let text = std::fs::read_to_string(d.join(name)).unwrap();
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        b64
    };
    // The bundle of NAME's key, with NAME.pem and then the certificates of `rest` as its chain.
    let bundle_with = |name: &str, rest: &[&str]| {
        let out = tollgate()
            .args(["sign", "statement.json", "--key", &format!("{name}.key")])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env: Value = serde_json::from_slice(&out.stdout).unwrap();
        let certs: Vec<Value> = std::iter::once(name)
            .chain(rest.iter().copied())
            .map(|c| serde_json::json!({"rawBytes": pem_der(&format!("{c}.pem"))}))
            .collect();
        let b = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"x509CertificateChain": {"certificates": certs}},
            "dsseEnvelope": env,
        });
        write(
            d,
            &format!("{name}.bundle.json"),
            serde_json::to_vec(&b).unwrap(),
        );
    };
    let bundle = |name: &str| bundle_with(name, &[]);
    for name in ["leaf", "server", "noku", "noeku"] {
        bundle(name);
    }
    for int in ["int", "int_cs", "int_server"] {
        bundle_with(&format!("under_{int}"), &[int]);
    }
    // The certificates were issued just now: verify at the real time.
    let now = jiff::Timestamp::now().to_string();
    let at = |now: &str| {
        let mut c = tollgate_at(now);
        c.current_dir(d);
        c
    };
    let run = |b: &str, roots: &str, extra: &[&str]| {
        let out = at(&now)
            .args([
                "--format",
                "json",
                "verify",
                "provenance",
                "app.bin",
                "--bundle",
                b,
                "--ca-roots",
                roots,
            ])
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        if out.status.code() == Some(2) {
            eprintln!("exit 2: {}", String::from_utf8_lossy(&out.stderr));
        }
        let codes: Vec<String> = v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["code"].as_str().map(str::to_string))
            .collect();
        (out.status.code(), codes)
    };
    assert_eq!(run("leaf.bundle.json", "ca.pem", &[]), (Some(0), vec![]));
    assert_eq!(
        run(
            "leaf.bundle.json",
            "ca.pem",
            &["--certificate-identity", "release@example.com"]
        ),
        (Some(0), vec![])
    );
    assert_eq!(
        run(
            "leaf.bundle.json",
            "ca.pem",
            &["--certificate-identity", "mallory@example.com"]
        ),
        (Some(1), vec!["SIG032".to_string()])
    );
    assert_eq!(
        run("leaf.bundle.json", "other-ca.pem", &[]),
        (Some(1), vec!["SIG030".to_string()])
    );
    assert_eq!(
        run("server.bundle.json", "ca.pem", &[]),
        (Some(1), vec!["SIG031".to_string()])
    );
    // Key usages (docs/sigstore.md): the leaf must carry keyUsage digitalSignature and
    // extKeyUsage codeSigning; an intermediate CA without extKeyUsage is unrestricted, one with
    // an extKeyUsage must allow codeSigning. Both commands, same verdicts.
    let usage_cases = [
        ("noku.bundle.json", Some("SIG031")),
        ("noeku.bundle.json", Some("SIG031")),
        ("under_int.bundle.json", None),
        ("under_int_cs.bundle.json", None),
        ("under_int_server.bundle.json", Some("SIG031")),
    ];
    for (b, want) in usage_cases {
        let want = match want {
            None => (Some(0), vec![]),
            Some(c) => (Some(1), vec![c.to_string()]),
        };
        assert_eq!(run(b, "ca.pem", &[]), want, "verify provenance {b}");
    }
    // Not valid at --now (the leaf is valid for a year from today's real date).
    let out = at("2099-01-01T00:00:00Z")
        .args([
            "verify",
            "provenance",
            "app.bin",
            "--bundle",
            "leaf.bundle.json",
            "--ca-roots",
            "ca.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // The same plugin in `verify bundle --ca-roots`: the DSSE bundles, and a messageSignature
    // bundle over the artifact (openssl's ECDSA P-256 / SHA-256 signature).
    ssl(&[
        "dgst", "-sha256", "-sign", "leaf.key", "-out", "app.sig", "app.bin",
    ]);
    let b64 = |b: &[u8]| B64.encode(b);
    let msg = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"certificate": {"rawBytes": pem_der("leaf.pem")}},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&sha2_256(artifact))},
            "signature": b64(&std::fs::read(d.join("app.sig")).unwrap()),
        },
    });
    write(d, "msg.bundle.json", serde_json::to_vec(&msg).unwrap());
    write(d, "other.bin", b"other contents\n");
    let digest = format!("sha256:{}", sha256_hex(artifact));
    let bundle_run = |art: &str, b: &str, roots: &str, extra: &[&str]| {
        let out = at(&now)
            .args(["--format", "json", "verify", "bundle", art, "--bundle", b])
            .args(["--ca-roots", roots])
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let codes: Vec<String> = v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["code"].as_str().map(str::to_string))
            .collect();
        (out.status.code(), codes)
    };
    let pass = (Some(0), vec![]);
    let deny = |c: &str| (Some(1), vec![c.to_string()]);
    assert_eq!(
        bundle_run("app.bin", "leaf.bundle.json", "ca.pem", &[]),
        pass
    );
    assert_eq!(bundle_run(&digest, "leaf.bundle.json", "ca.pem", &[]), pass);
    assert_eq!(
        bundle_run("app.bin", "msg.bundle.json", "ca.pem", &[]),
        pass
    );
    assert_eq!(
        bundle_run(
            "app.bin",
            "msg.bundle.json",
            "ca.pem",
            &["--certificate-identity", "release@example.com"]
        ),
        pass
    );
    assert_eq!(
        bundle_run(
            "app.bin",
            "leaf.bundle.json",
            "ca.pem",
            &["--certificate-identity", "mallory@example.com"]
        ),
        deny("SIG032")
    );
    assert_eq!(
        bundle_run("app.bin", "msg.bundle.json", "other-ca.pem", &[]),
        deny("SIG030")
    );
    assert_eq!(
        bundle_run("app.bin", "server.bundle.json", "ca.pem", &[]),
        deny("SIG031")
    );
    for (b, want) in usage_cases {
        let want = match want {
            None => pass.clone(),
            Some(c) => deny(c),
        };
        assert_eq!(
            bundle_run("app.bin", b, "ca.pem", &[]),
            want,
            "verify bundle {b}"
        );
    }
    assert_eq!(
        bundle_run("other.bin", "leaf.bundle.json", "ca.pem", &[]),
        deny("SIG009")
    );
    assert_eq!(
        bundle_run("other.bin", "msg.bundle.json", "ca.pem", &[]),
        deny("SIG009")
    );
    // The digest made to match another file, the signature left as it was: the signature fails.
    let mut forged = msg.clone();
    forged["messageSignature"]["messageDigest"]["digest"] =
        b64(&sha2_256(b"other contents\n")).into();
    write(
        d,
        "forged.bundle.json",
        serde_json::to_vec(&forged).unwrap(),
    );
    assert_eq!(
        bundle_run("other.bin", "forged.bundle.json", "ca.pem", &[]),
        deny("SIG008")
    );
    // Keyless-only options make no sense with an enterprise CA: bad input.
    assert_eq!(
        bundle_run(
            "app.bin",
            "leaf.bundle.json",
            "ca.pem",
            &["--certificate-oidc-issuer", GITHUB_ISSUER]
        )
        .0,
        Some(2)
    );
}

fn sha2_256(b: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(b).to_vec()
}

// ---- TUF over HTTP -----------------------------------------------------------------------------

/// How the test server misbehaves for one request path.
#[derive(Clone, Copy)]
enum Fault {
    /// Answer with this status and no body.
    Status(u16),
    /// Announce the whole length but send only half the body, then close.
    Truncate,
    /// Send the file with this many extra bytes (spaces) appended, length announced.
    Pad(usize),
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving a TUF repository copy in the layout TUF
/// repositories are served in: `/NAME` → `metadata/NAME`, `/targets/PATH` and `/t/PATH` →
/// `targets/PATH`. It counts the requests it answered.
struct TufServer {
    url: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn serve(dir: &Path, faults: Vec<(&str, Fault)>) -> TufServer {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = requests.clone();
    let dir = dir.to_path_buf();
    let faults: Vec<(String, Fault)> = faults.into_iter().map(|(p, f)| (p.into(), f)).collect();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            let file = if let Some(t) = path
                .strip_prefix("/targets/")
                .or_else(|| path.strip_prefix("/t/"))
            {
                dir.join("targets").join(t)
            } else {
                dir.join("metadata").join(path.trim_start_matches('/'))
            };
            let fault = faults.iter().find(|(p, _)| *p == path).map(|(_, f)| *f);
            let body = std::fs::read(&file).ok();
            let (status, body, announced) = match (fault, body) {
                (Some(Fault::Status(s)), _) => (s, Vec::new(), 0),
                (_, None) => (404, Vec::new(), 0),
                (Some(Fault::Truncate), Some(b)) => {
                    let n = b.len();
                    (200, b[..n / 2].to_vec(), n)
                }
                (Some(Fault::Pad(extra)), Some(mut b)) => {
                    b.extend(std::iter::repeat_n(b' ', extra));
                    let n = b.len();
                    (200, b, n)
                }
                (None, Some(b)) => {
                    let n = b.len();
                    (200, b, n)
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    });
    TufServer { url, requests }
}

/// `trust refresh` against a repository given as a string (directory or URL), with extra args.
fn refresh_from(
    repo: &str,
    extra: &[&str],
    root: &Path,
    cache: &Path,
    now: &str,
    target: &str,
) -> (Option<i32>, Vec<String>, Value, String) {
    let out = tollgate_at(now)
        .args(["--format", "json", "trust", "refresh"])
        .arg("--tuf-root")
        .arg(root)
        .args(["--tuf-repo", repo])
        .args(extra)
        .arg("--cache")
        .arg(cache)
        .args(["--target", target])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let codes = diag_codes(&v);
    (
        out.status.code(),
        codes,
        v,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Every file of a cache but refresh.json (which names the repository it came from).
fn cache_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "refresh.json" {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn tuf_refresh_over_http_matches_directory_refresh() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let base = root.join("tuf-conformance/static_data");
    let mut rows = Vec::new();
    for (name, initial, extra) in [
        ("sigstore-root-signing", "metadata/1.root.json", false),
        ("tuf-on-ci-0.11", "initial_root.json", false),
        ("tuf-on-ci-0.11", "initial_root.json", true),
    ] {
        let case = base.join(name);
        let target = read_trim(&case.join("targetpath")).unwrap();
        let now = faketime(&case);
        let server = serve(&case, vec![]);
        let dir_cache = tempfile::tempdir().unwrap();
        let http_cache = tempfile::tempdir().unwrap();
        let by_dir = refresh_from(
            case.to_str().unwrap(),
            &[],
            &case.join(initial),
            dir_cache.path(),
            &now,
            &target,
        );
        let targets_url = format!("{}/t", server.url);
        let args: Vec<&str> = if extra {
            vec!["--tuf-targets-url", &targets_url]
        } else {
            vec![]
        };
        let by_http = refresh_from(
            &server.url,
            &args,
            &case.join(initial),
            http_cache.path(),
            &now,
            &target,
        );
        if by_http.0 != Some(0) {
            eprintln!("{name}: {:?} {:?} {}", by_http.0, by_http.1, by_http.3);
        }
        let same = by_dir.0 == Some(0)
            && by_http.0 == Some(0)
            && by_dir.2["data"]["refresh"] == by_http.2["data"]["refresh"]
            && cache_files(dir_cache.path()) == cache_files(http_cache.path());
        let state: Value = serde_json::from_slice(
            &std::fs::read(http_cache.path().join("refresh.json")).unwrap_or_default(),
        )
        .unwrap_or(Value::Null);
        rows.push((
            format!(
                "{name} over http{} = directory refresh",
                if extra { " (--tuf-targets-url)" } else { "" }
            ),
            true,
            same && state["repository"] == server.url.as_str(),
        ));
    }

    // After an HTTP refresh the cache is used with no network at all: the server sees no
    // request while a bundle is verified from it.
    let case = base.join("sigstore-root-signing");
    let server = serve(&case, vec![]);
    let cache = tempfile::tempdir().unwrap();
    let r = refresh_from(
        &server.url,
        &[],
        &case.join("metadata/1.root.json"),
        cache.path(),
        &faketime(&case),
        "trusted_root.json",
    );
    assert_eq!(r.0, Some(0), "{:?} {}", r.1, r.3);
    let served = server.requests.load(std::sync::atomic::Ordering::SeqCst);
    let out = verify_happy_bundle_from_cache(&root, cache.path());
    rows.push((
        "verify bundle --tuf-cache after an http refresh: no request".into(),
        true,
        out.status.code() == Some(0)
            && server.requests.load(std::sync::atomic::Ordering::SeqCst) == served,
    ));
    let agree = table("tuf-conformance over http", &rows);
    assert_eq!(agree, rows.len());
}

/// What, the server's faults, the expected exit, finding, and text naming the problem.
type FaultCase<'a> = (&'a str, Vec<(&'a str, Fault)>, i32, &'a str, &'a str);

#[test]
fn tuf_refresh_over_http_refuses_bad_responses() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let onci = root.join("tuf-conformance/static_data/tuf-on-ci-0.11");
    let now = faketime(&onci);
    let target = "delegatedrole/artifact";
    let art = "/targets/delegatedrole/45f337ee451b4c098d121d09cc224bacc7794503ac58a47a78cfe7ebefb7fab3.artifact";
    let mut results = Vec::new();
    let cases: Vec<FaultCase<'_>> = vec![
        (
            "404 for timestamp.json",
            vec![("/timestamp.json", Fault::Status(404))],
            2,
            "SIG026",
            "/timestamp.json: HTTP 404 Not Found",
        ),
        (
            "500 for the snapshot",
            vec![("/2.snapshot.json", Fault::Status(500))],
            2,
            "SIG026",
            "/2.snapshot.json: HTTP 500 Internal Server Error",
        ),
        (
            "404 for the target",
            vec![(art, Fault::Status(404))],
            2,
            "SIG026",
            "HTTP 404 Not Found (the file of target \"delegatedrole/artifact\")",
        ),
        (
            "truncated target response",
            vec![(art, Fault::Truncate)],
            2,
            "SIG026",
            "cut short",
        ),
        (
            "oversized target (beyond its recorded length)",
            vec![(art, Fault::Pad(10))],
            1,
            "SIG023",
            "longer than the 34 bytes its parent metadata records",
        ),
        (
            "oversized timestamp (beyond the default limit)",
            vec![("/timestamp.json", Fault::Pad(20_000))],
            1,
            "SIG024",
            "longer than 16384 bytes",
        ),
    ];
    for (what, faults, want_exit, want_code, want_text) in cases {
        let server = serve(&onci, faults);
        let cache = tempfile::tempdir().unwrap();
        let (code, codes, v, stderr) = refresh_from(
            &server.url,
            &[],
            &onci.join("initial_root.json"),
            cache.path(),
            &now,
            target,
        );
        let text = if want_exit == 2 {
            stderr.clone()
        } else {
            v["diagnostics"].to_string()
        };
        let ok = code == Some(want_exit)
            && (if want_exit == 2 {
                stderr.contains(want_code) && stderr.lines().count() == 1
            } else {
                codes == vec![want_code.to_string()]
            })
            && text.contains(want_text)
            && !cache.path().join("refresh.json").exists();
        if !ok {
            eprintln!(
                "{what}: exit {code:?} {codes:?} {stderr} {}",
                v["diagnostics"]
            );
        }
        results.push((what.to_string(), true, ok));
    }
    // Nothing listens: a connection failure names the URL, exit 2.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().unwrap();
    let (code, _, _, stderr) = refresh_from(
        &format!("http://127.0.0.1:{port}"),
        &[],
        &onci.join("initial_root.json"),
        cache.path(),
        &now,
        target,
    );
    let ok =
        code == Some(2) && stderr.contains(&format!("SIG026: http://127.0.0.1:{port}/2.root.json"));
    if !ok {
        eprintln!("connection refused: {code:?} {stderr}");
    }
    results.push(("connection refused".into(), true, ok));
    let agree = table("tuf over http (bad responses)", &results);
    assert_eq!(agree, results.len());
}

// ---- the verification time is --now ------------------------------------------------------------

/// Every time check follows `--now`, never the system clock: a log integration time or an
/// RFC 3161 time after `--now`, or a log key whose validity starts after `--now`, is refused,
/// although the real clock (later than all of them) would accept each of these bundles.
/// A bad `--certificate-*-regexp` is one line naming the option, the reason and where in the
/// pattern, with a hint; exit 2 (not the regex crate's four-line message).
#[test]
fn bad_regexp_options_are_one_line() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    for (flag, other) in [
        ("--certificate-identity-regexp", "--certificate-oidc-issuer"),
        ("--certificate-oidc-issuer-regexp", "--certificate-identity"),
    ] {
        let out = tollgate()
            .args([
                "verify",
                "bundle",
                "--digest",
                &digest,
                "--bundle",
                "none.json",
            ])
            .args([flag, "a(b", other, "x"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{flag} \"a(b\" is not a valid regular expression: unclosed group at character 2"
            )) && stderr.contains("(hint: "),
            "{stderr}"
        );
    }
}

#[test]
fn verification_time_is_now_not_the_system_clock() {
    let Some(root) = conformance_dir() else {
        eprintln!("skipping: conformance corpus not present");
        return;
    };
    let dir = root.join("sigstore-conformance/bundle-verify");
    let prod = root.join("sigstore-trust-roots/production/trusted_root.json");
    let verify_full = |case: &str, trusted: &Path, now: &str| {
        let out = tollgate_at(now)
            .args(["--format", "json", "verify", "bundle"])
            .arg(dir.join("a.txt"))
            .arg("--bundle")
            .arg(dir.join(case).join("bundle.sigstore.json"))
            .arg("--trusted-root")
            .arg(trusted)
            .args([
                "--certificate-identity",
                DEFAULT_IDENTITY,
                "--certificate-oidc-issuer",
                GITHUB_ISSUER,
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), v)
    };
    let verify = |case: &str, trusted: &Path, now: &str| {
        let (code, v) = verify_full(case, trusted, now);
        (code, diag_codes(&v))
    };
    // A log key not yet valid at --now is a --now problem, not altered log evidence: the
    // finding says so and the hint points at --now.
    let key_not_yet_valid = |case: &str, trusted: &Path, now: &str, code: &str| {
        let (exit, v) = verify_full(case, trusted, now);
        let d = &v["diagnostics"][0];
        let ok = exit == Some(1)
            && diag_codes(&v) == [code]
            && d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("no trusted log key was valid at --now"))
            && d["help"]
                .as_str()
                .is_some_and(|h| h.contains("check --now"));
        if !ok {
            eprintln!("{case} at {now}: {v}");
        }
        ok
    };
    let rekor2 = dir.join("rekor2-happy-path/trusted_root.json");
    // The same trusted root with its log keys valid only from 2025-06-12T12:02:30Z, ten seconds
    // after the bundle's RFC 3161 time (Rekor v2 checkpoints are checked with the key valid
    // "now", there is no integrated time).
    let late_key = tempfile::tempdir().unwrap();
    let mut tr: Value = serde_json::from_slice(&std::fs::read(&rekor2).unwrap()).unwrap();
    for t in tr["tlogs"].as_array_mut().unwrap() {
        t["publicKey"]["validFor"]["start"] = "2025-06-12T12:02:30Z".into();
    }
    let late_root = write(
        late_key.path(),
        "trusted_root.json",
        serde_json::to_vec(&tr).unwrap(),
    );
    let ok = |r: (Option<i32>, Vec<String>)| r.0 == Some(0) && r.1.is_empty();
    let denied = |r: (Option<i32>, Vec<String>), code: &str| r.0 == Some(1) && r.1 == [code];
    let rows = vec![
        (
            "logged at --now (v0.3, integrated 2024-03-19T17:26:26Z)",
            ok(verify("happy-path-v0.3", &prod, "2024-03-19T17:26:26Z")),
        ),
        (
            "logged one second after --now: SIG015",
            denied(
                verify("happy-path-v0.3", &prod, "2024-03-19T17:26:25Z"),
                "SIG015",
            ),
        ),
        (
            "timestamped at --now (Rekor v2, RFC 3161 2025-06-12T12:02:20Z)",
            ok(verify("rekor2-happy-path", &rekor2, "2025-06-12T12:02:20Z")),
        ),
        (
            "timestamped one second after --now: SIG016",
            denied(
                verify("rekor2-happy-path", &rekor2, "2025-06-12T12:02:19Z"),
                "SIG016",
            ),
        ),
        (
            "log key valid from 12:02:30, --now 2025-06-13: verifies",
            ok(verify(
                "rekor2-happy-path",
                &late_root,
                "2025-06-13T00:00:00Z",
            )),
        ),
        (
            "log key valid from 12:02:30, --now 12:02:25: not yet valid, SIG012 saying so",
            key_not_yet_valid(
                "rekor2-happy-path",
                &late_root,
                "2025-06-12T12:02:25Z",
                "SIG012",
            ),
        ),
        (
            "--now 2020, before the production log key (2021): SIG013 saying so",
            key_not_yet_valid("happy-path-v0.3", &prod, "2020-01-01T00:00:00Z", "SIG013"),
        ),
        (
            "a staging bundle against the production root: SIG010, the log is not listed",
            {
                let (exit, v) = verify_full(
                    "bundle-from-wrong-instance_fail",
                    &prod,
                    "2025-02-14T00:00:00Z",
                );
                let d = &v["diagnostics"][0];
                exit == Some(1)
                    && diag_codes(&v) == ["SIG010"]
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("which the trusted root does not list"))
                    && d["help"]
                        .as_str()
                        .is_some_and(|h| h.contains("--sigstore-instance staging"))
            },
        ),
    ];
    let rows: Vec<(String, bool, bool)> = rows
        .into_iter()
        .map(|(what, got)| (what.to_string(), true, got))
        .collect();
    let agree = table("verification time = --now", &rows);
    assert_eq!(agree, rows.len());
}
