//! Control catalogs and the Control Attestation: load and validate a catalog (`cfg`), evaluate
//! its controls against an evidence tree with registered assertions, apply waivers, and write
//! the signed attestation and its renderings.

pub mod model;
