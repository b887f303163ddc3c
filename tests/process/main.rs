//! The real `portal` binary as a child process (`CARGO_BIN_EXE_portal`): crash, database outage,
//! graceful shutdown and backup, and the soak (ignored; `make soak` runs it).
#[path = "../helpers/mod.rs"]
mod helpers;

mod crash_recovery;
mod db_outage;
mod shutdown_backup;
mod soak;
mod start_up;
