//! Sigstore: bundles verified fully offline against a trusted root, trust roots kept fresh over
//! TUF, and X.509 (enterprise PKI) signatures.
//!
//! The cryptography and the transparency-log checks (certificate chain to a Fulcio CA valid at
//! signing time, code-signing EKU, SCTs, signature over the artifact or DSSE PAE, inclusion proof,
//! signed checkpoint, signed entry timestamp, entry/bundle consistency, RFC 3161 timestamps) are
//! the sigstore-rust project's `sigstore-verify` crate; this module adds the identity policy
//! (exact or regexp identity, issuer, GitHub workflow extensions), trust-root selection, the
//! mapping of every failure to a stable `SIGnnn` finding, and the [`crate::attest::verify::Verifier`]
//! plugin used by `tollgate verify provenance`. See docs/sigstore.md.

pub mod bundle;
pub mod diags;
pub mod fetch;
pub mod identity;
pub mod plugin;
pub mod roots;
pub mod tuf;
pub mod x509;

pub use bundle::{ArtifactRef, BundleVerified, KeyPolicy, verify_bundle};
pub use identity::IdentityPolicy;
pub use plugin::SigstoreVerifier;
pub use roots::{TrustRoot, TrustSource};
