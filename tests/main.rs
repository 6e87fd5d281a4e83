//! The one integration harness: whole-CLI cases (exit codes, messages), snapshot tests of what
//! users see, and conformance against third-party test vectors.

mod budget;
mod cli;
mod common;
mod conformance;
mod controls;
mod evidence;
mod hermetic;
mod provenance;
mod render;
mod sbom_generate;
mod signing;
mod sigstore;
mod snapshots;
mod verify;
