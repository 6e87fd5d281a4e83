//! `tollgate sbom …` subcommands.

use super::Context;
use crate::cli::{GlobalArgs, SbomDiffArgs, SbomMergeArgs, SbomValidateArgs};
use crate::error::Result;
use crate::output::Env;

pub fn cmd_validate(_ctx: &Context, _args: &SbomValidateArgs, _g: &GlobalArgs, _env: &mut Env) -> Result<u8> {
    todo!()
}
pub fn cmd_diff(_ctx: &Context, _args: &SbomDiffArgs, _g: &GlobalArgs, _env: &mut Env) -> Result<u8> {
    todo!()
}
pub fn cmd_merge(_ctx: &Context, _args: &SbomMergeArgs, _g: &GlobalArgs, _env: &mut Env) -> Result<u8> {
    todo!()
}
