//! Support cases as they cross the wire: list rows, the detail page, the open-case form.
mod escalation;
mod intake;
mod list;
mod open;
mod status;

pub use escalation::{
    escalated_words, CaseEscalation, EscalationRequest, EscalationState, ESCALATION_REASON_MAX,
};
pub use intake::{
    CaseChannel, LogCaseArray, LogCaseForm, LogCaseReporter, LogCaseSite, LoggedCase,
    REPORT_MAX_AGE_DAYS,
};
pub use list::{
    CaseList, CaseListQuery, CaseSort, Cursor, ListParams, OwnerFilter, StatusFilter, COUNT_CAP,
};
pub use open::{CaseCreated, NewCase, OpenCaseArray, OpenCaseForm, OpenCaseSite, SeverityOption};
pub use status::{CaseEventKind, CaseStatus};

use crate::sla::{BreachState, CaseDeadlines, CaseFacts};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows per page of the case list.
pub const CASE_PAGE_SIZE: u32 = 25;
/// Longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// Longest description, comment or update body, in characters.
pub const BODY_MAX: usize = 20_000;
/// Longest reason (raise, reopen, severity change) or survey comment, in characters.
pub const REASON_MAX: usize = 2_000;
/// A deadline this close is shown as "due soon".
pub const DUE_SOON_MINUTES: i64 = 60;
/// Longest Severity 1 contact name or phone, in characters.
pub const CONTACT_MAX: usize = 200;

/// "CS-001042".
pub fn case_number_label(number: i64) -> String {
    format!("CS-{number:06}")
}

/// The number of "CS-001042", "cs-1042" or "1042".
pub fn parse_case_number(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t
        .strip_prefix("CS-")
        .or_else(|| t.strip_prefix("cs-"))
        .unwrap_or(t);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One row of the case list (and the header of the detail page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: String,
    pub number: i64,
    /// "CS-001042".
    pub number_label: String,
    pub subject: String,
    pub organization_id: String,
    pub organization_name: String,
    pub site_id: String,
    pub site_name: String,
    /// IANA zone of the site: deadlines are shown in the site's local time.
    pub site_tz: String,
    pub array_id: String,
    pub array_name: String,
    pub severity: u8,
    pub status: CaseStatus,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub initial_response_due: Option<DateTime<Utc>>,
    /// Set once support's first public update was posted.
    pub initial_response_met_at: Option<DateTime<Utc>>,
    pub next_update_due: Option<DateTime<Utc>>,
    /// The earliest pending deadline (initial response not yet met, or next update).
    pub next_deadline: Option<DateTime<Utc>>,
    /// State of `next_deadline` when the server answered; `None` when nothing is pending.
    pub breach: Option<BreachState>,
    /// A root-cause-analysis follow-up of another case.
    pub is_rca: bool,
    /// The owning support engineer (the guides' TSE, the customer's point of contact), if any.
    pub owner_name: Option<String>,
}

/// A support engineer a case can be assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineerOption {
    pub id: String,
    pub name: String,
}

/// Who owns the case, as support's side of the case page needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOwnership {
    pub owner_id: Option<String>,
    /// The viewer owns the case ("Take it" is then not offered).
    pub mine: bool,
    /// The active support engineers, by name, for the assign form.
    pub engineers: Vec<EngineerOption>,
}

/// One entry of the case timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: CaseEventKind,
    /// `None` when the system acted (background jobs).
    pub actor_name: Option<String>,
    /// Written by vendor staff.
    pub actor_is_staff: bool,
    pub body: String,
    /// For severity and status changes: the values before and after ("3" → "1",
    /// "in_progress" → "resolution_proposed"); for `rca_created` the other case's number label.
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// `false` for internal notes, which only staff ever receive.
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sev1Contact {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSurvey {
    pub rating: u8,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// What support said when it set the case's current status, where the customer must act on it:
/// the proposed resolution, or what support asked for while waiting on the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    pub status: CaseStatus,
    pub body: String,
    /// `None` when the system acted.
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// Another case this one is linked to (root cause analysis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLink {
    pub id: String,
    pub number_label: String,
    pub subject: String,
    pub status: CaseStatus,
}

/// Everything the case page shows, already filtered for the viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub description: String,
    pub business_impact: String,
    pub sev1_contact: Option<Sev1Contact>,
    /// The contact center's conversation ID the customer gave.
    pub conversation_id: Option<String>,
    /// The update date agreed with the customer, if any.
    pub agreed_update_due: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    /// The proposed resolution or what support asked for, while the case is in that status.
    pub status_note: Option<StatusNote>,
    /// The history the deadlines come from, so the browser recomputes them with the same engine.
    pub facts: CaseFacts,
    /// The deadlines as the server computed them from `facts`.
    pub deadlines: CaseDeadlines,
    /// Oldest first; internal notes only for staff.
    pub timeline: Vec<CaseEvent>,
    /// Files attached to the case, oldest first.
    pub attachments: Vec<crate::model::attachment::AttachmentInfo>,
    pub survey: Option<CaseSurvey>,
    /// The case this one analyses (for a root-cause-analysis follow-up).
    pub rca_parent: Option<CaseLink>,
    /// The root-cause-analysis follow-up of this case, if one was created.
    pub rca_follow_up: Option<CaseLink>,
    /// The current severity's update cadence is "as agreed" (support may set a date).
    pub update_as_agreed: bool,
    /// For a customer, until support first responds to a severity its program takes by phone
    /// only (002's Severity 1): the lines to call now.
    pub call_now: Option<crate::sla::SeverityReach>,
    // What the viewer may do; the server enforces the same rules on every action.
    pub can_comment: bool,
    pub can_raise: bool,
    pub can_confirm: bool,
    pub can_reopen: bool,
    pub can_survey: bool,
    /// The upload form is offered (an open case, to staff and to contacts who act here).
    pub can_attach: bool,
    /// For a contact not designated at the case's site: why they can only follow the case.
    pub not_designated: Option<String>,
    pub is_staff: bool,
    /// Statuses a support engineer may move the case to (empty for customers).
    pub allowed_statuses: Vec<CaseStatus>,
    /// Staff only: the owner and whom the case can be assigned to (`None` for customers).
    pub ownership: Option<CaseOwnership>,
    /// Support's escalation and the customer's request for it (both sides).
    pub escalation: CaseEscalation,
    /// The server's clock when it answered (see `CaseList::now`).
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        assert_eq!(case_number_label(1042), "CS-001042");
        assert_eq!(parse_case_number("CS-001042"), Some(1042));
        assert_eq!(parse_case_number("1042"), Some(1042));
        assert_eq!(parse_case_number("disk"), None);
    }
}
