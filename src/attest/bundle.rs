//! Sigstore bundle v0.3 (protobuf-specs `dev.sigstore.bundle.v1.Bundle`, JSON form) for
//! key-signed DSSE envelopes: the public key is named by a hint, and there is no
//! transparency-log entry, certificate or timestamp. See docs/signing.md for what that proves.

use super::dsse::Envelope;
use serde::{Deserialize, Serialize};

pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    #[serde(rename = "mediaType")]
    pub media_type: String,
    #[serde(rename = "verificationMaterial")]
    pub verification_material: VerificationMaterial,
    #[serde(
        rename = "dsseEnvelope",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub dsse_envelope: Option<Envelope>,
}

/// Only the fields tollgate writes are modelled; `tlogEntries`, `certificate`,
/// `timestampVerificationData` etc. are kept as raw JSON when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationMaterial {
    #[serde(rename = "publicKey", skip_serializing_if = "Option::is_none", default)]
    pub public_key: Option<PublicKeyIdentifier>,
    #[serde(rename = "tlogEntries", skip_serializing_if = "Vec::is_empty", default)]
    pub tlog_entries: Vec<serde_json::Value>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicKeyIdentifier {
    /// Opaque hint naming the verification key; tollgate writes its key id.
    pub hint: String,
}

impl Bundle {
    /// A v0.3 bundle around a key-signed envelope, hinting the key by `keyid`.
    pub fn for_envelope(envelope: Envelope, keyid: &str) -> Self {
        Bundle {
            media_type: MEDIA_TYPE_V03.to_string(),
            verification_material: VerificationMaterial {
                public_key: Some(PublicKeyIdentifier {
                    hint: keyid.to_string(),
                }),
                tlog_entries: Vec::new(),
                other: Default::default(),
            },
            dsse_envelope: Some(envelope),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        let env = Envelope {
            payload: "eA==".into(),
            payload_type: "t".into(),
            signatures: vec![],
        };
        let b = Bundle::for_envelope(env.clone(), "ab12");
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["mediaType"], MEDIA_TYPE_V03);
        assert_eq!(v["verificationMaterial"]["publicKey"]["hint"], "ab12");
        assert!(v["verificationMaterial"].get("tlogEntries").is_none());
        assert_eq!(v["dsseEnvelope"]["payloadType"], "t");
        let back: Bundle = serde_json::from_value(v).unwrap();
        assert_eq!(back, b);
    }
}
