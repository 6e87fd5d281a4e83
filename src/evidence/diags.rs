//! Diagnostic codes of Evidence Packs and the decision ledger (`EVDnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    DIGEST_MISMATCH,
    "EVD001",
    "artifact-digest-mismatch",
    Policy,
    Error,
    9.0,
    "An artifact in the pack does not have the SHA-256 its index records.",
    "the pack was modified after it was made; obtain the original pack",
);
code!(
    SIZE_MISMATCH,
    "EVD002",
    "artifact-size-mismatch",
    Policy,
    Error,
    8.0,
    "An artifact in the pack does not have the size its index records (larger or smaller than declared).",
    "the pack was modified after it was made; obtain the original pack",
);
code!(
    ARTIFACT_MISSING,
    "EVD003",
    "artifact-missing",
    Policy,
    Error,
    8.0,
    "An artifact the index lists is not in the archive.",
    "the pack is incomplete; obtain the original pack",
);
code!(
    UNEXPECTED_ENTRY,
    "EVD004",
    "unexpected-entry",
    Policy,
    Error,
    8.0,
    "The archive holds a file the index does not list.",
    "a pack holds exactly the files its index lists; something was added after packing",
);
code!(
    MERKLE_MISMATCH,
    "EVD005",
    "merkle-root-mismatch",
    Policy,
    Error,
    9.0,
    "The Merkle root in the index does not match the artifact digests it lists.",
    "the index was edited; obtain the original pack",
);
code!(
    SIGNATURE_INVALID,
    "EVD006",
    "index-signature-invalid",
    Policy,
    Error,
    9.0,
    "The index signature does not verify with the trusted key(s), or signs other bytes than index.json.",
    "check --key; a pack whose index signature fails must not be trusted",
);
code!(
    UNSAFE_PATH,
    "EVD007",
    "unsafe-path",
    Policy,
    Error,
    9.5,
    "An archive entry has an absolute path or a `..` component (path traversal).",
    "a hostile archive; do not extract it with other tools either",
);
code!(
    LINK_ENTRY,
    "EVD008",
    "link-entry",
    Policy,
    Error,
    9.0,
    "An archive entry is a symbolic or hard link; packs hold regular files only.",
    "a hostile or foreign archive; do not extract it with other tools either",
);
code!(
    SPECIAL_ENTRY,
    "EVD009",
    "special-entry",
    Policy,
    Error,
    9.0,
    "An archive entry is a device, FIFO or other special file; packs hold regular files only.",
    "a hostile or foreign archive; do not extract it with other tools either",
);
code!(
    DUPLICATE_ENTRY,
    "EVD010",
    "duplicate-entry",
    Policy,
    Error,
    8.5,
    "Two archive entries have the same path (the second would silently replace the first).",
    "a hostile archive; obtain the original pack",
);
code!(
    DECOMPRESSION_BOMB,
    "EVD011",
    "decompression-bomb",
    Policy,
    Error,
    8.5,
    "The archive expands beyond --max-unpacked-size or above --max-ratio of its compressed size.",
    "raise the limits only for a pack you expect to be this large",
);
code!(
    INDEX_INVALID,
    "EVD012",
    "index-invalid",
    Policy,
    Error,
    8.0,
    "index.json is missing, not the first entry, or not a valid Evidence Pack index.",
    "this is not a tollgate Evidence Pack, or it was damaged",
);
code!(
    UNSIGNED,
    "EVD013",
    "pack-unsigned",
    Policy,
    Error,
    7.0,
    "The pack has no index signature (index.dsse.json) but a key was given to verify it.",
    "sign packs with tollgate evidence pack --key KEY",
);
code!(
    PROOF_INVALID,
    "EVD014",
    "inclusion-proof-invalid",
    Policy,
    Error,
    9.0,
    "A Merkle inclusion proof does not lead from the artifact's digest to the expected root.",
    "the artifact is not the one packed, or the proof or root is wrong",
);
code!(
    LEDGER_BROKEN,
    "EVD015",
    "ledger-chain-broken",
    Policy,
    Error,
    9.0,
    "A decision-ledger record was edited, deleted, inserted or reordered: its hash or its link to the previous record does not match.",
    "the ledger was tampered with from the named record on; restore it from a trusted copy",
);
code!(
    AUDIT_PACK_FAILED,
    "EVD016",
    "audited-pack-failed",
    Policy,
    Error,
    8.0,
    "A pack chosen by the audit sample did not verify.",
    "see the pack's own findings; re-issue the pack from the release's original evidence",
);

code!(
    AUDIT_NO_PACKS,
    "EVD017",
    "audit-found-no-packs",
    Policy,
    Error,
    7.0,
    "The audited directory holds no Evidence Packs (*.tgz, *.tar.gz, *.tar.zst), so nothing was verified.",
    "pass the directory the release pipeline stores its packs in; an audit of nothing is not a pass",
);

pub static ALL: &[&CodeInfo] = &[
    &DIGEST_MISMATCH,
    &SIZE_MISMATCH,
    &ARTIFACT_MISSING,
    &UNEXPECTED_ENTRY,
    &MERKLE_MISMATCH,
    &SIGNATURE_INVALID,
    &UNSAFE_PATH,
    &LINK_ENTRY,
    &SPECIAL_ENTRY,
    &DUPLICATE_ENTRY,
    &DECOMPRESSION_BOMB,
    &INDEX_INVALID,
    &UNSIGNED,
    &PROOF_INVALID,
    &LEDGER_BROKEN,
    &AUDIT_PACK_FAILED,
    &AUDIT_NO_PACKS,
];
