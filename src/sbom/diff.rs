//! `sbom diff` (in progress).
use crate::cli::{GlobalArgs, SbomDiffArgs};
use crate::commands::Context;
use crate::output::Env;
pub fn cmd(_ctx: &Context, _args: &SbomDiffArgs, _g: &GlobalArgs, _env: &mut Env) -> crate::Result<u8> {
    Err(crate::Error::usage("sbom diff is not implemented yet", "wait"))
}
