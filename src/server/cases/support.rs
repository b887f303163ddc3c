//! What support engineers do on any case: updates and notes, the workflow, the severity and the
//! agreed update date. Same shape as the customer's actions (`tx::begin_locked` … `tx::finish`).
use super::convert::{parse_tz, product_of, sla_error};
use super::queries::{self, CaseRow};
use super::timeline::{insert_event, NewEvent};
use super::tx::{begin_locked, change_severity, finish, require_open};
use crate::model::case::{CaseEventKind, CaseStatus, BODY_MAX, REASON_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::require_staff;
use crate::server::ids::now_ms;
use crate::server::input::{check_severity, optional_text, parse_due, required_text};
use crate::sla::ProgramSet;
use serde_json::json;
use sqlx::AnyPool;

/// A public update (the customer sees it; it answers the initial-response clock and restarts the
/// update clock) or an internal note (staff only; no clock moves).
pub async fn support_update(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    require_staff(user)?;
    let body = required_text("body", body, BODY_MAX, "the update")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let kind = if public {
        CaseEventKind::SupportUpdate
    } else {
        CaseEventKind::InternalNote
    };
    if public && row.status == CaseStatus::Closed {
        return Err(AppError::Conflict(
            "This case is closed; reopen it before posting a public update.".into(),
        ));
    }
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(kind, Some(&user.id), &body),
    )
    .await?;
    let mut status = row.status;
    if public && row.status == CaseStatus::New {
        // Support has picked the case up.
        status = CaseStatus::InProgress;
        queries::set_status_row(&mut tx, case_id, status, None, now).await?;
        insert_event(
            &mut tx,
            case_id,
            now,
            NewEvent::new(CaseEventKind::StatusChange, Some(&user.id), "")
                .change(row.status.as_str(), status.as_str()),
        )
        .await?;
    }
    let action = if public {
        "case.support_update"
    } else {
        "case.internal_note"
    };
    finish(
        tx,
        programs,
        &row,
        user,
        action,
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str(), "chars": body.chars().count() }),
        now,
    )
    .await
}

/// Moves a case along the support workflow, with a message to the customer (`message`, kept as
/// the status change's text on the timeline). Proposing a resolution needs the resolution, and
/// waiting on the customer needs what support asks of them: the customer reads it before
/// confirming, and the case closes by itself if nobody answers.
pub async fn set_status(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    status: &str,
    message: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let status: CaseStatus = status.trim().parse()?;
    let message = status_message(status, message)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if !row.status.support_transitions().contains(&status) {
        return Err(AppError::invalid(
            "status",
            format!(
                "A case that is {} cannot be moved to {}.",
                row.status.label().to_lowercase(),
                status.label().to_lowercase()
            ),
        ));
    }
    queries::set_status_row(&mut tx, case_id, status, Some("Closed by support."), now).await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::StatusChange, Some(&user.id), &message)
            .change(row.status.as_str(), status.as_str()),
    )
    .await?;
    if status == CaseStatus::Closed {
        super::escalation::close_with_case(&mut tx, case_id, Some(&user.id), now).await?;
    }
    finish(
        tx,
        programs,
        &row,
        user,
        "case.status",
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str(), "chars": message.chars().count() }),
        now,
    )
    .await
}

/// The message a status change carries: required where the customer must act on it.
fn status_message(status: CaseStatus, message: &str) -> Result<String, AppError> {
    let what = match status {
        CaseStatus::ResolutionProposed => {
            "the resolution: the customer reads it before confirming that the problem is solved"
        }
        CaseStatus::WaitingOnCustomer => "what you need from the customer",
        _ => return optional_text("message", message, BODY_MAX),
    };
    required_text("message", message, BODY_MAX, what)
}

/// Support sets the severity, up or down; support has the final say.
pub async fn set_severity(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    severity: u8,
    reason: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let new = check_severity("severity", severity)?;
    let reason = required_text("reason", reason, REASON_MAX, "the reason for the change")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    require_open(&row)?;
    if i64::from(new.get()) == row.severity {
        return Err(AppError::invalid(
            "severity",
            format!("The case already is {new}."),
        ));
    }
    change_severity(&mut tx, &row, user, new, &reason, now).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.set_severity",
        json!({ "severity": row.severity }),
        json!({ "severity": new.get(), "reason": reason }),
        now,
    )
    .await
}

/// Support records the update date agreed with the customer (for "as agreed" severities);
/// an empty value clears it.
pub async fn set_agreed_update(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    due: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let due = if due.trim().is_empty() {
        None
    } else {
        let d = parse_due(due, parse_tz(&row.time_zone)?)?;
        if d.timestamp_millis() <= now {
            return Err(AppError::invalid("due", "Choose a time in the future."));
        }
        Some(d)
    };
    if due.is_some() && !update_as_agreed(programs, &row)? {
        return Err(AppError::invalid(
            "due",
            "This severity has a fixed update cadence; an agreed date does not apply.",
        ));
    }
    require_open(&row)?;
    let due = due.map(|d| d.timestamp_millis());
    queries::set_agreed_update_due(&mut tx, case_id, due).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.agreed_update",
        json!({ "agreed_update_due": row.agreed_update_due }),
        json!({ "agreed_update_due": due }),
        now,
    )
    .await
}

/// Whether the case's severity has its updates "as agreed" rather than on a fixed cadence.
pub(super) fn update_as_agreed(programs: &ProgramSet, row: &CaseRow) -> Result<bool, AppError> {
    let program = programs.program(&row.program_id).map_err(sla_error)?;
    let table = program
        .table_for(product_of(&row.product_line))
        .map_err(sla_error)?;
    Ok(table
        .rows
        .iter()
        .find(|r| i64::from(r.severity.get()) == row.severity)
        .is_some_and(|r| r.update.as_agreed))
}
