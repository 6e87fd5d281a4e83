//! `tollgate provenance generate` (being implemented).

use super::Context;
use crate::cli::{GlobalArgs, ProvenanceGenerateArgs};
use crate::error::{Error, Result};
use crate::output::Env;

pub fn cmd_generate(
    _ctx: &Context,
    _args: &ProvenanceGenerateArgs,
    _global: &GlobalArgs,
    _env: &mut Env,
) -> Result<u8> {
    Err(Error::usage(
        "`tollgate provenance generate` is not available in this build yet",
        "see CHANGELOG.md for what this version supports",
    ))
}
