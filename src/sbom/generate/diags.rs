//! Diagnostic codes of `sbom generate` (`GENnnn`).

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    BAD_LOCKFILE,
    "GEN001",
    "unreadable-lockfile",
    Semantic,
    Error,
    4.0,
    "A lockfile found under the scanned directory is malformed or of an unknown version; its packages are missing from the SBOM.",
    "fix or regenerate the lockfile with its package manager, or skip it with --exclude; --strict makes this fail the whole run",
);
code!(
    NO_INPUTS,
    "GEN002",
    "nothing-found",
    Input,
    Error,
    3.0,
    "No lockfile, root filesystem package database or artifact was found, so there is nothing to describe.",
    "point DIR at the project, or pass --rootfs or --artifact",
);
code!(
    UNPINNED,
    "GEN003",
    "unpinned-requirement",
    Semantic,
    Warning,
    3.0,
    "A requirements file line is not pinned with `==`; it is left out because its version is not known.",
    "pin it (`pip-compile`/`uv pip compile --generate-hashes` write pinned requirements)",
);
code!(
    PROFILE_GAP,
    "GEN004",
    "minimum-element-gap",
    Profile,
    Note,
    1.0,
    "The generated SBOM does not carry an NTIA minimum element for every component, because the inputs do not record it.",
    "add the element in a later step (e.g. supplier data) if your policy requires 100% coverage",
);
code!(
    INVALID_OUTPUT,
    "GEN005",
    "invalid-output",
    Schema,
    Error,
    6.0,
    "The generated SBOM failed tollgate's own validation and was not written (a bug in tollgate).",
    "report the bug with the lockfile that caused it; the validation findings name the field",
);

pub static ALL: &[&CodeInfo] = &[
    &BAD_LOCKFILE,
    &NO_INPUTS,
    &UNPINNED,
    &PROFILE_GAP,
    &INVALID_OUTPUT,
];
