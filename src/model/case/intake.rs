//! Support logs a case for a customer (the guides' intake: "a Customer Support Specialist (CSS)
//! fields the call, performs basic analysis, and creates a case"): what the form shows and what
//! it submits.
use super::NewCase;
use crate::model::contact::OrgRef;
use serde::{Deserialize, Serialize};

/// How far back a report may be logged: a call is written down when it is taken, and a week
/// covers a weekend's backlog and the correction of a mistyped time.
pub const REPORT_MAX_AGE_DAYS: i64 = 7;

/// How a case came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseChannel {
    Phone,
    Email,
    MonitoringAlert,
    Web,
}

stored_enum!(CaseChannel, "how the case came in", "channel", [
    Phone => "phone", "Phone",
    Email => "email", "E-mail",
    MonitoringAlert => "monitoring_alert", "Monitoring alert",
    Web => "web", "Web",
]);

impl CaseChannel {
    /// The channel in the opening entry's sentence: "Opened by phone by Sam Support for Carl
    /// Caller".
    pub fn phrase(self) -> &'static str {
        match self {
            CaseChannel::Phone => "by phone",
            CaseChannel::Email => "by e-mail",
            CaseChannel::MonitoringAlert => "from a monitoring alert",
            CaseChannel::Web => "on the web",
        }
    }

    /// The opening entry of a case support logged.
    pub fn opened_sentence(self, engineer: &str, reporter: &str) -> String {
        format!("Opened {} by {engineer} for {reporter}", self.phrase())
    }
}

/// What the log-a-case form submits (already split into fields by the server function).
/// `reported_at`: a local date and time at the array's site ("2026-12-01T09:30", what a
/// `datetime-local` input posts) or an RFC 3339 instant; empty means now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LoggedCase {
    pub organization_id: String,
    pub reporter_id: String,
    pub channel: String,
    pub reported_at: String,
    /// The array, severity, subject, description and Severity 1 contact, as a customer gives
    /// them (the Severity 1 contact defaults to the reporter).
    pub case: NewCase,
}

/// One array in the form's choice, by site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCaseArray {
    pub id: String,
    pub name: String,
    pub serial: String,
    /// Support active today at its site; a lapsed one is shown but cannot be chosen.
    pub support_active: bool,
}

/// A person who may call for the organization: a contact designated at a site, or an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCaseReporter {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// The role's words: "Authorized caller", "Admin"...
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCaseSite {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub arrays: Vec<LogCaseArray>,
    /// The contacts designated at this site.
    pub reporters: Vec<LogCaseReporter>,
}

/// What the log-a-case form needs: the organizations to choose from and, once one is chosen, its
/// sites with their arrays and designated contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCaseForm {
    pub organizations: Vec<OrgRef>,
    pub organization: Option<OrgRef>,
    pub sites: Vec<LogCaseSite>,
    /// The organization's admins designated at no site (they may call for any site).
    pub other_admins: Vec<LogCaseReporter>,
}
