//! The X.509 plugin for enterprise PKI: a DSSE envelope (in a Sigstore bundle whose verification
//! material is a certificate or chain) signed by a certificate that chains to `--ca-roots`, valid
//! at `--now`, with the digitalSignature key usage and the code-signing EKU, and optionally a
//! required identity among its subject alternative names. Path building and signature checks on
//! the chain are rustls-webpki's (aws-lc-rs algorithms); the envelope signature is checked with
//! the leaf's key by [`crate::attest::keys`].

use super::diags as sig;
use crate::attest::dsse;
use crate::attest::keys::PublicKey;
use crate::attest::verify::{Rejection, SignedAttestation, Verified, Verifier};
use crate::input::InputError;
use crate::report::Location;
use base64::Engine;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde_json::Value;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{
    ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName, name::GeneralName,
};

/// `id-kp-codeSigning` (1.3.6.1.5.5.7.3.3), DER contents.
const ID_KP_CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];
/// The same, as an OID.
const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");

pub struct X509Verifier {
    anchors: Vec<TrustAnchor<'static>>,
    identity: Option<String>,
    now: jiff::Timestamp,
    roots_name: String,
}

fn reject(info: &'static crate::report::CodeInfo, message: impl Into<String>) -> Rejection {
    Rejection {
        info,
        message: message.into(),
        help: None,
    }
}

impl X509Verifier {
    /// Trust anchors from a PEM file of one or more `CERTIFICATE`s.
    pub fn from_pem(
        name: &str,
        pem: &str,
        identity: Option<String>,
        now: jiff::Timestamp,
    ) -> Result<Self, InputError> {
        let bad = |m: String| {
            InputError::new(
                &crate::diags::INPUT_MALFORMED,
                Location::file(name),
                m,
                "pass the CA certificate(s) as PEM (-----BEGIN CERTIFICATE-----)",
            )
        };
        let certs = x509_cert::Certificate::load_pem_chain(pem.as_bytes())
            .map_err(|e| bad(format!("not PEM certificates: {e}")))?;
        if certs.is_empty() {
            return Err(bad("holds no certificate".into()));
        }
        let mut anchors = Vec::new();
        for c in certs {
            let der = c.to_der().map_err(|e| bad(e.to_string()))?;
            let a = webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                .map_err(|e| bad(format!("unusable CA certificate: {e:?}")))?
                .to_owned();
            anchors.push(a);
        }
        Ok(X509Verifier {
            anchors,
            identity,
            now,
            roots_name: name.to_string(),
        })
    }

    /// Check a certificate chain (leaf first, DER) and return the leaf's public key.
    ///
    /// Usage (RFC 5280): the leaf must carry keyUsage with digitalSignature and extKeyUsage with
    /// codeSigning. A CA certificate without extKeyUsage is unrestricted; one WITH extKeyUsage
    /// must include codeSigning (EKU chaining, as rustls-webpki, Mozilla and Go's crypto/x509
    /// apply it), else the chain is refused (`SIG031`).
    pub fn check_chain(&self, chain: &[Vec<u8>]) -> Result<(PublicKey, Vec<String>), Rejection> {
        let Some(leaf) = chain.first() else {
            return Err(reject(&sig::X509_CHAIN, "no certificate"));
        };
        let cert = x509_cert::Certificate::from_der(leaf)
            .map_err(|e| reject(&sig::X509_CHAIN, format!("malformed certificate: {e}")))?;
        let leaf_eku = cert
            .tbs_certificate
            .get::<ExtendedKeyUsage>()
            .map_err(|e| {
                reject(
                    &sig::X509_USAGE,
                    format!("the signing certificate's extended key usage is malformed: {e}"),
                )
            })?
            .map(|(_, eku)| eku.0);
        let leaf_der = CertificateDer::from(leaf.as_slice());
        let ee = webpki::EndEntityCert::try_from(&leaf_der)
            .map_err(|e| reject(&sig::X509_CHAIN, format!("malformed certificate: {e:?}")))?;
        let intermediates: Vec<CertificateDer<'_>> = chain[1..]
            .iter()
            .map(|c| CertificateDer::from(c.as_slice()))
            .collect();
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            self.now.as_second().max(0) as u64,
        ));
        ee.verify_for_usage(
            sigstore_verify::crypto::WEBPKI_VERIFICATION_ALGS,
            &self.anchors,
            &intermediates,
            time,
            // Applied to every certificate of the path: an EKU, where present, must allow code
            // signing; the leaf's own EKU is required below.
            webpki::KeyUsage::required_if_present(ID_KP_CODE_SIGNING),
            None,
            None,
        )
        .map_err(|e| {
            if format!("{e:?}").starts_with("RequiredEku") {
                let who = if leaf_eku.as_ref().is_some_and(|k| k.contains(&CODE_SIGNING)) {
                    "an intermediate CA certificate of the chain"
                } else {
                    "the signing certificate"
                };
                return reject(
                    &sig::X509_USAGE,
                    format!(
                        "{who} has an extended key usage without codeSigning, so the chain to {} does not allow code signing: {e:?}",
                        self.roots_name
                    ),
                );
            }
            reject(
                &sig::X509_CHAIN,
                format!(
                    "the signing certificate does not verify against {} at {}: {e:?}",
                    self.roots_name, self.now
                ),
            )
        })?;
        match leaf_eku {
            Some(k) if k.contains(&CODE_SIGNING) => {}
            Some(_) => {
                return Err(reject(
                    &sig::X509_USAGE,
                    "the signing certificate's extended key usage lacks codeSigning",
                ));
            }
            None => {
                return Err(reject(
                    &sig::X509_USAGE,
                    "the signing certificate has no extended key usage extension; it must carry codeSigning",
                ));
            }
        }
        match cert.tbs_certificate.get::<KeyUsage>() {
            Ok(Some((_, ku))) if ku.0.contains(KeyUsages::DigitalSignature) => {}
            Ok(Some(_)) => {
                return Err(reject(
                    &sig::X509_USAGE,
                    "the signing certificate's key usage lacks digitalSignature",
                ));
            }
            Ok(None) => {
                return Err(reject(
                    &sig::X509_USAGE,
                    "the signing certificate has no key usage extension; it must carry digitalSignature",
                ));
            }
            Err(e) => {
                return Err(reject(
                    &sig::X509_USAGE,
                    format!("the signing certificate's key usage is malformed: {e}"),
                ));
            }
        }
        let mut sans = Vec::new();
        if let Ok(Some((_, san))) = cert.tbs_certificate.get::<SubjectAltName>() {
            for n in san.0 {
                match n {
                    GeneralName::Rfc822Name(s) => sans.push(s.to_string()),
                    GeneralName::DnsName(s) => sans.push(s.to_string()),
                    GeneralName::UniformResourceIdentifier(s) => sans.push(s.to_string()),
                    _ => {}
                }
            }
        }
        if let Some(want) = &self.identity
            && !sans.iter().any(|s| s == want)
        {
            return Err(reject(
                &sig::X509_IDENTITY,
                format!(
                    "the signing certificate's identities are [{}], the policy requires {want:?}",
                    sans.join(", ")
                ),
            ));
        }
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| reject(&sig::X509_CHAIN, e.to_string()))?;
        let key = PublicKey::from_der(&spki).map_err(|e| {
            reject(
                &sig::X509_CHAIN,
                format!("the certificate's key cannot verify signatures: {e}"),
            )
        })?;
        Ok((key, sans))
    }
}

/// The certificate chain of a bundle, leaf first (DER).
pub fn bundle_chain(bundle: &Value) -> Option<Vec<Vec<u8>>> {
    let m = bundle.get("verificationMaterial")?;
    let b64 = |v: &Value| {
        v.get("rawBytes")
            .and_then(Value::as_str)
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
    };
    if let Some(c) = m.get("certificate") {
        return Some(vec![b64(c)?]);
    }
    m.get("x509CertificateChain")?
        .get("certificates")?
        .as_array()?
        .iter()
        .map(b64)
        .collect()
}

impl X509Verifier {
    /// `tollgate verify bundle --ca-roots`: the bundle's certificate chains to the CA roots at
    /// `--now` with the code-signing usage (and the required SAN), its signature verifies with
    /// the certificate's key — over the DSSE PAE (one signature; the artifact must be a subject
    /// of the in-toto statement) or over the artifact (`messageSignature`, whose digest must be
    /// the artifact's). There is no transparency log: the signing time is `--now`.
    pub fn verify_bundle(
        &self,
        bundle: &Value,
        artifact: super::bundle::ArtifactRef<'_>,
    ) -> Result<super::bundle::BundleVerified, Rejection> {
        use super::bundle::ArtifactRef;
        use sha2::Digest;
        super::bundle::precheck(bundle)?;
        let chain = bundle_chain(bundle).ok_or_else(|| {
            reject(
                &sig::X509_CHAIN,
                "the bundle carries no readable certificate (verificationMaterial.certificate or x509CertificateChain)",
            )
        })?;
        let (key, sans) = self.check_chain(&chain)?;
        // The artifact's digest, as (algorithm, bytes).
        let (alg, digest): (&str, Vec<u8>) = match artifact {
            ArtifactRef::Bytes(b) => ("sha256", sha2::Sha256::digest(b).to_vec()),
            ArtifactRef::Digest(alg, d) => (alg, d.to_vec()),
        };
        let b64 = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        };
        if let Some(env) = bundle.get("dsseEnvelope") {
            let payload = b64(env.get("payload")).ok_or_else(|| {
                reject(&sig::BUNDLE_INVALID, "the DSSE payload is not valid base64")
            })?;
            let payload_type = env.get("payloadType").and_then(Value::as_str).unwrap_or("");
            let sig_bytes = b64(env.pointer("/signatures/0/sig")).unwrap_or_default();
            if !key.verify(&dsse::pae(payload_type, &payload), &sig_bytes) {
                return Err(reject(
                    &sig::SIGNATURE_INVALID,
                    "the envelope's signature does not verify with the signing certificate's key",
                ));
            }
            let want = crate::attest::keys::hex(&digest);
            let statement: Value = serde_json::from_slice(&payload).unwrap_or(Value::Null);
            let bound = statement
                .get("subject")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|s| {
                    s.pointer(&format!("/digest/{alg}")).and_then(Value::as_str) == Some(&want)
                });
            if !bound {
                return Err(reject(
                    &sig::ARTIFACT_MISMATCH,
                    format!("the artifact ({alg}:{want}) is not a subject of the signed statement"),
                ));
            }
        } else if let Some(ms) = bundle.get("messageSignature") {
            let ArtifactRef::Bytes(bytes) = artifact else {
                return Err(reject(
                    &sig::ARTIFACT_MISMATCH,
                    "a message signature is verified over the artifact itself: pass the artifact file, not its digest",
                ));
            };
            let recorded = b64(ms.pointer("/messageDigest/digest"));
            let recorded_alg = ms
                .pointer("/messageDigest/algorithm")
                .and_then(Value::as_str)
                .unwrap_or("");
            if recorded_alg != "SHA2_256" || recorded.as_deref() != Some(digest.as_slice()) {
                return Err(reject(
                    &sig::ARTIFACT_MISMATCH,
                    "the bundle's message digest is not the artifact's SHA-256 digest",
                ));
            }
            let sig_bytes = b64(ms.get("signature")).unwrap_or_default();
            if !key.verify(bytes, &sig_bytes) {
                return Err(reject(
                    &sig::SIGNATURE_INVALID,
                    "the message signature does not verify over the artifact with the signing certificate's key",
                ));
            }
        } else {
            return Err(reject(
                &sig::BUNDLE_INVALID,
                "the bundle has neither dsseEnvelope nor messageSignature content",
            ));
        }
        Ok(super::bundle::BundleVerified {
            method: "x509".into(),
            signer: sans.first().cloned().unwrap_or_else(|| key.keyid()),
            certificate_verified: true,
            policy: match &self.identity {
                Some(i) => format!("identity {i} (a SAN of the certificate)"),
                None => format!("any certificate chaining to {}", self.roots_name),
            },
            verified_times: vec![self.now.to_string()],
            ..Default::default()
        })
    }
}

impl Verifier for X509Verifier {
    fn name(&self) -> &'static str {
        "x509"
    }

    fn supports(&self, attestation: &SignedAttestation) -> bool {
        attestation.has_certificate()
    }

    fn verify(&self, attestation: &SignedAttestation) -> Result<Verified, Rejection> {
        let chain = attestation
            .bundle
            .as_ref()
            .and_then(bundle_chain)
            .ok_or_else(|| {
                reject(
                    &sig::X509_CHAIN,
                    "the bundle carries no readable certificate",
                )
            })?;
        let (key, sans) = self.check_chain(&chain)?;
        let env = &attestation.envelope;
        let payload = dsse::decode_base64(&env.payload)
            .ok_or_else(|| reject(&sig::BUNDLE_INVALID, "the DSSE payload is not valid base64"))?;
        let pae = dsse::pae(&env.payload_type, &payload);
        let ok = env.signatures.iter().any(|s| {
            dsse::decode_base64(&s.sig).is_some_and(|sig_bytes| key.verify(&pae, &sig_bytes))
        });
        if !ok {
            return Err(reject(
                &sig::SIGNATURE_INVALID,
                "no signature of the envelope verifies with the signing certificate's key",
            ));
        }
        Ok(Verified {
            payload_type: env.payload_type.clone(),
            payload,
            signers: if sans.is_empty() {
                vec![key.keyid()]
            } else {
                sans
            },
            method: format!("x509 (chains to {})", self.roots_name),
        })
    }
}
