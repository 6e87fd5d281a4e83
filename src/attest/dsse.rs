//! DSSE (Dead Simple Signing Envelope) v1: pre-authentication encoding, the JSON envelope,
//! signing and verification. See github.com/secure-systems-lab/dsse (protocol.md, envelope.md).

use super::keys::{PrivateKey, PublicKey};
use crate::report::CodeInfo;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

/// `payloadType` of in-toto statements.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The DSSE JSON envelope. Unknown fields are ignored, as the spec requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the payload bytes (standard alphabet when written; URL-safe also read).
    pub payload: String,
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Key id hint; unset and empty are the same.
    #[serde(default)]
    pub keyid: String,
    /// Base64 of the signature over `PAE(payloadType, payload)`.
    pub sig: String,
}

/// Why an envelope did not verify. Each kind maps to a stable diagnostic code ([`DsseError::info`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsseError {
    #[error("{field} is not valid base64")]
    BadBase64 { field: String },
    #[error("the envelope has no signatures")]
    NoSignatures,
    #[error("no signature verifies with the trusted key(s)")]
    SignatureInvalid,
    #[error("{valid} of the required {threshold} trusted key(s) signed the envelope")]
    ThresholdNotMet { valid: usize, threshold: usize },
}

impl DsseError {
    pub fn info(&self) -> &'static CodeInfo {
        use super::diags;
        match self {
            DsseError::BadBase64 { .. } => &diags::ENVELOPE_ENCODING,
            DsseError::NoSignatures => &diags::NO_SIGNATURES,
            DsseError::SignatureInvalid => &diags::SIGNATURE_INVALID,
            DsseError::ThresholdNotMet { .. } => &diags::SIGNATURE_THRESHOLD,
        }
    }
}

/// A payload whose signatures verified: use these bytes, never re-parse the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPayload {
    pub payload_type: String,
    pub payload: Vec<u8>,
    /// Key ids of the trusted keys that signed, in the order of the trusted key list.
    pub keyids: Vec<String>,
}

/// `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII
/// decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Sign `payload` into an envelope with one signature whose keyid is the key's
/// [`PublicKey::keyid`].
pub fn sign(payload_type: &str, payload: &[u8], key: &PrivateKey) -> Envelope {
    let sig = key.sign(&pae(payload_type, payload));
    Envelope {
        payload: STANDARD.encode(payload),
        payload_type: payload_type.to_string(),
        signatures: vec![Signature {
            keyid: key.public_key().keyid(),
            sig: STANDARD.encode(sig),
        }],
    }
}

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STD_ANY: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
const URL_ANY: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);

/// Decode base64 in the standard or URL-safe alphabet, padded or not (DSSE allows both).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    STD_ANY.decode(s).or_else(|_| URL_ANY.decode(s)).ok()
}

/// Verify an envelope against trusted keys: at least `threshold` distinct keys (minimum 1)
/// must each have a valid signature over `PAE(payloadType, payload)`. Keys are distinct by
/// their public key (PKIX DER), not by key id: the same key given twice under two ids is one
/// signer. A signature with a non-empty `keyid` is only tried against the key with that id;
/// one without a keyid is tried against every key. Never panics on hostile input.
pub fn verify_envelope(
    env: &Envelope,
    keys: &[PublicKey],
    threshold: usize,
) -> Result<VerifiedPayload, DsseError> {
    let threshold = threshold.max(1);
    let payload = decode_base64(&env.payload).ok_or_else(|| DsseError::BadBase64 {
        field: "payload".into(),
    })?;
    if env.signatures.is_empty() {
        return Err(DsseError::NoSignatures);
    }
    let sigs = env
        .signatures
        .iter()
        .enumerate()
        .map(|(i, s)| {
            decode_base64(&s.sig)
                .map(|b| (s.keyid.as_str(), b))
                .ok_or_else(|| DsseError::BadBase64 {
                    field: format!("signatures[{i}].sig"),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let message = pae(&env.payload_type, &payload);
    let mut keyids = Vec::new();
    let mut signers: Vec<&[u8]> = Vec::new();
    for key in keys {
        if signers.contains(&key.der()) {
            continue; // this public key already counted, whatever its id
        }
        let id = key.keyid();
        let signed = sigs
            .iter()
            .filter(|(kid, _)| kid.is_empty() || *kid == id)
            .any(|(_, sig)| key.verify(&message, sig));
        if signed {
            keyids.push(id);
            signers.push(key.der());
        }
    }
    if keyids.is_empty() {
        return Err(DsseError::SignatureInvalid);
    }
    if keyids.len() < threshold {
        return Err(DsseError::ThresholdNotMet {
            valid: keyids.len(),
            threshold,
        });
    }
    Ok(VerifiedPayload {
        payload_type: env.payload_type.clone(),
        payload,
        keyids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::keys::KeyType;
    use std::path::PathBuf;

    #[test]
    fn pae_matches_the_spec_examples() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
        // Lengths are byte counts, not characters.
        assert_eq!(pae("é", "ü".as_bytes()), "DSSEv1 2 é 2 ü".as_bytes());
    }

    fn conformance_dir() -> Option<PathBuf> {
        let dir = std::env::var_os("TOLLGATE_CONFORMANCE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../shared/conformance"
                ))
            })
            .join("dsse");
        dir.is_dir().then_some(dir)
    }

    #[test]
    fn dsse_spec_vector_verifies_and_flipped_payload_fails() {
        let Some(dir) = conformance_dir() else {
            eprintln!("skipping: DSSE conformance vector not present (set TOLLGATE_CONFORMANCE)");
            return;
        };
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let doc = read("test-vector.md");
        assert!(doc.contains(
            std::str::from_utf8(&pae("http://example.com/HelloWorld", b"hello world")).unwrap()
        ));
        let env: Envelope = serde_json::from_str(&read("envelope.json")).unwrap();
        let key = PublicKey::from_pem(&read("public-key.pem")).unwrap();
        let ok = verify_envelope(&env, std::slice::from_ref(&key), 1).unwrap();
        assert_eq!(ok.payload, b"hello world");
        assert_eq!(ok.payload_type, "http://example.com/HelloWorld");
        // The vector's signature is raw r||s, 64 bytes.
        assert_eq!(decode_base64(&env.signatures[0].sig).unwrap().len(), 64);
        let mut bad = env.clone();
        bad.payload = STANDARD.encode(b"hello worle");
        assert_eq!(
            verify_envelope(&bad, &[key], 1),
            Err(DsseError::SignatureInvalid)
        );
    }

    fn key_pair(kind: KeyType) -> (PrivateKey, PublicKey) {
        let k = PrivateKey::generate(kind);
        let p = k.public_key();
        (k, p)
    }

    #[test]
    fn sign_then_verify_p256_and_ed25519() {
        for kind in [KeyType::EcdsaP256, KeyType::Ed25519] {
            let (k, p) = key_pair(kind);
            let env = sign(INTOTO_PAYLOAD_TYPE, b"{\"_type\":\"x\"}", &k);
            assert_eq!(env.signatures[0].keyid, p.keyid());
            let json = serde_json::to_string(&env).unwrap();
            let back: Envelope = serde_json::from_str(&json).unwrap();
            let v = verify_envelope(&back, std::slice::from_ref(&p), 1).unwrap();
            assert_eq!(v.payload, b"{\"_type\":\"x\"}");
            assert_eq!(v.keyids, vec![p.keyid()]);
            // Another key does not verify it.
            let (_, other) = key_pair(kind);
            assert_eq!(
                verify_envelope(&back, &[other], 1),
                Err(DsseError::SignatureInvalid)
            );
        }
    }

    #[test]
    fn error_kinds() {
        let (k, p) = key_pair(KeyType::EcdsaP256);
        let mut env = sign("t", b"x", &k);
        env.signatures.clear();
        assert_eq!(
            verify_envelope(&env, std::slice::from_ref(&p), 1),
            Err(DsseError::NoSignatures)
        );
        let mut env = sign("t", b"x", &k);
        env.payload = "***".into();
        assert!(matches!(
            verify_envelope(&env, std::slice::from_ref(&p), 1),
            Err(DsseError::BadBase64 { .. })
        ));
        let mut env = sign("t", b"x", &k);
        env.signatures[0].sig = "%%%".into();
        assert_eq!(
            verify_envelope(&env, std::slice::from_ref(&p), 1),
            Err(DsseError::BadBase64 {
                field: "signatures[0].sig".into()
            })
        );
        let env = sign("t", b"x", &k);
        assert_eq!(
            verify_envelope(&env, &[p.clone(), p.clone()], 2),
            Err(DsseError::ThresholdNotMet {
                valid: 1,
                threshold: 2
            })
        );
        for e in [
            DsseError::NoSignatures,
            DsseError::SignatureInvalid,
            DsseError::ThresholdNotMet {
                valid: 0,
                threshold: 1,
            },
            DsseError::BadBase64 { field: "x".into() },
        ] {
            assert!(e.info().code.starts_with("ATT"));
        }
    }

    #[test]
    fn threshold_counts_distinct_keys_and_keyless_signatures() {
        let (k1, p1) = key_pair(KeyType::EcdsaP256);
        let (k2, p2) = key_pair(KeyType::Ed25519);
        let mut env = sign("t", b"x", &k1);
        let second = sign("t", b"x", &k2);
        env.signatures.push(second.signatures[0].clone());
        let v = verify_envelope(&env, &[p1.clone(), p2.clone()], 2).unwrap();
        assert_eq!(v.keyids, vec![p1.keyid(), p2.keyid()]);
        // Unset keyid: tried against every key.
        for s in &mut env.signatures {
            s.keyid.clear();
        }
        assert!(verify_envelope(&env, &[p1, p2], 2).is_ok());
    }

    /// One signature does not meet a threshold of 2 because its key was given twice under two
    /// key ids: signers are counted by public key.
    #[test]
    fn the_same_key_under_two_key_ids_is_one_signer() {
        let (k1, p1) = key_pair(KeyType::EcdsaP256);
        let copy = PublicKey::from_pem(&p1.to_pem()).unwrap();
        let keys = [p1.clone().with_keyid("a"), copy.with_keyid("b")];
        let mut env = sign("t", b"x", &k1);
        for kid in ["", "a", "b"] {
            env.signatures[0].keyid = kid.into();
            assert_eq!(
                verify_envelope(&env, &keys, 2),
                Err(DsseError::ThresholdNotMet {
                    valid: 1,
                    threshold: 2
                }),
                "keyid {kid:?}"
            );
            let v = verify_envelope(&env, &keys, 1).unwrap();
            assert_eq!(v.keyids.len(), 1, "keyid {kid:?}");
        }
        // Two signatures by the same key, one per id: still one signer.
        let second = env.signatures[0].clone();
        env.signatures[0].keyid = "a".into();
        env.signatures.push(Signature {
            keyid: "b".into(),
            ..second
        });
        assert!(matches!(
            verify_envelope(&env, &keys, 2),
            Err(DsseError::ThresholdNotMet { valid: 1, .. })
        ));
        // A second, different key does count.
        let (k2, p2) = key_pair(KeyType::Ed25519);
        env.signatures
            .push(sign("t", b"x", &k2).signatures[0].clone());
        let v = verify_envelope(&env, &[keys[0].clone(), keys[1].clone(), p2], 2).unwrap();
        assert_eq!(v.keyids.len(), 2);
    }

    #[test]
    fn url_safe_unpadded_base64_is_read() {
        let (k, p) = key_pair(KeyType::EcdsaP256);
        let mut env = sign("t", b"\xfb\xff payload", &k);
        let raw = decode_base64(&env.payload).unwrap();
        env.payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        assert!(verify_envelope(&env, &[p], 1).is_ok());
    }

    /// Flipping any single byte (every bit pattern tried: xor 0x01 and 0x80 where the result
    /// stays a string) of the payload, payloadType, signature or keyid must make verification
    /// fail, and never panic.
    #[test]
    fn every_single_byte_tamper_fails() {
        for kind in [KeyType::EcdsaP256, KeyType::Ed25519] {
            let (k, p) = key_pair(kind);
            let keys = std::slice::from_ref(&p);
            let env = sign("application/x", b"{\"a\":1}", &k);
            assert!(verify_envelope(&env, keys, 1).is_ok());
            let payload = decode_base64(&env.payload).unwrap();
            let sig = decode_base64(&env.signatures[0].sig).unwrap();
            for mask in [0x01u8, 0x80] {
                for i in 0..payload.len() {
                    let mut t = payload.clone();
                    t[i] ^= mask;
                    let mut e = env.clone();
                    e.payload = STANDARD.encode(&t);
                    assert!(verify_envelope(&e, keys, 1).is_err(), "payload byte {i}");
                }
                for i in 0..sig.len() {
                    let mut t = sig.clone();
                    t[i] ^= mask;
                    let mut e = env.clone();
                    e.signatures[0].sig = STANDARD.encode(&t);
                    assert!(verify_envelope(&e, keys, 1).is_err(), "sig byte {i}");
                }
                for field in 0..4 {
                    let text = match field {
                        0 => &env.payload,
                        1 => &env.signatures[0].sig,
                        2 => &env.signatures[0].keyid,
                        _ => &env.payload_type,
                    };
                    for i in 0..text.len() {
                        let mut b = text.clone().into_bytes();
                        b[i] ^= mask;
                        let Ok(s) = String::from_utf8(b) else {
                            continue;
                        };
                        let mut e = env.clone();
                        match field {
                            0 => e.payload = s,
                            1 => e.signatures[0].sig = s,
                            2 => e.signatures[0].keyid = s,
                            _ => e.payload_type = s,
                        }
                        assert!(
                            verify_envelope(&e, keys, 1).is_err(),
                            "field {field} char {i} mask {mask:#x}"
                        );
                    }
                }
            }
            // Truncated and extended signatures.
            let mut e = env.clone();
            e.signatures[0].sig = STANDARD.encode(&sig[..sig.len() - 1]);
            assert!(verify_envelope(&e, keys, 1).is_err());
            let mut longer = sig.clone();
            longer.push(0);
            e.signatures[0].sig = STANDARD.encode(&longer);
            assert!(verify_envelope(&e, keys, 1).is_err());
        }
    }
}
