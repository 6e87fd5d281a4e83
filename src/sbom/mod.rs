//! SBOM checks: detection, validation (schema + semantic rules + profiles), diff and merge.

pub mod diags;
