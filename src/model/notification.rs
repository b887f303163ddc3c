//! Notifications as they cross the wire: the kinds of event someone must hear of, the bell's
//! list, each person's preferences and the organization's no-contact orders.
use crate::model::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

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
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 15] = [
        NotificationKind::CaseOpened,
        NotificationKind::SupportUpdate,
        NotificationKind::SeverityChange,
        NotificationKind::ResolutionProposed,
        NotificationKind::StaleNotice,
        NotificationKind::AutoClosed,
        NotificationKind::RcaCreated,
        NotificationKind::RemoteAssistStarted,
        NotificationKind::RemoteAssistEnded,
        NotificationKind::ReplacementDispatched,
        NotificationKind::ReplacementShipped,
        NotificationKind::ReplacementDelivered,
        NotificationKind::ReplacementLate,
        NotificationKind::DeadlineSoon,
        NotificationKind::Alert,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::CaseOpened => "case_opened",
            NotificationKind::SupportUpdate => "support_update",
            NotificationKind::SeverityChange => "severity_change",
            NotificationKind::ResolutionProposed => "resolution_proposed",
            NotificationKind::StaleNotice => "stale_notice",
            NotificationKind::AutoClosed => "auto_closed",
            NotificationKind::RcaCreated => "rca_created",
            NotificationKind::RemoteAssistStarted => "remote_assist_started",
            NotificationKind::RemoteAssistEnded => "remote_assist_ended",
            NotificationKind::ReplacementDispatched => "replacement_dispatched",
            NotificationKind::ReplacementShipped => "replacement_shipped",
            NotificationKind::ReplacementDelivered => "replacement_delivered",
            NotificationKind::ReplacementLate => "replacement_late",
            NotificationKind::DeadlineSoon => "deadline_soon",
            NotificationKind::Alert => "alert",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NotificationKind::CaseOpened => "Case opened",
            NotificationKind::SupportUpdate => "Support update",
            NotificationKind::SeverityChange => "Severity changed",
            NotificationKind::ResolutionProposed => "Resolution proposed",
            NotificationKind::StaleNotice => "Closure notice",
            NotificationKind::AutoClosed => "Case closed automatically",
            NotificationKind::RcaCreated => "Root cause analysis case",
            NotificationKind::RemoteAssistStarted => "Remote Assist started",
            NotificationKind::RemoteAssistEnded => "Remote Assist ended",
            NotificationKind::ReplacementDispatched => "Replacement dispatched",
            NotificationKind::ReplacementShipped => "Replacement shipped",
            NotificationKind::ReplacementDelivered => "Replacement delivered",
            NotificationKind::ReplacementLate => "Replacement late",
            NotificationKind::DeadlineSoon => "SLA deadline within 15 minutes",
            NotificationKind::Alert => "Monitoring alert",
        }
    }

    /// Whether a customer's designated contact can receive this kind.
    pub fn for_customers(self) -> bool {
        self != NotificationKind::DeadlineSoon
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
        )
    }
}

impl FromStr for NotificationKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| AppError::invalid("kind", "Choose a kind of notification."))
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
