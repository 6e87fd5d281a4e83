//! Reproducible builds: compare two builds' artifacts (`tollgate repro compare`) and build
//! twice with deliberate variation (`tollgate repro run`). Diagnostic codes `REPnnn`.

pub mod compare;
pub mod diags;
pub mod list;
pub mod run;

/// The `schema` of the reproducibility report `tollgate repro` writes with `--report`.
pub const REPORT_SCHEMA: &str = "https://tollgate.dev/repro-report/v1";
