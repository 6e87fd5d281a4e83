//! Signing and verification keys.
//!
//! Private keys (signing): ECDSA P-256 (SHA-256), ECDSA P-384 (SHA-384) and Ed25519, read from
//! PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, or the cosign/sigstore password-encrypted
//! formats (see [`super::cosign`]). Generated keys are ECDSA P-256 or Ed25519.
//!
//! Public keys (verification): PKIX `PUBLIC KEY` PEM for ECDSA P-256/P-384, Ed25519 and RSA
//! (≥ 2048 bits; PKCS#1 v1.5 or PSS with SHA-256), plus PKCS#1 `RSA PUBLIC KEY`.
//!
//! Key id: lowercase hex SHA-256 of the public key's PKIX (SubjectPublicKeyInfo) DER, as
//! tollgate encodes it (uncompressed EC points).
//!
//! Secrets never appear in `Debug` output or error messages.

use super::cosign;
use crate::report::CodeInfo;
use pkcs8::der::pem::LineEnding;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::OsRng;
use spki::{DecodePublicKey, EncodePublicKey};
use zeroize::Zeroizing;

/// Why a key could not be used. Messages never contain key material or passwords.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("not a PEM key (no -----BEGIN ...----- block)")]
    NotPem,
    #[error("PEM block {0:?} is not a supported key type")]
    UnsupportedLabel(String),
    #[error("malformed key: {0}")]
    Malformed(String),
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("the private key is encrypted and no password was given")]
    PasswordRequired,
    #[error("cannot decrypt the private key: wrong password, or the key file is corrupted")]
    Decrypt,
    #[error("this is a public key; signing needs the private key")]
    PublicNotPrivate,
    #[error("this is a private key; verification needs the public key")]
    PrivateNotPublic,
}

impl KeyError {
    /// The diagnostic code this error maps to.
    pub fn info(&self) -> &'static CodeInfo {
        match self {
            KeyError::Decrypt | KeyError::PasswordRequired => &super::diags::KEY_DECRYPT_FAILED,
            _ => &super::diags::KEY_UNREADABLE,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            KeyError::PasswordRequired | KeyError::Decrypt => {
                "set TOLLGATE_PASSWORD (or COSIGN_PASSWORD) to the password the key was encrypted with"
            }
            KeyError::PublicNotPrivate => {
                "pass the private key (PREFIX.key); the .pub file is for verification"
            }
            KeyError::PrivateNotPublic => {
                "pass the public key (PREFIX.pub); never hand private keys to verifiers"
            }
            KeyError::Unsupported(_) => {
                "use ECDSA P-256/P-384 or Ed25519 keys (RSA ≥ 2048 bits for verification only)"
            }
            _ => {
                "pass a PEM key as written by `tollgate key generate` or `cosign generate-key-pair`"
            }
        }
    }
}

/// Signature algorithm of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    EcdsaP256Sha256,
    EcdsaP384Sha384,
    Ed25519,
    /// RSA with SHA-256; PKCS#1 v1.5 and PSS signatures are both accepted.
    RsaSha256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Algorithm::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::RsaSha256 => "rsa-sha256",
        }
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Key id of a PKIX DER public key: lowercase hex SHA-256.
pub fn keyid_of_der(der: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(der))
}

#[derive(Clone)]
enum Verifier {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// A public key that verifies signatures.
#[derive(Clone)]
pub struct PublicKey {
    key: Verifier,
    der: Vec<u8>,
    /// A key id other systems named this key by (slsa-verifier's `--public-key-id`, a KMS
    /// URI…); when unset the id is [`keyid_of_der`] of the PKIX DER.
    keyid_override: Option<String>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm().as_str())
            .field("keyid", &self.keyid())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl PublicKey {
    /// Read a PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_der(&der),
            "RSA PUBLIC KEY" => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                let k = rsa::RsaPublicKey::from_pkcs1_der(&der)
                    .map_err(|e| KeyError::Malformed(format!("RSA public key: {e}")))?;
                Self::from_verifier(Verifier::Rsa(k))
            }
            l if l.contains("PRIVATE KEY") => Err(KeyError::PrivateNotPublic),
            l => Err(KeyError::UnsupportedLabel(l.to_string())),
        }
    }

    /// Read a PKIX (SubjectPublicKeyInfo) DER public key.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = spki::SubjectPublicKeyInfoRef::try_from(der)
            .map_err(|e| KeyError::Malformed(format!("public key: {e}")))?;
        let oid = spki.algorithm.oid.to_string();
        let bad = |e: &dyn std::fmt::Display| KeyError::Malformed(format!("public key: {e}"));
        let key = match oid.as_str() {
            OID_EC => match spki.algorithm.parameters_oid().map(|o| o.to_string()) {
                Ok(c) if c == OID_P256 => Verifier::P256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(der).map_err(|e| bad(&e))?,
                ),
                Ok(c) if c == OID_P384 => Verifier::P384(
                    p384::ecdsa::VerifyingKey::from_public_key_der(der).map_err(|e| bad(&e))?,
                ),
                Ok(c) => {
                    return Err(KeyError::Unsupported(format!(
                        "elliptic curve {c} (P-256 and P-384 are supported)"
                    )));
                }
                Err(e) => return Err(bad(&e)),
            },
            OID_ED25519 => Verifier::Ed25519(
                ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(|e| bad(&e))?,
            ),
            OID_RSA => {
                Verifier::Rsa(rsa::RsaPublicKey::from_public_key_der(der).map_err(|e| bad(&e))?)
            }
            other => {
                return Err(KeyError::Unsupported(format!(
                    "public key algorithm {other}"
                )));
            }
        };
        Self::from_verifier(key)
    }

    fn from_verifier(key: Verifier) -> Result<Self, KeyError> {
        let der = match &key {
            Verifier::P256(k) => k.to_public_key_der(),
            Verifier::P384(k) => k.to_public_key_der(),
            Verifier::Ed25519(k) => k.to_public_key_der(),
            Verifier::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                let bits = k.n().bits();
                if bits < 2048 {
                    return Err(KeyError::Unsupported(format!(
                        "RSA key of {bits} bits (at least 2048 are required)"
                    )));
                }
                k.to_public_key_der()
            }
        }
        .map_err(|e| KeyError::Malformed(format!("public key: {e}")))?
        .into_vec();
        Ok(PublicKey {
            key,
            der,
            keyid_override: None,
        })
    }

    /// PKIX DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PKIX `PUBLIC KEY` PEM.
    pub fn to_pem(&self) -> String {
        pkcs8::der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &self.der)
            .expect("PEM encodes")
    }

    /// The key id: the one set by [`PublicKey::with_keyid`], else the lowercase hex SHA-256 of
    /// the PKIX DER.
    pub fn keyid(&self) -> String {
        self.keyid_override
            .clone()
            .unwrap_or_else(|| keyid_of_der(&self.der))
    }

    /// The same key, known by another key id (signatures that name a key id are only tried
    /// against the key with that id).
    pub fn with_keyid(mut self, keyid: impl Into<String>) -> Self {
        self.keyid_override = Some(keyid.into());
        self
    }

    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            Verifier::P256(_) => Algorithm::EcdsaP256Sha256,
            Verifier::P384(_) => Algorithm::EcdsaP384Sha384,
            Verifier::Ed25519(_) => Algorithm::Ed25519,
            Verifier::Rsa(_) => Algorithm::RsaSha256,
        }
    }

    /// Verify `sig` over `msg`. ECDSA signatures may be ASN.1 DER or raw `r‖s`; RSA
    /// signatures PKCS#1 v1.5 or PSS (salt length = hash length, or maximal); Ed25519 is
    /// verified strictly (RFC 8032, rejecting small-order keys and non-canonical `S`).
    /// Never panics, whatever the bytes.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        use ed25519_dalek::Verifier as _;
        match &self.key {
            Verifier::P256(k) => p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify(msg, &s).is_ok()),
            Verifier::P384(k) => p384::ecdsa::Signature::from_der(sig)
                .or_else(|_| p384::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify(msg, &s).is_ok()),
            Verifier::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(msg, &s).is_ok()),
            Verifier::Rsa(k) => verify_rsa(k, msg, sig),
        }
    }

    /// Verify a signature made by [`PrivateKey::sign_blob`] (what `cosign verify-blob --key`
    /// checks): as [`PublicKey::verify`], except that Ed25519 signatures are Ed25519ph
    /// (pre-hashed with SHA-512), cosign's default for Ed25519 keys.
    pub fn verify_blob(&self, data: &[u8], sig: &[u8]) -> bool {
        match &self.key {
            Verifier::Ed25519(k) => {
                use ed25519_dalek::Digest;
                ed25519_dalek::Signature::from_slice(sig).is_ok_and(|s| {
                    let digest = ed25519_dalek::Sha512::new().chain_update(data);
                    k.verify_prehashed_strict(digest, None, &s).is_ok()
                })
            }
            _ => self.verify(data, sig),
        }
    }
}

fn verify_rsa(k: &rsa::RsaPublicKey, msg: &[u8], sig: &[u8]) -> bool {
    use rsa::sha2::Sha256;
    use rsa::signature::Verifier as _;
    use rsa::traits::PublicKeyParts;
    if sig.len() != k.size() {
        return false;
    }
    if let Ok(s) = rsa::pkcs1v15::Signature::try_from(sig) {
        let v = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.clone());
        if v.verify(msg, &s).is_ok() {
            return true;
        }
    }
    let Ok(s) = rsa::pss::Signature::try_from(sig) else {
        return false;
    };
    // Go signs PSS with the maximal salt by default, most others with salt = hash length.
    let em_len = (k.n().bits() - 1).div_ceil(8);
    let max_salt = em_len.saturating_sub(32 + 2);
    [32, max_salt].into_iter().any(|salt| {
        rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(k.clone(), salt)
            .verify(msg, &s)
            .is_ok()
    })
}

const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

/// Which kind of key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    Ed25519,
}

enum Signer {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A private signing key. Its secret is zeroised on drop and never printed.
pub struct PrivateKey {
    key: Signer,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm().as_str())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PrivateKey {
    /// A new random key from the operating system's CSPRNG.
    pub fn generate(kind: KeyType) -> Self {
        let key = match kind {
            KeyType::EcdsaP256 => Signer::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
            KeyType::Ed25519 => Signer::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng)),
        };
        PrivateKey { key }
    }

    /// Read a PEM private key: PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, or
    /// `ENCRYPTED SIGSTORE PRIVATE KEY` / `ENCRYPTED COSIGN PRIVATE KEY` (needs `password`).
    pub fn from_pem(pem: &str, password: Option<&[u8]>) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                    return Ok(PrivateKey {
                        key: Signer::P256(k.into()),
                    });
                }
                match p384::SecretKey::from_sec1_der(&der) {
                    Ok(k) => Ok(PrivateKey {
                        key: Signer::P384(k.into()),
                    }),
                    Err(_) => Err(KeyError::Malformed(
                        "EC PRIVATE KEY is not a SEC1 P-256 or P-384 key".into(),
                    )),
                }
            }
            cosign::SIGSTORE_LABEL | cosign::COSIGN_LABEL => {
                let password = password.ok_or(KeyError::PasswordRequired)?;
                let plain = cosign::decrypt(&der, password)?;
                Self::from_pkcs8_der(&plain)
            }
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Unsupported(
                "PKCS#8 ENCRYPTED PRIVATE KEY (use the cosign/sigstore encrypted format, or a plain key)"
                    .into(),
            )),
            "RSA PRIVATE KEY" => Err(KeyError::Unsupported(
                "RSA private keys cannot sign with tollgate".into(),
            )),
            "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(KeyError::PublicNotPrivate),
            l => Err(KeyError::UnsupportedLabel(l.to_string())),
        }
    }

    /// Read a PKCS#8 DER private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| KeyError::Malformed(format!("PKCS#8: {e}")))?;
        let oid = info.algorithm.oid.to_string();
        let bad = |e: pkcs8::Error| KeyError::Malformed(format!("PKCS#8: {e}"));
        let key = match oid.as_str() {
            OID_EC => match info.algorithm.parameters_oid().map(|o| o.to_string()) {
                Ok(c) if c == OID_P256 => {
                    Signer::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?)
                }
                Ok(c) if c == OID_P384 => {
                    Signer::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(bad)?)
                }
                _ => {
                    return Err(KeyError::Unsupported(
                        "elliptic curve (P-256 and P-384 are supported)".into(),
                    ));
                }
            },
            OID_ED25519 => {
                Signer::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(bad)?)
            }
            OID_RSA => {
                return Err(KeyError::Unsupported(
                    "RSA private keys cannot sign with tollgate".into(),
                ));
            }
            other => {
                return Err(KeyError::Unsupported(format!(
                    "private key algorithm {other}"
                )));
            }
        };
        Ok(PrivateKey { key })
    }

    /// PKCS#8 DER (v1, without the optional public key, as OpenSSL and Go write it).
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let doc = match &self.key {
            Signer::P256(k) => k.to_pkcs8_der(),
            Signer::P384(k) => k.to_pkcs8_der(),
            Signer::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.to_bytes(),
                public_key: None,
            }
            .to_pkcs8_der(),
        }
        .expect("private key encodes");
        Zeroizing::new(doc.as_bytes().to_vec())
    }

    /// PKCS#8 `PRIVATE KEY` PEM.
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        let der = self.to_pkcs8_der();
        Zeroizing::new(
            pkcs8::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &der)
                .expect("PEM encodes"),
        )
    }

    /// `ENCRYPTED SIGSTORE PRIVATE KEY` PEM (scrypt + nacl/secretbox), readable by cosign.
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<String, KeyError> {
        let der = self.to_pkcs8_der();
        let body = cosign::encrypt(&der, password)?;
        Ok(
            pkcs8::der::pem::encode_string(cosign::SIGSTORE_LABEL, LineEnding::LF, &body)
                .expect("PEM encodes"),
        )
    }

    pub fn public_key(&self) -> PublicKey {
        let key = match &self.key {
            Signer::P256(k) => Verifier::P256(*k.verifying_key()),
            Signer::P384(k) => Verifier::P384(*k.verifying_key()),
            Signer::Ed25519(k) => Verifier::Ed25519(k.verifying_key()),
        };
        PublicKey::from_verifier(key).expect("own public key encodes")
    }

    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            Signer::P256(_) => Algorithm::EcdsaP256Sha256,
            Signer::P384(_) => Algorithm::EcdsaP384Sha384,
            Signer::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// Sign `msg`: ECDSA (deterministic, RFC 6979) as ASN.1 DER, Ed25519 as 64 raw bytes.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer as _;
        match &self.key {
            Signer::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            Signer::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            Signer::Ed25519(k) => k.sign(msg).to_bytes().to_vec(),
        }
    }

    /// Sign a file the way `cosign sign-blob --key` does: ECDSA over the SHA-256 (P-384:
    /// SHA-384) of the data, ASN.1 DER; Ed25519ph (SHA-512 pre-hash, empty context) for
    /// Ed25519 keys, cosign's default since it must also fit Rekor's hashedrekord type.
    pub fn sign_blob(&self, data: &[u8]) -> Vec<u8> {
        match &self.key {
            Signer::Ed25519(k) => {
                use ed25519_dalek::Digest;
                let digest = ed25519_dalek::Sha512::new().chain_update(data);
                k.sign_prehashed(digest, None)
                    .expect("empty context is valid")
                    .to_bytes()
                    .to_vec()
            }
            _ => self.sign(data),
        }
    }
}

/// The first PEM block of `text` (anything around it is ignored): label and DER body.
fn decode_pem(text: &str) -> Result<(String, Zeroizing<Vec<u8>>), KeyError> {
    let start = text.find("-----BEGIN ").ok_or(KeyError::NotPem)?;
    let rest = &text[start..];
    let label_end = rest[11..].find("-----").ok_or(KeyError::NotPem)? + 11;
    let label = rest[11..label_end].to_string();
    let end_marker = format!("-----END {label}-----");
    let end = rest
        .find(&end_marker)
        .ok_or_else(|| KeyError::Malformed(format!("PEM block {label:?} has no END line")))?
        + end_marker.len();
    // Normalise line endings so CRLF files and files without a final newline both decode.
    let block: String = rest[..end].replace("\r\n", "\n");
    let block = Zeroizing::new(block);
    let (_, der) = pkcs8::der::pem::decode_vec(block.as_bytes())
        .map_err(|e| KeyError::Malformed(format!("PEM block {label:?}: {e}")))?;
    Ok((label, Zeroizing::new(der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(kind: KeyType) {
        let k = PrivateKey::generate(kind);
        let pem = k.to_pkcs8_pem();
        let back = PrivateKey::from_pem(&pem, None).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let pubk = PublicKey::from_pem(&k.public_key().to_pem()).unwrap();
        let sig = back.sign(b"hello");
        assert!(pubk.verify(b"hello", &sig));
        assert!(!pubk.verify(b"hellO", &sig));
        let blob = back.sign_blob(b"file bytes");
        assert!(pubk.verify_blob(b"file bytes", &blob));
        assert!(!pubk.verify_blob(b"file bytez", &blob));
        assert_eq!(pubk.keyid().len(), 64);
        assert_eq!(pubk.keyid(), keyid_of_der(pubk.der()));
    }

    #[test]
    fn p256_and_ed25519_round_trip() {
        roundtrip(KeyType::EcdsaP256);
        roundtrip(KeyType::Ed25519);
    }

    #[test]
    fn ed25519_blob_signature_is_prehashed() {
        let k = PrivateKey::generate(KeyType::Ed25519);
        let sig = k.sign_blob(b"data");
        // Not a pure Ed25519 signature over the data.
        assert!(!k.public_key().verify(b"data", &sig));
        assert!(k.public_key().verify_blob(b"data", &sig));
    }

    #[test]
    fn ecdsa_accepts_der_and_raw() {
        use p256::ecdsa::signature::Signer as _;
        let sk = p256::ecdsa::SigningKey::random(&mut OsRng);
        let s: p256::ecdsa::Signature = sk.sign(b"m");
        let k = PrivateKey {
            key: Signer::P256(sk),
        }
        .public_key();
        assert!(k.verify(b"m", s.to_der().as_bytes()));
        assert!(k.verify(b"m", &s.to_bytes()));
        assert!(!k.verify(b"m", &[]));
        assert!(!k.verify(b"m", &[0u8; 64]));
    }

    #[test]
    fn p384_verification() {
        use p384::ecdsa::signature::Signer as _;
        let sk = p384::ecdsa::SigningKey::random(&mut OsRng);
        let pem = sk
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let k = PublicKey::from_pem(&pem).unwrap();
        assert_eq!(k.algorithm(), Algorithm::EcdsaP384Sha384);
        let s: p384::ecdsa::Signature = sk.sign(b"m");
        assert!(k.verify(b"m", s.to_der().as_bytes()));
        assert!(k.verify(b"m", &s.to_bytes()));
        assert!(!k.verify(b"n", s.to_der().as_bytes()));
        // A SEC1 P-384 private key signs too.
        let sec1 = p384::SecretKey::from(sk.clone())
            .to_sec1_pem(LineEnding::LF)
            .unwrap();
        let pk = PrivateKey::from_pem(&sec1, None).unwrap();
        assert!(k.verify(b"x", &pk.sign(b"x")));
    }

    #[test]
    fn rsa_pkcs1v15_and_pss_verification() {
        use rsa::sha2::Sha256;
        use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer as _};
        let sk = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
        let pem = sk
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let k = PublicKey::from_pem(&pem).unwrap();
        assert_eq!(k.algorithm(), Algorithm::RsaSha256);
        let v15 = rsa::pkcs1v15::SigningKey::<Sha256>::new(sk.clone()).sign(b"m");
        assert!(k.verify(b"m", &v15.to_vec()));
        assert!(!k.verify(b"n", &v15.to_vec()));
        let pss = rsa::pss::SigningKey::<Sha256>::new(sk.clone()).sign_with_rng(&mut OsRng, b"m");
        assert!(k.verify(b"m", &pss.to_vec()));
        assert!(!k.verify(b"n", &pss.to_vec()));
        let mut bad = pss.to_vec();
        bad[10] ^= 1;
        assert!(!k.verify(b"m", &bad));
        assert!(!k.verify(b"m", &bad[1..]));
        // Private RSA keys are refused for signing with a clear error.
        let priv_pem = sk.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert!(matches!(
            PrivateKey::from_pem(&priv_pem, None),
            Err(KeyError::Unsupported(_))
        ));
    }

    #[test]
    fn small_rsa_keys_are_refused() {
        let sk = rsa::RsaPrivateKey::new(&mut OsRng, 1024).unwrap();
        let pem = sk
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        assert!(matches!(
            PublicKey::from_pem(&pem),
            Err(KeyError::Unsupported(_))
        ));
    }

    #[test]
    fn sec1_p256_private_key_is_read() {
        let sk = p256::SecretKey::random(&mut OsRng);
        let pem = sk.to_sec1_pem(LineEnding::LF).unwrap();
        let k = PrivateKey::from_pem(&pem, None).unwrap();
        assert_eq!(k.algorithm(), Algorithm::EcdsaP256Sha256);
        // CRLF line endings and surrounding text are tolerated.
        let crlf = format!("comment\r\n{}", pem.replace('\n', "\r\n"));
        assert!(PrivateKey::from_pem(&crlf, None).is_ok());
    }

    #[test]
    fn encrypted_key_round_trip_and_wrong_password() {
        let k = PrivateKey::generate(KeyType::EcdsaP256);
        let pem = k.to_encrypted_pem(b"correct horse").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = PrivateKey::from_pem(&pem, Some(b"correct horse")).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        let err = PrivateKey::from_pem(&pem, Some(b"battery staple")).unwrap_err();
        assert_eq!(err, KeyError::Decrypt);
        assert!(!format!("{err} {err:?} {}", err.hint()).contains("battery"));
        assert_eq!(
            PrivateKey::from_pem(&pem, None).unwrap_err(),
            KeyError::PasswordRequired
        );
        // The cosign 1.x label carries the same body.
        let old = pem.replace("SIGSTORE", "COSIGN");
        assert!(PrivateKey::from_pem(&old, Some(b"correct horse")).is_ok());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let k = PrivateKey::generate(KeyType::Ed25519);
        let dbg = format!("{k:?}");
        assert!(dbg.contains("redacted"));
        let der = k.to_pkcs8_der();
        assert!(!dbg.contains(&hex(&der[der.len() - 8..])));
    }

    #[test]
    fn wrong_kinds_of_pem_are_explained() {
        let k = PrivateKey::generate(KeyType::EcdsaP256);
        assert_eq!(
            PrivateKey::from_pem(&k.public_key().to_pem(), None).unwrap_err(),
            KeyError::PublicNotPrivate
        );
        assert_eq!(
            PublicKey::from_pem(&k.to_pkcs8_pem()).unwrap_err(),
            KeyError::PrivateNotPublic
        );
        assert_eq!(PublicKey::from_pem("hello").unwrap_err(), KeyError::NotPem);
        assert!(matches!(
            PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(KeyError::UnsupportedLabel(_))
        ));
        assert!(matches!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"),
            Err(KeyError::Malformed(_))
        ));
    }

    #[test]
    fn dsse_conformance_public_key_parses() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\nCrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n-----END PUBLIC KEY-----\n";
        let k = PublicKey::from_pem(pem).unwrap();
        assert_eq!(k.algorithm(), Algorithm::EcdsaP256Sha256);
        assert_eq!(k.to_pem(), pem);
    }
}
