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

/// Files a command writes besides the report: the report (`--output`) and the ledger must not
/// be any of them, or one would silently replace the other.
fn products(command: &Command) -> Vec<(&'static str, &std::path::Path)> {
    use crate::cli::SignCommand;
    let mut out: Vec<(&'static str, &std::path::Path)> = Vec::new();
    match command {
        Command::Sbom(SbomCommand::Merge(a)) => out.push(("--out", &a.out)),
        Command::Sbom(SbomCommand::Generate(a)) => out.push(("--out", &a.out)),
        Command::Sign(a) => match &a.blob {
            Some(SignCommand::Blob(b)) => out.push(("--out", &b.out)),
            None => out.push(("--out", &a.out)),
        },
        Command::Provenance(ProvenanceCommand::Generate(a)) => out.push(("--out", &a.out)),
        Command::Evidence(EvidenceCommand::Pack(a)) => {
            if let Some(o) = &a.out {
                out.push(("--out", o));
            }
        }
        Command::Evidence(EvidenceCommand::Prove(a)) => {
            if let Some(o) = &a.out {
                out.push(("--out", o));
            }
        }
        Command::Budget(BudgetCommand::Perf(a)) => {
            if let Some(o) = &a.update_baseline {
                out.push(("--update-baseline", o));
            }
        }
        Command::Hermetic(HermeticCommand::Run(a)) => {
            if let Some(o) = &a.attest {
                out.push(("--attest", o));
            }
        }
        Command::Repro(ReproCommand::Compare(a)) => {
            if let Some(o) = &a.opts.report {
                out.push(("--report", o));
            }
        }
        Command::Repro(ReproCommand::Run(a)) => {
            if let Some(o) = &a.opts.report {
                out.push(("--report", o));
            }
        }
        _ => {}
    }
    out
}

/// Refuse (exit 2, before any work) a report, ledger and product that are the same file.
fn check_distinct_outputs(cli: &Cli) -> Result<()> {
    let mut named: Vec<(&'static str, &std::path::Path)> = products(&cli.command);
    if let Some(o) = &cli.global.output {
        named.push(("--output", o));
    }
    if let Some(l) = &cli.global.ledger {
        named.push(("--ledger", l));
    }
    // `-` is stdout, not a file (a product there sends the report to stderr).
    named.retain(|(_, p)| *p != std::path::Path::new("-"));
    for (i, (a, pa)) in named.iter().enumerate() {
        for (b, pb) in &named[i + 1..] {
            if crate::output::same_file(pa, pb) {
                return Err(Error::usage(
                    format!("{a} and {b} name the same file, {}", pa.display()),
                    "give each output its own file",
                ));
            }
        }
    }
    Ok(())
}

pub fn dispatch(cli: &Cli, env: &mut Env) -> Result<u8> {
    let ctx = Context::from_global(&cli.global)?;
    check_distinct_outputs(cli)?;
    match &cli.command {
        Command::Sbom(SbomCommand::Validate(args)) => {
            sbom::cmd_validate(&ctx, args, &cli.global, env)
        }
        Command::Sbom(SbomCommand::Diff(args)) => sbom::cmd_diff(&ctx, args, &cli.global, env),
        Command::Sbom(SbomCommand::Merge(args)) => sbom::cmd_merge(&ctx, args, &cli.global, env),
        Command::Sbom(SbomCommand::Generate(args)) => {
            sbom_generate::cmd_generate(&ctx, args, &cli.global, env)
        }
        Command::Key(KeyCommand::Generate(args)) => key::cmd_generate(&ctx, args, &cli.global, env),
        Command::Sign(args) => sign::cmd_sign(&ctx, args, &cli.global, env),
        Command::Provenance(ProvenanceCommand::Generate(args)) => {
            provenance::cmd_generate(&ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Provenance(args)) => {
            verify::cmd_provenance(&ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Attestation(args)) => {
            controls::cmd_verify_attestation(&ctx, args, &cli.global, env)
        }
        Command::Verify(VerifyCommand::Bundle(args)) => {
            sigstore::cmd_bundle(&ctx, args, &cli.global, env)
        }
        Command::Trust(TrustCommand::Refresh(args)) => {
            trust::cmd_refresh(&ctx, args, &cli.global, env)
        }
        Command::Attest(AttestCommand::Controls(args)) => {
            controls::cmd_attest(&ctx, args, &cli.global, env)
        }
        Command::Catalog(CatalogCommand::Validate(args)) => {
            controls::cmd_catalog_validate(&ctx, args, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Pack(a)) => {
            evidence::cmd_pack(&ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Verify(a)) => {
            evidence::cmd_verify(&ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Extract(a)) => {
            evidence::cmd_extract(&ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Prove(a)) => {
            evidence::cmd_prove(&ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::CheckProof(a)) => {
            evidence::cmd_check_proof(&ctx, a, &cli.global, env)
        }
        Command::Evidence(EvidenceCommand::Audit(a)) => {
            evidence::cmd_audit(&ctx, a, &cli.global, env)
        }
        Command::Ledger(LedgerCommand::Verify(a)) => {
            evidence::cmd_ledger_verify(&ctx, a, &cli.global, env)
        }
        Command::Explain(args) => explain::cmd_explain(args, env),
        Command::Budget(BudgetCommand::Perf(args)) => {
            budget::cmd_perf(&ctx, args, &cli.global, env)
        }
        Command::Budget(BudgetCommand::Cost(args)) => {
            budget::cmd_cost(&ctx, args, &cli.global, env)
        }
        Command::Hermetic(HermeticCommand::Check(a)) => {
            hermetic::cmd_check(&ctx, a, &cli.global, env)
        }
        Command::Hermetic(HermeticCommand::Run(a)) => hermetic::cmd_run(&ctx, a, &cli.global, env),
        Command::Hermetic(HermeticCommand::Verify(a)) => {
            hermetic::cmd_verify(&ctx, a, &cli.global, env)
        }
        Command::Repro(ReproCommand::Compare(a)) => {
            hermetic::cmd_repro_compare(&ctx, a, &cli.global, env)
        }
        Command::Repro(ReproCommand::Run(a)) => hermetic::cmd_repro_run(&ctx, a, &cli.global, env),
    }
}
