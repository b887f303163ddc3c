//! Reusable view pieces.
pub mod auth;
pub mod bell;
pub mod clock_label;
pub mod countdown;
pub mod form_error;
pub mod form_memory;
pub mod header;
pub mod phone;
pub mod reach;
pub mod replacements;
