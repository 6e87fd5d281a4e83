//! Diagnostic codes of hermetic builds (`HRMnnn`): `tollgate hermetic check` and `hermetic run`.

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    NETWORK_ACCESS,
    "HRM001",
    "network-access",
    Policy,
    Error,
    6.0,
    "A build log line shows network access (a download, fetch, clone or registry request) during the build.",
    "vendor or pre-fetch the dependency and build offline, or allow an internal mirror with --allow-host",
);
code!(
    NETWORK_NOT_DISABLED,
    "HRM002",
    "network-not-disabled",
    Policy,
    Error,
    5.0,
    "A build invocation does not forbid network access (no --offline, --no-index, --network=none or the tool's equivalent).",
    "add the tool's offline flag (cargo --offline, npm ci --offline, pip --no-index, docker build --network=none, mvn -o, gradle --offline)",
);
code!(
    UNRECOGNISED_LOG,
    "HRM003",
    "unrecognised-log",
    Input,
    Error,
    3.0,
    "No known build tool output or invocation was found in a log (or no known build tool or downloader in a --command), so tollgate gives no verdict on it.",
    "check that the right file was passed, or describe the tool with --rules FILE",
);
code!(
    INVALID_RULES,
    "HRM004",
    "invalid-rules",
    Input,
    Error,
    3.0,
    "The --rules file is not a valid hermetic rules file (YAML: version, tools with name, recognise and network patterns).",
    "fix the field at the reported line:column; see docs/hermetic.md for the rules file format",
);
code!(
    ISOLATION_UNAVAILABLE,
    "HRM005",
    "isolation-unavailable",
    Input,
    Error,
    7.0,
    "Network isolation (a user and network namespace with only loopback) could not be set up, so the command was not run.",
    "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or AppArmor's restrict_unprivileged_userns=0), run as root, or install bubblewrap",
);
code!(
    ALLOWED_HOST,
    "HRM006",
    "allowed-network-access",
    Policy,
    Note,
    0.0,
    "A build log line shows network access to a host that --allow-host permits.",
    "nothing to do; the host is an allowed mirror",
);

code!(
    RUN_ATTESTATION_INVALID,
    "HRM007",
    "run-attestation-invalid",
    Semantic,
    Error,
    6.0,
    "A hermetic-run statement is not what `tollgate hermetic run --attest` writes (predicate type, isolation record), or an artifact is not one of its subjects.",
    "verify the statement `tollgate hermetic run --attest` wrote for this build, and pass the artifacts it built",
);
code!(
    RUN_COMMAND_FAILED,
    "HRM008",
    "run-command-failed",
    Policy,
    Error,
    4.0,
    "The command run by `tollgate hermetic run` (or recorded in a hermetic-run statement) exited with a non-zero code.",
    "a failed build proves nothing about its outputs; fix the build and run it again",
);
code!(
    RUN_NO_ARTIFACTS,
    "HRM009",
    "run-no-artifacts",
    Input,
    Error,
    3.0,
    "`hermetic run --attest`: the --artifact globs matched no files after the command ran, so no statement was written.",
    "check the globs (relative to the working directory) and that the command builds them",
);

pub static ALL: &[&CodeInfo] = &[
    &NETWORK_ACCESS,
    &NETWORK_NOT_DISABLED,
    &UNRECOGNISED_LOG,
    &INVALID_RULES,
    &ISOLATION_UNAVAILABLE,
    &ALLOWED_HOST,
    &RUN_ATTESTATION_INVALID,
    &RUN_COMMAND_FAILED,
    &RUN_NO_ARTIFACTS,
];
