//! Command-line definitions (clap derive structs only; behaviour lives in `commands`).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes: 0 the gate passed, 1 the gate denied, 2 bad input or usage.
Docs: docs/json-output.md (JSON shape), docs/diagnostics.md (every code).";

#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version = crate::VERSION_LONG,
    about = "Supply-chain release gate: deny by default, prove by artifact",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Report format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human, env = "TOLLGATE_FORMAT")]
    pub format: Format,

    /// Write the report to FILE instead of stdout (written atomically).
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The time used for every "now" (RFC 3339, e.g. 2026-01-01T00:00:00Z); makes output reproducible.
    #[arg(long, global = true, value_name = "RFC3339", env = "TOLLGATE_NOW")]
    pub now: Option<String>,

    /// Only print the verdict line and errors (human format).
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (repeat for more).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Refuse input files larger than this (bytes, or with KiB/MiB/GiB suffix).
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "512MiB",
        env = "TOLLGATE_MAX_INPUT_SIZE"
    )]
    pub max_input_size: String,

    /// Never use the network (tollgate never does; accepted for symmetry with other tools).
    #[arg(long, global = true, hide = true)]
    pub offline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate, compare and combine SBOMs (CycloneDX, SPDX).
    #[command(subcommand)]
    Sbom(SbomCommand),
    /// List every diagnostic code tollgate can emit, or explain one.
    Explain(ExplainArgs),
}

#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Check SBOMs against the official schema of their version and tollgate's semantic rules.
    Validate(SbomValidateArgs),
    /// Compare two SBOMs (any supported formats) and gate on drift.
    Diff(SbomDiffArgs),
    /// Combine several CycloneDX SBOMs into one.
    Merge(SbomMergeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// NTIA minimum elements (2021).
    Ntia,
    /// CISA 2025 minimum elements (adds hash, licence, tool name, generation context).
    #[value(name = "cisa-2025")]
    Cisa2025,
}

#[derive(Debug, Args)]
pub struct SbomValidateArgs {
    /// SBOM files (CycloneDX JSON/XML, SPDX JSON/YAML/tag-value, SPDX 3 JSON-LD).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Also check minimum elements; findings below 100% coverage are errors.
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,

    /// Skip the JSON schema and run only the semantic rules.
    #[arg(long)]
    pub no_schema: bool,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum DriftKind {
    Added,
    Removed,
    Version,
    License,
    Hash,
}

#[derive(Debug, Args)]
pub struct SbomDiffArgs {
    /// The baseline SBOM.
    pub old: PathBuf,
    /// The candidate SBOM.
    pub new: PathBuf,

    /// Kinds of change that deny the gate (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub fail_on: Vec<DriftKind>,

    /// YAML or JSON file listing expected changes that never deny (see docs/sbom-diff.md).
    #[arg(long, value_name = "FILE")]
    pub allow: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SbomMergeArgs {
    /// CycloneDX JSON SBOMs to merge.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where to write the merged SBOM ("-" for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,

    /// Nest each input's components under its own metadata.component instead of a flat list.
    #[arg(long)]
    pub hierarchical: bool,

    /// Name of the merged BOM's root component.
    #[arg(long, default_value = "merged")]
    pub root_name: String,

    /// Version of the merged BOM's root component.
    #[arg(long)]
    pub root_version: Option<String>,

    /// Group of the merged BOM's root component.
    #[arg(long)]
    pub root_group: Option<String>,

    /// CycloneDX spec version to write.
    #[arg(long, default_value = "1.6", value_parser = ["1.4", "1.5", "1.6", "1.7"])]
    pub spec_version: String,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A diagnostic code such as SBOM001; omit to list all codes.
    pub code: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
