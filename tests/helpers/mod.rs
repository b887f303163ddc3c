//! The one helper tree of the integration tests, shared by every binary (`tests/db`,
//! `tests/http`, `tests/process`).
#![allow(dead_code)]

mod client;
mod db;
mod pg_cluster;
mod process;
mod tables;

// Each binary uses part of the tree, so some of these are unused in each.
#[allow(unused_imports)]
pub use client::*;
#[allow(unused_imports)]
pub use db::*;
#[allow(unused_imports)]
pub use pg_cluster::*;
#[allow(unused_imports)]
pub use process::*;
#[allow(unused_imports)]
pub use tables::*;
