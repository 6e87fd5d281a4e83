//! `index.json`, the first entry of every Evidence Pack, and media-type recognition.

use serde::{Deserialize, Serialize};

pub const INDEX_VERSION: u32 = 1;
/// DSSE payloadType of the signed index (`index.dsse.json`).
pub const INDEX_PAYLOAD_TYPE: &str = "application/vnd.tollgate.evidence-index.v1+json";
pub const MERKLE_ALGORITHM: &str = "rfc9162-sha256";
pub const INDEX_PATH: &str = "index.json";
pub const SIGNATURE_PATH: &str = "index.dsse.json";
pub const ARTIFACT_PREFIX: &str = "artifacts/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Index {
    pub version: u32,
    pub generated_at: String,
    pub release: ReleaseMeta,
    /// Sorted by path.
    pub artifacts: Vec<Artifact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_attestation: Option<ControlMap>,
    pub merkle: Merkle,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseMeta {
    pub org: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Artifact {
    /// Name as given (relative to the evidence directory, or the file name).
    pub name: String,
    /// Path inside the archive (`artifacts/…`).
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
}

/// The control map of the Control Attestation packed with the release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControlMap {
    /// Archive path of the attestation.
    pub path: String,
    pub verdict: String,
    pub controls: Vec<ControlEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControlEntry {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub frameworks: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Merkle {
    /// `rfc9162-sha256`: leaves are SHA-256(0x00 || artifact SHA-256), in `artifacts` order.
    pub algorithm: String,
    pub size: u64,
    pub root: String,
}

impl Index {
    pub fn leaves(&self) -> Option<Vec<super::merkle::Hash>> {
        self.artifacts
            .iter()
            .map(|a| {
                let bytes = hex_decode(&a.sha256)?;
                Some(super::merkle::leaf_hash(&bytes))
            })
            .collect()
    }
}

pub fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Bytes of an artifact's start that [`media_type`] looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Recognise what an artifact is from its file name and first bytes (up to [`SNIFF_BYTES`]).
pub fn media_type(file_name: &str, head: &[u8]) -> String {
    let name = file_name.to_ascii_lowercase();
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let has = |s: &str| memchr::memmem::find(head, s.as_bytes()).is_some();
    let t = if name.ends_with(".pdf") || head.starts_with(b"%PDF-") {
        "application/pdf"
    } else if has("https://tollgate.dev/attestation/controls/v1") && has("\"_type\"") {
        "application/vnd.tollgate.control-attestation+json"
    } else if has("application/vnd.dev.sigstore.bundle") {
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    } else if name.ends_with(".intoto.jsonl") {
        "application/vnd.in-toto+jsonl"
    } else if has("\"payloadType\"") && has("\"signatures\"") {
        "application/vnd.dsse.envelope.v1+json"
    } else if has("\"_type\"") && has("in-toto.io/Statement") {
        "application/vnd.in-toto+json"
    } else if has("\"bomFormat\"") && has("CycloneDX") {
        "application/vnd.cyclonedx+json"
    } else if has("\"spdxVersion\"") || has("SPDXVersion:") {
        "application/spdx+json"
    } else if name.ends_with(".sarif")
        || name.ends_with(".sarif.json")
        || (has("\"runs\"") && has("2.1.0"))
    {
        "application/sarif+json"
    } else if has("\"metrics\"")
        && (has("\"root_group\"") || has("\"state\"") || has("\"thresholds\""))
    {
        "application/vnd.k6.summary+json"
    } else if has("\"totalMonthlyCost\"") && has("\"projects\"") {
        "application/vnd.infracost+json"
    } else if has("https://tollgate.dev/repro-report/v1") {
        "application/vnd.tollgate.repro-report+json"
    } else if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".md") {
        "text/markdown"
    } else if name.ends_with(".html") {
        "text/html"
    } else if name.ends_with(".csv") {
        "text/csv"
    } else {
        "application/octet-stream"
    };
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn recognises_each_kind_of_evidence() {
        let cases: &[(&str, &str, &str)] = &[
            ("report.pdf", "%PDF-1.7", "application/pdf"),
            (
                "attestation.json",
                r#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://tollgate.dev/attestation/controls/v1"}"#,
                "application/vnd.tollgate.control-attestation+json",
            ),
            (
                "x.sigstore.json",
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
                "application/vnd.dev.sigstore.bundle.v0.3+json",
            ),
            ("build.intoto.jsonl", "{}", "application/vnd.in-toto+jsonl"),
            (
                "prov.json",
                r#"{"payloadType":"x","payload":"","signatures":[]}"#,
                "application/vnd.dsse.envelope.v1+json",
            ),
            (
                "stmt.json",
                r#"{"_type":"https://in-toto.io/Statement/v1"}"#,
                "application/vnd.in-toto+json",
            ),
            (
                "bom.json",
                r#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#,
                "application/vnd.cyclonedx+json",
            ),
            (
                "sbom.spdx",
                "SPDXVersion: SPDX-2.3",
                "application/spdx+json",
            ),
            ("scan.sarif", "{}", "application/sarif+json"),
            (
                "k6.json",
                r#"{"metrics":{},"root_group":{}}"#,
                "application/vnd.k6.summary+json",
            ),
            (
                "cost.json",
                r#"{"totalMonthlyCost":"1","projects":[]}"#,
                "application/vnd.infracost+json",
            ),
            (
                "repro.json",
                r#"{"schema":"https://tollgate.dev/repro-report/v1"}"#,
                "application/vnd.tollgate.repro-report+json",
            ),
            ("data.json", "{}", "application/json"),
            ("README.md", "# x", "text/markdown"),
            ("blob.bin", "\0\x01", "application/octet-stream"),
        ];
        for (name, head, want) in cases {
            assert_eq!(media_type(name, head.as_bytes()), *want, "{name}");
        }
    }
}
