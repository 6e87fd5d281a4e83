//! Hermetic builds: read build logs for network access (`tollgate hermetic check`, see
//! [`check`]) and run a command with no network at all, attesting it (`tollgate hermetic run`,
//! see [`run`]). Diagnostic codes `HRMnnn` ([`diags`]); the log patterns are in [`rules`].

pub mod check;
pub mod compose;
pub mod diags;
pub mod rules;
pub mod run;

/// The predicate type of the signed statement `tollgate hermetic run --attest` writes.
pub const RUN_PREDICATE_TYPE: &str = "https://tollgate.dev/attestation/hermetic-run/v1";
