//! Support cases as they cross the wire: list rows, the detail page, the open-case form.
use crate::model::AppError;
use crate::sla::{
    BreachState, CaseDeadlines, CaseFacts, EntitlementState, ProductLine, ProgramSet,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

/// The portal's case workflow. The SLA engine knows fewer states (`new` and `in_progress` are
/// both "open" to it); `to_sla` is the one mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    New,
    InProgress,
    WaitingOnCustomer,
    ResolutionProposed,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::New,
        CaseStatus::InProgress,
        CaseStatus::WaitingOnCustomer,
        CaseStatus::ResolutionProposed,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::New => "new",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::WaitingOnCustomer => "waiting_on_customer",
            CaseStatus::ResolutionProposed => "resolution_proposed",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::New => "New",
            CaseStatus::InProgress => "In progress",
            CaseStatus::WaitingOnCustomer => "Waiting on customer",
            CaseStatus::ResolutionProposed => "Resolution proposed",
            CaseStatus::Closed => "Closed",
        }
    }

    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }

    pub fn to_sla(self) -> crate::sla::CaseStatus {
        match self {
            CaseStatus::New | CaseStatus::InProgress => crate::sla::CaseStatus::Open,
            CaseStatus::WaitingOnCustomer => crate::sla::CaseStatus::WaitingOnCustomer,
            CaseStatus::ResolutionProposed => crate::sla::CaseStatus::ResolutionProposed,
            CaseStatus::Closed => crate::sla::CaseStatus::Closed,
        }
    }

    /// Statuses a support engineer may move a case to from this one (the customer's own moves,
    /// confirm and reopen, are separate actions).
    pub fn support_transitions(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[InProgress, WaitingOnCustomer, ResolutionProposed, Closed],
            InProgress => &[WaitingOnCustomer, ResolutionProposed, Closed],
            WaitingOnCustomer => &[InProgress, ResolutionProposed, Closed],
            ResolutionProposed => &[InProgress, Closed],
            Closed => &[InProgress],
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for CaseStatus {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| AppError::invalid("status", "Choose a valid status."))
    }
}

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseEventKind {
    Opened,
    CustomerComment,
    SupportUpdate,
    InternalNote,
    SeverityChange,
    StatusChange,
    ResolutionConfirmed,
    Reopened,
    Survey,
    StaleNotice,
    AutoClosed,
    RcaCreated,
    RemoteAssist,
    /// A monitoring alert: the one that opened the case, or a repeat of it.
    Alert,
    /// A hardware replacement of the case moved on (created, dispatched, shipped, ...).
    Replacement,
}

impl CaseEventKind {
    pub const ALL: [CaseEventKind; 15] = [
        CaseEventKind::Opened,
        CaseEventKind::CustomerComment,
        CaseEventKind::SupportUpdate,
        CaseEventKind::InternalNote,
        CaseEventKind::SeverityChange,
        CaseEventKind::StatusChange,
        CaseEventKind::ResolutionConfirmed,
        CaseEventKind::Reopened,
        CaseEventKind::Survey,
        CaseEventKind::StaleNotice,
        CaseEventKind::AutoClosed,
        CaseEventKind::RcaCreated,
        CaseEventKind::RemoteAssist,
        CaseEventKind::Alert,
        CaseEventKind::Replacement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseEventKind::Opened => "opened",
            CaseEventKind::CustomerComment => "customer_comment",
            CaseEventKind::SupportUpdate => "support_update",
            CaseEventKind::InternalNote => "internal_note",
            CaseEventKind::SeverityChange => "severity_change",
            CaseEventKind::StatusChange => "status_change",
            CaseEventKind::ResolutionConfirmed => "resolution_confirmed",
            CaseEventKind::Reopened => "reopened",
            CaseEventKind::Survey => "survey",
            CaseEventKind::StaleNotice => "stale_notice",
            CaseEventKind::AutoClosed => "auto_closed",
            CaseEventKind::RcaCreated => "rca_created",
            CaseEventKind::RemoteAssist => "remote_assist",
            CaseEventKind::Alert => "alert",
            CaseEventKind::Replacement => "replacement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseEventKind::Opened => "Case opened",
            CaseEventKind::CustomerComment => "Customer comment",
            CaseEventKind::SupportUpdate => "Support update",
            CaseEventKind::InternalNote => "Internal note",
            CaseEventKind::SeverityChange => "Severity changed",
            CaseEventKind::StatusChange => "Status changed",
            CaseEventKind::ResolutionConfirmed => "Resolution confirmed",
            CaseEventKind::Reopened => "Reopened",
            CaseEventKind::Survey => "Survey answered",
            CaseEventKind::StaleNotice => "Closure notice",
            CaseEventKind::AutoClosed => "Closed automatically",
            CaseEventKind::RcaCreated => "Root cause analysis case",
            CaseEventKind::RemoteAssist => "Remote Assist",
            CaseEventKind::Alert => "Monitoring alert",
            CaseEventKind::Replacement => "Hardware replacement",
        }
    }

    /// Events that set the case's status; their `new_value` is the status after them.
    pub fn sets_status(self) -> bool {
        matches!(
            self,
            CaseEventKind::StatusChange
                | CaseEventKind::ResolutionConfirmed
                | CaseEventKind::Reopened
                | CaseEventKind::AutoClosed
        )
    }
}

impl FromStr for CaseEventKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseEventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| AppError::Internal(format!("unknown case event kind {s:?}")))
    }
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
    /// The update date agreed with the customer, if any.
    pub agreed_update_due: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
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
    // What the viewer may do; the server enforces the same rules on every action.
    pub can_comment: bool,
    pub can_raise: bool,
    pub can_confirm: bool,
    pub can_reopen: bool,
    pub can_survey: bool,
    pub is_staff: bool,
    /// Statuses a support engineer may move the case to (empty for customers).
    pub allowed_statuses: Vec<CaseStatus>,
    /// The server's clock when it answered (see `CaseList::now`).
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum StatusFilter {
    /// Every status but closed.
    #[default]
    Open,
    Closed,
    All,
    Only(CaseStatus),
}

impl StatusFilter {
    pub fn as_param(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Closed => "closed",
            StatusFilter::All => "all",
            StatusFilter::Only(s) => s.as_str(),
        }
    }
}

impl FromStr for StatusFilter {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "open" => Ok(StatusFilter::Open),
            "closed" => Ok(StatusFilter::Closed),
            "all" => Ok(StatusFilter::All),
            other => other.parse().map(StatusFilter::Only),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Nearest pending deadline first; cases without one last.
    #[default]
    NextDeadline,
    OpenedDesc,
    /// Most severe first, then nearest deadline.
    Severity,
}

impl CaseSort {
    pub fn as_param(self) -> &'static str {
        match self {
            CaseSort::NextDeadline => "next_deadline",
            CaseSort::OpenedDesc => "opened_desc",
            CaseSort::Severity => "severity",
        }
    }
}

impl FromStr for CaseSort {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "next_deadline" => Ok(CaseSort::NextDeadline),
            "opened_desc" => Ok(CaseSort::OpenedDesc),
            "severity" => Ok(CaseSort::Severity),
            _ => Err(AppError::invalid("sort", "Choose a valid sort order.")),
        }
    }
}

/// Filters of the case list. The default is what the list opens on: open cases by next deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseListQuery {
    pub status: StatusFilter,
    pub severity: Option<u8>,
    pub site_id: Option<String>,
    /// Matched against the subject (substring, case-insensitive) and the case number.
    pub search: Option<String>,
    pub sort: CaseSort,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

impl Default for CaseListQuery {
    fn default() -> Self {
        CaseListQuery {
            status: StatusFilter::Open,
            severity: None,
            site_id: None,
            search: None,
            sort: CaseSort::NextDeadline,
            page: 1,
            page_size: CASE_PAGE_SIZE,
        }
    }
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl CaseListQuery {
    /// Builds a query from URL or form parameters; empty values mean "no filter".
    pub fn from_params(
        status: Option<&str>,
        severity: Option<&str>,
        site_id: Option<&str>,
        search: Option<&str>,
        sort: Option<&str>,
        page: Option<&str>,
    ) -> Result<CaseListQuery, AppError> {
        let status = non_empty(status)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let severity = match non_empty(severity) {
            None => None,
            Some(s) => Some(
                s.parse::<u8>()
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or_else(|| AppError::invalid("severity", "Severity must be 1 to 4."))?,
            ),
        };
        let sort = non_empty(sort)
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
        let page = match non_empty(page) {
            None => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| AppError::invalid("page", "Page must be a positive number."))?,
        };
        let search = non_empty(search).map(|s| s.chars().take(200).collect());
        Ok(CaseListQuery {
            status,
            severity,
            site_id: non_empty(site_id).map(str::to_string),
            search,
            sort,
            page,
            page_size: CASE_PAGE_SIZE,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    pub rows: Vec<CaseSummary>,
    /// The server's clock when it answered: the page rendered on the server and the hydrated
    /// page start their countdowns from the same instant.
    pub now: DateTime<Utc>,
    /// Cases matching the filters, over all pages.
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl CaseList {
    pub fn page_count(&self) -> u32 {
        let size = i64::from(self.page_size.max(1));
        ((self.total + size - 1) / size).max(1) as u32
    }
}

/// What the open-case form submits (already split into fields by the server function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewCase {
    pub site_id: String,
    pub array_id: String,
    pub severity: u8,
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub sev1_contact_name: String,
    pub sev1_contact_phone: String,
}

/// The answer to opening a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCreated {
    pub id: String,
    pub number_label: String,
}

/// A severity level as the array's program defines it, shown beside the choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityOption {
    pub severity: u8,
    pub name: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseArray {
    pub id: String,
    pub name: String,
    pub serial: String,
    /// As stored: "array", "portworx" or "cloud_service".
    pub product_line: String,
    /// The severity table the engine reads for it.
    pub product: ProductLine,
    pub program_id: String,
    pub program_name: String,
    pub plan_id: String,
    pub plan_name: String,
    pub contract_end: NaiveDate,
    pub entitlement: EntitlementState,
    /// Cases may be opened only when this is true.
    pub support_active: bool,
    /// How to get support back, when it lapsed.
    pub reinstatement_message: Option<String>,
    pub severities: Vec<SeverityOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseSite {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// Business Critical Services: part of `CaseFacts`.
    pub bcs: bool,
    pub holidays: Vec<NaiveDate>,
    pub arrays: Vec<OpenCaseArray>,
}

/// What the open-case form needs: the caller's sites and arrays, and the programs, so the browser
/// can show the initial-response deadline a case would get with the same engine as the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseForm {
    pub sites: Vec<OpenCaseSite>,
    pub programs: ProgramSet,
    /// The server's clock: the default opening time of the deadline preview.
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

    #[test]
    fn list_query_parses_and_rejects() {
        let q = CaseListQuery::from_params(None, Some(""), None, Some("  "), None, None).unwrap();
        assert_eq!(q, CaseListQuery::default());
        let q = CaseListQuery::from_params(
            Some("waiting_on_customer"),
            Some("2"),
            Some("s1"),
            Some("disk"),
            Some("severity"),
            Some("3"),
        )
        .unwrap();
        assert_eq!(q.status, StatusFilter::Only(CaseStatus::WaitingOnCustomer));
        assert_eq!(q.severity, Some(2));
        assert_eq!(q.page, 3);
        assert_eq!(
            CaseListQuery::from_params(None, Some("7"), None, None, None, None)
                .unwrap_err()
                .field(),
            Some("severity")
        );
        assert!(CaseListQuery::from_params(Some("bogus"), None, None, None, None, None).is_err());
    }

    #[test]
    fn statuses_map_to_the_engine() {
        for s in CaseStatus::ALL {
            assert_eq!(s.as_str().parse::<CaseStatus>().unwrap(), s);
        }
        assert_eq!(CaseStatus::New.to_sla(), crate::sla::CaseStatus::Open);
        assert!(CaseStatus::Closed.to_sla().is_resolved());
    }
}
