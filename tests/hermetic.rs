//! `tollgate hermetic check|run|verify` and `tollgate repro compare|run`, whole CLI.

use crate::common::{testdata, tollgate, write};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;

fn json_of(args: &[&str]) -> (Value, i32, String) {
    let out = tollgate()
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        v,
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (file, line, code, host) of every finding in a `hermetic check` JSON report.
fn findings(v: &Value) -> BTreeSet<(String, u32, String, String)> {
    let mut out = BTreeSet::new();
    for l in v["data"]["logs"].as_array().unwrap() {
        let file = l["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        for f in l["findings"].as_array().unwrap() {
            let code = match (f["kind"].as_str().unwrap(), f["allowed"].as_bool().unwrap()) {
                (_, true) => "HRM006",
                ("network", false) => "HRM001",
                _ => "HRM002",
            };
            out.insert((
                file.clone(),
                f["line"].as_u64().unwrap() as u32,
                code.to_string(),
                f["host"].as_str().unwrap_or("-").to_string(),
            ));
        }
    }
    out
}

fn expected() -> BTreeSet<(String, u32, String, String)> {
    std::fs::read_to_string(testdata("hermetic/expected.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[0].to_string(),
                c[1].parse().unwrap(),
                c[2].to_string(),
                c[3].to_string(),
            )
        })
        .collect()
}

fn logs(kind: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(testdata("hermetic"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(&format!("-{kind}.log")))
        .map(|n| format!("testdata/hermetic/{n}"))
        .collect();
    v.sort();
    v
}

#[test]
fn expected_findings_are_really_in_the_logs() {
    // The expectations are checked against the raw text, independently of the implementation.
    for (file, line, code, host) in expected() {
        let text = std::fs::read_to_string(testdata(&format!("hermetic/{file}"))).unwrap();
        let l = text.lines().nth(line as usize - 1).unwrap();
        if code == "HRM002" {
            assert!(
                l.starts_with("+ "),
                "{file}:{line} is not an invocation: {l}"
            );
        } else if host != "-" && !host.contains("crates.io") && !host.contains("pythonhosted") {
            assert!(l.contains(&host), "{file}:{line} does not name {host}: {l}");
        }
    }
}

#[test]
fn every_with_log_has_its_findings_at_the_right_lines() {
    let with = logs("with");
    assert!(with.len() >= 5, "{with:?}");
    let mut args = vec!["hermetic", "check"];
    args.extend(with.iter().map(String::as_str));
    let (v, code, _) = json_of(&args);
    assert_eq!(code, 1, "network use denies");
    assert_eq!(findings(&v), expected());
    for l in v["data"]["logs"].as_array().unwrap() {
        assert!(
            !l["findings"].as_array().unwrap().is_empty(),
            "{}",
            l["path"]
        );
        assert_eq!(l["recognised"], true);
    }
}

#[test]
fn every_without_log_passes_with_no_findings() {
    let without = logs("without");
    assert_eq!(without.len(), logs("with").len());
    for log in &without {
        let (v, code, stderr) = json_of(&["hermetic", "check", log]);
        assert_eq!(code, 0, "{log}: {stderr}");
        assert!(findings(&v).is_empty(), "{log}: {:?}", findings(&v));
        assert_eq!(v["data"]["logs"][0]["recognised"], true, "{log}");
    }
}

#[test]
fn check_human_output() {
    let out = tollgate()
        .args([
            "hermetic",
            "check",
            "testdata/hermetic/cargo-with.log",
            "testdata/hermetic/cargo-without.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn findings_appear_in_every_output_format() {
    let log = "testdata/hermetic/pip-with.log";
    for (format, needles) in [
        (
            "sarif",
            vec![
                "\"ruleId\": \"HRM001\"",
                "\"startLine\": 5",
                "\"ruleId\": \"HRM002\"",
            ],
        ),
        ("junit", vec!["HRM001", "pip-with.log:5"]),
        (
            "github",
            vec![
                "::error file=testdata/hermetic/pip-with.log,line=5",
                "HRM001",
            ],
        ),
        ("markdown", vec!["HRM001", "files.pythonhosted.org"]),
        ("human", vec!["error[HRM001] 5:1", "pip-with.log:5"]),
    ] {
        let out = tollgate()
            .args(["--format", format, "hermetic", "check", log])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        for n in needles {
            assert!(text.contains(n), "{format}: no {n:?} in\n{text}");
        }
    }
}

#[test]
fn allowed_hosts_become_notes() {
    let (v, code, _) = json_of(&[
        "hermetic",
        "check",
        "--allow-host",
        "*.debian.org",
        "testdata/hermetic/apt-with.log",
    ]);
    let f = findings(&v);
    assert!(f.contains(&(
        "apt-with.log".into(),
        2,
        "HRM006".into(),
        "deb.debian.org".into()
    )));
    // `apt-get update` names no host, and the install is not --no-download: still denied.
    assert!(f.contains(&("apt-with.log".into(), 1, "HRM001".into(), "-".into())));
    assert_eq!(code, 1);
    let (_, code, _) = json_of(&[
        "hermetic",
        "check",
        "--allow-host",
        "*.npmjs.org",
        "--command",
        "npm ci --offline",
        "testdata/hermetic/npm-without.log",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn invocations_given_with_command() {
    let (_, code, _) = json_of(&["hermetic", "check", "--command", "cargo build --frozen"]);
    assert_eq!(code, 0);
    let (v, code, _) = json_of(&["hermetic", "check", "--command", "docker build -t app ."]);
    assert_eq!(code, 1);
    assert!(
        v["diagnostics"].to_string().contains("--network=none"),
        "{v}"
    );
    // A command with no known build tool gets no verdict, as an unrecognised log does.
    let out = tollgate()
        .args(["hermetic", "check", "--command", "make all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("HRM003") && stdout.contains("no verdict"),
        "{stdout}"
    );
    let (v, code, stderr) = json_of(&["hermetic", "check", "--command", "make all"]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(v["subjects"][0]["kind"], "unrecognised command");
}

/// Logs that looked clean to a prefix test for loopback, to "any offline flag present", or
/// to a reader of only the text after the last `\r`: each is denied, at the right line.
#[test]
fn lookalike_loopback_overridden_flags_and_redrawn_lines_are_denied() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, u32, &str)] = &[
        (
            "loopback.log",
            "+ cargo build --offline\n+ curl http://127.evil.com/x\n",
            2,
            "HRM001",
        ),
        (
            "loopback2.log",
            "+ cargo build --offline\n+ curl http://127.0.0.1.evil.com/x\n",
            2,
            "HRM001",
        ),
        ("npm.log", "+ npm install --offline=false\n", 1, "HRM002"),
        (
            "go.log",
            "+ go build -mod=vendor -mod=mod ./...\n",
            1,
            "HRM002",
        ),
        (
            "goflags.log",
            "+ GOFLAGS=-mod=vendor go build -mod=mod ./...\n",
            1,
            "HRM002",
        ),
        (
            "docker.log",
            "+ docker build --network=none --network=default .\n",
            1,
            "HRM002",
        ),
        (
            "cr.log",
            "+ curl https://evil.com/x\r+ cargo build --offline\n",
            1,
            "HRM001",
        ),
        (
            "pipcr.log",
            "Collecting six==1.16.0\n  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)\r     |################| 11 kB 2.0 MB/s\nSuccessfully installed six-1.16.0\n",
            2,
            "HRM001",
        ),
    ];
    for (name, text, line, code) in cases {
        let p = write(dir.path(), name, text);
        let (v, exit, stderr) = json_of(&["hermetic", "check", p.to_str().unwrap()]);
        assert_eq!(exit, 1, "{name}: {stderr} {v}");
        let got: Vec<_> = findings(&v).into_iter().map(|f| (f.1, f.2)).collect();
        assert_eq!(got, vec![(*line, code.to_string())], "{name}");
    }
}

#[test]
fn unrecognised_log_is_no_verdict_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "notes.log", "hello\nthis is not a build log\n");
    let out = tollgate()
        .args([
            "hermetic",
            "check",
            p.to_str().unwrap(),
            "testdata/hermetic/cargo-without.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("HRM003") && stdout.contains("no verdict"),
        "{stdout}"
    );
}

#[test]
fn rules_file_adds_a_tool_and_bad_rules_are_one_line_at_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "rules.yaml",
        "version: 1\ntools:\n  - name: sbt\n    recognise: ['^\\[info\\] welcome to sbt']\n    network:\n      - pattern: '^\\[info\\] downloading (?P<url>https?://\\S+)'\n",
    );
    let log = write(
        dir.path(),
        "sbt.log",
        "[info] welcome to sbt 1.9.7\n[info] downloading https://repo1.maven.org/maven2/a.jar\n[success] done\n",
    );
    let (v, code, _) = json_of(&[
        "hermetic",
        "check",
        "--rules",
        rules.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["data"]["logs"][0]["tools"][0], "sbt");
    assert_eq!(v["data"]["logs"][0]["findings"][0]["line"], 2);
    assert_eq!(
        v["data"]["logs"][0]["findings"][0]["host"],
        "repo1.maven.org"
    );

    let bad = write(
        dir.path(),
        "bad.yaml",
        "version: 1\ntools:\n  - name: sbt\n    network:\n      - pattern: 'x(['\n",
    );
    let out = tollgate()
        .args([
            "hermetic",
            "check",
            "--rules",
            bad.to_str().unwrap(),
            log.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("HRM004") && stderr.contains("bad.yaml:5:18"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn compose_builds_need_the_compose_files_to_show_no_network() {
    let log = testdata("hermetic-compose/build.log");
    let log = log.to_str().unwrap();
    let compose = testdata("hermetic-compose/compose.yaml");
    let tools = testdata("hermetic-compose/tools.yaml");
    // The log alone cannot show a compose build's network: a finding that says what to pass.
    let (v, code, _) = json_of(&["hermetic", "check", log]);
    assert_eq!(code, 1);
    let f = &v["data"]["logs"][0]["findings"];
    assert_eq!(f.as_array().unwrap().len(), 1, "{f}");
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["kind"].as_str()),
        (Some(1), Some("network-not-disabled"))
    );
    assert!(
        v["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("--compose FILE"),
        "{v}"
    );
    // With its compose file (every building service has network: none) it passes.
    let (v, code, _) = json_of(&[
        "hermetic",
        "check",
        "--compose",
        compose.to_str().unwrap(),
        log,
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["data"]["compose"][0]["building"],
        serde_json::json!(["app"])
    );
    // A second file with a building service on the default network denies, naming it.
    let (v, code, _) = json_of(&[
        "hermetic",
        "check",
        "--compose",
        compose.to_str().unwrap(),
        "--compose",
        tools.to_str().unwrap(),
        log,
    ]);
    assert_eq!(code, 1);
    assert!(
        v["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .ends_with("tools.yaml: lint"),
        "{v}"
    );
    // A malformed compose file is bad input: one line with its position.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "compose.yaml", "services:\n  app: [unclosed\n");
    let out = tollgate()
        .args(["hermetic", "check", "--compose", bad.to_str().unwrap(), log])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("compose.yaml:"), "{stderr}");
}

// ------------------------------------------------------------------ hermetic run

/// Whether `hermetic run` can isolate here; prints why not, so skipped tests are visible.
fn isolation_works() -> bool {
    let out = tollgate()
        .args(["hermetic", "run", "--", "true"])
        .output()
        .unwrap();
    if out.status.code() == Some(0) {
        return true;
    }
    eprintln!(
        "SKIP: network namespaces are not available here: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

fn curl_available() -> bool {
    let ok = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIP: curl is not installed");
    }
    ok
}

/// A one-request-at-a-time HTTP server on 127.0.0.1 (outside any namespace).
fn serve() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        }
    });
    port
}

#[test]
fn curl_to_a_local_server_fails_inside_and_works_outside() {
    if !isolation_works() || !curl_available() {
        return;
    }
    let port = serve();
    let url = format!("http://127.0.0.1:{port}/");
    let outside = std::process::Command::new("curl")
        .args(["-sS", "-m", "10", &url])
        .output()
        .unwrap();
    assert!(outside.status.success(), "{outside:?}");
    assert_eq!(outside.stdout, b"hello");
    let inside = tollgate()
        .args(["hermetic", "run", "--", "curl", "-sS", "-m", "10", &url])
        .output()
        .unwrap();
    // curl's own exit code comes back: 7, "failed to connect".
    assert_eq!(inside.status.code(), Some(7), "{inside:?}");
    assert!(inside.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&inside.stderr);
    assert!(stderr.contains("interfaces=lo"), "{stderr}");
    assert!(stderr.contains("HRM008"), "{stderr}");
}

#[test]
fn exit_code_and_output_pass_through() {
    if !isolation_works() {
        return;
    }
    let out = tollgate()
        .args([
            "hermetic",
            "run",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(out.stdout, b"out\n");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("err\n"));
}

#[test]
fn run_report_goes_to_stderr_or_output_in_every_format() {
    if !isolation_works() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // Without --output: the command's stdout is untouched, the report follows on stderr.
    let out = tollgate()
        .args(["hermetic", "run", "--", "sh", "-c", "echo built"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"built\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("PASS hermetic run") && stderr.contains("isolated command"),
        "{stderr}"
    );
    // With --output: the same model in every format, written atomically; stdout still streams.
    for format in ["json", "sarif", "junit", "github", "markdown", "human"] {
        let file = d.join(format!("run.{format}"));
        let out = tollgate()
            .args(["--format", format, "--output"])
            .arg(&file)
            .args(["hermetic", "run", "--", "sh", "-c", "echo out; exit 5"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(5),
            "{format}: the command's exit code"
        );
        assert_eq!(out.stdout, b"out\n", "{format}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("HRM008"), "{format}: {text}");
        if format == "json" {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["command"], "hermetic run");
            assert_eq!(v["verdict"], "deny");
            assert_eq!(v["data"]["exitCode"], 5);
            assert_eq!(v["data"]["ran"], true);
            assert_eq!(
                v["data"]["isolation"]["interfaces"],
                serde_json::json!(["lo"])
            );
            assert_eq!(v["subjects"][0]["path"], "sh -c 'echo out; exit 5'");
            assert_eq!(v["subjects"][0]["facts"]["exit code"], 5);
            assert!(v["subjects"][0]["facts"]["duration"].is_string());
            assert_eq!(v["data"]["attestation"], Value::Null);
        }
    }
    // A passing run with an attestation names it in the report.
    tollgate()
        .args(["key", "generate", "--out-prefix"])
        .arg(d.join("k"))
        .assert()
        .success();
    let out = tollgate()
        .current_dir(d)
        .args([
            "--format",
            "json",
            "--output",
            "run.json",
            "hermetic",
            "run",
            "--attest",
            "att.json",
            "--key",
            "k.key",
            "--artifact",
            "*.bin",
            "--",
            "sh",
            "-c",
            "printf x > a.bin",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: Value = serde_json::from_slice(&std::fs::read(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["data"]["attestation"], "att.json");
    assert_eq!(v["data"]["artifacts"][0]["name"], "a.bin");
    assert_eq!(v["subjects"][0]["facts"]["attestation"], "att.json");
    // Artifacts that were not built: no statement, HRM009, exit 2, whatever the command did.
    let out = tollgate()
        .current_dir(d)
        .args([
            "--format",
            "json",
            "--output",
            "run2.json",
            "hermetic",
            "run",
            "--attest",
            "att2.json",
            "--key",
            "k.key",
            "--artifact",
            "*.nothing",
            "--",
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HRM009"), "{stderr}");
    assert!(!d.join("att2.json").exists());
    let v: Value = serde_json::from_slice(&std::fs::read(d.join("run2.json")).unwrap()).unwrap();
    assert_eq!(v["verdict"], "error");
}

#[test]
fn offline_build_is_attested_and_the_attestation_verifies() {
    if !isolation_works() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let prefix = d.join("k");
    tollgate()
        .args(["key", "generate", "--out-prefix", prefix.to_str().unwrap()])
        .assert()
        .success();
    let att = d.join("run.intoto.json");
    let out = tollgate()
        .current_dir(d)
        .env("BUILD_FLAVOUR", "offline")
        .args([
            "hermetic",
            "run",
            "--attest",
            att.to_str().unwrap(),
            "--key",
            "k.key",
            "--artifact",
            "out/*.txt",
            "--record-env",
            "BUILD_FLAVOUR",
            "--",
            "sh",
            "-c",
            "mkdir -p out && printf built >out/app.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let env: Value = serde_json::from_slice(&std::fs::read(&att).unwrap()).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    let verify = |artifact: &Path| {
        tollgate()
            .args([
                "--format",
                "json",
                "hermetic",
                "verify",
                att.to_str().unwrap(),
                "--key",
            ])
            .arg(d.join("k.pub"))
            .arg("--artifact")
            .arg(artifact)
            .output()
            .unwrap()
    };
    let ok = verify(&d.join("out/app.txt"));
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let v: Value = serde_json::from_slice(&ok.stdout).unwrap();
    let st = &v["data"]["statement"];
    assert_eq!(
        st["predicateType"],
        "https://tollgate.dev/attestation/hermetic-run/v1"
    );
    assert_eq!(st["subject"][0]["name"], "out/app.txt");
    assert_eq!(st["subject"][0]["digest"]["sha256"], sha256_hex(b"built"));
    assert_eq!(st["predicate"]["exitCode"], 0);
    assert_eq!(st["predicate"]["environment"]["BUILD_FLAVOUR"], "offline");
    assert_eq!(st["predicate"]["command"][0], "sh");
    assert_eq!(
        st["predicate"]["isolation"]["interfaces"],
        serde_json::json!(["lo"])
    );
    assert!(
        st["predicate"]["startedOn"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    // A changed artifact is not what was attested; another key does not verify.
    std::fs::write(d.join("out/app.txt"), "tampered").unwrap();
    assert_eq!(verify(&d.join("out/app.txt")).status.code(), Some(1));
    tollgate()
        .args([
            "key",
            "generate",
            "--out-prefix",
            d.join("other").to_str().unwrap(),
        ])
        .assert()
        .success();
    let out = tollgate()
        .args(["hermetic", "verify", att.to_str().unwrap(), "--key"])
        .arg(d.join("other.pub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// The statement and the report a run writes are not what it built: a second run with both
/// inside the artifact glob attests the same subjects as the first.
#[test]
fn own_outputs_are_not_subjects() {
    if !isolation_works() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tollgate()
        .current_dir(d)
        .args(["key", "generate", "--out-prefix", "k"])
        .assert()
        .success();
    let subjects = || {
        tollgate()
            .current_dir(d)
            .args(["--format", "json", "--output", "dist/report.json"])
            .args([
                "hermetic",
                "run",
                "--attest",
                "dist/app.intoto.json",
                "--key",
                "k.key",
            ])
            .args([
                "--artifact",
                "dist/*",
                "--",
                "sh",
                "-c",
                "mkdir -p dist && echo app >dist/app",
            ])
            .assert()
            .code(0);
        let report: Value =
            serde_json::from_slice(&std::fs::read(d.join("dist/report.json")).unwrap()).unwrap();
        report["data"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(subjects(), ["dist/app"]);
    assert_eq!(subjects(), ["dist/app"]);
}

#[test]
fn failed_command_is_attested_but_does_not_verify_clean() {
    if !isolation_works() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tollgate()
        .args([
            "key",
            "generate",
            "--out-prefix",
            d.join("k").to_str().unwrap(),
        ])
        .assert()
        .success();
    write(d, "a.txt", "x");
    let out = tollgate()
        .current_dir(d)
        .args([
            "hermetic",
            "run",
            "--attest",
            "att.json",
            "--key",
            "k.key",
            "--artifact",
            "a.txt",
            "--",
            "sh",
            "-c",
            "exit 4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let out = tollgate()
        .args(["hermetic", "verify"])
        .arg(d.join("att.json"))
        .arg("--key")
        .arg(d.join("k.pub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("HRM008"));
}

#[test]
fn no_isolation_means_the_command_never_runs() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    // No unshare or bwrap on PATH: fail closed, exit 2, one line saying why.
    let out = tollgate()
        .env("PATH", dir.path())
        .args(["hermetic", "run", "--", "/usr/bin/touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("HRM005") && stderr.contains("not run"),
        "{stderr}"
    );
    assert!(!marker.exists(), "the command ran without isolation");
    // With --output the report says why nothing ran; still one line on stderr, exit 2.
    let report = dir.path().join("report.json");
    let out = tollgate()
        .env("PATH", dir.path())
        .args(["--format", "json", "--output"])
        .arg(&report)
        .args(["hermetic", "run", "--", "/usr/bin/touch"])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    assert!(!marker.exists(), "the command ran without isolation");
    let v: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(v["verdict"], "error");
    assert_eq!(v["data"]["ran"], false);
    assert_eq!(v["diagnostics"][0]["code"], "HRM005");
    // Asking for --attest without artifacts is refused before anything runs.
    let out = tollgate()
        .args([
            "hermetic",
            "run",
            "--attest",
            "x.json",
            "--key",
            "k.key",
            "--",
            "/usr/bin/touch",
        ])
        .arg(&marker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists());
}

// ------------------------------------------------------------------ repro

fn repro_run(fixture: &str, extra: &[&str]) -> (Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("repro.json");
    let src = format!("testdata/repro/{fixture}");
    let mut args = vec![
        "repro",
        "run",
        "--source",
        &src,
        "--artifact",
        "out/**",
        "--report",
    ];
    let r = report.to_str().unwrap().to_string();
    args.push(&r);
    args.extend(extra);
    args.extend(["--", "sh", "build.sh"]);
    let (v, code, stderr) = json_of(&args);
    assert!(stderr.contains("build 2 of 2"), "{stderr}");
    let file: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(file, v["data"], "the report file is the JSON report's data");
    (v, code)
}

#[test]
fn repro_run_finds_the_unreproducible_artifacts() {
    let (v, code) = repro_run("unreproducible", &[]);
    assert_eq!(code, 1);
    let d = &v["data"];
    assert_eq!(d["ratio"], 0.5);
    assert_eq!(
        (d["identical"].as_u64(), d["different"].as_u64()),
        (Some(2), Some(2))
    );
    let diff: Vec<&str> = d["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "different")
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(diff, ["out/buildpath.txt", "out/timestamp.txt"]);
    assert_eq!(d["schema"], "https://tollgate.dev/repro-report/v1");
    assert_eq!(d["variations"][1]["env"]["TZ"], "GMT-14");
    assert!(v["diagnostics"].to_string().contains("REP005"));
    // The ratio is what a reviewed lower bar accepts.
    let (_, code) = repro_run("unreproducible", &["--min-ratio", "0.5"]);
    assert_eq!(code, 0);
}

#[test]
fn repro_run_reproducible_fixture_is_ratio_one() {
    let (v, code) = repro_run("reproducible", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["data"]["ratio"], 1.0);
    assert_eq!(v["data"]["total"], 3);
    assert_eq!(v["data"]["reproducible"], true);
}

#[test]
fn repro_compare_directories() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(a.path(), "same.bin", "1");
    write(b.path(), "same.bin", "1");
    write(a.path(), "app.bin", "a");
    write(b.path(), "app.bin", "b");
    write(a.path(), "extra.txt", "");
    let (v, code, _) = json_of(&[
        "repro",
        "compare",
        a.path().to_str().unwrap(),
        b.path().to_str().unwrap(),
        "--no-diffoscope",
    ]);
    assert_eq!(code, 1);
    let st: Vec<(String, String)> = v["data"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().into(),
                a["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        st,
        [
            ("app.bin".into(), "different".into()),
            ("extra.txt".into(), "missing".into()),
            ("same.bin".into(), "identical".into())
        ]
    );
    assert!((v["data"]["ratio"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    // Nothing to compare, or not a directory: exit 2.
    let e = tempfile::tempdir().unwrap();
    let (_, code, _) = json_of(&[
        "repro",
        "compare",
        e.path().to_str().unwrap(),
        e.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    // Two files are one artifact.
    let (v, code, _) = json_of(&[
        "repro",
        "compare",
        "--no-diffoscope",
        "Cargo.toml",
        "Cargo.toml",
    ]);
    assert_eq!((code, v["data"]["ratio"].as_f64()), (0, Some(1.0)));
    let out = tollgate()
        .args(["repro", "compare", "Cargo.toml", "src"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml"));
    let out = tollgate()
        .args(["repro", "compare", "src", "src", "--min-ratio", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Write a file, making its directories.
fn put(dir: &Path, name: &str, content: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn statuses(v: &Value) -> Vec<(String, String)> {
    v["data"]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().into(),
                a["status"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn repro_compare_a_directory_with_a_sha256sum_list() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(d, "mine/app.tgz", "a");
    put(d, "mine/lib.so", "same");
    put(d, "mine/notes.txt", "n");
    // The other build: only its SHA256SUMS is here (as upstream publishes it).
    let sums = format!(
        "{}  ./app.tgz\n{} *lib.so\n{}  only-theirs.bin\n",
        sha256_hex(b"b"),
        sha256_hex(b"same"),
        sha256_hex(b"x")
    );
    put(d, "theirs/SHA256SUMS", &sums);
    let mine = d.join("mine");
    let list = d.join("theirs/SHA256SUMS");
    let (v, code, stderr) = json_of(&[
        "repro",
        "compare",
        mine.to_str().unwrap(),
        "--list-b",
        list.to_str().unwrap(),
        "--no-diffoscope",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("app.tgz", "different"),
            ("lib.so", "identical"),
            ("notes.txt", "missing"),
            ("only-theirs.bin", "missing"),
        ])
    );
    assert_eq!(v["data"]["ratio"], 0.25);
    assert_eq!(v["data"]["inputs"][1]["kind"], "artifact list (sha256sum)");
    assert_eq!(v["data"]["inputs"][0]["kind"], "build directory");
    assert_eq!(v["data"]["artifacts"][0]["sha256"][1], sha256_hex(b"b"));
    let codes = v["diagnostics"].to_string();
    assert!(codes.contains("REP001") && codes.contains("REP002") && codes.contains("REP005"));
    // The list may come first too; the same result from the other side.
    let (v2, code, _) = json_of(&[
        "repro",
        "compare",
        "--list-a",
        list.to_str().unwrap(),
        mine.to_str().unwrap(),
        "--no-diffoscope",
    ]);
    assert_eq!((code, &v2["data"]["ratio"]), (1, &v["data"]["ratio"]));
    // One file against a list: only that artifact is compared.
    for (file, want) in [("lib.so", (0, "identical")), ("app.tgz", (1, "different"))] {
        let (v, code, _) = json_of(&[
            "repro",
            "compare",
            "--list-a",
            list.to_str().unwrap(),
            mine.join(file).to_str().unwrap(),
            "--no-diffoscope",
        ]);
        assert_eq!(statuses(&v), pairs(&[(file, want.1)]), "{v}");
        assert_eq!(code, want.0);
    }
    // sha256sum's own output, made here when coreutils is installed, is read as written.
    let made = std::process::Command::new("sh")
        .arg("-c")
        .arg("sha256sum app.tgz lib.so notes.txt > ../mine.sha256")
        .current_dir(&mine)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let (v, code, _) = json_of(&[
            "repro",
            "compare",
            "--list-a",
            d.join("mine.sha256").to_str().unwrap(),
            mine.to_str().unwrap(),
            "--no-diffoscope",
        ]);
        assert_eq!((code, v["data"]["ratio"].as_f64()), (0, Some(1.0)), "{v}");
    } else {
        eprintln!("SKIP: sha256sum is not installed");
    }
}

#[test]
fn repro_compare_two_lists_sha256sum_and_provenance() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(
        d,
        "SHA256SUMS",
        &format!(
            "{}  dist/app.tgz\n{}  dist/app.sbom.json\n",
            sha256_hex(b"app"),
            sha256_hex(b"sbom")
        ),
    );
    // SLSA provenance names its subjects by file name only.
    let st = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "app.tgz", "digest": {"sha256": sha256_hex(b"app")}},
            {"name": "app.sbom.json", "digest": {"sha256": sha256_hex(b"other")}}
        ],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {}
    });
    use base64::Engine as _;
    let envelope = serde_json::json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64::engine::general_purpose::STANDARD.encode(st.to_string()),
        "signatures": [{"keyid": "", "sig": "AA=="}]
    });
    put(d, "prov.intoto.jsonl", &format!("{envelope}\n"));
    let (v, code, stderr) = json_of(&[
        "repro",
        "compare",
        "--list-a",
        d.join("SHA256SUMS").to_str().unwrap(),
        "--list-b",
        d.join("prov.intoto.jsonl").to_str().unwrap(),
        "--no-diffoscope",
        "--min-ratio",
        "0.5",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("dist/app.sbom.json", "different"),
            ("dist/app.tgz", "identical")
        ])
    );
    assert_eq!(v["data"]["ratio"], 0.5);
    assert_eq!(v["data"]["inputs"][1]["format"], "in-toto");
    assert_eq!(v["data"]["pairedByFileName"][0]["as"], "dist/app.sbom.json");
    // Every format renders it, and --output holds the same report.
    for format in ["human", "sarif", "junit", "github", "markdown"] {
        let out = d.join(format!("report.{format}"));
        let o = tollgate()
            .args(["--format", format, "--output"])
            .arg(&out)
            .args(["repro", "compare", "--no-diffoscope", "--list-a"])
            .arg(d.join("SHA256SUMS"))
            .arg("--list-b")
            .arg(d.join("prov.intoto.jsonl"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}: {o:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("app.sbom.json"), "{format}: {text}");
    }
}

#[test]
fn repro_compare_bad_lists_are_one_line_naming_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let good = format!("{}  a\n", sha256_hex(b"a"));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "SUMS",
            format!("{good}# comment\nthis is not a checksum line\n"),
            "SUMS:3:1",
        ),
        (
            "SHA1SUMS",
            format!("{good}{}  b\n", &sha256_hex(b"b")[..40]),
            "SHA1SUMS:2:1",
        ),
        (
            "DUP",
            format!("{good}{}  ./a\n", sha256_hex(b"b")),
            "DUP:2:1",
        ),
        ("EMPTY", "\n# nothing here\n".into(), "EMPTY"),
        (
            "prov.json",
            "{\"subject\": [{\"name\": \"a\", \"digest\": {\"sha1\": \"00\"}}]}".into(),
            "prov.json:1:1",
        ),
        ("broken.json", "{\"subject\": [\n".into(), "broken.json:2"),
    ];
    let out_file = d.join("report.json");
    for (name, text, at) in cases {
        put(d, name, &text);
        let o = tollgate()
            .args(["--format", "json", "--output"])
            .arg(&out_file)
            .args(["repro", "compare", "--list-a"])
            .arg(d.join(name))
            .arg("--list-b")
            .arg(d.join(name))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.contains("REP006") && stderr.contains(at) && stderr.contains("hint:"),
            "{name}: {stderr}"
        );
        assert!(!out_file.exists(), "{name}: no report file on bad input");
    }
    // A missing list, a missing side and a side too many are usage errors too.
    let missing = d.join("nope.sha256");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "--list-a".into(),
            missing.display().to_string(),
            "src".into(),
        ],
        vec!["src".into()],
        vec!["--list-a".into(), d.join("SUMS").display().to_string()],
        vec![
            "--list-a".into(),
            d.join("SUMS").display().to_string(),
            "src".into(),
            "tests".into(),
        ],
    ];
    for args in cases {
        let o = tollgate()
            .args(["repro", "compare"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn repro_compare_lists_use_diffoscope_only_on_local_files() {
    let installed = std::process::Command::new("diffoscope")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("SKIP: diffoscope is not installed (scripts/install-repro-tools.sh)");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    put(d, "a/stamp.txt", "built at 1\n");
    put(d, "a/gone.txt", "here\n");
    put(d, "b/stamp.txt", "built at 2\n");
    put(
        d,
        "b/SHA256SUMS",
        &format!(
            "{}  stamp.txt\n{}  gone.txt\n",
            sha256_hex(b"built at 2\n"),
            sha256_hex(b"elsewhere\n")
        ),
    );
    let (v, code, _) = json_of(&[
        "repro",
        "compare",
        d.join("a").to_str().unwrap(),
        "--list-b",
        d.join("b/SHA256SUMS").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let arts = v["data"]["artifacts"].as_array().unwrap();
    assert_eq!(arts[0]["name"], "gone.txt");
    assert!(
        arts[0].get("diffoscope").is_none(),
        "no local copy: no diffoscope"
    );
    let summary = arts[1]["diffoscope"].as_str().unwrap();
    assert!(summary.contains("+built at 2"), "{summary}");
}

// ------------------------------------------------------------------ catalog assertions

const CATALOG: &str = "schema: 1
controls:
  - id: BLD-01
    name: Hermetic build
    evidence: [build/*.log]
    assert:
      - type: hermetic_clean
        allow_hosts: ['*.mirror.example']
  - id: BLD-02
    name: Reproducible build
    evidence: [repro/*.json]
    assert:
      - type: reproducible
        min_ratio: 0.9
";

fn attest_controls(dir: &Path) -> Value {
    let out = tollgate()
        .current_dir(dir)
        .args([
            "--format",
            "json",
            "attest",
            "controls",
            "--catalog",
            "cat.yaml",
        ])
        .args(["--evidence", "ev", "--out", "out", "--no-pdf"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn control_status(v: &Value, id: &str) -> (String, String) {
    let c = v["data"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    (c["status"].as_str().unwrap().to_string(), c.to_string())
}

#[test]
fn catalog_assertions_hermetic_clean_and_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "cat.yaml", CATALOG);
    std::fs::create_dir_all(d.join("ev/build")).unwrap();
    std::fs::create_dir_all(d.join("ev/repro")).unwrap();
    std::fs::copy(
        testdata("hermetic/cargo-without.log"),
        d.join("ev/build/cargo.log"),
    )
    .unwrap();
    let report = d.join("ev/repro/report.json");
    tollgate()
        .args([
            "repro",
            "run",
            "--source",
            "testdata/repro/reproducible",
            "--artifact",
            "out/*",
        ])
        .arg("--report")
        .arg(&report)
        .args(["--", "sh", "build.sh"])
        .assert()
        .success();
    let v = attest_controls(d);
    assert_eq!(
        control_status(&v, "BLD-01").0,
        "pass",
        "{}",
        control_status(&v, "BLD-01").1
    );
    assert_eq!(
        control_status(&v, "BLD-02").0,
        "pass",
        "{}",
        control_status(&v, "BLD-02").1
    );

    // A build that downloaded, and a report below the ratio, fail their controls.
    std::fs::copy(
        testdata("hermetic/cargo-with.log"),
        d.join("ev/build/cargo.log"),
    )
    .unwrap();
    tollgate()
        .args([
            "repro",
            "run",
            "--source",
            "testdata/repro/unreproducible",
            "--artifact",
            "out/*",
        ])
        .arg("--report")
        .arg(&report)
        .args(["--", "sh", "build.sh"])
        .assert()
        .code(1);
    let v = attest_controls(d);
    let (st, c) = control_status(&v, "BLD-01");
    assert_eq!(st, "fail");
    assert!(c.contains("cargo.log:6: HRM001 index.crates.io"), "{c}");
    let (st, c) = control_status(&v, "BLD-02");
    assert_eq!(st, "fail");
    assert!(c.contains("ratio 0.5000 is below 0.9"), "{c}");

    // Parameters are validated before anything runs.
    write(
        d,
        "cat.yaml",
        CATALOG.replace("min_ratio: 0.9", "min_ratio: 2"),
    );
    let out = tollgate()
        .current_dir(d)
        .args([
            "attest",
            "controls",
            "--catalog",
            "cat.yaml",
            "--evidence",
            "ev",
            "--out",
            "out2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("min_ratio"));
}

#[test]
fn diffoscope_summarises_differences_when_installed() {
    let installed = std::process::Command::new("diffoscope")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("SKIP: diffoscope is not installed (scripts/install-repro-tools.sh)");
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(a.path(), "stamp.txt", "built at 1\n");
    write(b.path(), "stamp.txt", "built at 2\n");
    let (v, code, _) = json_of(&[
        "repro",
        "compare",
        a.path().to_str().unwrap(),
        b.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["data"]["diffoscope"], true);
    let summary = v["data"]["artifacts"][0]["diffoscope"].as_str().unwrap();
    assert!(
        summary.contains("-built at 1") && summary.contains("+built at 2"),
        "{summary}"
    );
}

#[test]
fn unprivileged_users_get_a_user_namespace() {
    // Needs root to drop to `nobody` (setpriv); elsewhere the test run itself is unprivileged
    // and the other hermetic run tests cover the user-namespace path.
    let root = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"));
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !root || !setpriv || !isolation_works() {
        eprintln!("SKIP: needs root, setpriv and namespaces to test the unprivileged path");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("tollgate");
    std::fs::copy(assert_cmd::cargo::cargo_bin!("tollgate"), &bin).unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args([
            "hermetic",
            "run",
            "--",
            "sh",
            "-c",
            "tail -n +3 /proc/net/dev | cut -d: -f1",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(2) && stderr.contains("HRM005") {
        // Unprivileged user namespaces are disabled here: failing closed is the right answer.
        eprintln!("SKIP: unprivileged user namespaces are not allowed here: {stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "lo");
    assert!(
        stderr.contains("unshare --user --map-root-user --net"),
        "{stderr}"
    );
}
