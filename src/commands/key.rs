//! `tollgate key generate` (being implemented).

use super::Context;
use crate::cli::{GlobalArgs, KeyGenerateArgs};
use crate::error::{Error, Result};
use crate::output::Env;

pub fn cmd_generate(
    _ctx: &Context,
    _args: &KeyGenerateArgs,
    _global: &GlobalArgs,
    _env: &mut Env,
) -> Result<u8> {
    Err(Error::usage(
        "`tollgate key generate` is not available in this build yet",
        "see CHANGELOG.md for what this version supports",
    ))
}
