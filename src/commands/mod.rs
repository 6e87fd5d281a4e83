//! One `cmd_*` function per subcommand: read inputs, call the check, hand the report to output.

mod budget;
mod controls;
mod evidence;
mod explain;
mod hermetic;
mod key;
mod provenance;
mod sbom;
mod sbom_generate;
mod sign;
mod sigstore;
mod trust;
mod verify;

use crate::cli::{
    AttestCommand, BudgetCommand, CatalogCommand, Cli, Command, EvidenceCommand, GlobalArgs,
    HermeticCommand, KeyCommand, LedgerCommand, ProvenanceCommand, ReproCommand, SbomCommand,
    TrustCommand, VerifyCommand,
};
use crate::error::{Error, Result};
use crate::input::Limits;
use crate::output::Env;
use std::path::{Path, PathBuf};

/// Settings every command derives from the global options.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: jiff::Timestamp,
    /// `now` as RFC 3339 with second precision, used in reports.
    pub now_rfc3339: String,
    pub limits: Limits,
}

impl Context {
    pub fn from_global(global: &GlobalArgs) -> Result<Self> {
        let now = match &global.now {
            Some(s) => crate::input::parse_rfc3339(s).map_err(|e| {
                Error::usage(
                    format!("--now {s:?} is not an RFC 3339 time: {e}"),
                    "write it like 2026-01-31T12:00:00Z",
                )
            })?,
            None => jiff::Timestamp::now(),
        };
        let now = jiff::Timestamp::from_second(now.as_second()).expect("in range");
        let max_bytes = crate::input::parse_size(&global.max_input_size)
            .map_err(|e| Error::usage(e, "e.g. --max-input-size 1GiB"))?;
        Ok(Context {
            now,
            now_rfc3339: now.to_string(),
            limits: Limits { max_bytes },
        })
    }
}

/// What a command writes besides the report: a file, or a directory it fills or replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Product {
    File(PathBuf),
    Dir(PathBuf),
}

/// The option names output flags use. Every subcommand argument with one of these long names
/// must be listed by [`products`] (a test walks the CLI to make sure).
#[cfg(test)]
const OUTPUT_FLAG_NAMES: &[&str] = &[
    "out",
    "out-prefix",
    "attest",
    "report",
    "update-baseline",
    "to",
    "cache",
];

/// What a command writes besides the report: the report (`--output`) and the ledger must not
/// be any of these files, nor inside these directories, or one would silently replace the
/// other.
fn products(command: &Command) -> Vec<(&'static str, Product)> {
    use crate::cli::SignCommand;
    let file = |p: &Path| Product::File(p.to_path_buf());
    let mut out: Vec<(&'static str, Product)> = Vec::new();
    match command {
        Command::Sbom(SbomCommand::Merge(a)) => out.push(("--out", file(&a.out))),
        Command::Sbom(SbomCommand::Generate(a)) => out.push(("--out", file(&a.out))),
        Command::Key(KeyCommand::Generate(a)) => {
            out.push(("--out-prefix", Product::File(key::key_path(&a.out_prefix))));
            out.push(("--out-prefix", Product::File(key::pub_path(&a.out_prefix))));
        }
        Command::Sign(a) => match &a.blob {
            Some(SignCommand::Blob(b)) => out.push(("--out", file(&b.out))),
            None => out.push(("--out", file(&a.out))),
        },
        Command::Provenance(ProvenanceCommand::Generate(a)) => out.push(("--out", file(&a.out))),
        Command::Attest(AttestCommand::Controls(a)) => {
            out.push(("--out", Product::Dir(a.out.join("controls"))));
        }
        Command::Evidence(EvidenceCommand::Pack(a)) => {
            if let Some(o) = &a.out {
                out.push(("--out", file(o)));
            }
        }
        Command::Evidence(EvidenceCommand::Prove(a)) => {
            if let Some(o) = &a.out {
                out.push(("--out", file(o)));
            }
        }
        Command::Evidence(EvidenceCommand::Extract(a)) => {
            out.push(("--to", Product::Dir(a.to.clone())));
        }
        Command::Trust(TrustCommand::Refresh(a)) => {
            out.push(("--cache", Product::Dir(a.cache.clone())));
        }
        Command::Budget(BudgetCommand::Perf(a)) => {
            if let Some(o) = &a.update_baseline {
                out.push(("--update-baseline", file(o)));
            }
        }
        Command::Hermetic(HermeticCommand::Run(a)) => {
            if let Some(o) = &a.attest {
                out.push(("--attest", file(o)));
            }
        }
        Command::Repro(ReproCommand::Compare(a)) => {
            if let Some(o) = &a.opts.report {
                out.push(("--report", file(o)));
            }
        }
        Command::Repro(ReproCommand::Run(a)) => {
            if let Some(o) = &a.opts.report {
                out.push(("--report", file(o)));
            }
        }
        _ => {}
    }
    out
}

/// The option names that carry keys and trust anchors. Every subcommand argument with one of
/// these long names must be listed by [`protected_inputs`] (a test walks the CLI).
#[cfg(test)]
const KEY_FLAG_NAMES: &[&str] = &["key", "trusted-key", "ca-roots", "trusted-root", "tuf-root"];

/// Keys, trust anchors and the files a command signs: no output may replace them (a typo such
/// as `sign st.json --key k.key --out k.key` would otherwise destroy the private key).
fn protected_inputs(command: &Command) -> Vec<(&'static str, &Path)> {
    use crate::cli::SignCommand;
    let mut v: Vec<(&'static str, &Path)> = Vec::new();
    fn add<'a>(v: &mut Vec<(&'static str, &'a Path)>, flag: &'static str, paths: &'a [PathBuf]) {
        v.extend(paths.iter().map(|p| (flag, p.as_path())));
    }
    match command {
        Command::Sign(a) => match &a.blob {
            Some(SignCommand::Blob(b)) => {
                v.push(("the signed file", &b.file));
                v.push(("--key", &b.key));
            }
            None => {
                add(&mut v, "the signed payload", a.payload.as_slice());
                add(&mut v, "--key", a.key.as_slice());
            }
        },
        Command::Attest(AttestCommand::Controls(a)) => {
            add(&mut v, "--key", a.key.as_slice());
            add(&mut v, "--trusted-key", &a.trusted_key);
        }
        Command::Evidence(EvidenceCommand::Pack(a)) => {
            add(&mut v, "--key", a.key.as_slice());
        }
        Command::Evidence(EvidenceCommand::Verify(a)) => add(&mut v, "--key", &a.limits.key),
        Command::Evidence(EvidenceCommand::Extract(a)) => add(&mut v, "--key", &a.limits.key),
        Command::Evidence(EvidenceCommand::Prove(a)) => add(&mut v, "--key", &a.limits.key),
        Command::Evidence(EvidenceCommand::Audit(a)) => add(&mut v, "--key", &a.limits.key),
        Command::Verify(VerifyCommand::Attestation(a)) => add(&mut v, "--key", &a.key),
        Command::Verify(VerifyCommand::Provenance(a)) => {
            add(&mut v, "--key", &a.key);
            add(&mut v, "--ca-roots", a.ca_roots.as_slice());
            add(&mut v, "--trusted-root", a.sigstore.trusted_root.as_slice());
        }
        Command::Verify(VerifyCommand::Bundle(a)) => {
            add(&mut v, "--key", a.key.as_slice());
            add(&mut v, "--ca-roots", a.ca_roots.as_slice());
            add(&mut v, "--trusted-root", a.sigstore.trusted_root.as_slice());
        }
        Command::Hermetic(HermeticCommand::Run(a)) => {
            add(&mut v, "--key", a.key.as_slice());
        }
        Command::Hermetic(HermeticCommand::Verify(a)) => add(&mut v, "--key", &a.key),
        Command::Trust(TrustCommand::Refresh(a)) => v.push(("--tuf-root", &a.tuf_root)),
        _ => {}
    }
    v
}

/// Refuse (exit 2, before any work) a report, ledger and product that are the same file, or a
/// report or ledger inside a directory the command fills or replaces.
fn check_distinct_outputs(cli: &Cli) -> Result<()> {
    let mut named = products(&cli.command);
    if let Some(o) = &cli.global.output {
        named.push(("--output", Product::File(o.clone())));
    }
    if let Some(l) = &cli.global.ledger {
        named.push(("--ledger", Product::File(l.clone())));
    }
    // `-` is stdout, not a file (a product there sends the report to stderr).
    named.retain(|(_, p)| *p != Product::File(PathBuf::from("-")));
    for (i, (a, pa)) in named.iter().enumerate() {
        for (b, pb) in &named[i + 1..] {
            match (pa, pb) {
                (Product::File(fa), Product::File(fb)) => {
                    if crate::output::same_file(fa, fb) {
                        return Err(Error::usage(
                            format!("{a} and {b} name the same file, {}", fa.display()),
                            "give each output its own file",
                        ));
                    }
                }
                (Product::Dir(d), Product::File(f)) | (Product::File(f), Product::Dir(d)) => {
                    if crate::output::is_within(f, d) {
                        let (file_flag, dir_flag) = if matches!(pa, Product::File(_)) {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        return Err(Error::usage(
                            format!(
                                "{file_flag} {} is inside {}, which {dir_flag} has this command fill or replace",
                                f.display(),
                                d.display()
                            ),
                            "write the report and the ledger outside that directory",
                        ));
                    }
                }
                (Product::Dir(_), Product::Dir(_)) => {}
            }
        }
    }
    for (input_flag, input) in protected_inputs(&cli.command) {
        for (flag, product) in &named {
            let replaced = match product {
                Product::File(f) => crate::output::same_file(f, input),
                Product::Dir(d) => crate::output::is_within(input, d),
            };
            if replaced {
                return Err(Error::usage(
                    format!("{flag} would replace {input_flag}, {}", input.display()),
                    "write the output elsewhere: tollgate never overwrites the keys, trust roots or files it reads to sign or verify",
                ));
            }
        }
    }
    Ok(())
}

/// Run the command with the settings `ctx` derived from the global options.
pub fn dispatch(cli: &Cli, ctx: &Context, env: &mut Env) -> Result<u8> {
    check_distinct_outputs(cli)?;
    match &cli.command {
        Command::Sbom(SbomCommand::Validate(args)) => {
            sbom::cmd_validate(ctx, args, &cli.global, env)
        }
        Command::Sbom(SbomCommand::Diff(args)) => sbom::cmd_diff(ctx, args, &cli.global, env),
        Command::Sbom(SbomCommand::Merge(args)) => sbom::cmd_merge(ctx, args, &cli.global, env),
        Command::Sbom(SbomCommand::Generate(args)) => {
            sbom_generate::cmd_generate(ctx, args, &cli.global, env)
        }
        Command::Key(KeyCommand::Generate(args)) => key::cmd_generate(ctx, args, &cli.global, env),
        Command::Sign(args) => sign::cmd_sign(ctx, args, &cli.global, env),
        Command::Provenance(ProvenanceCommand::Generate(args)) => {
            provenance::cmd_generate(ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Provenance(args)) => {
            verify::cmd_provenance(ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Attestation(args)) => {
            controls::cmd_verify_attestation(ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Bundle(args)) => {
            sigstore::cmd_bundle(ctx, args, &cli.global, env)
        }
        Command::Trust(TrustCommand::Refresh(args)) => {
            trust::cmd_refresh(ctx, args, &cli.global, env)
        }
        Command::Attest(AttestCommand::Controls(args)) => {
            controls::cmd_attest(ctx, args, &cli.global, env)
        }
        Command::Catalog(CatalogCommand::Validate(args)) => {
            controls::cmd_catalog_validate(ctx, args, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Pack(a)) => evidence::cmd_pack(ctx, a, &cli.global, env),
        Command::Evidence(EvidenceCommand::Verify(a)) => {
            evidence::cmd_verify(ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Extract(a)) => {
            evidence::cmd_extract(ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Prove(a)) => {
            evidence::cmd_prove(ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::CheckProof(a)) => {
            evidence::cmd_check_proof(ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Audit(a)) => {
            evidence::cmd_audit(ctx, a, &cli.global, env)
        }
        Command::Ledger(LedgerCommand::Verify(a)) => {
            evidence::cmd_ledger_verify(ctx, a, &cli.global, env)
        }
        Command::Explain(args) => explain::cmd_explain(args, env),
        Command::Budget(BudgetCommand::Perf(args)) => budget::cmd_perf(ctx, args, &cli.global, env),
        Command::Budget(BudgetCommand::Cost(args)) => budget::cmd_cost(ctx, args, &cli.global, env),
        Command::Hermetic(HermeticCommand::Check(a)) => {
            hermetic::cmd_check(ctx, a, &cli.global, env)
        }
        Command::Hermetic(HermeticCommand::Run(a)) => hermetic::cmd_run(ctx, a, &cli.global, env),
        Command::Hermetic(HermeticCommand::Verify(a)) => {
            hermetic::cmd_verify(ctx, a, &cli.global, env)
        }
        Command::Repro(ReproCommand::Compare(a)) => {
            hermetic::cmd_repro_compare(ctx, a, &cli.global, env)
        }
        Command::Repro(ReproCommand::Run(a)) => hermetic::cmd_repro_run(ctx, a, &cli.global, env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    /// One command line per output flag, each naming the output `X`, and what it writes there.
    const OUTPUT_FLAGS: &[(&str, &[&str], &[&str])] = &[
        (
            "sbom merge --out",
            &["sbom", "merge", "a.json", "--out", "X"],
            &["X"],
        ),
        (
            "sbom generate --out",
            &["sbom", "generate", "--out", "X"],
            &["X"],
        ),
        (
            "key generate --out-prefix",
            &["key", "generate", "--out-prefix", "X"],
            &["X.key", "X.pub"],
        ),
        (
            "sign --out",
            &["sign", "--key", "k", "p", "--out", "X"],
            &["X"],
        ),
        (
            "sign blob --out",
            &["sign", "blob", "--key", "k", "f", "--out", "X"],
            &["X"],
        ),
        (
            "provenance generate --out",
            &["provenance", "generate", "--out", "X"],
            &["X"],
        ),
        (
            "attest controls --out",
            &["attest", "controls", "--evidence", "e", "--out", "X"],
            &["X/controls/"],
        ),
        (
            "evidence pack --out",
            &[
                "evidence",
                "pack",
                "--org",
                "o",
                "--release",
                "r",
                "--out",
                "X",
            ],
            &["X"],
        ),
        (
            "evidence prove --out",
            &["evidence", "prove", "p", "a", "--out", "X"],
            &["X"],
        ),
        (
            "evidence extract --to",
            &["evidence", "extract", "p", "--to", "X"],
            &["X/"],
        ),
        (
            "trust refresh --cache",
            &[
                "trust",
                "refresh",
                "--tuf-root",
                "r",
                "--tuf-repo",
                "d",
                "--cache",
                "X",
            ],
            &["X/"],
        ),
        (
            "budget perf --update-baseline",
            &["budget", "perf", "--current", "c", "--update-baseline", "X"],
            &["X"],
        ),
        (
            "hermetic run --attest",
            &[
                "hermetic", "run", "--attest", "X", "--key", "k", "--", "make",
            ],
            &["X"],
        ),
        (
            "repro compare --report",
            &["repro", "compare", "a", "b", "--report", "X"],
            &["X"],
        ),
        (
            "repro run --report",
            &[
                "repro",
                "run",
                "--artifact",
                "g",
                "--report",
                "X",
                "--",
                "make",
            ],
            &["X"],
        ),
    ];

    /// One command line per key or trust-anchor flag, each naming the file `K`.
    const KEY_FLAGS: &[(&str, &[&str])] = &[
        ("sign --key", &["sign", "--key", "K", "p"]),
        ("sign blob --key", &["sign", "blob", "--key", "K", "f"]),
        (
            "attest controls --key",
            &[
                "attest",
                "controls",
                "--evidence",
                "e",
                "--out",
                "o",
                "--key",
                "K",
            ],
        ),
        (
            "attest controls --trusted-key",
            &[
                "attest",
                "controls",
                "--evidence",
                "e",
                "--out",
                "o",
                "--trusted-key",
                "K",
            ],
        ),
        (
            "evidence pack --key",
            &[
                "evidence",
                "pack",
                "--org",
                "o",
                "--release",
                "r",
                "--key",
                "K",
            ],
        ),
        (
            "evidence verify --key",
            &["evidence", "verify", "p", "--key", "K"],
        ),
        (
            "evidence extract --key",
            &["evidence", "extract", "p", "--to", "t", "--key", "K"],
        ),
        (
            "evidence prove --key",
            &["evidence", "prove", "p", "a", "--key", "K"],
        ),
        (
            "evidence audit --key",
            &["evidence", "audit", "d", "--key", "K"],
        ),
        (
            "verify attestation --key",
            &["verify", "attestation", "e", "--key", "K"],
        ),
        (
            "verify provenance --key",
            &[
                "verify",
                "provenance",
                "a",
                "--provenance",
                "p",
                "--key",
                "K",
            ],
        ),
        (
            "verify provenance --ca-roots",
            &[
                "verify",
                "provenance",
                "a",
                "--provenance",
                "p",
                "--ca-roots",
                "K",
            ],
        ),
        (
            "verify provenance --trusted-root",
            &[
                "verify",
                "provenance",
                "a",
                "--provenance",
                "p",
                "--trusted-root",
                "K",
            ],
        ),
        (
            "verify bundle --key",
            &["verify", "bundle", "a", "--bundle", "b", "--key", "K"],
        ),
        (
            "verify bundle --ca-roots",
            &["verify", "bundle", "a", "--bundle", "b", "--ca-roots", "K"],
        ),
        (
            "verify bundle --trusted-root",
            &[
                "verify",
                "bundle",
                "a",
                "--bundle",
                "b",
                "--trusted-root",
                "K",
            ],
        ),
        (
            "hermetic run --key",
            &[
                "hermetic", "run", "--attest", "a", "--key", "K", "--", "make",
            ],
        ),
        (
            "hermetic verify --key",
            &["hermetic", "verify", "s", "--key", "K"],
        ),
        (
            "trust refresh --tuf-root",
            &[
                "trust",
                "refresh",
                "--tuf-root",
                "K",
                "--tuf-repo",
                "d",
                "--cache",
                "c",
            ],
        ),
    ];

    fn walk_flags(names: &[&str]) -> Vec<String> {
        fn walk(cmd: &clap::Command, path: &str, names: &[&str], found: &mut Vec<String>) {
            for a in cmd.get_arguments().filter(|a| !a.is_global_set()) {
                if let Some(long) = a.get_long()
                    && names.contains(&long)
                {
                    found.push(format!("{path} --{long}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), names, found);
            }
        }
        let cli = Cli::command();
        let mut found = Vec::new();
        for sub in cli.get_subcommands() {
            walk(sub, sub.get_name(), names, &mut found);
        }
        found.sort();
        found
    }

    fn parse(name: &str, args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("tollgate").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Every key and trust-anchor flag is protected from being replaced by an output.
    #[test]
    fn every_key_flag_is_protected() {
        let mut listed: Vec<String> = KEY_FLAGS.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(
            walk_flags(KEY_FLAG_NAMES),
            listed,
            "key flags in the CLI vs the table here"
        );
        for (name, args) in KEY_FLAGS {
            let cli = parse(name, args);
            let got: Vec<&Path> = protected_inputs(&cli.command)
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            assert!(got.contains(&Path::new("K")), "{name}: {got:?}");
        }
        // The signed files themselves.
        let cli = parse("sign", &["sign", "--key", "k", "P"]);
        assert!(protected_inputs(&cli.command).contains(&("the signed payload", Path::new("P"))));
        let cli = parse("sign blob", &["sign", "blob", "--key", "k", "F"]);
        assert!(protected_inputs(&cli.command).contains(&("the signed file", Path::new("F"))));
    }

    /// Every subcommand argument named like an output (`--out`, `--to`, …) is known to
    /// `products`, so the report and the ledger can never silently replace what it writes.
    #[test]
    fn every_output_flag_is_a_product() {
        let mut listed: Vec<String> = OUTPUT_FLAGS.iter().map(|(n, _, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(
            walk_flags(OUTPUT_FLAG_NAMES),
            listed,
            "output flags in the CLI vs the table here"
        );

        for (name, args, expected) in OUTPUT_FLAGS {
            let cli = parse(name, args);
            let got: Vec<String> = products(&cli.command)
                .into_iter()
                .map(|(_, p)| match p {
                    Product::File(f) => f.display().to_string(),
                    Product::Dir(d) => format!("{}/", d.display()),
                })
                .collect();
            assert_eq!(&got, expected, "{name}");
        }
    }
}
