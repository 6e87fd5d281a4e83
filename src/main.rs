//! The `tollgate` binary: parse, run, map to an exit code. A panic anywhere (argument parsing
//! included) is reported as an internal error with exit code 2, never as a pass.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error: internal error: {info} (hint: this is a tollgate bug; please report it with the command line used)"
        );
    }));
    let code = std::panic::catch_unwind(|| {
        let cli = match tollgate::cli::Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                let code = if e.use_stderr() {
                    tollgate::EXIT_ERROR
                } else {
                    tollgate::EXIT_PASS
                };
                if e.use_stderr() {
                    eprintln!("{}", one_line_usage_error(&e.render().to_string()));
                } else {
                    // --help and --version: clap's own text on stdout.
                    let _ = e.print();
                }
                return code;
            }
        };
        let mut env = tollgate::output::Env::from_process();
        tollgate::run(cli, &mut env)
    })
    .unwrap_or(tollgate::EXIT_ERROR);
    ExitCode::from(code)
}

/// clap's multi-line usage error as the one `error:` line every tollgate error is: the message
/// and its details joined, the usage line moved into the hint.
fn one_line_usage_error(rendered: &str) -> String {
    let mut usage = None;
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("For more information") {
            continue;
        }
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
            continue;
        }
        parts.push(line.strip_prefix("error: ").unwrap_or(line));
    }
    let hint = match usage {
        Some(u) => format!("usage: {u}; more with --help"),
        None => "see --help".to_string(),
    };
    format!("error: {} (hint: {hint})", parts.join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn usage_errors_are_one_line() {
        let rendered = "error: unrecognized subcommand 'validat'\n\n  tip: a similar subcommand exists: 'validate'\n\nUsage: tollgate sbom [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            super::one_line_usage_error(rendered),
            "error: unrecognized subcommand 'validat' tip: a similar subcommand exists: 'validate' (hint: usage: tollgate sbom [OPTIONS] <COMMAND>; more with --help)"
        );
    }
}
