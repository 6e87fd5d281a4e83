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
                let _ = e.print();
                return code;
            }
        };
        let mut env = tollgate::output::Env::from_process();
        tollgate::run(cli, &mut env)
    })
    .unwrap_or(tollgate::EXIT_ERROR);
    ExitCode::from(code)
}
