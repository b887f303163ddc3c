//! A person's own account: the sessions they have open, and the rules of a reset link. Shared
//! by the server and the browser.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A "forgot password" link works this long, once.
pub const RESET_LINK_MINUTES: i64 = 30;

/// One open session of the signed-in person, as recorded when it signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The browser's `User-Agent`, empty when it sent none.
    pub user_agent: String,
    /// The client's address, empty when unknown.
    pub ip: String,
    /// The session this page was requested with.
    pub current: bool,
}

/// What the Account page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    pub name: String,
    pub email: String,
    pub sessions: Vec<SessionInfo>,
}
