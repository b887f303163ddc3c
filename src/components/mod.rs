//! Reusable view pieces.
pub mod bell;
pub mod countdown;
pub mod form_error;
pub mod form_memory;
pub mod header;
pub mod require_user;
