//! Breach state and the human countdown shown next to every deadline.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::explain::fmt_duration;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BreachState {
    OnTrack,
    DueSoon,
    Breached,
}

/// Breached once `now` is past `due`; due soon when at most `due_soon` remains.
pub fn breach_state(due: DateTime<Utc>, now: DateTime<Utc>, due_soon: Duration) -> BreachState {
    if now > due {
        BreachState::Breached
    } else if due - now <= due_soon {
        BreachState::DueSoon
    } else {
        BreachState::OnTrack
    }
}

/// "in 2 h 14 min", "overdue by 5 min", "in 3 d 4 h", "in 45 s". Two units at most, truncated
/// toward zero so a countdown never promises more time than there is.
pub fn format_countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let diff = due - now;
    let abs = if diff < Duration::zero() { -diff } else { diff };
    let secs = abs.num_seconds();
    let shown = if secs >= 86_400 {
        Duration::hours(secs / 3_600)
    } else if secs >= 60 {
        Duration::minutes(secs / 60)
    } else {
        Duration::seconds(secs)
    };
    let text = fmt_duration(shown);
    if diff < Duration::zero() {
        format!("overdue by {text}")
    } else {
        format!("in {text}")
    }
}
