//! Reusable view pieces.
pub mod form_error;
pub mod header;
pub mod require_user;
