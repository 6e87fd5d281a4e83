//! SBOM checks: detection, validation (schema + semantic rules + profiles), diff and merge.

pub mod diags;
pub mod diff;
pub mod document;
pub mod fastjson;
pub mod fastschema;
pub mod generate;
pub mod merge;
pub mod model;
pub mod profile;
pub mod schema;
pub mod semantic;
pub mod stream;
pub mod tagvalue;
pub mod validate;
