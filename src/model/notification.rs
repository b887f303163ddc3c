//! Notifications as they cross the wire: the kinds of event someone must hear of, the bell's
//! list, each person's preferences and the organization's no-contact orders.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Notifications listed on the page, newest first.
pub const LIST_LIMIT: i64 = 100;
/// How long before an SLA deadline support engineers are warned, in minutes.
pub const DEADLINE_WARNING_MINUTES: i64 = 15;

/// Every kind of event someone must hear of. Preferences and no-contact orders are per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    CaseOpened,
    SupportUpdate,
    SeverityChange,
    ResolutionProposed,
    StaleNotice,
    AutoClosed,
    RcaCreated,
    RemoteAssistStarted,
    RemoteAssistEnded,
    ReplacementDispatched,
    ReplacementShipped,
    ReplacementDelivered,
    ReplacementLate,
    /// An SLA deadline is due within `DEADLINE_WARNING_MINUTES` (support engineers only).
    DeadlineSoon,
    /// A critical monitoring alert opened a case, or a repeat of it was added to the case.
    Alert,
    /// A designated contact asked for escalation (support engineers only: the owner first).
    EscalationRequested,
}

stored_enum!(NotificationKind, "a kind of notification", "kind", [
    CaseOpened => "case_opened", "Case opened",
    SupportUpdate => "support_update", "Support update",
    SeverityChange => "severity_change", "Severity changed",
    ResolutionProposed => "resolution_proposed", "Resolution proposed",
    StaleNotice => "stale_notice", "Closure notice",
    AutoClosed => "auto_closed", "Case closed automatically",
    RcaCreated => "rca_created", "Root cause analysis case",
    RemoteAssistStarted => "remote_assist_started", "Remote Assist started",
    RemoteAssistEnded => "remote_assist_ended", "Remote Assist ended",
    ReplacementDispatched => "replacement_dispatched", "Replacement dispatched",
    ReplacementShipped => "replacement_shipped", "Replacement shipped",
    ReplacementDelivered => "replacement_delivered", "Replacement delivered",
    ReplacementLate => "replacement_late", "Replacement late",
    DeadlineSoon => "deadline_soon", "SLA deadline within 15 minutes",
    Alert => "alert", "Monitoring alert",
    EscalationRequested => "escalation_requested", "Escalation requested by the customer",
]);

impl NotificationKind {
    /// Whether a customer's designated contact can receive this kind.
    pub fn for_customers(self) -> bool {
        // Support's to act on; the contact who asked sees the request on the case page.
        !matches!(
            self,
            NotificationKind::DeadlineSoon | NotificationKind::EscalationRequested
        )
    }

    /// Whether support engineers receive this kind.
    pub fn for_staff(self) -> bool {
        matches!(
            self,
            NotificationKind::CaseOpened
                | NotificationKind::SeverityChange
                | NotificationKind::RcaCreated
                | NotificationKind::ReplacementLate
                | NotificationKind::DeadlineSoon
                | NotificationKind::Alert
                | NotificationKind::EscalationRequested
        )
    }
}

/// One entry of the bell's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// Where it leads inside the portal (a case page, Remote Assist...).
    pub link: String,
    /// The case's severity now, for a notification about a case.
    pub severity: Option<u8>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// What a person receives for one kind of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub kind: NotificationKind,
    /// Notified at all (bell and e-mail).
    pub enabled: bool,
    /// Also by e-mail.
    pub email: bool,
}

/// A no-contact order as the organization's admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoContactOrder {
    pub id: String,
    /// `None`: the whole organization (the team alias included).
    pub person: Option<String>,
    /// `None`: every kind of event.
    pub kind: Option<NotificationKind>,
    /// Last day it applies (inclusive); `None`: until lifted.
    pub until: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// A person an order can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPerson {
    pub id: String,
    pub label: String,
}

/// The no-contact section, for the organization's admins only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoContactSection {
    pub orders: Vec<NoContactOrder>,
    pub people: Vec<OrgPerson>,
}

/// The /notifications page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsPage {
    pub items: Vec<Notification>,
    pub unread: u32,
    /// The kinds this person can receive, with their choice.
    pub preferences: Vec<Preference>,
    pub no_contact: Option<NoContactSection>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_staff_only_kinds_are_not_for_customers() {
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>(), Ok(k));
            assert!(k.for_customers() || k.for_staff(), "{k:?} reaches nobody");
        }
        assert!(!NotificationKind::DeadlineSoon.for_customers());
        assert!("nope".parse::<NotificationKind>().is_err());
    }
}
