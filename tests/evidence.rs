//! Evidence Packs: reproducibility, verification, hostile archives, tampering, proofs, audit,
//! and the decision ledger, through the CLI.

use crate::common::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn tg(dir: &Path) -> assert_cmd::Command {
    let mut c = tollgate();
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI");
    c
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn codes(out: &std::process::Output) -> Vec<String> {
    let mut c = diag_codes(&json(out));
    c.sort();
    c.dedup();
    c
}

/// An evidence tree with compressible text and incompressible bytes, files created in the
/// given order (creation order and mtimes must not matter).
fn evidence(dir: &Path, reverse: bool) {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("sbom/app.cdx.json", MINIMAL_CDX.as_bytes().to_vec()),
        (
            "scans/trivy.sarif",
            br#"{"version":"2.1.0","runs":[]}"#.to_vec(),
        ),
        (
            "dist/app.bin",
            (0..300_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ),
        ("notes/readme.md", b"# release\n".repeat(500)),
    ];
    if reverse {
        files.reverse();
    }
    for (rel, bytes) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
}

fn pack(dir: &Path, extra: &[&str]) -> (std::process::Output, PathBuf) {
    (pack_to(dir, "pack.tgz", extra), dir.join("pack.tgz"))
}

/// `evidence pack` of `ev` (org acme, release v1) to `out`, JSON report.
fn pack_to(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    tg(dir)
        .args(["--format", "json", "evidence", "pack", "--dir", "ev"])
        .args([
            "--org",
            "acme",
            "--release",
            "v1",
            "--no-ci-env",
            "--out",
            out,
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    evidence(&d.path().join("ev"), false);
    tg(d.path())
        .args(["key", "generate", "--out-prefix", "k"])
        .assert()
        .code(0);
    d
}

fn verify(dir: &Path, pack: &Path, extra: &[&str]) -> std::process::Output {
    let mut c = tg(dir);
    c.args(["--format", "json", "evidence", "verify"]).arg(pack);
    if !extra.contains(&"--allow-unsigned") {
        c.args(["--key", "k.pub"]);
    }
    c.args(extra).output().unwrap()
}

#[test]
fn packing_twice_gives_identical_bytes() {
    let sha = |reverse: bool, codec: &str| {
        let d = tempfile::tempdir().unwrap();
        evidence(&d.path().join("ev"), reverse);
        if reverse {
            // Different mtimes too.
            std::thread::sleep(std::time::Duration::from_millis(1100));
            std::fs::write(
                d.path().join("ev/notes/readme.md"),
                b"# release\n".repeat(500),
            )
            .unwrap();
        }
        let (out, _) = pack(d.path(), &["--compression", codec]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)["data"]["sha256"].as_str().unwrap().to_string()
    };
    for codec in ["gzip", "zstd"] {
        assert_eq!(sha(false, codec), sha(true, codec), "{codec}");
    }
}

#[test]
fn pack_verify_extract_prove_round_trip() {
    let d = setup();
    let p = d.path();
    let (out, pack_path) = pack(p, &["--key", "k.key"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let root = v["data"]["merkleRoot"].as_str().unwrap().to_string();
    let media: Vec<&str> = v["data"]["index"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["mediaType"].as_str().unwrap())
        .collect();
    assert!(
        media.contains(&"application/vnd.cyclonedx+json")
            && media.contains(&"application/sarif+json"),
        "{media:?}"
    );
    // index.json first, then its signature; normalised headers.
    let listing = std::process::Command::new("tar")
        .arg("tzvf")
        .arg(&pack_path)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    let lines: Vec<&str> = listing.lines().collect();
    assert!(
        lines[0].ends_with(" index.json") && lines[1].ends_with(" index.dsse.json"),
        "{listing}"
    );
    assert!(
        lines.iter().all(|l| l.starts_with("-rw-r--r-- 0/0")),
        "{listing}"
    );
    // gzip header: no mtime, no file name.
    let bytes = std::fs::read(&pack_path).unwrap();
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
    assert_eq!(bytes[3] & 0x08, 0);

    let out = verify(p, &pack_path, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Appended bytes are named as such, not as a truncation.
    let mut appended = bytes.clone();
    appended.extend_from_slice(b"garbage\n");
    std::fs::write(p.join("appended.tgz"), &appended).unwrap();
    let out = verify(p, &p.join("appended.tgz"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("appended"), "{stderr}");
    // Extract only after verification, into a new directory.
    tg(p)
        .args([
            "evidence", "extract", "pack.tgz", "--key", "k.pub", "--to", "x",
        ])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read(p.join("x/artifacts/dist/app.bin")).unwrap(),
        std::fs::read(p.join("ev/dist/app.bin")).unwrap()
    );
    // Never over what is there: a non-empty directory or a file, refused before verifying.
    for (to, says) in [
        ("x", "x: the directory is not empty"),
        ("pack.tgz", "pack.tgz: it exists and is not a directory"),
    ] {
        let out = tg(p)
            .args([
                "evidence", "extract", "pack.tgz", "--key", "k.pub", "--to", to,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    // Proof of one artifact, checked against the root.
    tg(p)
        .args([
            "evidence",
            "prove",
            "pack.tgz",
            "sbom/app.cdx.json",
            "--key",
            "k.pub",
            "--out",
            "proof.json",
        ])
        .assert()
        .code(0);
    tg(p)
        .args([
            "evidence",
            "check-proof",
            "proof.json",
            "--root",
            &root,
            "--artifact",
            "ev/sbom/app.cdx.json",
        ])
        .assert()
        .code(0);
    tg(p)
        .args([
            "evidence",
            "check-proof",
            "proof.json",
            "--root",
            &root,
            "--artifact",
            "ev/scans/trivy.sarif",
        ])
        .assert()
        .code(1);
    let other_root = "0".repeat(64);
    tg(p)
        .args([
            "evidence",
            "check-proof",
            "proof.json",
            "--root",
            &other_root,
        ])
        .assert()
        .code(1);
    // A proof that is not what `evidence prove` writes is bad input, not a failed proof.
    let proof = std::fs::read_to_string(p.join("proof.json")).unwrap();
    let leaf = serde_json::from_str::<Value>(&proof).unwrap()["leafIndex"].clone();
    for (what, changed) in [
        ("algorithm", proof.replace("rfc9162-sha256", "sha1")),
        ("unknown member", proof.replacen('{', "{\"extra\": 1,", 1)),
        (
            "leafIndex",
            proof.replace(
                &format!("\"leafIndex\": {leaf}"),
                &format!("\"leafIndex\": \"{leaf}\""),
            ),
        ),
    ] {
        assert_ne!(changed, proof, "{what}");
        std::fs::write(p.join("bad-proof.json"), changed).unwrap();
        let out = tg(p)
            .args(["evidence", "check-proof", "bad-proof.json", "--root", &root])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.lines().count() == 1 && err.contains("bad-proof.json"),
            "{what}: {err}"
        );
    }
    // Wrong key; unsigned pack with a key; no key at all.
    tg(p)
        .args(["key", "generate", "--out-prefix", "other"])
        .assert()
        .code(0);
    let out = tg(p)
        .args([
            "--format",
            "json",
            "evidence",
            "verify",
            "pack.tgz",
            "--key",
            "other.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&out), vec!["EVD006"]);
    let (_, _) = pack(p, &[]);
    assert_eq!(codes(&verify(p, &pack_path, &[])), vec!["EVD013"]);
    tg(p)
        .args(["evidence", "verify", "pack.tgz"])
        .assert()
        .code(2);
    tg(p)
        .args(["evidence", "verify", "pack.tgz", "--allow-unsigned"])
        .assert()
        .code(0);
}

#[test]
fn pack_carries_the_control_map() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let ex = testdata("controls/example");
    tg(p)
        .args(["attest", "controls", "--catalog"])
        .arg(root().join("catalog/default.yaml"))
        .arg("--evidence")
        .arg(ex.join("evidence"))
        .arg("--trusted-key")
        .arg(ex.join("signer.pub"))
        .args(["--out", "out"])
        .assert()
        .code(0);
    let out = tg(p)
        .args([
            "--format",
            "json",
            "evidence",
            "pack",
            "--org",
            "acme",
            "--release",
            "v1",
            "--no-ci-env",
        ])
        .arg("--dir")
        .arg(ex.join("evidence"))
        .args([
            "--attestation",
            "out/controls/attestation.json",
            "--out",
            "p.tgz",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let idx = &json(&out)["data"]["index"];
    assert_eq!(idx["controlAttestation"]["verdict"], "pass");
    assert_eq!(
        idx["controlAttestation"]["controls"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        idx["controlAttestation"]["path"],
        "artifacts/controls/attestation.json"
    );
}

/// A stale `controls/attestation.json` in `--dir` never takes the place of `--attestation`
/// (a passing old attestation would be packed for a failing release); the same file named both
/// ways is packed once.
#[test]
fn attestation_colliding_with_another_file_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let ex = testdata("controls/example");
    tg(p)
        .args(["attest", "controls", "--catalog"])
        .arg(root().join("catalog/default.yaml"))
        .arg("--evidence")
        .arg(ex.join("evidence"))
        .arg("--trusted-key")
        .arg(ex.join("signer.pub"))
        .args(["--out", "out"])
        .assert()
        .code(0);
    std::fs::create_dir_all(p.join("ev/controls")).unwrap();
    std::fs::write(p.join("ev/controls/attestation.json"), b"{\"stale\": true}").unwrap();
    let run = |dir: &str| {
        tg(p)
            .args([
                "evidence",
                "pack",
                "--org",
                "acme",
                "--release",
                "v1",
                "--no-ci-env",
            ])
            .args([
                "--dir",
                dir,
                "--attestation",
                "out/controls/attestation.json",
            ])
            .args(["--out", "p.tgz"])
            .output()
            .unwrap()
    };
    let out = run("ev");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("two inputs would be packed as \"controls/attestation.json\"")
            && err.contains("ev/controls/attestation.json"),
        "{err}"
    );
    assert!(!p.join("p.tgz").exists());
    // `--dir out --attestation out/controls/attestation.json`: one file, packed once.
    let out = run("out");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A file name `evidence verify` would refuse is refused when packing, naming the file.
#[test]
fn unportable_file_names_are_refused_when_packing() {
    let d = setup();
    let p = d.path();
    std::fs::write(p.join("ev/back\\slash.txt"), b"x").unwrap();
    let out = pack(p, &["--key", "k.key"]).0;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("back\\slash.txt") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!p.join("pack.tgz").exists());
}

// ---- hostile archives ------------------------------------------------------------------------

/// A raw ustar header (so any name and type can be written, unlike with a well-behaved tar
/// library).
fn header(name: &str, size: u64, kind: u8, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

struct RawTar(Vec<u8>);
impl RawTar {
    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.entry(name, data, b'0', "")
    }
    fn entry(&mut self, name: &str, data: &[u8], kind: u8, link: &str) -> &mut Self {
        self.0
            .extend_from_slice(&header(name, data.len() as u64, kind, link));
        self.0.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.0.extend(std::iter::repeat_n(0u8, pad));
        self
    }
    fn gz(&mut self, path: &Path) {
        self.0.extend_from_slice(&[0u8; 1024]);
        // Compressed as tollgate does, so only the tar content is hostile.
        use tollgate::evidence::compress::{Codec, Compressor};
        let mut e = Compressor::new(Codec::Gzip, std::fs::File::create(path).unwrap()).unwrap();
        e.write_all(&self.0).unwrap();
        e.finish().unwrap();
    }
}

/// The entries of a real pack (index and artifacts), to rebuild hostile variants from.
fn real_entries(pack: &Path) -> Vec<(String, Vec<u8>)> {
    let f = std::fs::File::open(pack).unwrap();
    let mut a = tar::Archive::new(flate2::read::MultiGzDecoder::new(f));
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let p = e.path().unwrap().display().to_string();
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut v).unwrap();
            (p, v)
        })
        .collect()
}

#[test]
fn hostile_archives_each_get_their_own_finding() {
    let d = setup();
    let p = d.path();
    let (out, good) = pack(p, &[]);
    assert_eq!(out.status.code(), Some(0));
    let entries = real_entries(&good);
    let base = |t: &mut RawTar| {
        for (n, v) in &entries {
            t.file(n, v);
        }
    };
    type Case = (&'static str, Box<dyn Fn(&mut RawTar)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            "dotdot",
            Box::new(|t: &mut RawTar| {
                t.file("artifacts/../../etc/evil", b"x");
            }),
            "EVD007",
        ),
        (
            "absolute",
            Box::new(|t: &mut RawTar| {
                t.file("/etc/evil", b"x");
            }),
            "EVD007",
        ),
        (
            "dotdot-directory",
            Box::new(|t: &mut RawTar| {
                t.entry("../escape-dir/", b"", b'5', "");
            }),
            "EVD007",
        ),
        (
            "absolute-directory",
            Box::new(|t: &mut RawTar| {
                t.entry("/tmp/escape-dir/", b"", b'5', "");
            }),
            "EVD007",
        ),
        (
            "directory",
            Box::new(|t: &mut RawTar| {
                t.entry("artifacts/extra-dir/", b"", b'5', "");
            }),
            "EVD004",
        ),
        (
            "symlink",
            Box::new(|t: &mut RawTar| {
                t.entry("artifacts/link", b"", b'2', "/etc/passwd");
            }),
            "EVD008",
        ),
        (
            "hardlink",
            Box::new(|t: &mut RawTar| {
                t.entry("artifacts/hard", b"", b'1', "index.json");
            }),
            "EVD008",
        ),
        (
            "chardev",
            Box::new(|t: &mut RawTar| {
                t.entry("artifacts/dev", b"", b'3', "");
            }),
            "EVD009",
        ),
        (
            "fifo",
            Box::new(|t: &mut RawTar| {
                t.entry("artifacts/fifo", b"", b'6', "");
            }),
            "EVD009",
        ),
        (
            "duplicate",
            Box::new(|t: &mut RawTar| {
                t.file("artifacts/notes/readme.md", b"replaced");
            }),
            "EVD010",
        ),
        (
            "extra",
            Box::new(|t: &mut RawTar| {
                t.file("artifacts/extra.txt", b"smuggled");
            }),
            "EVD004",
        ),
    ];
    for (name, add, code) in cases {
        let mut t = RawTar(Vec::new());
        base(&mut t);
        add(&mut t);
        let path = p.join(format!("{name}.tgz"));
        t.gz(&path);
        let out = tg(p)
            .args(["--format", "json", "evidence", "verify", "--allow-unsigned"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            codes(&out).contains(&code.to_string()),
            "{name}: {:?}",
            codes(&out)
        );
        // Nothing was extracted anywhere.
        assert!(!p.join("etc").exists() && !Path::new("/etc/evil").exists());
        let x = tg(p)
            .args(["evidence", "extract", "--allow-unsigned", "--to", "out"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(x.status.code(), Some(1), "{name}");
        assert!(!p.join("out").exists(), "{name}: extracted despite failing");
    }
    // Entry larger than the index declares.
    let mut t = RawTar(Vec::new());
    for (n, v) in &entries {
        if n == "artifacts/sbom/app.cdx.json" {
            let mut bigger = v.clone();
            bigger.extend_from_slice(b"   ");
            t.file(n, &bigger);
        } else {
            t.file(n, v);
        }
    }
    t.gz(&p.join("bigger.tgz"));
    assert_eq!(
        codes(&verify(p, &p.join("bigger.tgz"), &["--allow-unsigned"])),
        vec!["EVD002"]
    );
    // Missing artifact; index not first.
    let mut t = RawTar(Vec::new());
    for (n, v) in entries
        .iter()
        .filter(|(n, _)| n != "artifacts/dist/app.bin")
    {
        t.file(n, v);
    }
    t.gz(&p.join("missing.tgz"));
    assert_eq!(
        codes(&verify(p, &p.join("missing.tgz"), &["--allow-unsigned"])),
        vec!["EVD003"]
    );
    let mut t = RawTar(Vec::new());
    for (n, v) in entries.iter().rev() {
        t.file(n, v);
    }
    t.gz(&p.join("order.tgz"));
    assert_eq!(
        codes(&verify(p, &p.join("order.tgz"), &["--allow-unsigned"])),
        vec!["EVD012"]
    );
    // Edited index: digest changed -> Merkle root no longer matches.
    let mut t = RawTar(Vec::new());
    for (n, v) in &entries {
        if n == "index.json" {
            let mut idx: Value = serde_json::from_slice(v).unwrap();
            idx["artifacts"][0]["sha256"] = Value::String("a".repeat(64));
            t.file(n, &serde_json::to_vec(&idx).unwrap());
        } else {
            t.file(n, v);
        }
    }
    t.gz(&p.join("edited.tgz"));
    assert_eq!(
        codes(&verify(p, &p.join("edited.tgz"), &["--allow-unsigned"])),
        vec!["EVD001", "EVD005"]
    );
    // Decompression bomb: 64 MiB of zeros, refused by the ratio and by the size limit.
    let mut t = RawTar(Vec::new());
    base(&mut t);
    t.file("artifacts/zeros", &vec![0u8; 64 << 20]);
    t.gz(&p.join("bomb.tgz"));
    for limit in [
        &["--max-ratio", "50"][..],
        &["--max-unpacked-size", "8MiB"][..],
    ] {
        let out = tg(p)
            .args([
                "--format",
                "json",
                "evidence",
                "verify",
                "--allow-unsigned",
                "bomb.tgz",
            ])
            .args(limit)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{limit:?}");
        assert_eq!(codes(&out), vec!["EVD011"], "{limit:?}");
    }
    // Truncated archive: bad input, one line.
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(p.join("cut.tgz"), &bytes[..bytes.len() / 2]).unwrap();
    let out = tg(p)
        .args(["evidence", "verify", "--allow-unsigned", "cut.tgz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.tgz") && err.contains("hint:"), "{err}");
    std::fs::write(p.join("junk.tgz"), b"not a pack at all").unwrap();
    tg(p)
        .args(["evidence", "verify", "--allow-unsigned", "junk.tgz"])
        .assert()
        .code(2);
}

#[test]
fn any_single_byte_change_is_detected() {
    let d = setup();
    let p = d.path();
    for codec in ["gzip", "zstd"] {
        let (out, path) = pack(p, &["--key", "k.key", "--compression", codec]);
        assert_eq!(out.status.code(), Some(0));
        let bytes = std::fs::read(&path).unwrap();
        let keys = vec![
            tollgate::attest::keys::PublicKey::from_pem(
                &std::fs::read_to_string(p.join("k.pub")).unwrap(),
            )
            .unwrap(),
        ];
        let limits = tollgate::evidence::verify::Limits::default();
        assert!(
            tollgate::evidence::verify::verify(&path, &keys, limits)
                .unwrap()
                .passed()
        );
        let tampered = p.join("t.pack");
        // Every byte with one mask; every 40th byte with a second mask too.
        let step = 1;
        let mut checked = 0;
        for i in (0..bytes.len()).step_by(step) {
            let masks: &[u8] = if i % 40 == 0 { &[0x01, 0x80] } else { &[0x01] };
            for &mask in masks {
                let mut b = bytes.clone();
                b[i] ^= mask;
                std::fs::write(&tampered, &b).unwrap();
                let r = std::panic::catch_unwind(|| {
                    tollgate::evidence::verify::verify(&tampered, &keys, limits)
                });
                let r = r.unwrap_or_else(|_| panic!("{codec}: byte {i} mask {mask:#x} panicked"));
                assert!(
                    !matches!(r, Ok(ref v) if v.passed()),
                    "{codec}: byte {i} mask {mask:#x} undetected"
                );
                checked += 1;
            }
        }
        assert!(checked >= bytes.len());
    }
}

#[test]
fn audit_samples_reproducibly_and_reports_failures() {
    let d = setup();
    let p = d.path();
    std::fs::create_dir(p.join("packs")).unwrap();
    for i in 0..10 {
        let out = tg(p)
            .args([
                "evidence",
                "pack",
                "--dir",
                "ev",
                "--org",
                "acme",
                "--release",
                &format!("v1.{i}"),
            ])
            .args([
                "--no-ci-env",
                "--key",
                "k.key",
                "--out",
                &format!("packs/r{i:02}.tgz"),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let audit = |seed: &str, sample: &str| {
        let out = tg(p)
            .args([
                "--format", "json", "evidence", "audit", "packs", "--key", "k.pub", "--sample",
                sample, "--seed", seed,
            ])
            .output()
            .unwrap();
        (out.status.code(), json(&out)["data"].clone())
    };
    let (code, a) = audit("7", "30%");
    assert_eq!(code, Some(0));
    assert_eq!(a["sampled"], 3);
    assert_eq!(audit("7", "30%").1, a, "same seed, same sample");
    let (_, all) = audit("1", "100%");
    assert_eq!(all["sampled"], 10);
    // Corrupt one pack: a full audit finds it.
    let victim = p.join("packs/r04.tgz");
    let mut b = std::fs::read(&victim).unwrap();
    let n = b.len() - 20;
    b[n] ^= 0xff;
    std::fs::write(&victim, b).unwrap();
    let (code, all) = audit("1", "100%");
    assert_eq!(code, Some(1));
    assert_eq!(all["failed"], 1);
    // A sample of nothing verifies nothing: refused as bad input.
    for nothing in ["0%", "0", "-5%", "150%"] {
        let out = tg(p)
            .args([
                "evidence", "audit", "packs", "--key", "k.pub", "--seed", "1",
            ])
            .args(["--sample", nothing])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{nothing}");
    }
    // No packs at all is a denial (fail closed), not a vacuous pass.
    std::fs::create_dir(p.join("empty")).unwrap();
    let out = tg(p)
        .args([
            "--format", "json", "evidence", "audit", "empty", "--key", "k.pub",
        ])
        .args(["--sample", "10%", "--seed", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&out), ["EVD017"]);
}

/// Appending never breaks a ledger: a last record without its newline gets one first; a
/// ledger of another chain or with a damaged last record is refused (exit 2, one line with the
/// line number) before any report is written, and the file is left as it was.
#[test]
fn ledger_appends_never_break_the_chain() {
    let d = setup();
    let p = d.path();
    let gate = |ledger: &str, chain: &str| {
        tg(p)
            .args(["--ledger", ledger, "--ledger-chain", chain])
            .args(["--format", "json", "--output", "report.json"])
            .args(["sbom", "validate", "ev/sbom/app.cdx.json"])
            .output()
            .unwrap()
    };
    let verify_ok = |ledger: &str| {
        let out = tg(p).args(["ledger", "verify", ledger]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    };
    assert_eq!(gate("l.jsonl", "acme/app").status.code(), Some(0));
    // Strip the final newline, as an editor might: the next append still chains.
    let text = std::fs::read_to_string(p.join("l.jsonl")).unwrap();
    std::fs::write(p.join("l.jsonl"), text.trim_end()).unwrap();
    assert_eq!(gate("l.jsonl", "acme/app").status.code(), Some(0));
    verify_ok("l.jsonl");
    assert_eq!(
        std::fs::read_to_string(p.join("l.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );
    // Another chain: refused, nothing written.
    std::fs::remove_file(p.join("report.json")).unwrap();
    let before = std::fs::read(p.join("l.jsonl")).unwrap();
    let out = gate("l.jsonl", "other");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().count() == 1
            && err.contains("holds chain \"acme/app\"")
            && err.contains("--ledger-chain"),
        "{err}"
    );
    assert_eq!(std::fs::read(p.join("l.jsonl")).unwrap(), before);
    assert!(!p.join("report.json").exists(), "a report was written");
    // A damaged last record: refused with its line, nothing written.
    std::fs::write(p.join("bad.jsonl"), [&before[..], b"{not json\n"].concat()).unwrap();
    let out = gate("bad.jsonl", "acme/app");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().count() == 1 && err.contains("bad.jsonl:3:1") && err.contains("ledger verify"),
        "{err}"
    );
    assert!(!p.join("report.json").exists(), "a report was written");
}

/// A gate that stops on bad input (exit 2) before it has a report is recorded too.
#[test]
fn ledger_records_runs_stopped_by_bad_input() {
    let d = setup();
    let p = d.path();
    let out = tg(p)
        .args([
            "--ledger",
            "l.jsonl",
            "sbom",
            "diff",
            "missing.json",
            "ev/sbom/app.cdx.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = std::fs::read_to_string(p.join("l.jsonl")).unwrap();
    let rec: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(rec["command"], "sbom diff");
    assert_eq!(rec["verdict"], "error");
    assert_eq!(rec["exitCode"], 2);
    assert_eq!(rec["subjects"][0]["path"], "missing.json");
    tg(p).args(["ledger", "verify", "l.jsonl"]).assert().code(0);

    // Recorded at --now; a --now that is itself the bad input, at the clock's time.
    let stop = |now: &str| {
        // Not `tg`: it passes a --now of its own.
        assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("tollgate"))
            .current_dir(p)
            .env_remove("TOLLGATE_NOW")
            .args([
                "--ledger",
                "l.jsonl",
                "--now",
                now,
                "sbom",
                "validate",
                "missing.json",
            ])
            .assert()
            .code(2);
        let text = std::fs::read_to_string(p.join("l.jsonl")).unwrap();
        let rec: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(rec["verdict"], "error");
        rec["time"].as_str().unwrap().to_string()
    };
    assert_eq!(stop("2026-11-23T08:30:00Z"), "2026-11-23T08:30:00Z");
    let clock = stop("yesterday");
    assert!(clock.ends_with('Z') && clock.as_str() > "2026-", "{clock}");
    tg(p).args(["ledger", "verify", "l.jsonl"]).assert().code(0);
}

/// Deleting records from the end leaves a valid, shorter chain: an anchor (a record hash noted
/// elsewhere) reveals it.
#[test]
fn ledger_anchor_reveals_records_deleted_from_the_end() {
    let d = setup();
    let p = d.path();
    for _ in 0..3 {
        tg(p)
            .args([
                "--ledger",
                "l.jsonl",
                "sbom",
                "validate",
                "ev/sbom/app.cdx.json",
            ])
            .assert()
            .code(0);
    }
    let verify = |extra: &[&str]| {
        tg(p)
            .args(["--format", "json", "ledger", "verify", "l.jsonl"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(0));
    let head = json(&out)["data"]["head"].as_str().unwrap().to_string();
    assert_eq!(head.len(), 64);
    assert_eq!(verify(&["--anchor", &head]).status.code(), Some(0));
    // Drop the last record: the chain is still intact, the anchor is gone.
    let text = std::fs::read_to_string(p.join("l.jsonl")).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    std::fs::write(p.join("l.jsonl"), kept.join("\n") + "\n").unwrap();
    assert_eq!(verify(&[]).status.code(), Some(0));
    let out = verify(&["--anchor", &head]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["data"]["missingAnchors"][0], head.as_str());
    assert_eq!(verify(&["--anchor", "abc"]).status.code(), Some(2));
}

#[test]
fn ledger_records_every_gate_and_detects_tampering() {
    let d = setup();
    let p = d.path();
    for _ in 0..3 {
        tg(p)
            .args([
                "--ledger",
                "decisions.jsonl",
                "--ledger-chain",
                "acme/app",
                "sbom",
                "validate",
                "ev/sbom/app.cdx.json",
            ])
            .assert()
            .code(0);
    }
    tg(p)
        .args([
            "--ledger",
            "decisions.jsonl",
            "--ledger-chain",
            "acme/app",
            "sbom",
            "validate",
            "ev/scans/trivy.sarif",
        ])
        .assert()
        .code(2);
    let before = std::fs::read(p.join("decisions.jsonl")).unwrap();
    let out = tg(p)
        .args(["--format", "json", "ledger", "verify", "decisions.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["data"]["records"], 4);
    // Verifying reads the ledger and nothing else: no record of its own appended to it.
    assert_eq!(std::fs::read(p.join("decisions.jsonl")).unwrap(), before);
    // Its own verdict goes to a ledger only when one is asked for, and that one.
    tg(p)
        .args([
            "--ledger",
            "audits.jsonl",
            "ledger",
            "verify",
            "decisions.jsonl",
        ])
        .assert()
        .code(0);
    assert_eq!(std::fs::read(p.join("decisions.jsonl")).unwrap(), before);
    let audits = std::fs::read_to_string(p.join("audits.jsonl")).unwrap();
    assert_eq!(audits.lines().count(), 1, "{audits}");
    assert!(audits.contains("\"command\":\"ledger verify\""), "{audits}");
    let text = std::fs::read_to_string(p.join("decisions.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[3].contains("\"verdict\":\"error\""), "{}", lines[3]);
    // Edit record 1: named as the first bad index.
    let edited = lines[1].replace("\"verdict\":\"pass\"", "\"verdict\":\"deny\"");
    std::fs::write(
        p.join("decisions.jsonl"),
        [lines[0], &edited, lines[2], lines[3]].join("\n") + "\n",
    )
    .unwrap();
    let out = tg(p)
        .args(["--format", "json", "ledger", "verify", "decisions.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["data"]["firstBadIndex"], 1);
    // Concurrent appends from separate processes keep one valid chain.
    std::fs::remove_file(p.join("decisions.jsonl")).unwrap();
    let children: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("tollgate"))
                .current_dir(p)
                .args([
                    "-q",
                    "--ledger",
                    "decisions.jsonl",
                    "sbom",
                    "validate",
                    "ev/sbom/app.cdx.json",
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let out = tg(p)
        .args(["--format", "json", "ledger", "verify", "decisions.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["data"]["records"], 6);
}

/// `--out` names what is there already: a directory is refused (not replaced by the pack), a
/// pipe or device is streamed into (not replaced by a regular file).
#[cfg(unix)]
#[test]
fn pack_out_refuses_a_directory_and_streams_into_a_pipe() {
    let d = setup();
    let p = d.path();
    let pack_signed = |out: &str| pack_to(p, out, &["--key", "k.key"]);
    std::fs::create_dir(p.join("taken")).unwrap();
    let out = pack_signed("taken");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("taken: it is a directory"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(p.join("taken").is_dir());
    assert_eq!(std::fs::read_dir(p.join("taken")).unwrap().count(), 0);

    let fifo = p.join("pipe.tgz");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = pack_signed("pipe.tgz");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let streamed = reader.join().unwrap();
    let v = json(&out);
    use sha2::Digest as _;
    assert_eq!(
        v["data"]["sha256"].as_str().unwrap(),
        sha2::Sha256::digest(&streamed)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    assert_eq!(v["data"]["size"].as_u64().unwrap(), streamed.len() as u64);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    std::fs::write(p.join("streamed.tgz"), &streamed).unwrap();
    let out = verify(p, &p.join("streamed.tgz"), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The destination is never an input: packing into the evidence directory twice gives the same
/// pack, not one that holds the previous pack.
#[test]
fn pack_into_its_own_evidence_directory_leaves_itself_out() {
    let d = setup();
    let p = d.path();
    let run = || {
        let out = pack_to(p, "ev/pack.tgz", &["--key", "k.key"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)
    };
    let first = run();
    // A file a killed run could leave behind is not evidence either.
    std::fs::write(p.join("ev/.tollgate-pack-abc123"), b"partial").unwrap();
    let second = run();
    let names = |v: &Value| -> Vec<String> {
        v["data"]["index"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        !names(&second)
            .iter()
            .any(|n| n.contains("pack.tgz") || n.contains(".tollgate-pack-")),
        "{:?}",
        names(&second)
    );
    assert_eq!(names(&first), names(&second));
    assert_eq!(first["data"]["sha256"], second["data"]["sha256"]);
    let out = verify(p, &p.join("ev/pack.tgz"), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
