//! The real router in process, driven request by request: the HTTP API, alerts, attachments,
//! malformed input and the authorization matrix.
#[path = "../helpers/mod.rs"]
mod helpers;

mod account;
mod alerts;
mod api;
mod attachment_limits;
mod attachments;
mod authz_matrix;
mod case_owner;
mod client_address;
mod confirmations;
mod fuzz;
mod hardening;
mod installed_base;
mod slow_clients;
