//! Diagnostic codes of reproducibility checks (`REPnnn`): `tollgate repro compare` and `repro run`.

use crate::diags::code;
use crate::report::CodeInfo;

code!(
    ARTIFACT_DIFFERS,
    "REP001",
    "repro-artifact-differs",
    Drift,
    Warning,
    4.0,
    "An artifact differs between two builds of the same source (the gate is the ratio, REP005).",
    "look for embedded times, build paths, locale, umask or ordering (diffoscope shows where); honour SOURCE_DATE_EPOCH",
);
code!(
    ARTIFACT_MISSING,
    "REP002",
    "repro-artifact-missing",
    Drift,
    Warning,
    4.0,
    "An artifact exists in one build but not in the other (the gate is the ratio, REP005).",
    "check that the build writes the same outputs every time (no names with times or random parts)",
);
code!(
    BUILD_FAILED,
    "REP003",
    "build-failed",
    Policy,
    Error,
    4.0,
    "A build of `tollgate repro run` exited with a non-zero code.",
    "run the command by hand in a copy of the source; it must succeed in any directory, time zone and locale",
);
code!(
    NO_ARTIFACTS,
    "REP004",
    "no-artifacts",
    Input,
    Error,
    3.0,
    "No artifacts were found to compare (empty directories, or --artifact globs that match nothing).",
    "check the directories or the --artifact globs (relative to the build directory)",
);
code!(
    BELOW_MIN_RATIO,
    "REP005",
    "below-min-ratio",
    Policy,
    Error,
    4.0,
    "The reproducibility ratio (identical artifacts / all artifacts) is below --min-ratio.",
    "make the differing artifacts reproducible, or lower --min-ratio with a reviewed reason",
);
code!(
    INVALID_LIST,
    "REP006",
    "invalid-artifact-list",
    Input,
    Error,
    3.0,
    "An artifact list given to `repro compare --list-a/--list-b` is not a sha256sum checksum file or an in-toto statement with sha256 subjects.",
    "pass `sha256sum` output (`HEX  path` lines) or the build's provenance (statement, DSSE envelope, .intoto.jsonl, Sigstore bundle)",
);

pub static ALL: &[&CodeInfo] = &[
    &ARTIFACT_DIFFERS,
    &ARTIFACT_MISSING,
    &BUILD_FAILED,
    &NO_ARTIFACTS,
    &BELOW_MIN_RATIO,
    &INVALID_LIST,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `repro run` names its artifacts with `--artifact` (`--output` is the global report
    /// option): REP004 must point at the option that exists.
    #[test]
    fn no_artifacts_names_the_artifact_option() {
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let run = cli
            .find_subcommand("repro")
            .and_then(|r| r.find_subcommand("run"))
            .expect("repro run");
        let longs: Vec<&str> = run.get_arguments().filter_map(|a| a.get_long()).collect();
        assert!(longs.contains(&"artifact"), "{longs:?}");
        for text in [NO_ARTIFACTS.description, NO_ARTIFACTS.help] {
            assert!(text.contains("--artifact globs"), "{text}");
            assert!(!text.contains("--output"), "{text}");
        }
    }
}
