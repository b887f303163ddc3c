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
    pub second_factor: SecondFactorPage,
}

/// Where the person's two-step sign-in stands, as the Account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactor {
    /// Password only.
    Off,
    /// A secret made, waiting for the first code from the app: the page shows the secret (as a
    /// QR code, a link for a phone's own app, and text to type) until then.
    SettingUp {
        secret: String,
        otpauth_url: String,
        /// An SVG document drawing `otpauth_url` as a QR code.
        qr_svg: String,
    },
    /// On. `new_recovery_codes`: the codes made just now, on this page this once.
    On {
        recovery_codes_left: i64,
        new_recovery_codes: Vec<String>,
    },
}

/// The person's two-step sign-in, and whether their account must have it (vendor staff, and
/// everyone in an organization whose admin requires it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorPage {
    pub factor: SecondFactor,
    pub required: bool,
    /// Organization admins: whether the organization requires it of everyone (`None`: not an
    /// admin, the setting is not theirs).
    pub organization_requires: Option<bool>,
}
