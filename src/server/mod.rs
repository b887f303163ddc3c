//! Everything that only runs on the server: configuration, database, sessions, demo data.
pub mod auth;
pub mod cases;
pub mod cli;
pub mod db;
pub mod demo;
pub mod ids;
pub mod jobs;
pub mod orgs;
pub mod password;
pub mod router;
pub mod sla_cli;
pub mod state;

pub use state::AppState;
