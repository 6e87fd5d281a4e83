//! `tollgate explain [CODE]`: the diagnostic code reference, from the same registry the checks use.

use crate::cli::ExplainArgs;
use crate::diags;
use crate::error::{Error, Result};
use crate::output::Env;
use std::io::Write;

pub fn cmd_explain(args: &ExplainArgs, env: &mut Env) -> Result<u8> {
    let mut out = String::new();
    match &args.code {
        Some(code) => {
            let info = diags::find(code).ok_or_else(|| {
                Error::usage(
                    format!("unknown diagnostic code {code:?}"),
                    "run `tollgate explain` to list every code",
                )
            })?;
            out.push_str(&format!(
                "{} ({})\n  category: {:?}\n  default severity: {}\n  {}\n  help: {}\n",
                info.code,
                info.name,
                info.category,
                info.default_severity.as_str(),
                info.description,
                info.help
            ));
        }
        None => {
            for info in diags::all() {
                out.push_str(&format!(
                    "{:<8} {:<8} {:<28} {}\n",
                    info.code,
                    info.default_severity.as_str(),
                    info.name,
                    info.description
                ));
            }
        }
    }
    let _ = env.stdout.write_all(out.as_bytes());
    Ok(0)
}
