//! Control catalogs and the Control Attestation: load and validate a catalog (`cfg`), evaluate
//! its controls against an evidence tree with registered assertions, apply waivers, and write
//! the signed attestation and its renderings.

pub mod assertions;
pub mod cfg;
pub mod diags;
pub mod evaluate;
pub mod model;
pub mod outputs;
pub mod render;
