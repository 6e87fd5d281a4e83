//! What a control evaluation concludes: the Control Attestation predicate
//! (`https://tollgate.dev/attestation/controls/v1`), carried in an in-toto Statement v1 whose
//! subjects are the evidence files. Every rendering (JSON, CSV, Markdown, HTML, PDF, VSA, OSCAL)
//! is made from these types; nothing else.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// predicateType of tollgate's Control Attestation.
pub const PREDICATE_TYPE: &str = "https://tollgate.dev/attestation/controls/v1";

/// Outcome of one control or assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Failed, but an approved, unexpired waiver covers it. Never counted as passed.
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlsPredicate {
    /// `pass` when every required control passed or is waived, else `fail`.
    pub verdict: String,
    /// `--now`, RFC 3339.
    pub generated_at: String,
    pub tool: Tool,
    #[serde(default, skip_serializing_if = "Release::is_empty")]
    pub release: Release,
    pub catalog: CatalogRef,
    pub summary: Summary,
    pub controls: Vec<ControlResult>,
    /// Every waiver in the waivers file, with whether it applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverRecord>,
    /// Every evidence file any control looked at (sorted by path).
    pub evidence: Vec<EvidenceFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// What is being released (from flags or the CI environment); all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "ref")]
    pub git_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Release {
    pub fn is_empty(&self) -> bool {
        self == &Release::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRef {
    /// As given on the command line.
    pub path: String,
    pub sha256: String,
    pub schema: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub waived: usize,
    /// Failed controls marked `required: false` (reported, do not fail the gate).
    pub failed_optional: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlResult {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Framework → control ids, e.g. `soc2: [CC8.1]`, `iso27001: [A.8.28]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub required: bool,
    pub status: Status,
    /// One sentence: why this status (the first failure, or the waiver).
    pub reason: String,
    /// Evidence files matched by the control's globs (paths relative to the evidence dir).
    pub evidence: Vec<String>,
    pub assertions: Vec<AssertionResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionResult {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: Status,
    pub message: String,
    /// Evidence files this assertion read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// Approved and unexpired: it waives its control if that control failed.
    Active,
    /// Past `expires` (against `--now`): a finding, waives nothing.
    Expired,
    /// No approver, or names no known control: a finding, waives nothing.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaiverRecord {
    pub control: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// Date or time, as written.
    pub expires: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    pub state: WaiverState,
    /// Why it is expired or invalid, or which control it waived.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// Relative to the evidence directory, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// Who signed the attestation, for renderings (the signature itself lives in the envelope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureInfo {
    pub keyid: String,
    pub algorithm: String,
    /// File name of the DSSE envelope next to the statement.
    pub envelope: String,
}

/// Everything a human rendering (Markdown, HTML, PDF) may show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderContext {
    pub predicate: ControlsPredicate,
    /// SHA-256 of `attestation.json` (the statement), so a printout can be matched to it.
    pub statement_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureInfo>,
}
