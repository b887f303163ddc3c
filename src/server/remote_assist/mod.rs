//! Remote Assist sessions: who may open, start, join, extend and end one, each change written
//! with its audit entry (and the linked case's timeline event) in one transaction.
//!
//! "Only one session per array" is the database's partial unique index
//! (`remote_assist_one_open_per_array`), so it holds with any number of app instances; this
//! module only turns its violation into a message. State changes are conditional updates
//! (`WHERE state = ...`), which are also each transaction's first statement: on SQLite that takes
//! the write lock before any read, on PostgreSQL the row lock, so a user and the expiry job (or
//! two instances) never both act on one session.
use crate::model::AppError;

mod end;
pub mod jobs;
mod lifecycle;
mod overview;
mod queries;
mod request;
mod timeline;

pub use end::end_session;
pub use lifecycle::{extend_session, join_session, start_session};
pub use overview::overview;
pub use request::{request_session, NewSession};

const HOUR_MS: i64 = 3_600_000;

fn session_not_found() -> AppError {
    AppError::NotFound("Remote Assist session".into())
}

fn array_not_found() -> AppError {
    AppError::NotFound("Array".into())
}

/// The message the one-open-session-per-array index stands behind.
pub const ALREADY_ACTIVE: &str = "A Remote Assist session is already active on this array.";
