//! Release Evidence Packs (`tollgate evidence`) and the decision ledger (`tollgate ledger`).

pub mod compress;
pub mod diags;
pub mod index;
pub mod ledger;
pub mod merkle;
pub mod pack;
pub mod verify;
