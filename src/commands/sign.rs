//! `tollgate sign` (being implemented).

use super::Context;
use crate::cli::{GlobalArgs, SignArgs};
use crate::error::{Error, Result};
use crate::output::Env;

pub fn cmd_sign(
    _ctx: &Context,
    _args: &SignArgs,
    _global: &GlobalArgs,
    _env: &mut Env,
) -> Result<u8> {
    Err(Error::usage(
        "`tollgate sign` is not available in this build yet",
        "see CHANGELOG.md for what this version supports",
    ))
}
