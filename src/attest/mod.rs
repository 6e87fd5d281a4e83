//! Attestations: signing keys, DSSE envelopes, Sigstore bundles (and SLSA provenance).
//!
//! The key id used everywhere is the lowercase hex SHA-256 of the public key's PKIX
//! (SubjectPublicKeyInfo) DER encoding; see docs/signing.md.

pub mod bundle;
pub mod ci_env;
pub mod cosign;
pub mod diags;
pub mod dsse;
pub mod intoto;
pub mod keys;
pub mod slsa;
pub mod subjects;
pub mod verify;
