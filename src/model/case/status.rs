//! The case's workflow status and the kinds of timeline entry, as stored and as shown.
use serde::{Deserialize, Serialize};

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

stored_enum!(CaseStatus, "a valid status", "status", [
    New => "new", "New",
    InProgress => "in_progress", "In progress",
    WaitingOnCustomer => "waiting_on_customer", "Waiting on customer",
    ResolutionProposed => "resolution_proposed", "Resolution proposed",
    Closed => "closed", "Closed",
]);

impl CaseStatus {
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
    /// The owning engineer changed; old and new values are the engineers' names (empty: none).
    OwnerChange,
    /// Support escalated the case; the body is the reason.
    Escalation,
    /// A contact's escalation request moved on; `new_value` is its state after the entry.
    EscalationRequest,
}

stored_enum!(CaseEventKind, unknown "case event kind", [
    Opened => "opened", "Case opened",
    CustomerComment => "customer_comment", "Customer comment",
    SupportUpdate => "support_update", "Support update",
    InternalNote => "internal_note", "Internal note",
    SeverityChange => "severity_change", "Severity changed",
    StatusChange => "status_change", "Status changed",
    ResolutionConfirmed => "resolution_confirmed", "Resolution confirmed",
    Reopened => "reopened", "Reopened",
    Survey => "survey", "Survey answered",
    StaleNotice => "stale_notice", "Closure notice",
    AutoClosed => "auto_closed", "Closed automatically",
    RcaCreated => "rca_created", "Root cause analysis case",
    RemoteAssist => "remote_assist", "Remote Assist",
    Alert => "alert", "Monitoring alert",
    Replacement => "replacement", "Hardware replacement",
    OwnerChange => "owner_change", "Engineer changed",
    Escalation => "escalation", "Escalated to specialists",
    EscalationRequest => "escalation_request", "Escalation request",
]);

impl CaseEventKind {
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

    /// The change an event records, in words: "Status: In progress → Resolution proposed",
    /// "Severity 3 → Severity 2". Stored values are codes; a person reads labels.
    pub fn change_text(self, old: Option<&str>, new: Option<&str>) -> Option<String> {
        if self == CaseEventKind::EscalationRequest {
            // "Escalation request: Requested → Acknowledged", in the request's state labels.
            let state = |v: &str| {
                v.parse::<super::EscalationState>()
                    .map(|s| s.label().to_string())
                    .unwrap_or_else(|_| v.to_string())
            };
            return match (old.filter(|v| !v.is_empty()), new) {
                (Some(a), Some(b)) => {
                    Some(format!("Escalation request: {} → {}", state(a), state(b)))
                }
                (None, Some(b)) => Some(format!("Escalation request: {}", state(b))),
                _ => None,
            };
        }
        if self == CaseEventKind::Escalation {
            return Some(super::escalated_words(new.filter(|v| !v.is_empty())));
        }
        if self == CaseEventKind::OwnerChange {
            // Nobody before (or after) reads as a dash: "Owner: — → Sam Support".
            let name = |v: Option<&str>| v.filter(|v| !v.is_empty()).unwrap_or("—").to_string();
            return Some(format!("Owner: {} → {}", name(old), name(new)));
        }
        let word = |v: &str| -> String {
            if self == CaseEventKind::SeverityChange || self == CaseEventKind::Opened {
                format!("Severity {v}")
            } else if self.sets_status() {
                v.parse::<CaseStatus>()
                    .map(|s| s.label().to_string())
                    .unwrap_or_else(|_| v.to_string())
            } else {
                v.to_string()
            }
        };
        let prefix = if self.sets_status() { "Status: " } else { "" };
        match (old.filter(|v| !v.is_empty()), new.filter(|v| !v.is_empty())) {
            (Some(a), Some(b)) => Some(format!("{prefix}{} → {}", word(a), word(b))),
            (None, Some(b)) => Some(format!("{prefix}{}", word(b))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_in_words_not_codes() {
        let status = CaseEventKind::StatusChange;
        assert_eq!(
            status
                .change_text(Some("in_progress"), Some("resolution_proposed"))
                .as_deref(),
            Some("Status: In progress → Resolution proposed")
        );
        assert_eq!(
            CaseEventKind::SeverityChange
                .change_text(Some("3"), Some("2"))
                .as_deref(),
            Some("Severity 3 → Severity 2")
        );
        assert_eq!(
            CaseEventKind::Opened
                .change_text(Some(""), Some("1"))
                .as_deref(),
            Some("Severity 1")
        );
        assert_eq!(
            CaseEventKind::RcaCreated
                .change_text(None, Some("CS-000042"))
                .as_deref(),
            Some("CS-000042")
        );
        assert_eq!(CaseEventKind::CustomerComment.change_text(None, None), None);
        assert_eq!(
            CaseEventKind::OwnerChange
                .change_text(Some(""), Some("Sam Support"))
                .as_deref(),
            Some("Owner: — → Sam Support")
        );
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
