//! Verifying one Sigstore bundle (v0.1–v0.3, `messageSignature` or `dsseEnvelope`) against a
//! prepared trusted root and a key or identity policy, with every failure mapped to a `SIGnnn`
//! code.

use super::diags as sig;
use super::identity::{Claims, IdentityPolicy};
use crate::attest::verify::Rejection;
use crate::report::CodeInfo;
use serde::Serialize;
use serde_json::Value;
use sigstore_verify::types::{Artifact, ArtifactDigest, Bundle, DerPublicKey, HashAlgorithm};
use sigstore_verify::{
    CertificateError, Error, PublicKeyVerificationPolicy, TransparencyLogError, VerificationPolicy,
};

/// The artifact a bundle must describe.
#[derive(Debug, Clone, Copy)]
pub enum ArtifactRef<'a> {
    Bytes(&'a [u8]),
    /// A digest given instead of the file: `sha256` or `sha512` bytes.
    Digest(&'a str, &'a [u8]),
}

/// Who may have signed.
#[derive(Debug, Clone)]
pub enum KeyPolicy {
    /// Keyless: a Fulcio certificate whose claims satisfy the policy.
    Keyless(Box<IdentityPolicy>),
    /// A managed key (bundle with a public-key hint), DER SPKI.
    Key(Vec<u8>),
}

/// What a verified bundle established.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleVerified {
    /// `keyless` or `key`.
    pub method: String,
    /// The certificate identity (SAN), or `key` for managed keys.
    pub signer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<ClaimsOut>,
    /// Authenticated log integration time (Rekor v1), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrated_time: Option<String>,
    /// Verified RFC 3161 / log times, RFC 3339.
    pub verified_times: Vec<String>,
    pub tlog_verified: bool,
    pub certificate_verified: bool,
    pub sct_verified: bool,
    /// What the identity policy matched.
    pub policy: String,
}

/// The GitHub claims of the certificate, for reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
}

fn reject(info: &'static CodeInfo, message: impl Into<String>) -> Rejection {
    Rejection {
        info,
        message: message.into(),
        help: None,
    }
}

/// The `SIGnnn` code of a verification failure.
pub fn code_of(e: &Error) -> &'static CodeInfo {
    // Structural errors found while validating the bundle name the part that is wrong.
    if let Error::Bundle(_) | Error::InvalidBundle(_) | Error::Types(_) = e {
        let m = e.to_string().to_ascii_lowercase();
        return if m.contains("checkpoint") {
            &sig::TLOG_CHECKPOINT
        } else if m.contains("inclusion proof") {
            &sig::TLOG_INCLUSION_PROOF
        } else if m.contains("inclusion promise") || m.contains("signed entry timestamp") {
            &sig::TLOG_PROMISE
        } else if m.contains("certificate") {
            &sig::CERT_CHAIN
        } else {
            &sig::BUNDLE_INVALID
        };
    }
    match e {
        Error::IdentityMismatch { .. } => &sig::IDENTITY_MISMATCH,
        Error::IssuerMismatch { .. } => &sig::ISSUER_MISMATCH,
        Error::SignatureInvalid(_) | Error::Crypto(_) => &sig::SIGNATURE_INVALID,
        Error::ArtifactMismatch(_) | Error::UnsupportedArtifact(_) => &sig::ARTIFACT_MISMATCH,
        Error::Certificate(c) => match c {
            CertificateError::NotYetValid { .. } | CertificateError::Expired { .. } => {
                &sig::CERT_VALIDITY
            }
            CertificateError::Sct(_) => &sig::SCT_INVALID,
            _ => &sig::CERT_CHAIN,
        },
        Error::TransparencyLog(t) => match t {
            TransparencyLogError::UnknownLog { .. } => &sig::TLOG_UNKNOWN,
            TransparencyLogError::InclusionProof(_) => &sig::TLOG_INCLUSION_PROOF,
            TransparencyLogError::Checkpoint(_) => &sig::TLOG_CHECKPOINT,
            TransparencyLogError::InclusionPromise(_) => &sig::TLOG_PROMISE,
            TransparencyLogError::IntegratedTime(_) => &sig::TLOG_TIME,
            _ => &sig::TLOG_ENTRY_MISMATCH,
        },
        Error::Timestamp(_) => &sig::TIMESTAMP_INVALID,
        Error::InvalidTrustRoot(_) | Error::TrustRoot(_) | Error::TrustedCertificate(_) => {
            &sig::TRUST_ROOT_INVALID
        }
        _ => &sig::BUNDLE_INVALID,
    }
}

/// Transparency-log failures whose cause is not altered log evidence, worded for what happened.
/// sigstore-verify reports a promise, checkpoint or log it cannot verify (`SIG013`, `SIG012`,
/// `SIG010`) whenever no usable key of the entry's log is in the trusted root, which reads like
/// altered log evidence. Two causes are told apart:
/// - the root has the log's key, but it was left out because its validity starts after `--now`
///   ([`super::roots::usable_at`]): say so and point at `--now`;
/// - the root does not list the log at all (`tlog_ids` are every log it lists): a bundle of
///   another Sigstore instance, or an out-of-date root — `SIG010`.
///
/// Any other rejection is returned unchanged.
pub fn explain_log_failure(
    r: Rejection,
    bundle: &Value,
    not_yet_valid: &[super::roots::NotYetValid],
    tlog_ids: &[String],
    now: jiff::Timestamp,
) -> Rejection {
    let log_finding = [
        &sig::TLOG_UNKNOWN,
        &sig::TLOG_CHECKPOINT,
        &sig::TLOG_PROMISE,
    ]
    .into_iter()
    .any(|c| std::ptr::eq(c, r.info));
    if !log_finding {
        return r;
    }
    let ids: Vec<&str> = bundle
        .pointer("/verificationMaterial/tlogEntries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.pointer("/logId/keyId").and_then(Value::as_str))
        .collect();
    for id in &ids {
        if let Some(k) = not_yet_valid
            .iter()
            .find(|k| k.list == "tlogs" && k.key_id.as_deref() == Some(*id))
        {
            return Rejection {
                info: r.info,
                message: format!(
                    "no trusted log key was valid at --now {now}: the trusted root's key of log {id} is valid only from {}",
                    k.start
                ),
                help: Some(
                    "check --now: it is earlier than the validity start of the key of the log that holds this bundle's entry, so the entry cannot be verified at that time (the bundle itself may be intact)"
                        .into(),
                ),
            };
        }
    }
    if !ids.is_empty() && ids.iter().all(|id| !tlog_ids.iter().any(|t| t == id)) {
        return Rejection {
            info: &sig::TLOG_UNKNOWN,
            message: format!(
                "the bundle's transparency-log entry is in log {}, which the trusted root does not list ({})",
                ids.join(", "),
                r.message
            ),
            help: Some(sig::TLOG_UNKNOWN.help.to_string()),
        };
    }
    r
}

/// Structural checks the bundle format leaves to clients: a DSSE envelope carries exactly one
/// signature.
pub(crate) fn precheck(v: &Value) -> Result<(), Rejection> {
    if let Some(env) = v.get("dsseEnvelope") {
        let n = env
            .get("signatures")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if n != 1 {
            return Err(reject(
                &sig::BUNDLE_INVALID,
                format!(
                    "the bundle's DSSE envelope has {n} signatures; a Sigstore bundle carries exactly one"
                ),
            ));
        }
    }
    Ok(())
}

/// RFC 3339, whole seconds (sigstore-verify uses jiff 0.2, tollgate jiff 1: go through seconds).
fn ts(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Parse a bundle from its JSON value (already known to be JSON).
pub fn parse_bundle(v: &Value) -> Result<Bundle, Rejection> {
    precheck(v)?;
    let text = serde_json::to_string(v).unwrap_or_default();
    Bundle::from_json(&text).map_err(|e| {
        reject(
            &sig::BUNDLE_INVALID,
            format!("not a valid Sigstore bundle: {e}"),
        )
    })
}

/// Every verified signing time must lie at or before `now` (`--now`): a log integration time
/// after it is `SIG015`, an RFC 3161 time after it `SIG016`. (sigstore-verify compares log
/// times with the system clock; this makes the verdict follow `--now`.)
fn check_times(
    parsed: &Bundle,
    r: &sigstore_verify::VerificationResult,
    now: jiff::Timestamp,
) -> Result<(), Rejection> {
    let logged: Vec<i64> = parsed
        .verification_material
        .tlog_entries
        .iter()
        .filter_map(|e| e.integrated_time.map(|t| t.as_second()))
        .collect();
    for t in r.verified_timestamps() {
        let t = t.as_second();
        if t <= now.as_second() {
            continue;
        }
        return Err(if logged.contains(&t) {
            reject(
                &sig::TLOG_TIME,
                format!(
                    "the log integrated the entry at {}, after --now {now}: an entry cannot be logged in the future",
                    ts(t)
                ),
            )
        } else {
            reject(
                &sig::TIMESTAMP_INVALID,
                format!(
                    "an RFC 3161 timestamp says {}, after --now {now}: a signature cannot be timestamped in the future",
                    ts(t)
                ),
            )
        });
    }
    Ok(())
}

/// Verify `bundle` (its JSON value) over `artifact` with `verifier`'s trusted root, at `now`
/// (`--now`: the verification time every time check uses).
pub fn verify_bundle(
    verifier: &sigstore_verify::Verifier,
    bundle: &Value,
    artifact: ArtifactRef<'_>,
    policy: &KeyPolicy,
    now: jiff::Timestamp,
) -> Result<BundleVerified, Rejection> {
    let parsed = parse_bundle(bundle)?;
    let artifact: Artifact<'_> = match artifact {
        ArtifactRef::Bytes(b) => Artifact::from_blob(b),
        ArtifactRef::Digest(alg, bytes) => {
            let alg = match alg {
                "sha256" => HashAlgorithm::Sha2256,
                "sha512" => HashAlgorithm::Sha2512,
                other => {
                    return Err(reject(
                        &sig::ARTIFACT_MISMATCH,
                        format!("{other} digests cannot be checked against a bundle"),
                    ));
                }
            };
            let d = ArtifactDigest::new(alg, bytes.to_vec())
                .map_err(|e| reject(&sig::ARTIFACT_MISMATCH, e.to_string()))?;
            Artifact::from_digest(d)
        }
    };
    let fail = |e: Error| reject(code_of(&e), e.to_string());
    match policy {
        KeyPolicy::Key(der) => {
            if parsed.signing_certificate().is_some() {
                return Err(reject(
                    &sig::KEY_MISMATCH,
                    "the bundle is signed keyless (it carries a certificate); verify it with an identity policy, not --key",
                ));
            }
            let p = PublicKeyVerificationPolicy::new(DerPublicKey::new(der.clone()));
            let r = verifier.verify(artifact, &parsed, &p).map_err(fail)?;
            check_times(&parsed, &r, now)?;
            Ok(BundleVerified {
                method: "key".into(),
                signer: "key".into(),
                integrated_time: r.integrated_time().map(|t| ts(t.as_second())),
                verified_times: r
                    .verified_timestamps()
                    .iter()
                    .map(|t| ts(t.as_second()))
                    .collect(),
                tlog_verified: r.tlog_verified(),
                policy: "the given public key".into(),
                ..Default::default()
            })
        }
        KeyPolicy::Keyless(idp) => {
            if parsed.signing_certificate().is_none() {
                return Err(reject(
                    &sig::KEY_MISMATCH,
                    "the bundle is signed with a key, not a certificate: pass the signer's public key with --key",
                ));
            }
            let p = VerificationPolicy::any_identity();
            let r = verifier.verify(artifact, &parsed, &p).map_err(fail)?;
            check_times(&parsed, &r, now)?;
            let claims = r
                .certificate()
                .map(Claims::from_certificate)
                .unwrap_or_default();
            let matched = idp.check(&claims).map_err(|f| reject(f.info, f.message))?;
            Ok(BundleVerified {
                method: "keyless".into(),
                signer: claims.san.clone().unwrap_or_default(),
                issuer: claims.issuer.clone(),
                claims: Some(ClaimsOut {
                    repository: claims.repository,
                    git_ref: claims.git_ref,
                    trigger: claims.trigger,
                    sha: claims.sha,
                }),
                integrated_time: r.integrated_time().map(|t| ts(t.as_second())),
                verified_times: r
                    .verified_timestamps()
                    .iter()
                    .map(|t| ts(t.as_second()))
                    .collect(),
                tlog_verified: r.tlog_verified(),
                certificate_verified: r.certificate_verified(),
                sct_verified: r.sct_verified(),
                policy: matched,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::roots::NotYetValid;
    use serde_json::json;

    #[test]
    fn log_key_not_yet_valid_at_now_is_explained() {
        let bundle = json!({"verificationMaterial": {"tlogEntries": [{"logId": {"keyId": "K1"}}]}});
        let left_out = [NotYetValid {
            list: "tlogs",
            key_id: Some("K1".into()),
            start: "2021-01-12T11:53:27Z".into(),
        }];
        let now: jiff::Timestamp = "2020-01-01T00:00:00Z".parse().unwrap();
        let listed = ["K1".to_string(), "K2".to_string()];
        let r = explain_log_failure(
            reject(&sig::TLOG_PROMISE, "invalid inclusion promise"),
            &bundle,
            &left_out,
            &listed,
            now,
        );
        assert_eq!(r.info.code, "SIG013");
        assert!(
            r.message
                .starts_with("no trusted log key was valid at --now 2020-01-01T00:00:00Z"),
            "{}",
            r.message
        );
        assert!(r.message.contains("2021-01-12T11:53:27Z"), "{}", r.message);
        assert!(r.help.unwrap().contains("check --now"));
        // Another log's key left out, another kind of material, or another finding: unchanged.
        for (info, left) in [
            (
                &sig::TLOG_PROMISE,
                NotYetValid {
                    key_id: Some("K2".into()),
                    ..left_out[0].clone()
                },
            ),
            (
                &sig::TLOG_PROMISE,
                NotYetValid {
                    list: "ctlogs",
                    ..left_out[0].clone()
                },
            ),
            (&sig::SIGNATURE_INVALID, left_out[0].clone()),
        ] {
            let r = explain_log_failure(reject(info, "m"), &bundle, &[left], &listed, now);
            assert_eq!((r.message.as_str(), r.help), ("m", None));
        }
    }

    #[test]
    fn log_the_root_does_not_list_is_unknown_log() {
        let bundle = json!({"verificationMaterial": {"tlogEntries": [{"logId": {"keyId": "K1"}}]}});
        let now: jiff::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        for info in [
            &sig::TLOG_PROMISE,
            &sig::TLOG_CHECKPOINT,
            &sig::TLOG_UNKNOWN,
        ] {
            let r = explain_log_failure(reject(info, "why"), &bundle, &[], &["K9".into()], now);
            assert_eq!(r.info.code, "SIG010");
            assert!(
                r.message
                    .contains("in log K1, which the trusted root does not list (why)"),
                "{}",
                r.message
            );
            assert!(r.help.unwrap().contains("--sigstore-instance staging"));
        }
        // A listed log, or another kind of finding: unchanged.
        let r = explain_log_failure(
            reject(&sig::TLOG_PROMISE, "m"),
            &bundle,
            &[],
            &["K1".into()],
            now,
        );
        assert_eq!(r.info.code, "SIG013");
        let r = explain_log_failure(reject(&sig::SIGNATURE_INVALID, "m"), &bundle, &[], &[], now);
        assert_eq!((r.message.as_str(), r.help), ("m", None));
    }
}
