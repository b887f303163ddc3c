//! Hardware replacements: support creates one on a case and moves it through its stages; the
//! customer confirms site access, proposes the technician's window and returns the part; admins
//! keep each site's logistics. Every change is one transaction holding its audit entry and the
//! case's timeline event.
//!
//! Stage moves are conditional updates (`WHERE stage = <the stage before>`) and each is its
//! transaction's first statement: on SQLite that takes the write lock before any read, on
//! PostgreSQL the row lock, so two engineers (or two app instances) never both move one
//! replacement, and a move out of order ("delivered" before "shipped") changes nothing.
//!
//! Stages are support's to move: customers never change them (`require_staff`).
use crate::model::AppError;

mod create;
mod customer;
mod dispatch;
mod logistics;
mod queries;
mod reads;
mod row;
mod stages;
mod times;
mod transition;
mod view;

pub use create::{create, NewReplacement};
pub use customer::{confirm_access, propose_window};
pub use dispatch::dispatch;
pub use logistics::save_logistics;
pub use reads::{for_case, late, overview};
pub use stages::{cancel, close, deliver, install, schedule_technician, ship};

// For the demo data (`server::demo::replacements`), which writes replacements as these would.
pub(crate) use dispatch::{commitment_words, sla_error};
pub(crate) use queries::upsert_logistics;
pub(crate) use row::load;
pub(crate) use transition::case_event;

pub(crate) const DAY_MS: i64 = 86_400_000;

pub(crate) fn not_found() -> AppError {
    AppError::NotFound("Replacement".into())
}
