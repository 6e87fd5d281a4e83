//! Diagnostic codes of control catalogs and Control Attestations (`CTLnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    CONTROL_FAILED,
    "CTL001",
    "control-failed",
    Policy,
    Error,
    7.0,
    "A required control failed: evidence is missing, stale or unreadable, or an assertion over it failed.",
    "fix what the message names (produce the evidence, fix the finding), or record an approved waiver with an expiry",
);
code!(
    OPTIONAL_CONTROL_FAILED,
    "CTL002",
    "optional-control-failed",
    Policy,
    Warning,
    4.0,
    "A control marked `required: false` failed; it is reported but does not fail the gate.",
    "fix it, or make it required once the team relies on it",
);
code!(
    CONTROL_WAIVED,
    "CTL003",
    "control-waived",
    Policy,
    Note,
    2.0,
    "A failed control is covered by an approved, unexpired waiver: reported as waived, never as passed.",
    "fix the control before the waiver expires",
);
code!(
    WAIVER_EXPIRED,
    "CTL004",
    "waiver-expired",
    Policy,
    Error,
    6.0,
    "A waiver is past its expiry (against --now): it waives nothing and denies the gate until removed or renewed.",
    "remove the waiver, or have it re-approved with a new expiry",
);
code!(
    WAIVER_INVALID,
    "CTL005",
    "waiver-invalid",
    Policy,
    Error,
    6.0,
    "A waiver has no approver or names no control of the catalog: it waives nothing and denies the gate.",
    "every waiver needs control (an id in the catalog), reason, approver and expires",
);
code!(
    ATTESTED_FAIL,
    "CTL006",
    "attested-verdict-fail",
    Policy,
    Error,
    7.0,
    "The Control Attestation verifies, but the verdict it records is fail.",
    "the release did not pass its controls; see the attestation's per-control reasons",
);
code!(
    EVIDENCE_CHANGED,
    "CTL007",
    "evidence-changed",
    Policy,
    Error,
    9.0,
    "An evidence file no longer matches the digest the attestation recorded, or is missing.",
    "the evidence was modified after the attestation was made; re-run tollgate attest controls",
);
code!(
    NOT_A_CONTROL_ATTESTATION,
    "CTL008",
    "not-a-control-attestation",
    Policy,
    Error,
    6.0,
    "The signed statement is not a tollgate Control Attestation (wrong predicate type or malformed predicate).",
    "pass controls/attestation.dsse.json written by tollgate attest controls --key",
);

pub static ALL: &[&CodeInfo] = &[
    &CONTROL_FAILED,
    &OPTIONAL_CONTROL_FAILED,
    &CONTROL_WAIVED,
    &WAIVER_EXPIRED,
    &WAIVER_INVALID,
    &ATTESTED_FAIL,
    &EVIDENCE_CHANGED,
    &NOT_A_CONTROL_ATTESTATION,
];
