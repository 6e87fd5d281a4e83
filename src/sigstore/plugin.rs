//! The Sigstore verification plugin for `tollgate verify provenance`: keyless (and key-signed
//! with log entries) Sigstore bundles carrying a DSSE envelope.

use super::bundle::{self, ArtifactRef, KeyPolicy};
use super::diags as sig;
use super::identity::IdentityPolicy;
use crate::attest::dsse;
use crate::attest::verify::{Rejection, SignedAttestation, Verified, Verifier};
use serde_json::Value;

/// Verifies keyless Sigstore bundles against a trusted root and an identity policy.
pub struct SigstoreVerifier {
    verifier: sigstore_verify::Verifier,
    policy: IdentityPolicy,
    root: String,
    now: jiff::Timestamp,
    not_yet_valid: Vec<super::roots::NotYetValid>,
    tlog_ids: Vec<String>,
}

impl SigstoreVerifier {
    /// `now` is `--now`, the verification time.
    pub fn new(
        verifier: sigstore_verify::Verifier,
        policy: IdentityPolicy,
        root: String,
        now: jiff::Timestamp,
    ) -> Self {
        SigstoreVerifier {
            verifier,
            policy,
            root,
            now,
            not_yet_valid: Vec::new(),
            tlog_ids: Vec::new(),
        }
    }

    /// What the trusted root left out as not yet valid at `now` and the key ids of all its
    /// transparency logs, to explain log failures ([`bundle::explain_log_failure`]).
    pub fn with_root_logs(
        mut self,
        not_yet_valid: Vec<super::roots::NotYetValid>,
        tlog_ids: Vec<String>,
    ) -> Self {
        self.not_yet_valid = not_yet_valid;
        self.tlog_ids = tlog_ids;
        self
    }
}

/// A digest from the statement's own subjects. The envelope's signature covers the statement,
/// so binding the bundle to one of its subjects proves nothing more and nothing less than the
/// signature does; which artifacts the statement describes is checked afterwards, by the
/// provenance policy, against the real files.
fn self_subject(payload: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    for s in v.get("subject")?.as_array()? {
        let Some(d) = s.get("digest").and_then(Value::as_object) else {
            continue;
        };
        for (alg, len) in [("sha256", 32), ("sha512", 64)] {
            if let Some(bytes) = d
                .get(alg)
                .and_then(Value::as_str)
                .and_then(hex_decode)
                .filter(|b| b.len() == len)
            {
                return Some((alg, bytes));
            }
        }
    }
    None
}

pub(crate) fn hex_decode(h: &str) -> Option<Vec<u8>> {
    if !h.len().is_multiple_of(2) {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Verifier for SigstoreVerifier {
    fn name(&self) -> &'static str {
        "sigstore"
    }

    /// Bundles with a certificate (keyless signing).
    fn supports(&self, attestation: &SignedAttestation) -> bool {
        attestation.bundle.is_some() && attestation.has_certificate()
    }

    fn verify(&self, attestation: &SignedAttestation) -> Result<Verified, Rejection> {
        let Some(b) = &attestation.bundle else {
            return Err(Rejection {
                info: &sig::BUNDLE_INVALID,
                message: "not a Sigstore bundle".into(),
                help: None,
            });
        };
        let payload =
            dsse::decode_base64(&attestation.envelope.payload).ok_or_else(|| Rejection {
                info: &sig::BUNDLE_INVALID,
                message: "the DSSE payload is not valid base64".into(),
                help: None,
            })?;
        let Some((alg, digest)) = self_subject(&payload) else {
            return Err(Rejection {
                info: &sig::BUNDLE_INVALID,
                message:
                    "the signed payload is not an in-toto statement with a sha256 or sha512 subject"
                        .into(),
                help: None,
            });
        };
        let v = bundle::verify_bundle(
            &self.verifier,
            b,
            ArtifactRef::Digest(alg, &digest),
            &KeyPolicy::Keyless(Box::new(self.policy.clone())),
            self.now,
        )
        .map_err(|r| {
            bundle::explain_log_failure(r, b, &self.not_yet_valid, &self.tlog_ids, self.now)
        })?;
        let mut method = format!("sigstore keyless ({}", self.root);
        if let Some(t) = &v.integrated_time {
            method.push_str(&format!(", logged {t}"));
        }
        method.push(')');
        Ok(Verified {
            payload_type: attestation.envelope.payload_type.clone(),
            payload,
            signers: vec![v.signer],
            method,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_hex() {
        assert_eq!(hex_decode("0aFf"), Some(vec![10, 255]));
        assert_eq!(hex_decode("0"), None);
        assert_eq!(hex_decode("zz"), None);
        let p = format!(
            r#"{{"subject":[{{"digest":{{"gitCommit":"ab"}}}},{{"digest":{{"sha256":"{}"}}}}]}}"#,
            "00".repeat(32)
        );
        assert_eq!(self_subject(p.as_bytes()).unwrap().0, "sha256");
        assert!(self_subject(b"[]").is_none());
    }
}
