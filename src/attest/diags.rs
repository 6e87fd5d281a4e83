//! Diagnostic codes of keys, signatures and attestations (`ATTnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    SIGNATURE_INVALID,
    "ATT001",
    "signature-invalid",
    Policy,
    Error,
    9.0,
    "No signature of the DSSE envelope verifies with a trusted public key (wrong key, or the payload, payload type or signature was altered).",
    "check that the envelope was signed with the private key matching the given public key and that it was not modified after signing",
);
code!(
    SIGNATURE_THRESHOLD,
    "ATT002",
    "signature-threshold-not-met",
    Policy,
    Error,
    8.0,
    "Fewer distinct trusted keys signed the envelope than the required threshold.",
    "collect signatures from more of the trusted keys, or lower the threshold if that is the policy",
);
code!(
    NO_SIGNATURES,
    "ATT003",
    "envelope-unsigned",
    Policy,
    Error,
    8.0,
    "The DSSE envelope has no signatures.",
    "sign the payload (tollgate sign PAYLOAD --key KEY) before publishing it",
);
code!(
    ENVELOPE_ENCODING,
    "ATT004",
    "envelope-bad-encoding",
    Input,
    Error,
    5.0,
    "A DSSE envelope's payload or signature is not valid base64.",
    "the envelope is corrupted; regenerate it, do not edit it by hand",
);
code!(
    KEY_UNREADABLE,
    "ATT005",
    "key-unreadable",
    Input,
    Error,
    5.0,
    "A key file is not a supported PEM key (PKCS#8, SEC1, PKIX or cosign/sigstore encrypted).",
    "pass a PEM key as written by `tollgate key generate` or `cosign generate-key-pair`",
);
code!(
    KEY_DECRYPT_FAILED,
    "ATT006",
    "key-decryption-failed",
    Input,
    Error,
    5.0,
    "An encrypted private key could not be decrypted: wrong password, or the key file is corrupted.",
    "set TOLLGATE_PASSWORD (or COSIGN_PASSWORD) to the password the key was encrypted with",
);
code!(
    KEY_WORLD_READABLE,
    "ATT007",
    "private-key-world-readable",
    Policy,
    Warning,
    6.0,
    "A private key file can be read by every user of the machine.",
    "restrict it to its owner: chmod 600 KEYFILE",
);

code!(
    PAYLOAD_TYPE,
    "ATT008",
    "payload-type-unexpected",
    Policy,
    Error,
    7.0,
    "The envelope's payloadType is not the in-toto statement type (application/vnd.in-toto+json).",
    "provenance must be signed as an in-toto statement: tollgate sign STATEMENT --key KEY",
);
code!(
    STATEMENT_TYPE,
    "ATT009",
    "statement-type-unknown",
    Policy,
    Error,
    7.0,
    "The signed payload is not an in-toto Statement (v1, or v0.1): its `_type` is missing or unknown, or it is not JSON.",
    "the signer must put an in-toto Statement (`_type: https://in-toto.io/Statement/v1`) in the envelope",
);
code!(
    PREDICATE_TYPE,
    "ATT010",
    "predicate-type-unexpected",
    Policy,
    Error,
    7.0,
    "The statement's predicateType is not one the policy accepts (SLSA Provenance v1.0 or v0.2 by default).",
    "verify a SLSA provenance attestation, or name the expected type with --predicate-type",
);
code!(
    STATEMENT_INVALID,
    "ATT011",
    "statement-invalid",
    Policy,
    Error,
    7.0,
    "The statement or its SLSA predicate breaks the in-toto / SLSA specification (a required field is missing or malformed).",
    "regenerate the provenance with a conformant generator (tollgate provenance generate)",
);
code!(
    BUILDER_MISMATCH,
    "ATT012",
    "builder-id-mismatch",
    Policy,
    Error,
    8.0,
    "The provenance names a different builder than the policy's --builder-id (or none).",
    "the artifact was built by a builder you did not trust; check --builder-id (without `@ref` it matches any version of the builder)",
);
code!(
    SOURCE_MISMATCH,
    "ATT013",
    "source-uri-mismatch",
    Policy,
    Error,
    8.0,
    "The provenance's source repository differs from the policy's --source-uri (or is missing).",
    "the artifact was built from another repository; check --source-uri (e.g. github.com/org/repo)",
);
code!(
    REF_MISMATCH,
    "ATT014",
    "source-ref-mismatch",
    Policy,
    Error,
    7.0,
    "The provenance's source ref differs from the policy's --source-ref, --source-tag, --source-branch or --source-versioned-tag (or is missing).",
    "the artifact was built from another branch or tag; check the ref flags",
);
code!(
    BUILD_TYPE_MISMATCH,
    "ATT015",
    "build-type-mismatch",
    Policy,
    Error,
    6.0,
    "The provenance's buildType differs from the policy's --build-type (or is missing).",
    "check --build-type against the builder's documented build type",
);
code!(
    SUBJECT_MISSING,
    "ATT016",
    "artifact-not-attested",
    Policy,
    Error,
    9.0,
    "An artifact's digest is not among the subjects of any verified statement: the provenance does not describe this file (or the file was modified).",
    "verify the artifact the provenance was generated for; a changed digest means the file is not the one that was built",
);
code!(
    NO_VERIFIER,
    "ATT017",
    "verification-material-unsupported",
    Policy,
    Error,
    8.0,
    "No configured verifier can check this attestation's signature (e.g. a keyless Sigstore bundle given only --key).",
    "pass the verification material the attestation needs (--key for key-signed envelopes and bundles; --certificate-identity and --certificate-oidc-issuer for keyless Sigstore bundles; --ca-roots for X.509)",
);
code!(
    UNSIGNED_STATEMENT,
    "ATT018",
    "statement-unsigned",
    Policy,
    Error,
    8.0,
    "A bare in-toto statement was given: nothing proves who made it.",
    "sign it (tollgate sign STATEMENT --key KEY) and verify the envelope",
);

pub static ALL: &[&CodeInfo] = &[
    &SIGNATURE_INVALID,
    &SIGNATURE_THRESHOLD,
    &NO_SIGNATURES,
    &ENVELOPE_ENCODING,
    &KEY_UNREADABLE,
    &KEY_DECRYPT_FAILED,
    &KEY_WORLD_READABLE,
    &PAYLOAD_TYPE,
    &STATEMENT_TYPE,
    &PREDICATE_TYPE,
    &STATEMENT_INVALID,
    &BUILDER_MISMATCH,
    &SOURCE_MISMATCH,
    &REF_MISMATCH,
    &BUILD_TYPE_MISMATCH,
    &SUBJECT_MISSING,
    &NO_VERIFIER,
    &UNSIGNED_STATEMENT,
];
