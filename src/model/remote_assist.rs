//! Remote Assist sessions as they cross the wire: the page (arrays, their open session, recent
//! history) and the limits the request form shows.
//!
//! The support guides say a session is opened by the customer's local administrator, that only one
//! can run at a time per device (many engineers may join it), and that it ends when the customer or
//! the engineer terminates it or when it times out. They give no maximum length, so the portal sets
//! one: a session runs at most `MAX_HOURS` (24 h) from its start or from its latest extension, and
//! `DEFAULT_HOURS` (4 h) is what the form proposes.
use crate::model::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest time a session may run without a new decision by the customer: the requested
/// duration, and the time left after an extension, are both capped at this.
pub const MAX_HOURS: i64 = 24;
/// What the request form proposes.
pub const DEFAULT_HOURS: i64 = 4;
/// Durations the forms offer (any whole number of hours from 1 to `MAX_HOURS` is accepted).
pub const HOUR_CHOICES: [i64; 6] = [1, 2, 4, 8, 12, 24];
/// Longest request reason, in characters.
pub const REASON_MAX: usize = 2_000;
/// Ended sessions shown on the page.
pub const HISTORY_LIMIT: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Asked for by a backup contact; waits for an admin of the organization to start it.
    Requested,
    /// The link is open: engineers may join until it ends.
    Active,
    Ended,
}

stored_enum!(SessionState, unknown "session state", [
    Requested => "requested", "Waiting for an admin",
    Active => "active", "Active",
    Ended => "ended", "Ended",
]);

/// Who ended a session: the three ways the guides name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Customer,
    Engineer,
    TimedOut,
}

stored_enum!(EndReason, unknown "end reason", [
    Customer => "customer", "Ended by the customer",
    Engineer => "engineer", "Ended by support",
    TimedOut => "timed_out", "Timed out",
]);

/// A whole number of hours from a form value, 1 to `MAX_HOURS`.
pub fn parse_hours(field: &str, value: &str) -> Result<i64, AppError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (1..=MAX_HOURS).contains(h))
        .ok_or_else(|| {
            AppError::invalid(
                field,
                format!("Choose a duration from 1 to {MAX_HOURS} hours."),
            )
        })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    pub joined_at: DateTime<Utc>,
}

/// The case a session was opened for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedCase {
    pub id: String,
    pub number_label: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaSession {
    pub id: String,
    pub array_id: String,
    pub array_name: String,
    pub organization_name: String,
    /// IANA zone of the array's site: times are shown in the site's local time.
    pub site_tz: String,
    pub case: Option<LinkedCase>,
    pub requested_by: String,
    pub reason: String,
    pub state: SessionState,
    pub requested_hours: i64,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    /// When the session times out (for a request not yet started: when the request lapses).
    pub deadline_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
    pub end_reason: Option<EndReason>,
    pub extensions: i64,
    /// Support engineers who joined, in order.
    pub participants: Vec<Participant>,
    // What the viewer may do; the server enforces the same rules on every action.
    pub can_start: bool,
    pub can_join: bool,
    pub can_end: bool,
    pub can_extend: bool,
    /// The viewer (an engineer) is in the session.
    pub joined: bool,
}

/// An array with its connection state and its open session, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaArray {
    pub id: String,
    pub name: String,
    pub serial: String,
    pub organization_name: String,
    pub site_name: String,
    pub site_tz: String,
    /// `false` at a dark site: no cloud connection, so no Remote Assist.
    pub connected: bool,
    /// The viewer may request a session on it: a local administrator of its site.
    pub requestable: bool,
    pub session: Option<RaSession>,
}

/// An open case the request form may link a session to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChoice {
    pub id: String,
    pub label: String,
}

/// Everything the Remote Assist page shows, already filtered for the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteAssistOverview {
    pub arrays: Vec<RaArray>,
    /// Most recently ended sessions first.
    pub history: Vec<RaSession>,
    /// The viewer is local administrator of at least one array's site (an admin, or a backup
    /// contact designated there).
    pub can_request: bool,
    pub cases: Vec<CaseChoice>,
    pub is_staff: bool,
    /// The server's clock when it answered: the first render and the hydrated page tick from it.
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_bounded() {
        assert_eq!(parse_hours("hours", " 4 "), Ok(4));
        assert_eq!(parse_hours("hours", "24"), Ok(24));
        for bad in ["0", "25", "-1", "four", ""] {
            assert_eq!(
                parse_hours("hours", bad).unwrap_err().field(),
                Some("hours")
            );
        }
    }

    #[test]
    fn states_round_trip() {
        for s in SessionState::ALL {
            assert_eq!(s.as_str().parse::<SessionState>(), Ok(s));
        }
        assert_eq!(
            "paused".parse::<SessionState>(),
            Err(AppError::Internal(
                "unknown session state \"paused\"".into()
            ))
        );
        for r in EndReason::ALL {
            assert_eq!(r.as_str().parse::<EndReason>(), Ok(r));
        }
    }
}
