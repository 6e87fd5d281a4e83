//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A fixed "now" so every output is reproducible.
pub const NOW: &str = "2026-11-23T12:00:00Z";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[allow(dead_code)]
pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// The tollgate binary with a clean, deterministic environment, run from the crate root so
/// paths in output are relative.
pub fn tollgate() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("tollgate"));
    cmd.current_dir(root())
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("TOLLGATE_FORMAT")
        .env_remove("TOLLGATE_NOW")
        .env_remove("TOLLGATE_MAX_INPUT_SIZE")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env("NO_COLOR", "1")
        .args(["--now", NOW, "--color", "never"]);
    cmd
}

/// Where the third-party conformance corpus lives (`TOLLGATE_CONFORMANCE`, default
/// `../shared/conformance`). `None` when it is not present on this machine.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TOLLGATE_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/conformance"));
    dir.is_dir().then_some(dir)
}

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

pub const MINIMAL_CDX: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,"metadata":{"timestamp":"2026-01-01T00:00:00Z"},"components":[{"type":"library","bom-ref":"pkg:cargo/serde@1.0.0","name":"serde","version":"1.0.0","purl":"pkg:cargo/serde@1.0.0"}],"dependencies":[{"ref":"pkg:cargo/serde@1.0.0","dependsOn":[]}]}"#;

/// The diagnostic codes of a JSON report, in report order (none when it is not a report).
#[allow(dead_code)]
pub fn diag_codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}
