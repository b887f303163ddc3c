//! Everything that only runs on the server: configuration, database, sessions, demo data.
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod bench_seed;
pub mod auth;
pub mod cases;
pub mod cli;
pub mod contacts;
pub mod db;
pub mod demo;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod mailer;
pub mod notifications;
pub mod orgs;
pub mod outbox;
pub mod password;
pub mod remote_assist;
pub mod remote_assist_jobs;
pub mod replacements;
pub mod router;
pub mod security;
pub mod sla_cli;
pub mod state;

pub use state::AppState;
