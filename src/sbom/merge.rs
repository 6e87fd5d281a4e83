//! `sbom merge` (in progress).
use crate::cli::{GlobalArgs, SbomMergeArgs};
use crate::commands::Context;
use crate::output::Env;
pub fn cmd(_ctx: &Context, _args: &SbomMergeArgs, _g: &GlobalArgs, _env: &mut Env) -> crate::Result<u8> {
    Err(crate::Error::usage("sbom merge is not implemented yet", "wait"))
}
