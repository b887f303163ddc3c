//! One module per route.
pub mod account;
mod account_two_step;
pub mod alerts;
pub mod cases;
pub mod contacts;
pub mod dashboard;
mod dashboard_needs;
pub mod installed_base;
pub mod login;
pub mod login_code;
pub mod not_found;
pub mod notifications;
pub mod password_reset;
pub mod remote_assist;
pub mod replacements;
pub mod sla;
