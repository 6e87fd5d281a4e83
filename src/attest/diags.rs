//! Diagnostic codes of keys, signatures and attestations (`ATTnnn`).

use crate::report::{Category, CodeInfo, Severity};

macro_rules! code {
    ($ident:ident, $code:literal, $name:literal, $cat:ident, $sev:ident, $score:literal, $desc:literal, $help:literal) => {
        pub static $ident: CodeInfo = CodeInfo {
            code: $code,
            name: $name,
            category: Category::$cat,
            default_severity: Severity::$sev,
            description: $desc,
            help: $help,
            security_severity: $score,
        };
    };
}

code!(
    SIGNATURE_INVALID,
    "ATT001",
    "signature-invalid",
    Policy,
    Error,
    9.0,
    "No signature of the DSSE envelope verifies with a trusted public key (wrong key, or the payload, payload type or signature was altered).",
    "check that the envelope was signed with the private key matching the given public key and that it was not modified after signing"
);
code!(
    SIGNATURE_THRESHOLD,
    "ATT002",
    "signature-threshold-not-met",
    Policy,
    Error,
    8.0,
    "Fewer distinct trusted keys signed the envelope than the required threshold.",
    "collect signatures from more of the trusted keys, or lower the threshold if that is the policy"
);
code!(
    NO_SIGNATURES,
    "ATT003",
    "envelope-unsigned",
    Policy,
    Error,
    8.0,
    "The DSSE envelope has no signatures.",
    "sign the payload (tollgate sign PAYLOAD --key KEY) before publishing it"
);
code!(
    ENVELOPE_ENCODING,
    "ATT004",
    "envelope-bad-encoding",
    Input,
    Error,
    5.0,
    "A DSSE envelope's payload or signature is not valid base64.",
    "the envelope is corrupted; regenerate it, do not edit it by hand"
);
code!(
    KEY_UNREADABLE,
    "ATT005",
    "key-unreadable",
    Input,
    Error,
    5.0,
    "A key file is not a supported PEM key (PKCS#8, SEC1, PKIX or cosign/sigstore encrypted).",
    "pass a PEM key as written by `tollgate key generate` or `cosign generate-key-pair`"
);
code!(
    KEY_DECRYPT_FAILED,
    "ATT006",
    "key-decryption-failed",
    Input,
    Error,
    5.0,
    "An encrypted private key could not be decrypted: wrong password, or the key file is corrupted.",
    "set TOLLGATE_PASSWORD (or COSIGN_PASSWORD) to the password the key was encrypted with"
);
code!(
    KEY_WORLD_READABLE,
    "ATT007",
    "private-key-world-readable",
    Policy,
    Warning,
    6.0,
    "A private key file can be read by every user of the machine.",
    "restrict it to its owner: chmod 600 KEYFILE"
);

pub static ALL: &[&CodeInfo] = &[
    &SIGNATURE_INVALID,
    &SIGNATURE_THRESHOLD,
    &NO_SIGNATURES,
    &ENVELOPE_ENCODING,
    &KEY_UNREADABLE,
    &KEY_DECRYPT_FAILED,
    &KEY_WORLD_READABLE,
];
