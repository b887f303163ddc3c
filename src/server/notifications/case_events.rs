//! What a case's timeline entry means for notifications, and the notice it makes.
use super::enqueue::enqueue;
use super::notice::Notice;
use crate::model::case::{case_number_label, CaseEventKind};
use crate::model::notification::NotificationKind;
use crate::model::AppError;
use sqlx::AnyConnection;

/// What a case event means for notifications: its kind, or `None` when nobody is told.
fn kind_of_case_event(
    kind: CaseEventKind,
    public: bool,
    new_value: Option<&str>,
    from_alert: bool,
) -> Option<NotificationKind> {
    if !public {
        return None;
    }
    match kind {
        // The 'alert' entry that follows tells everyone once.
        CaseEventKind::Opened if from_alert => None,
        CaseEventKind::Opened => Some(NotificationKind::CaseOpened),
        CaseEventKind::SupportUpdate => Some(NotificationKind::SupportUpdate),
        CaseEventKind::SeverityChange => Some(NotificationKind::SeverityChange),
        CaseEventKind::StatusChange if new_value == Some("resolution_proposed") => {
            Some(NotificationKind::ResolutionProposed)
        }
        CaseEventKind::StaleNotice => Some(NotificationKind::StaleNotice),
        CaseEventKind::AutoClosed => Some(NotificationKind::AutoClosed),
        CaseEventKind::RcaCreated => Some(NotificationKind::RcaCreated),
        CaseEventKind::EscalationRequest if new_value == Some("requested") => {
            Some(NotificationKind::EscalationRequested)
        }
        CaseEventKind::Alert => Some(NotificationKind::Alert),
        // A replacement's stage moves; the later stages are the customer's own doing.
        CaseEventKind::Replacement => match new_value {
            Some("dispatched") => Some(NotificationKind::ReplacementDispatched),
            Some("shipped") => Some(NotificationKind::ReplacementShipped),
            Some("delivered") => Some(NotificationKind::ReplacementDelivered),
            _ => None,
        },
        // Remote Assist sessions notify from their own service (they may have no case).
        _ => None,
    }
}

fn event_title(
    kind: NotificationKind,
    label: &str,
    subject: &str,
    new_value: Option<&str>,
) -> String {
    let what = match kind {
        NotificationKind::CaseOpened => format!("New case: {subject}"),
        NotificationKind::Alert => format!("Monitoring alert: {subject}"),
        NotificationKind::SupportUpdate => "Support posted an update".to_string(),
        NotificationKind::SeverityChange => {
            format!("Severity changed to {}", new_value.unwrap_or_default())
        }
        NotificationKind::ResolutionProposed => "Support proposed a resolution".to_string(),
        NotificationKind::StaleNotice => "Waiting for your answer".to_string(),
        NotificationKind::AutoClosed => "Case closed automatically".to_string(),
        NotificationKind::RcaCreated => "Root cause analysis case opened".to_string(),
        NotificationKind::EscalationRequested => format!("Escalation requested: {subject}"),
        NotificationKind::ReplacementDispatched
        | NotificationKind::ReplacementShipped
        | NotificationKind::ReplacementDelivered => {
            format!("Replacement part {}", new_value.unwrap_or_default())
        }
        other => other.label().to_string(),
    };
    format!("{label} · {what}")
}

/// What a case event's notification needs of its case: number, organization, site, subject,
/// opener, opened from an alert (0/1), RCA parent.
pub(crate) type CaseNoticeFacts = (
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
);

/// Called by `cases::insert_event` for every timeline entry, in its transaction. `known`: what
/// the notification needs of the case, when the caller has just written it (read otherwise).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn on_case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    known: Option<&CaseNoticeFacts>,
    kind: CaseEventKind,
    actor: Option<&str>,
    body: &str,
    public: bool,
    new_value: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    let read;
    let case = match known {
        Some(case) => case,
        None => {
            let row: Option<CaseNoticeFacts> = sqlx::query_as(
                "SELECT number, organization_id, site_id, subject, opened_by, \
                        CASE WHEN opened_from_alert THEN 1 ELSE 0 END, rca_parent_case_id \
                 FROM cases WHERE id = $1",
            )
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some(row) = row else {
                return Ok(());
            };
            read = row;
            &read
        }
    };
    let (number, org, site, subject, opener, from_alert, rca_parent) = case;
    // A root-cause follow-up is announced by the parent's 'rca_created' entry.
    if kind == CaseEventKind::Opened && rca_parent.is_some() {
        return Ok(());
    }
    let Some(nkind) = kind_of_case_event(kind, public, new_value, *from_alert != 0) else {
        return Ok(());
    };
    let label = case_number_label(*number);
    enqueue(
        conn,
        &Notice {
            kind: nkind,
            organization_id: Some(org),
            site_id: Some(site),
            case_id: Some(case_id),
            title: event_title(nkind, &label, subject, new_value),
            body: body.to_string(),
            link: format!("/cases/{case_id}"),
            actor,
            case_opener: opener.as_deref(),
            dedupe_key: None,
            at,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_notes_and_comments_tell_nobody() {
        assert_eq!(
            kind_of_case_event(CaseEventKind::InternalNote, false, None, false),
            None
        );
        assert_eq!(
            kind_of_case_event(CaseEventKind::CustomerComment, true, None, false),
            None
        );
        assert_eq!(
            kind_of_case_event(
                CaseEventKind::StatusChange,
                true,
                Some("in_progress"),
                false
            ),
            None
        );
        assert_eq!(
            kind_of_case_event(
                CaseEventKind::StatusChange,
                true,
                Some("resolution_proposed"),
                false
            ),
            Some(NotificationKind::ResolutionProposed)
        );
        assert_eq!(
            kind_of_case_event(CaseEventKind::Alert, true, None, true),
            Some(NotificationKind::Alert)
        );
    }
}
