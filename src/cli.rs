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

    /// Write the report to FILE instead of stdout (written atomically; `-` is stdout).
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

    /// Append this run's verdict to a hash-chained decision ledger (JSON lines; see
    /// `tollgate ledger verify`).
    #[arg(long, global = true, value_name = "FILE", env = "TOLLGATE_LEDGER")]
    pub ledger: Option<PathBuf>,

    /// The ledger chain (repository or tenant) records belong to (default: the CI repository,
    /// else "default").
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "TOLLGATE_LEDGER_CHAIN"
    )]
    pub ledger_chain: Option<String>,

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
    /// Generate signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a payload into a DSSE envelope (in-toto statement by default), or a plain file.
    Sign(SignArgs),
    /// Generate SLSA provenance (in-toto Statement v1, SLSA Provenance v1.0).
    #[command(subcommand)]
    Provenance(ProvenanceCommand),
    /// Verify signed attestations against trusted keys and a policy.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Evaluate a control catalog against evidence into a (signed) Control Attestation.
    #[command(subcommand)]
    Attest(AttestCommand),
    /// Check control catalogs.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Release Evidence Packs: pack, verify, extract, prove, audit.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The hash-chained decision ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// List every diagnostic code tollgate can emit, or explain one.
    Explain(ExplainArgs),
    /// Gate on performance (k6) and cost (Infracost) budgets.
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// Keep Sigstore trust roots fresh over TUF, for fully offline verification.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Hermetic builds: find network access in build logs, run a command with no network.
    #[command(subcommand)]
    Hermetic(HermeticCommand),
    /// Reproducible builds: compare two builds, or build twice with variation and compare.
    #[command(subcommand)]
    Repro(ReproCommand),
}

impl Command {
    /// The command as typed (`sbom validate`), for records of runs that produced no report.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sbom(SbomCommand::Validate(_)) => "sbom validate",
            Command::Sbom(SbomCommand::Diff(_)) => "sbom diff",
            Command::Sbom(SbomCommand::Merge(_)) => "sbom merge",
            Command::Sbom(SbomCommand::Generate(_)) => "sbom generate",
            Command::Key(KeyCommand::Generate(_)) => "key generate",
            Command::Sign(a) if a.blob.is_some() => "sign blob",
            Command::Sign(_) => "sign",
            Command::Provenance(ProvenanceCommand::Generate(_)) => "provenance generate",
            Command::Verify(VerifyCommand::Provenance(_)) => "verify provenance",
            Command::Verify(VerifyCommand::Attestation(_)) => "verify attestation",
            Command::Verify(VerifyCommand::Bundle(_)) => "verify bundle",
            Command::Attest(AttestCommand::Controls(_)) => "attest controls",
            Command::Catalog(CatalogCommand::Validate(_)) => "catalog validate",
            Command::Evidence(EvidenceCommand::Pack(_)) => "evidence pack",
            Command::Evidence(EvidenceCommand::Verify(_)) => "evidence verify",
            Command::Evidence(EvidenceCommand::Extract(_)) => "evidence extract",
            Command::Evidence(EvidenceCommand::Prove(_)) => "evidence prove",
            Command::Evidence(EvidenceCommand::CheckProof(_)) => "evidence check-proof",
            Command::Evidence(EvidenceCommand::Audit(_)) => "evidence audit",
            Command::Ledger(LedgerCommand::Verify(_)) => "ledger verify",
            Command::Explain(_) => "explain",
            Command::Budget(BudgetCommand::Perf(_)) => "budget perf",
            Command::Budget(BudgetCommand::Cost(_)) => "budget cost",
            Command::Trust(TrustCommand::Refresh(_)) => "trust refresh",
            Command::Hermetic(HermeticCommand::Check(_)) => "hermetic check",
            Command::Hermetic(HermeticCommand::Run(_)) => "hermetic run",
            Command::Hermetic(HermeticCommand::Verify(_)) => "hermetic verify",
            Command::Repro(ReproCommand::Compare(_)) => "repro compare",
            Command::Repro(ReproCommand::Run(_)) => "repro run",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: PKCS#8 private key (optionally encrypted, cosign/sigstore format)
    /// and PKIX public key, both PEM.
    Generate(KeyGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    /// ECDSA over NIST P-256 with SHA-256.
    #[value(name = "ecdsa-p256")]
    EcdsaP256,
    /// Ed25519.
    Ed25519,
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::EcdsaP256)]
    pub algorithm: KeyAlgorithm,

    /// Path prefix: writes PREFIX.key (private, mode 0600) and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "tollgate")]
    pub out_prefix: PathBuf,

    /// Encrypt the private key (ENCRYPTED SIGSTORE PRIVATE KEY: scrypt + secretbox) with the
    /// password from TOLLGATE_PASSWORD (or COSIGN_PASSWORD).
    #[arg(long)]
    pub encrypt: bool,

    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureOutput {
    /// A DSSE JSON envelope.
    Envelope,
    /// One DSSE envelope per line (`.intoto.jsonl`).
    Jsonl,
    /// A Sigstore bundle v0.3 with a public-key hint (no transparency-log entry).
    Bundle,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SignArgs {
    #[command(subcommand)]
    pub blob: Option<SignCommand>,

    /// The payload to sign (an in-toto statement unless --payload-type says otherwise).
    #[arg(value_name = "PAYLOAD", required = true)]
    pub payload: Option<PathBuf>,

    /// Private key (PKCS#8/SEC1 PEM, or cosign/sigstore encrypted; password from
    /// TOLLGATE_PASSWORD or COSIGN_PASSWORD).
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Option<PathBuf>,

    /// DSSE payloadType.
    #[arg(long, default_value = "application/vnd.in-toto+json")]
    pub payload_type: String,

    /// What to write.
    #[arg(long = "as", value_enum, default_value_t = SignatureOutput::Envelope)]
    pub output_as: SignatureOutput,

    /// Where to write the signed result ("-" for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SignCommand {
    /// Sign a file the way `cosign sign-blob --key` does: base64 of an ASN.1 DER ECDSA
    /// signature over its SHA-256 (Ed25519 keys: Ed25519ph, as cosign does).
    Blob(SignBlobArgs),
}

#[derive(Debug, Args)]
pub struct SignBlobArgs {
    /// The file to sign.
    pub file: PathBuf,
    /// Private key.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Where to write the base64 signature ("-" for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ProvenanceCommand {
    /// Write an in-toto Statement v1 with a SLSA Provenance v1.0 predicate for the subjects.
    Generate(ProvenanceGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestAlgorithm {
    Sha256,
    Sha512,
}

#[derive(Debug, Args)]
pub struct ProvenanceGenerateArgs {
    /// Subject files or globs (`dist/**/*.tar.gz`); any number.
    #[arg(value_name = "FILE_OR_GLOB")]
    pub subjects: Vec<String>,

    /// Subjects from a checksums file in `sha256sum` format.
    #[arg(long, value_name = "FILE")]
    pub checksums: Option<PathBuf>,

    /// Digests to record per subject (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "sha256")]
    pub digest: Vec<DigestAlgorithm>,

    /// Where to write the statement ("-" for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,

    /// runDetails.builder.id (default: from the CI environment).
    #[arg(long)]
    pub builder_id: Option<String>,
    /// buildDefinition.buildType (default: tollgate's generic build type).
    #[arg(long)]
    pub build_type: Option<String>,
    /// Source repository URI, e.g. git+https://github.com/org/repo (default: from CI).
    #[arg(long)]
    pub source_uri: Option<String>,
    /// Source ref, e.g. refs/heads/main or refs/tags/v1.2.3 (default: from CI).
    #[arg(long)]
    pub source_ref: Option<String>,
    /// Source commit (git SHA-1/SHA-256) (default: from CI).
    #[arg(long)]
    pub source_digest: Option<String>,
    /// runDetails.metadata.invocationId (default: from CI).
    #[arg(long)]
    pub invocation_id: Option<String>,
    /// runDetails.metadata.startedOn, RFC 3339 (default: --now).
    #[arg(long)]
    pub started_on: Option<String>,
    /// runDetails.metadata.finishedOn, RFC 3339 (default: --now).
    #[arg(long)]
    pub finished_on: Option<String>,
    /// Extra externalParameters as KEY=VALUE (repeatable).
    #[arg(long = "external-parameter", value_name = "KEY=VALUE")]
    pub external_parameters: Vec<String>,
    /// Ignore the CI environment; use only flags.
    #[arg(long)]
    pub no_ci_env: bool,
}

#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify signed SLSA provenance (DSSE envelope, .intoto.jsonl or Sigstore bundle) for
    /// artifacts: signature, statement, predicate, subjects and the builder/source policy.
    Provenance(Box<VerifyProvenanceArgs>),
    /// Verify a signed Control Attestation (and, with --evidence, that the evidence is unchanged).
    Attestation(VerifyAttestationArgs),
    /// Verify a Sigstore bundle (messageSignature or dsseEnvelope) over an artifact, fully
    /// offline: certificate chain, identity, signature, transparency log, timestamps.
    Bundle(Box<VerifyBundleArgs>),
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Evaluate every control of a catalog against an evidence directory and write
    /// OUT/controls/: attestation.json (in-toto statement), attestation.dsse.json (with --key),
    /// vsa.json, oscal-assessment-results.json, control-map.csv, report.md, report.html,
    /// report.pdf.
    Controls(AttestControlsArgs),
}

#[derive(Debug, Args)]
pub struct AttestControlsArgs {
    /// The control catalog (YAML, `schema: 1`).
    #[arg(long, value_name = "FILE", default_value = "catalog/default.yaml")]
    pub catalog: PathBuf,
    /// The evidence directory; catalog globs are relative to it.
    #[arg(long, value_name = "DIR")]
    pub evidence: PathBuf,
    /// Waivers file (YAML: control, reason, approver, expires, ticket).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Output directory; everything goes to OUT/controls/ (replaced atomically, and only if it
    /// holds nothing but a previous run's outputs).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Sign the attestation and the VSA with this private key (DSSE).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Public key(s) trusted by the signature assertions (provenance_verified, …); repeatable.
    #[arg(long, value_name = "FILE")]
    pub trusted_key: Vec<PathBuf>,
    /// Release name shown in the reports (default: from the CI environment).
    #[arg(long)]
    pub release: Option<String>,
    /// Directory with templates overriding controls.md.j2 / controls.html.j2.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Skip the PDF rendering.
    #[arg(long)]
    pub no_pdf: bool,
    /// Ignore the CI environment (release repository, ref, commit).
    #[arg(long)]
    pub no_ci_env: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Assemble a signed, byte-reproducible Evidence Pack (tar.gz or tar.zst, index.json first).
    Pack(EvidencePackArgs),
    /// Verify a pack: index signature, every artifact's size and digest, the Merkle root, exactly
    /// the listed files, and no hostile entries.
    Verify(EvidenceVerifyArgs),
    /// Verify a pack, then extract its files into a new directory.
    Extract(EvidenceExtractArgs),
    /// Print the Merkle inclusion proof of one artifact of a pack (JSON).
    Prove(EvidenceProveArgs),
    /// Check a Merkle inclusion proof against a root (and optionally the artifact file).
    CheckProof(EvidenceCheckProofArgs),
    /// Verify a reproducible random sample of the packs in a directory.
    Audit(EvidenceAuditArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compression {
    Gzip,
    Zstd,
}

#[derive(Debug, Args)]
pub struct EvidencePackArgs {
    /// Files to pack (in addition to --dir); stored under their file names.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// An evidence directory; every file under it is packed under its relative path.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The Control Attestation (controls/attestation.json or its DSSE envelope): packed, and
    /// its control map copied into the index.
    #[arg(long, value_name = "FILE")]
    pub attestation: Option<PathBuf>,
    /// Organisation name (in the index and the default file name).
    #[arg(long)]
    pub org: String,
    /// Release name (in the index and the default file name).
    #[arg(long)]
    pub release: String,
    /// Output file (default: audit-pack-ORG-RELEASE-DATE.tgz / .tar.zst in the current directory).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compression.
    #[arg(long, value_enum, default_value_t = Compression::Gzip)]
    pub compression: Compression,
    /// Sign index.json with this private key (DSSE, stored as index.dsse.json).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Ignore the CI environment (repository, ref, commit).
    #[arg(long)]
    pub no_ci_env: bool,
}

#[derive(Debug, Args, Clone)]
pub struct PackLimitArgs {
    /// Trusted public key(s) for the index signature; repeatable.
    #[arg(long, value_name = "FILE")]
    pub key: Vec<PathBuf>,
    /// Accept a pack without checking its signature (no --key).
    #[arg(long)]
    pub allow_unsigned: bool,
    /// Refuse archives that expand beyond this size.
    #[arg(long, value_name = "SIZE", default_value = "16GiB")]
    pub max_unpacked_size: String,
    /// Refuse archives that expand more than this many times their compressed size.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_ratio: u64,
}

#[derive(Debug, Args)]
pub struct EvidenceVerifyArgs {
    /// The pack.
    pub pack: PathBuf,
    #[command(flatten)]
    pub limits: PackLimitArgs,
}

#[derive(Debug, Args)]
pub struct EvidenceExtractArgs {
    /// The pack.
    pub pack: PathBuf,
    /// Directory to create (must not exist, or be empty).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    #[command(flatten)]
    pub limits: PackLimitArgs,
}

#[derive(Debug, Args)]
pub struct EvidenceProveArgs {
    /// The pack.
    pub pack: PathBuf,
    /// The artifact: its name in the index (e.g. sbom/app.cdx.json) or archive path.
    pub artifact: String,
    /// Write the proof here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub limits: PackLimitArgs,
}

#[derive(Debug, Args)]
pub struct EvidenceCheckProofArgs {
    /// The proof (JSON from `tollgate evidence prove`).
    pub proof: PathBuf,
    /// The trusted Merkle root (hex), e.g. from the verified pack's index.
    #[arg(long, value_name = "HEX")]
    pub root: String,
    /// The artifact file: its SHA-256 must be the proof's.
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvidenceAuditArgs {
    /// Directory holding packs (*.tgz, *.tar.gz, *.tar.zst), searched recursively.
    pub dir: PathBuf,
    /// Share of packs to verify: a percentage (10%) or a count (25).
    #[arg(long, default_value = "10%")]
    pub sample: String,
    /// Seed of the sample, so an auditor can reproduce the same selection.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub limits: PackLimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check every record's hash and link; names the first bad record.
    Verify(LedgerVerifyArgs),
}

#[derive(Debug, Args)]
pub struct LedgerVerifyArgs {
    /// The ledger file (JSON lines).
    // Not named `ledger`: an argument with the id of the global `--ledger` takes its value
    // too, and the verification's own verdict would be appended to the ledger it checks.
    #[arg(value_name = "LEDGER")]
    pub file: PathBuf,

    /// A record hash noted earlier (published with a release, say) that the ledger must still
    /// hold: records deleted from the end leave an intact but shorter chain, which only an
    /// anchor kept elsewhere reveals. Repeatable.
    #[arg(long = "anchor", value_name = "HASH")]
    pub anchors: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate catalog files (and waivers files with --waivers): every problem with its
    /// line:column; --list-assertions prints the assertion types.
    Validate(CatalogValidateArgs),
}

#[derive(Debug, Args)]
pub struct CatalogValidateArgs {
    /// Catalog files.
    #[arg(value_name = "CATALOG")]
    pub catalogs: Vec<PathBuf>,
    /// A waivers file to validate against the catalog(s).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// List the assertion types and their parameters.
    #[arg(long)]
    pub list_assertions: bool,
}

#[derive(Debug, Args)]
pub struct VerifyAttestationArgs {
    /// The signed Control Attestation (controls/attestation.dsse.json).
    #[arg(value_name = "ENVELOPE")]
    pub envelope: PathBuf,
    /// Trusted public key(s); repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,
    /// Also check every evidence file still has the digest the attestation recorded.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Verify the signature only; do not deny when the attested verdict is fail.
    #[arg(long)]
    pub allow_fail_verdict: bool,
}

#[derive(Debug, Args)]
pub struct VerifyProvenanceArgs {
    /// The artifacts the provenance must describe (each one's digest must be a subject).
    #[arg(value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,

    /// The signed provenance: a DSSE envelope, `.intoto.jsonl` (one envelope per line) or a
    /// Sigstore bundle carrying a DSSE envelope. Repeatable; every one must verify.
    #[arg(long, visible_alias = "bundle", value_name = "FILE", required = true)]
    pub provenance: Vec<PathBuf>,

    /// Artifact digests given directly, as ALG:HEX (sha256, sha384, sha512, sha224, sha512_224,
    /// sha512_256); repeatable.
    #[arg(long = "artifact-digest", value_name = "ALG:HEX")]
    pub artifact_digests: Vec<String>,

    /// A trusted public key (PKIX PEM: ECDSA P-256/P-384, Ed25519, RSA); repeatable.
    #[arg(long, value_name = "FILE")]
    pub key: Vec<PathBuf>,

    /// The key id signatures name the matching --key by (by position: the first --key-id is
    /// the first --key's), when it is not tollgate's default (SHA-256 of the PKIX DER), e.g. a
    /// KMS URI. Signatures with an empty key id are tried against every key.
    #[arg(long, value_name = "ID")]
    pub key_id: Vec<String>,

    /// How many distinct trusted keys must have signed.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threshold: usize,

    /// Required builder id; without `@VERSION` any version of that builder is accepted, and
    /// `@vX.Y.Z` also accepts the provenance's `@refs/tags/vX.Y.Z` (as slsa-verifier).
    #[arg(long)]
    pub builder_id: Option<String>,
    /// Required source repository, e.g. github.com/org/repo (scheme and `git+` optional).
    #[arg(long)]
    pub source_uri: Option<String>,
    /// Required full source ref, e.g. refs/heads/main.
    #[arg(long)]
    pub source_ref: Option<String>,
    /// Required source tag (exact), e.g. v1.2.3.
    #[arg(long)]
    pub source_tag: Option<String>,
    /// Required source branch (exact), e.g. main.
    #[arg(long)]
    pub source_branch: Option<String>,
    /// Required semver-compatible tag: v1 accepts any v1.x.y, v1.2 any v1.2.y.
    #[arg(long)]
    pub source_versioned_tag: Option<String>,
    /// Required buildDefinition.buildType (v0.2: buildType).
    #[arg(long)]
    pub build_type: Option<String>,
    /// Accepted predicateType(s) (default: SLSA Provenance v1.0 and v0.2); repeatable.
    #[arg(long, value_name = "URI")]
    pub predicate_type: Vec<String>,

    /// Keyless Sigstore bundles: trusted root and identity policy.
    #[command(flatten)]
    pub sigstore: SigstoreArgs,

    /// X.509 (enterprise PKI): CA certificate(s), PEM, the bundle's signing certificate must
    /// chain to (validity at --now, code-signing EKU; --certificate-identity matches a SAN).
    #[arg(long, value_name = "FILE")]
    pub ca_roots: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Check SBOMs against the official schema of their version and tollgate's semantic rules.
    Validate(SbomValidateArgs),
    /// Compare two SBOMs (any supported formats) and gate on drift.
    Diff(SbomDiffArgs),
    /// Combine several CycloneDX SBOMs into one.
    Merge(SbomMergeArgs),
    /// Generate an SBOM from lockfiles, a root filesystem and build artifacts (no network).
    Generate(SbomGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON (1.6 by default, see --spec-version).
    #[value(name = "cyclonedx-json", alias = "cyclonedx", alias = "cdx")]
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    #[value(name = "spdx-json", alias = "spdx")]
    SpdxJson,
}

#[derive(Debug, Args)]
pub struct SbomGenerateArgs {
    /// Directory searched for lockfiles (skipping .git, node_modules, target, vendor). Use
    /// --no-lockfiles to describe only --rootfs/--artifact inputs.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Where to write the SBOM ("-" for stdout; the report then goes to stderr).
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,

    /// SBOM format (the global --format is the report's format).
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub sbom_format: SbomFormat,

    /// CycloneDX spec version to write.
    #[arg(long, default_value = "1.6", value_parser = ["1.5", "1.6"])]
    pub spec_version: String,

    /// Skip paths matching this glob (relative to DIR, or a file/directory name); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Leave out packages only development needs.
    #[arg(long)]
    pub exclude_dev: bool,

    /// Also describe the OS packages of this unpacked root filesystem (dpkg, apk).
    #[arg(long, value_name = "DIR")]
    pub rootfs: Option<PathBuf>,

    /// Build outputs to describe as file components (globs, quoted; repeatable).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub artifact: Vec<String>,

    /// Do not search DIR for lockfiles.
    #[arg(long)]
    pub no_lockfiles: bool,

    /// Name of the release (metadata.component); default: DIR's name.
    #[arg(long)]
    pub root_name: Option<String>,

    /// Version of the release (metadata.component, and of the artifacts).
    #[arg(long)]
    pub root_version: Option<String>,

    /// One unreadable lockfile fails the whole run (exit 2, nothing written) instead of being
    /// reported (exit 1) while the others are still described.
    #[arg(long)]
    pub strict: bool,
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
    /// SBOM files (CycloneDX JSON, SPDX JSON/YAML/tag-value, SPDX 3 JSON-LD; CycloneDX XML is
    /// refused with a hint to convert it to JSON).
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

    /// YAML or JSON file listing expected changes that never deny (see docs/sbom.md).
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

#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Compare a k6 summary with a baseline and a budgets file; k6's own thresholds count too.
    Perf(BudgetPerfArgs),
    /// Check Infracost JSON against monthly cost budgets (total, per project, per service).
    Cost(BudgetCostArgs),
}

#[derive(Debug, Args)]
pub struct BudgetPerfArgs {
    /// k6 summary of this run: --summary-export JSON, handleSummary() JSON or the
    /// machine-readable summary (detected).
    #[arg(long, value_name = "SUMMARY")]
    pub current: PathBuf,

    /// k6 summary of the baseline run (e.g. main), for relative budgets such as `+10%`.
    #[arg(long, value_name = "SUMMARY")]
    pub baseline: Option<PathBuf>,

    /// Budgets file (YAML or JSON, see docs/budgets.md); without it only k6's thresholds gate.
    #[arg(long, value_name = "FILE")]
    pub budgets: Option<PathBuf>,

    /// Report failed k6 thresholds as warnings instead of denying.
    #[arg(long)]
    pub ignore_k6_thresholds: bool,

    /// Write the current summary to FILE as the new baseline, only when the gate passed
    /// (atomically).
    #[arg(long, value_name = "FILE")]
    pub update_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BudgetCostArgs {
    /// Infracost JSON (`infracost breakdown --format json` or `infracost diff --format json`).
    #[arg(long, value_name = "FILE")]
    pub infracost: PathBuf,

    /// Budgets file (YAML or JSON, see docs/budgets.md); without it only unpriced projects gate.
    #[arg(long, value_name = "FILE")]
    pub budgets: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HermeticCommand {
    /// Read build logs (BuildKit, docker, Bazel, cargo, npm/yarn/pnpm, pip/uv/poetry, Go,
    /// Maven/Gradle, apt, apk) for network access and check the build invocations' offline flags.
    Check(HermeticCheckArgs),
    /// Run a command in a new network namespace with only loopback (fail closed), optionally
    /// signing an in-toto statement about the run. Exits with the command's exit code; the
    /// report goes to --output, else to stderr (stdout is the command's).
    Run(HermeticRunArgs),
    /// Verify a signed hermetic-run statement (signature, predicate, exit code, artifacts).
    Verify(HermeticVerifyArgs),
}

#[derive(Debug, Args)]
pub struct HermeticCheckArgs {
    /// Build logs to check (plain text, as CI or `docker build --progress=plain` writes them).
    #[arg(value_name = "LOG", required_unless_present = "command")]
    pub logs: Vec<PathBuf>,

    /// A build invocation to check as well (e.g. "cargo build --offline"); repeatable.
    #[arg(long, value_name = "CMD")]
    pub command: Vec<String>,

    /// A host (glob, e.g. "*.mirror.internal") that builds may use; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub allow_host: Vec<String>,

    /// A compose file the logs' `docker compose build` used; it is offline only if every
    /// service that builds sets `build.network: none` in the files given. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub compose: Vec<PathBuf>,

    /// More patterns for other tools (YAML, see docs/hermetic.md).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IsolationChoice {
    /// unshare (user + network namespace), else bubblewrap.
    Auto,
    Unshare,
    Bwrap,
}

#[derive(Debug, Args)]
pub struct HermeticRunArgs {
    /// Write a signed in-toto statement (DSSE envelope) about the run to FILE.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub attest: Option<PathBuf>,

    /// Private key to sign the statement with (password from TOLLGATE_PASSWORD or COSIGN_PASSWORD).
    #[arg(long, value_name = "FILE", requires = "attest")]
    pub key: Option<PathBuf>,

    /// Record this environment variable's value in the statement; repeatable.
    #[arg(long, value_name = "VAR")]
    pub record_env: Vec<String>,

    /// Artifacts the command builds (globs relative to the working directory), recorded with
    /// their SHA-256 as the statement's subjects; repeatable. (`--output` is the report file.)
    #[arg(long, value_name = "GLOB")]
    pub artifact: Vec<String>,

    /// How to isolate the command.
    #[arg(long, value_enum, default_value_t = IsolationChoice::Auto)]
    pub isolation: IsolationChoice,

    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct HermeticVerifyArgs {
    /// The DSSE envelope written by `tollgate hermetic run --attest`.
    #[arg(value_name = "ATTESTATION")]
    pub attestation: PathBuf,

    /// Trusted public key (PEM); repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    pub key: Vec<PathBuf>,

    /// An artifact that must be one of the statement's subjects, digest and all; repeatable.
    #[arg(long, value_name = "FILE")]
    pub artifact: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReproCommand {
    /// Compare the artifacts of two builds (two directories, two files, or artifact lists such
    /// as SHA256SUMS or provenance): identical, different or missing.
    Compare(ReproCompareArgs),
    /// Build N times in separate directories with variation (time, build path, umask, locale,
    /// time zone) and compare the artifacts, like reprotest.
    Run(ReproRunArgs),
}

#[derive(Debug, Args)]
pub struct ReproOptions {
    /// The lowest reproducibility ratio (identical / all artifacts) that passes.
    #[arg(long, value_name = "RATIO", default_value_t = 1.0)]
    pub min_ratio: f64,

    /// Write the reproducibility report (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Do not run diffoscope on differing artifacts even when it is installed.
    #[arg(long)]
    pub no_diffoscope: bool,
}

#[derive(Debug, Args)]
pub struct ReproCompareArgs {
    /// The first build's artifacts (a directory, or one file); leave out with --list-a.
    #[arg(value_name = "DIR_A")]
    pub dir_a: Option<PathBuf>,
    /// The second build's artifacts (a directory, or one file); leave out with --list-b.
    #[arg(value_name = "DIR_B")]
    pub dir_b: Option<PathBuf>,
    /// The first build as an artifact list instead of files: sha256sum output
    /// (`HEX  path`, `SHA256 (path) = HEX`) or an in-toto statement whose subjects are the
    /// artifacts (SLSA provenance; bare, DSSE envelope, .intoto.jsonl or Sigstore bundle).
    #[arg(long, value_name = "FILE")]
    pub list_a: Option<PathBuf>,
    /// The second build as an artifact list (as --list-a).
    #[arg(long, value_name = "FILE")]
    pub list_b: Option<PathBuf>,
    #[command(flatten)]
    pub opts: ReproOptions,
}

#[derive(Debug, Args)]
pub struct ReproRunArgs {
    /// How many builds.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(2..=10))]
    pub runs: u32,

    /// Artifacts to compare (globs relative to the build directory); repeatable.
    #[arg(long, value_name = "GLOB", required = true)]
    pub artifact: Vec<String>,

    /// The source tree copied into each build directory (`.git` is skipped).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,

    /// SOURCE_DATE_EPOCH for every build (default: the environment's, else 1700000000).
    #[arg(long, value_name = "SECONDS")]
    pub source_date_epoch: Option<i64>,

    /// Do not vary the clock with faketime even when it is installed.
    #[arg(long)]
    pub no_faketime: bool,

    #[command(flatten)]
    pub opts: ReproOptions,

    /// The build command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
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

    /// clap gives a subcommand's argument and a global option with the same id one value, so
    /// a positional `ledger` also set `--ledger`: no subcommand may reuse a global's id.
    #[test]
    fn no_argument_shadows_a_global_option() {
        use clap::CommandFactory;
        let cli = super::Cli::command();
        let globals: Vec<String> = cli
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        assert!(globals.iter().any(|g| g == "ledger"), "{globals:?}");
        fn walk(cmd: &clap::Command, path: &str, globals: &[String], bad: &mut Vec<String>) {
            for a in cmd.get_arguments().filter(|a| !a.is_global_set()) {
                if globals.iter().any(|g| g == a.get_id().as_str()) {
                    bad.push(format!("{path} {}", a.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), globals, bad);
            }
        }
        let mut bad = Vec::new();
        for sub in cli.get_subcommands() {
            walk(sub, sub.get_name(), &globals, &mut bad);
        }
        assert!(
            bad.is_empty(),
            "arguments sharing a global option's id: {bad:?}"
        );
    }
}

// ---- Sigstore and TUF ------------------------------------------------------------------------

/// A built-in Sigstore trusted root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SigstoreInstance {
    /// The public-good production instance.
    #[default]
    Production,
    /// The public-good staging instance.
    Staging,
}

/// Trust material and identity policy for keyless (Sigstore) signatures.
#[derive(Debug, Clone, Default, Args)]
pub struct SigstoreArgs {
    /// A Sigstore trusted root (trusted_root.json of any instance: public good, GitHub, private).
    #[arg(long, value_name = "FILE", conflicts_with = "tuf_cache")]
    pub trusted_root: Option<PathBuf>,
    /// A TUF cache written by `tollgate trust refresh`, verified again on every use (no network;
    /// metadata must not have expired at --now; its age is reported).
    #[arg(long, value_name = "DIR")]
    pub tuf_cache: Option<PathBuf>,
    /// The built-in trusted root used when neither --trusted-root nor --tuf-cache is given.
    #[arg(long, value_enum, default_value_t = SigstoreInstance::Production)]
    pub sigstore_instance: SigstoreInstance,
    /// The signer's certificate identity (SAN: email or URI), exactly.
    #[arg(long, value_name = "IDENTITY")]
    pub certificate_identity: Option<String>,
    /// A regular expression the certificate identity must match (unanchored; write ^…$).
    #[arg(long, value_name = "REGEX")]
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer of the signer's identity, exactly (GitHub Actions:
    /// https://token.actions.githubusercontent.com).
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,
    /// A regular expression the OIDC issuer must match.
    #[arg(long, value_name = "REGEX")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// GitHub workflow extension: the repository (owner/repo).
    #[arg(long, value_name = "OWNER/REPO")]
    pub certificate_github_workflow_repository: Option<String>,
    /// GitHub workflow extension: the ref, e.g. refs/heads/main.
    #[arg(long, value_name = "REF")]
    pub certificate_github_workflow_ref: Option<String>,
    /// GitHub workflow extension: the triggering event, e.g. push.
    #[arg(long, value_name = "EVENT")]
    pub certificate_github_workflow_trigger: Option<String>,
    /// GitHub workflow extension: the commit SHA.
    #[arg(long, value_name = "SHA")]
    pub certificate_github_workflow_sha: Option<String>,
    /// GitHub workflow extension: the workflow name.
    #[arg(long, value_name = "NAME")]
    pub certificate_github_workflow_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The artifact file (or its digest, sha256:HEX / sha512:HEX, instead of a file).
    #[arg(value_name = "ARTIFACT")]
    pub artifact: Option<PathBuf>,
    /// The artifact's digest instead of the file, as ALG:HEX (sha256 or sha512).
    #[arg(long, value_name = "ALG:HEX", conflicts_with = "artifact")]
    pub digest: Option<String>,
    /// The Sigstore bundle (.sigstore.json), v0.1–v0.3.
    #[arg(long, value_name = "FILE")]
    pub bundle: PathBuf,
    /// For bundles signed with a managed key (no certificate): the public key (PKIX PEM).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// X.509 (enterprise PKI): CA certificate(s), PEM, the bundle's signing certificate must
    /// chain to (validity at --now, code-signing EKU; --certificate-identity matches a SAN).
    /// No transparency log or Sigstore trusted root is used.
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub ca_roots: Option<PathBuf>,
    #[command(flatten)]
    pub sigstore: SigstoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Refresh a trusted root over TUF from a local repository copy or an HTTP(S) repository
    /// into a cache directory: root rotation, timestamp, snapshot, targets (and delegations),
    /// expiry at --now, rollback protection. Verify commands then use it offline with
    /// --tuf-cache DIR.
    Refresh(TrustRefreshArgs),
}

#[derive(Debug, Args)]
pub struct TrustRefreshArgs {
    /// The trust anchor: a root.json distributed out of band (used while the cache has none).
    #[arg(long, value_name = "FILE")]
    pub tuf_root: PathBuf,
    /// The TUF repository: a directory with metadata/ and targets/ (a mirrored copy), or an
    /// http(s):// URL serving the metadata (URL/N.root.json, URL/timestamp.json, …) with the
    /// targets under URL/targets/ (e.g. https://tuf-repo-cdn.sigstore.dev).
    #[arg(long, value_name = "DIR_OR_URL")]
    pub tuf_repo: String,
    /// With an http(s) --tuf-repo: where the targets are served, when not at URL/targets/.
    #[arg(long, value_name = "URL")]
    pub tuf_targets_url: Option<String>,
    /// With an http(s) --tuf-repo: the most seconds one request may take (connect, TLS,
    /// response); connecting is bounded by 10 seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The cache directory (created; holds the trusted metadata and the target).
    #[arg(long, value_name = "DIR")]
    pub cache: PathBuf,
    /// The target to fetch.
    #[arg(long, value_name = "PATH", default_value = "trusted_root.json")]
    pub target: String,
}
