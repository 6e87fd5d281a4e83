//! The password-encrypted private key format of cosign and sigstore
//! (`ENCRYPTED SIGSTORE PRIVATE KEY`, formerly `ENCRYPTED COSIGN PRIVATE KEY`).
//!
//! The PEM body is base64 of a JSON document (go-securesystemslib `encrypted` package):
//!
//! ```json
//! {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64, 32 bytes>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},
//!  "ciphertext":"<base64>"}
//! ```
//!
//! where `ciphertext = secretbox(PKCS#8 DER, nonce, scrypt(password, salt, N, r, p, 32 bytes))`.
//! Byte strings are standard base64 with padding (Go's `[]byte` JSON encoding).

use super::keys::KeyError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// PEM label written by `tollgate key generate --encrypt` (and cosign 2+).
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label of keys written by cosign 1.x; same body.
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// scrypt parameters written: go-securesystemslib's "standard" strength (what cosign writes).
const WRITE_LOG_N: u8 = 16;
const WRITE_R: u32 = 8;
const WRITE_P: u32 = 1;
/// Largest scrypt cost read (2^20 × r=8 needs 1 GiB); bounds the work an untrusted key file
/// can demand.
const MAX_LOG_N: u32 = 20;

#[derive(Serialize, Deserialize)]
struct Data {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: Params,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct Params {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Encrypt `plaintext` (a PKCS#8 DER private key) under `password`; returns the JSON document
/// that forms the PEM body.
pub fn encrypt(plaintext: &[u8], password: &[u8]) -> Result<Vec<u8>, KeyError> {
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    encrypt_with(plaintext, password, &salt, &nonce, WRITE_LOG_N)
}

fn encrypt_with(
    plaintext: &[u8],
    password: &[u8],
    salt: &[u8],
    nonce: &[u8; 24],
    log_n: u8,
) -> Result<Vec<u8>, KeyError> {
    let key = derive(password, salt, log_n, WRITE_R, WRITE_P)?;
    let ciphertext = XSalsa20Poly1305::new(&Key::from(*key))
        .encrypt(&Nonce::from(*nonce), plaintext)
        .map_err(|_| KeyError::Malformed("secretbox encryption failed".into()))?;
    let data = Data {
        kdf: Kdf {
            name: "scrypt".into(),
            params: Params {
                n: 1u64 << log_n,
                r: WRITE_R,
                p: WRITE_P,
            },
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    Ok(serde_json::to_vec(&data).expect("serialises"))
}

/// Decrypt the JSON document of an encrypted key. A wrong password and a tampered ciphertext
/// are indistinguishable (authenticated encryption) and both give [`KeyError::Decrypt`].
pub fn decrypt(json: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bad = |what: &str| KeyError::Malformed(format!("encrypted key: {what}"));
    let data: Data =
        serde_json::from_slice(json).map_err(|_| bad("the body is not the expected JSON"))?;
    if data.kdf.name != "scrypt" {
        return Err(KeyError::Unsupported(format!(
            "key derivation {:?} (only scrypt is supported)",
            data.kdf.name
        )));
    }
    if data.cipher.name != "nacl/secretbox" {
        return Err(KeyError::Unsupported(format!(
            "cipher {:?} (only nacl/secretbox is supported)",
            data.cipher.name
        )));
    }
    let Params { n, r, p } = data.kdf.params;
    if !n.is_power_of_two() || n < 2 || n.trailing_zeros() > MAX_LOG_N || r == 0 || r > 32 {
        return Err(KeyError::Unsupported(format!(
            "scrypt parameters N={n} r={r} p={p}"
        )));
    }
    if p == 0 || p > 16 {
        return Err(KeyError::Unsupported(format!(
            "scrypt parameters N={n} r={r} p={p}"
        )));
    }
    let salt = STANDARD
        .decode(&data.kdf.salt)
        .map_err(|_| bad("salt is not base64"))?;
    let nonce = STANDARD
        .decode(&data.cipher.nonce)
        .map_err(|_| bad("nonce is not base64"))?;
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| bad("nonce is not 24 bytes"))?;
    let ciphertext = STANDARD
        .decode(&data.ciphertext)
        .map_err(|_| bad("ciphertext is not base64"))?;
    let key = derive(password, &salt, n.trailing_zeros() as u8, r, p)?;
    XSalsa20Poly1305::new(&Key::from(*key))
        .decrypt(&Nonce::from(nonce), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::Decrypt)
}

fn derive(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params = scrypt::Params::new(log_n, r, p, 32)
        .map_err(|_| KeyError::Unsupported("scrypt parameters".into()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, &mut key[..])
        .map_err(|_| KeyError::Unsupported("scrypt output length".into()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known-answer vectors from go-securesystemslib's `encrypted` package tests
    // (passphrase "supersecret", plaintext "reallyimportant").
    const LEGACY: &str = r#"{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA="},"cipher":{"name":"nacl/secretbox","nonce":"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX"},"ciphertext":"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw="}"#;
    const STANDARD_VECTOR: &str = r#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="}"#;

    // From the same tests' `Decrypt` case: the plaintext is the raw bytes.
    const RAW: &str = r#"{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}"#;

    #[test]
    fn decrypts_go_securesystemslib_vectors() {
        let out = decrypt(RAW.as_bytes(), b"supersecret").unwrap();
        assert_eq!(&out[..], b"reallyimportant");
        // The KDF-strength vectors encrypt the JSON encoding of the bytes (a base64 string).
        for v in [LEGACY, STANDARD_VECTOR] {
            let out = decrypt(v.as_bytes(), b"supersecret").unwrap();
            assert_eq!(&out[..], b"\"cmVhbGx5aW1wb3J0YW50\"");
        }
    }

    #[test]
    fn wrong_password_is_a_decrypt_error_without_the_password() {
        let err = decrypt(LEGACY.as_bytes(), b"hunter2-wrong").unwrap_err();
        assert!(matches!(err, KeyError::Decrypt));
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn round_trip_and_format() {
        // Cheap parameters for the test; the format is the same.
        let json = encrypt_with(b"secret der", b"pw", &[7u8; 32], &[9u8; 24], 10).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["kdf"]["name"], "scrypt");
        assert_eq!(v["kdf"]["params"]["N"], 1024);
        assert_eq!(v["kdf"]["params"]["r"], 8);
        assert_eq!(v["kdf"]["params"]["p"], 1);
        assert_eq!(v["cipher"]["name"], "nacl/secretbox");
        assert_eq!(
            STANDARD
                .decode(v["kdf"]["salt"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
        assert_eq!(&decrypt(&json, b"pw").unwrap()[..], b"secret der");
        assert!(matches!(decrypt(&json, b"pW"), Err(KeyError::Decrypt)));
    }

    #[test]
    fn rejects_absurd_scrypt_cost_before_working() {
        let v = LEGACY.replace("32768", "1099511627776");
        assert!(matches!(
            decrypt(v.as_bytes(), b"supersecret"),
            Err(KeyError::Unsupported(_))
        ));
        let v = LEGACY.replace("\"p\":1", "\"p\":99");
        assert!(decrypt(v.as_bytes(), b"supersecret").is_err());
        assert!(decrypt(b"not json", b"x").is_err());
    }
}
