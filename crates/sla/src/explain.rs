//! Explanation steps: how each deadline was reached, in words a customer can follow.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Which clock a step or a quote belongs to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    InitialResponse,
    Update,
    Restoration,
    StaleNotice,
    AutoClose,
    ResolutionProposedAutoClose,
    Rca,
    Delivery,
    Entitlement,
    /// Facts that hold for every clock of the case (program, plan, column, severity).
    Case,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExplanationStep {
    pub clock: Clock,
    pub text: String,
}

impl ExplanationStep {
    pub fn new(clock: Clock, text: impl Into<String>) -> Self {
        ExplanationStep {
            clock,
            text: text.into(),
        }
    }
}

/// The document's own words next to the reading the engine applied, so the UI can show both.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DocumentWords {
    pub clock: Clock,
    pub document_words: String,
    pub interpretation: String,
}

/// "Fri 3 Jan 16:30 EST"; seconds only when they are not zero, so ordinary times stay short.
pub fn fmt_local(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    if t.timestamp() % 60 == 0 {
        local.format("%a %-d %b %H:%M %Z").to_string()
    } else {
        local.format("%a %-d %b %H:%M:%S %Z").to_string()
    }
}

/// Local time of day only ("16:30 EST"), for spans that stay within one day.
pub fn fmt_local_time(t: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    if t.timestamp() % 60 == 0 {
        local.format("%H:%M %Z").to_string()
    } else {
        local.format("%H:%M:%S %Z").to_string()
    }
}

/// "2 h 30 min", "45 s", "3 d 4 h": the same unit words as the countdown.
pub fn fmt_duration(d: Duration) -> String {
    let total = d.num_seconds().unsigned_abs();
    let days = total / 86_400;
    let hours = (total % 86_400) / 3_600;
    let minutes = (total % 3_600) / 60;
    let seconds = total % 60;
    let mut parts: Vec<String> = Vec::new();
    if days > 0 {
        parts.push(format!("{days} d"));
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes} min"));
    }
    if seconds > 0 || parts.is_empty() {
        parts.push(format!("{seconds} s"));
    }
    parts.join(" ")
}

/// Business time reads better in hours and minutes than in days, since a business day is not 24 h.
pub fn fmt_business_duration(d: Duration) -> String {
    let total = d.num_seconds().unsigned_abs();
    let hours = total / 3_600;
    let minutes = (total % 3_600) / 60;
    let seconds = total % 60;
    let mut parts: Vec<String> = Vec::new();
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes} min"));
    }
    if seconds > 0 || parts.is_empty() {
        parts.push(format!("{seconds} s"));
    }
    format!("{} of business time", parts.join(" "))
}
