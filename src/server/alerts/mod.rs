//! The alert ingest API (`POST /api/v1/alerts`, a plain axum route) and its tokens.
//!
//! A monitoring system authenticates with a bearer token its organization's admin issued (only the
//! token's SHA-256 is stored). A critical alert opens a case on the array (flagged as opened from
//! a monitoring alert, severity from `model::alert::SEVERITY_BY_CODE`); a repeat of the same alert
//! id is added to that case's timeline; other alerts are stored and listed on the alerts page.
//! A dark site's array, another organization's array or an unknown serial is refused.
mod api_error;
mod cases;
mod ingest;
mod input;
mod page;
mod queries;
mod tokens;

pub use api_error::ApiError;
pub use ingest::ingest;
pub use input::AlertInput;
pub use page::page;
pub use tokens::{create_token, revoke_token, tokens};
