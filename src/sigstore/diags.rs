//! Diagnostic codes of Sigstore bundles, trust roots, TUF and X.509 verification (`SIGnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    BUNDLE_INVALID,
    "SIG001",
    "sigstore-bundle-invalid",
    Policy,
    Error,
    7.0,
    "The Sigstore bundle is malformed, of an unknown version, internally inconsistent or uses content tollgate cannot verify (e.g. a DSSE envelope with more than one signature).",
    "pass the bundle exactly as the signer produced it (v0.1, v0.2 or v0.3, messageSignature or dsseEnvelope content)",
);
code!(
    CERT_CHAIN,
    "SIG002",
    "certificate-chain-invalid",
    Policy,
    Error,
    9.0,
    "The signing certificate is malformed, does not chain to a certificate authority of the trusted root, is not a code-signing certificate, or no authority was valid at signing time.",
    "check that the trusted root belongs to the Sigstore instance that issued the certificate (public good, staging, GitHub, private)",
);
code!(
    CERT_VALIDITY,
    "SIG003",
    "certificate-not-valid-at-signing",
    Policy,
    Error,
    8.0,
    "The signing time (transparency-log integrated time or RFC 3161 timestamp) is outside the signing certificate's validity.",
    "the signature was made with an expired or not-yet-valid certificate; sign again",
);
code!(
    SCT_INVALID,
    "SIG004",
    "sct-invalid",
    Policy,
    Error,
    8.0,
    "The signing certificate's signed certificate timestamp (SCT) is missing or does not verify with a CT log of the trusted root.",
    "check that the trusted root carries the CT log keys of the issuing instance",
);
code!(
    IDENTITY_MISMATCH,
    "SIG005",
    "certificate-identity-mismatch",
    Policy,
    Error,
    9.0,
    "The signing certificate's identity (SAN) is not the one the policy requires (--certificate-identity / --certificate-identity-regexp): someone else signed.",
    "check the workflow or account that is allowed to sign; the finding names the identity that did",
);
code!(
    ISSUER_MISMATCH,
    "SIG006",
    "certificate-issuer-mismatch",
    Policy,
    Error,
    8.0,
    "The signing certificate's OIDC issuer is not the one the policy requires (--certificate-oidc-issuer).",
    "GitHub Actions is https://token.actions.githubusercontent.com; check which identity provider the signer used",
);
code!(
    GITHUB_CLAIM_MISMATCH,
    "SIG007",
    "certificate-github-claim-mismatch",
    Policy,
    Error,
    8.0,
    "A GitHub workflow extension of the signing certificate (repository, ref, trigger, SHA, name) differs from the policy.",
    "check --certificate-github-workflow-* against the workflow run that signed",
);
code!(
    SIGNATURE_INVALID,
    "SIG008",
    "sigstore-signature-invalid",
    Policy,
    Error,
    9.0,
    "The signature does not verify over the artifact (message signature) or the DSSE envelope (PAE) with the certificate's or the given key.",
    "the artifact or envelope was altered after signing, or the wrong key or bundle was given",
);
code!(
    ARTIFACT_MISMATCH,
    "SIG009",
    "sigstore-artifact-mismatch",
    Policy,
    Error,
    9.0,
    "The bundle does not describe the given artifact: its message digest or the in-toto subjects differ from the artifact's digest.",
    "verify the artifact the bundle was made for; a changed digest means the file is not the one that was signed",
);
code!(
    TLOG_UNKNOWN,
    "SIG010",
    "tlog-unknown-log",
    Policy,
    Error,
    8.0,
    "The transparency-log entry names a log that the trusted root does not contain (e.g. a bundle from another Sigstore instance).",
    "use the trusted root of the instance that logged the entry (--trusted-root, --sigstore-instance staging)",
);
code!(
    TLOG_INCLUSION_PROOF,
    "SIG011",
    "tlog-inclusion-proof-invalid",
    Policy,
    Error,
    9.0,
    "The transparency-log inclusion proof (Merkle audit path) does not lead to the checkpoint's root hash.",
    "the bundle's log evidence was altered; fetch the bundle again from the signer",
);
code!(
    TLOG_CHECKPOINT,
    "SIG012",
    "tlog-checkpoint-invalid",
    Policy,
    Error,
    9.0,
    "The signed checkpoint (tree head) is missing, malformed, not signed by the log key of the trusted root (or no key of that log is valid yet at --now), or does not match the inclusion proof.",
    "the bundle's log evidence was altered or comes from another log",
);
code!(
    TLOG_PROMISE,
    "SIG013",
    "tlog-inclusion-promise-invalid",
    Policy,
    Error,
    9.0,
    "The signed entry timestamp (inclusion promise) is missing or does not verify with the log key, or no key of that log in the trusted root is valid yet at --now.",
    "the bundle's log evidence was altered; fetch the bundle again from the signer",
);
code!(
    TLOG_ENTRY_MISMATCH,
    "SIG014",
    "tlog-entry-mismatch",
    Policy,
    Error,
    9.0,
    "The transparency-log entry body does not describe this bundle's signature, certificate or artifact, or cannot be read.",
    "the bundle mixes log evidence from another signature; fetch the bundle again from the signer",
);
code!(
    TLOG_TIME,
    "SIG015",
    "tlog-integrated-time-invalid",
    Policy,
    Error,
    8.0,
    "The log entry's integrated time is in the future or outside the signing certificate's validity.",
    "the entry was logged outside the certificate's short validity window; sign again",
);
code!(
    TIMESTAMP_INVALID,
    "SIG016",
    "signing-time-unverified",
    Policy,
    Error,
    8.0,
    "An RFC 3161 timestamp does not verify against a timestamp authority of the trusted root, or no trusted signing time could be established.",
    "check that the trusted root carries the timestamp authority that countersigned the bundle",
);
code!(
    TRUST_ROOT_INVALID,
    "SIG017",
    "trusted-root-invalid",
    Input,
    Error,
    5.0,
    "The trusted root (trusted_root.json) cannot be read or used: not JSON of the Sigstore TrustedRoot shape, or malformed keys and certificates.",
    "pass a trusted_root.json from the Sigstore instance (e.g. from `tollgate trust refresh`)",
);
code!(
    KEY_MISMATCH,
    "SIG018",
    "sigstore-key-unusable",
    Policy,
    Error,
    8.0,
    "The bundle is signed with a key (no certificate) but no usable --key was given, or the key type is not supported.",
    "pass the signer's public key with --key (PKIX PEM)",
);
code!(
    TUF_THRESHOLD,
    "SIG020",
    "tuf-signature-threshold",
    Policy,
    Error,
    9.0,
    "TUF metadata is not signed by a threshold of the keys its delegating role trusts (a tampered or under-signed file).",
    "the repository copy was altered or is incomplete; mirror it again from the publisher",
);
code!(
    TUF_EXPIRED,
    "SIG021",
    "tuf-metadata-expired",
    Policy,
    Error,
    7.0,
    "TUF metadata had expired at --now (freeze protection): the repository is stale or being replayed.",
    "mirror a current copy of the repository; for a recorded snapshot pass the recorded time with --now",
);
code!(
    TUF_ROLLBACK,
    "SIG022",
    "tuf-rollback",
    Policy,
    Error,
    9.0,
    "TUF metadata has a lower version than the one already trusted, or a version other than the one its parent metadata names (rollback or mix-and-match attack).",
    "the repository copy is older than the cache; refresh from a current copy, never delete the cache to get past this",
);
code!(
    TUF_HASH_MISMATCH,
    "SIG023",
    "tuf-hash-mismatch",
    Policy,
    Error,
    9.0,
    "A TUF metadata file or target does not have the length or hash its parent metadata records.",
    "the repository copy was altered; mirror it again from the publisher",
);
code!(
    TUF_INVALID,
    "SIG024",
    "tuf-metadata-invalid",
    Policy,
    Error,
    6.0,
    "A TUF metadata file is missing, not JSON, of the wrong type, or lacks required fields.",
    "check the --tuf-repo directory layout: metadata/N.root.json, timestamp.json, N.snapshot.json, N.targets.json, targets/",
);
code!(
    TUF_TARGET_MISSING,
    "SIG025",
    "tuf-target-not-found",
    Policy,
    Error,
    6.0,
    "The requested target is not listed by the repository's targets metadata (or its delegations), or its file is missing.",
    "check the target name (default trusted_root.json) and that targets/ was mirrored",
);
code!(
    TUF_FETCH,
    "SIG026",
    "tuf-fetch-failed",
    Input,
    Error,
    5.0,
    "A file of an HTTP(S) TUF repository could not be fetched: connection, TLS or timeout failure, an HTTP status other than 200 (404 for a required file), or a response cut short.",
    "check the --tuf-repo URL (metadata at URL/N.root.json, targets at URL/targets/ or --tuf-targets-url) and the network; or mirror the repository into a directory and pass that",
);
code!(
    X509_CHAIN,
    "SIG030",
    "x509-chain-invalid",
    Policy,
    Error,
    9.0,
    "The signing certificate does not chain to a certificate of --ca-roots, or is not valid at --now.",
    "check that --ca-roots holds the enterprise root (and that the bundle carries the intermediates)",
);
code!(
    X509_USAGE,
    "SIG031",
    "x509-key-usage",
    Policy,
    Error,
    8.0,
    "The signing certificate lacks the digitalSignature key usage or the code-signing extended key usage (either extension missing counts), or a CA certificate of its chain has an extended key usage without code signing.",
    "issue signing certificates with keyUsage digitalSignature and extKeyUsage codeSigning",
);
code!(
    X509_IDENTITY,
    "SIG032",
    "x509-identity-mismatch",
    Policy,
    Error,
    9.0,
    "None of the signing certificate's subject alternative names is the identity the policy requires.",
    "check --certificate-identity against the certificate's SAN (email, URI or DNS name)",
);

pub static ALL: &[&CodeInfo] = &[
    &BUNDLE_INVALID,
    &CERT_CHAIN,
    &CERT_VALIDITY,
    &SCT_INVALID,
    &IDENTITY_MISMATCH,
    &ISSUER_MISMATCH,
    &GITHUB_CLAIM_MISMATCH,
    &SIGNATURE_INVALID,
    &ARTIFACT_MISMATCH,
    &TLOG_UNKNOWN,
    &TLOG_INCLUSION_PROOF,
    &TLOG_CHECKPOINT,
    &TLOG_PROMISE,
    &TLOG_ENTRY_MISMATCH,
    &TLOG_TIME,
    &TIMESTAMP_INVALID,
    &TRUST_ROOT_INVALID,
    &KEY_MISMATCH,
    &TUF_THRESHOLD,
    &TUF_EXPIRED,
    &TUF_ROLLBACK,
    &TUF_HASH_MISMATCH,
    &TUF_INVALID,
    &TUF_TARGET_MISSING,
    &TUF_FETCH,
    &X509_CHAIN,
    &X509_USAGE,
    &X509_IDENTITY,
];
