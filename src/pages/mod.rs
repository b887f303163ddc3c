//! One module per route.
pub mod cases;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod pending;
pub mod sla;
