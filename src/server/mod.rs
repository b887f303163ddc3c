//! Everything that only runs on the server: configuration, database, sessions, demo data.
pub mod access;
pub mod account;
pub mod alerts;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cases;
pub mod cli;
pub mod client_addr;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod ids;
pub mod input;
pub mod jobs;
pub mod logging;
pub mod mailer;
pub mod metrics;
pub mod notifications;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod remote_assist;
pub mod replacements;
pub mod response_headers;
pub mod retention;
pub mod rows;
pub mod security;
pub mod sla_cli;
pub mod staff_accounts;
pub mod state;
pub mod throttle;
pub mod transport;

/// The old path of the Remote Assist time-out job (now `remote_assist::jobs`).
pub use remote_assist::jobs as remote_assist_jobs;
pub use state::AppState;
