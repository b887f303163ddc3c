//! Monitoring alerts and the tokens of the alert ingest API, as they cross the wire, with the
//! one table that maps a critical alert to the severity of the case it opens.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Largest request body the ingest API reads, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Requests one token may make per minute.
pub const REQUESTS_PER_MINUTE: i64 = 60;
/// Alerts listed per array.
pub const ALERTS_PER_ARRAY: i64 = 20;
/// Longest token name, summary and code, in characters.
pub const NAME_MAX: usize = 100;
pub const SUMMARY_MAX: usize = 500;
pub const CODE_MAX: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    Info,
    Warning,
    Critical,
}

stored_enum!(AlertSeverity, unknown "alert severity", [
    Info => "info", "Info",
    Warning => "warning", "Warning",
    Critical => "critical", "Critical",
]);

impl AlertSeverity {
    /// The severity spelled exactly `s` (the ingest API's values are lower-case).
    pub fn parse(s: &str) -> Option<AlertSeverity> {
        s.parse().ok()
    }
}

/// The severity of the case a **critical** alert opens, by alert code (the guides' alert
/// families). Failure to function and data loss or access are Severity 1; a component fault
/// that leaves the array serving (redundancy lost) Severity 2; anything else Severity 3.
pub const SEVERITY_BY_CODE: &[(&str, u8)] = &[
    ("array_down", 1),
    ("data_loss", 1),
    ("data_access", 1),
    ("controller_fault", 1),
    ("nvram_loss", 1),
    ("component_fault", 2),
    ("ssd_loss", 2),
    ("psu_fault", 2),
    ("temperature", 2),
    ("fan_fault", 2),
    ("sas_cabling", 2),
    ("path_to_drive_loss", 2),
    ("performance_degraded", 2),
    ("throttling", 3),
    ("capacity_limit", 3),
    ("array_startup", 3),
];

/// Severity 3 for a critical alert whose code is not in the table.
pub fn case_severity_for(code: &str) -> u8 {
    SEVERITY_BY_CODE
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, s)| *s)
        .unwrap_or(3)
}

/// One issued token, as its organization's admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// The first characters of the token, e.g. `pat_1f3a…`.
    pub prefix: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The answer to creating a token: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub id: String,
    pub name: String,
    pub token: String,
}

/// One received alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayAlert {
    pub alert_id: String,
    pub code: String,
    pub severity: AlertSeverity,
    pub summary: String,
    pub started_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The case it opened or was added to, as (id, "CS-001042").
    pub case: Option<(String, String)>,
}

/// An array with its recent alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayAlerts {
    pub array_name: String,
    pub serial: String,
    pub site_name: String,
    pub organization_name: String,
    /// A dark site's array: not connected, sends no alerts.
    pub connected: bool,
    pub alerts: Vec<ArrayAlert>,
}

/// The /alerts page: the arrays' alerts, and the tokens for the organization's admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsPage {
    pub arrays: Vec<ArrayAlerts>,
    /// `Some` for an organization admin.
    pub tokens: Option<Vec<ApiToken>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_table() {
        assert_eq!(case_severity_for("controller_fault"), 1);
        assert_eq!(case_severity_for("ssd_loss"), 2);
        assert_eq!(case_severity_for("array_startup"), 3);
        assert_eq!(case_severity_for("something_new"), 3);
        assert_eq!(
            AlertSeverity::parse("critical"),
            Some(AlertSeverity::Critical)
        );
        assert_eq!(AlertSeverity::parse("CRITICAL"), None);
    }
}
