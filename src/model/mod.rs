//! Types shared by the server and the browser: what crosses the wire.
#[macro_use]
mod stored_enum;
pub mod account;
pub mod alert;
pub mod attachment;
pub mod case;
pub mod contact;
pub mod error;
pub mod installed_base;
pub mod notification;
pub mod org;
pub mod reach;
pub mod remote_assist;
pub mod replacement;
pub mod url;
pub mod user;

pub use error::AppError;

/// The cookie that holds the header toggle's theme ("dark" or "light"); not a secret.
pub const THEME_COOKIE: &str = "portal_theme";
pub use org::{ArraySummary, Dashboard, OrgSummary, SiteSummary};
pub use user::{CurrentUser, Role};
