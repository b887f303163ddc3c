//! Types shared by the server and the browser: what crosses the wire.
pub mod case;
pub mod error;
pub mod org;
pub mod user;

pub use error::AppError;
pub use org::{ArraySummary, Dashboard, OrgSummary, SiteSummary};
pub use user::{CurrentUser, Role};
