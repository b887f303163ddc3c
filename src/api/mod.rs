//! Server functions: thin, each one authenticates the caller, authorizes on the server, calls a
//! `server::` service and maps errors. Stubs of these compile into the browser build.
pub mod account;
pub mod alerts;
pub mod auth;
pub mod cases;
pub mod contacts;
pub mod dashboard;
pub mod escalation;
pub mod installed_base;
pub mod notifications;
pub mod remote_assist;
pub mod replacements;
pub mod second_factor;
pub mod sla;
