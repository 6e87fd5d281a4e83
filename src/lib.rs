//! tollgate: a supply-chain release gate.
//!
//! The library never prints: commands return a [`report::Report`] (or an [`error::Error`]) and
//! [`run`] hands it to the output layer ([`output::Env`]), which tests can replace with buffers.

pub mod attest;
pub mod budget;
pub mod cli;
pub mod commands;
pub mod controls;
pub mod diags;
pub mod error;
pub mod evidence;
pub mod hermetic;
pub mod input;
pub mod jsonpos;
pub mod output;
pub mod report;
pub mod repro;
pub mod sbom;
pub mod sigstore;

pub use error::{Error, Result};

/// Crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Version plus the git commit the binary was built from, for `--version`.
pub const VERSION_LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("TOLLGATE_GIT_COMMIT"),
    ")"
);

/// Exit code for a gate that passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code for a gate that denied.
pub const EXIT_DENY: u8 = 1;
/// Exit code for bad input or usage.
pub const EXIT_ERROR: u8 = 2;

/// Run a parsed command line against an environment; returns the process exit code.
pub fn run(mut cli: cli::Cli, env: &mut output::Env) -> u8 {
    // `--output -` is stdout, as `--out -` is for the commands that write a product.
    if cli.global.output.as_deref() == Some(std::path::Path::new("-")) {
        cli.global.output = None;
    }
    let (ctx, result) = match commands::Context::from_global(&cli.global) {
        Ok(ctx) => {
            let result = commands::dispatch(&cli, &ctx, env);
            (Some(ctx), result)
        }
        Err(e) => (None, Err(e)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            env.error_line(&e.one_line());
            // A bad `--now` is itself the error: the run is recorded at the clock's time.
            let now = ctx.map_or_else(jiff::Timestamp::now, |c| c.now);
            env.record_failed_run(&cli.global, cli.command.name(), &e, now);
            EXIT_ERROR
        }
    }
}
