//! `tollgate sbom …` subcommands.

use super::Context;
use crate::cli::{GlobalArgs, SbomDiffArgs, SbomMergeArgs, SbomValidateArgs};
use crate::error::Result;
use crate::output::Env;
use crate::report::Report;
use crate::sbom::validate;
use serde_json::json;

pub fn cmd_validate(
    ctx: &Context,
    args: &SbomValidateArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    let opts = validate::Options {
        schema: !args.no_schema,
        profile: args.profile,
        strict: args.strict,
        now: ctx.now,
        limits: ctx.limits,
        max_schema_errors: 100,
    };
    let results = validate::validate_files(&args.files, &opts);
    let mut report = Report::new("sbom validate", ctx.now_rfc3339.clone());
    let mut files = Vec::new();
    for r in results {
        report.subjects.push(r.subject);
        report.diagnostics.extend(r.diagnostics);
        report.tables.extend(r.table);
        files.push(r.data);
    }
    report.data =
        json!({ "files": files, "profile": args.profile.map(crate::sbom::profile::profile_name) });
    report.sort();
    env.emit(&report, global)
}

pub fn cmd_diff(
    ctx: &Context,
    args: &SbomDiffArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    crate::sbom::diff::cmd(ctx, args, global, env)
}

pub fn cmd_merge(
    ctx: &Context,
    args: &SbomMergeArgs,
    global: &GlobalArgs,
    env: &mut Env,
) -> Result<u8> {
    crate::sbom::merge::cmd(ctx, args, global, env)
}
