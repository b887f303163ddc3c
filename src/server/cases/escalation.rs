//! Escalation. Support escalates a case ("team members with higher levels of expertise or
//! specialization join the effort") without touching its owner ("The original TSE, however,
//! remains as the point of contact for the customer."). A designated contact may ask for
//! escalation on an open case; support must acknowledge it by the program's `escalation_ack`
//! target (the SLA engine's `escalation_ack_due`), then closes it, or it closes with the case.
//! Every step takes the case's row lock first (`tx::begin_locked` … `tx::finish`), so two
//! requests at once leave one: the second finds the first open. The partial unique index
//! `escalation_requests_one_open` backs that up.
use super::convert::{opt_dt, severity_of, sla_error};
use super::deadlines::site_holidays;
use super::queries::CaseRow;
use super::timeline::{insert_event, NewEvent};
use super::tx::{begin_acting, begin_locked, finish, require_open};
use crate::model::case::{
    CaseEscalation, CaseEventKind, EscalationRequest, EscalationState, ESCALATION_REASON_MAX,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{customer_org, require_staff, staff};
use crate::server::db::ms_to_dt;
use crate::server::ids::{new_id, now_ms};
use crate::server::input::{optional_text, required_text};
use crate::server::rows::Millis;
use crate::sla::{self, ProgramSet};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// Support escalates an open case with a reason (shown to the customer in the timeline).
pub async fn escalate_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let reason = required_text("reason", reason, ESCALATION_REASON_MAX, "a reason")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    require_open(&row)?;
    if escalated_at(&mut tx, case_id).await?.is_some() {
        return Err(AppError::Conflict("This case is escalated already.".into()));
    }
    sqlx::query("UPDATE cases SET escalated_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let owner = row.owner_name.clone().unwrap_or_default();
    let event = NewEvent::new(CaseEventKind::Escalation, Some(&user.id), &reason).change("", owner);
    insert_event(&mut tx, case_id, now, event).await?;
    let after = json!({ "escalated_at": now, "owner_id": row.owner_id });
    finish(
        tx,
        programs,
        &row,
        user,
        "case.escalate",
        json!({}),
        after,
        now,
    )
    .await
}

/// A designated contact of the case's organization asks for escalation; staff escalate instead.
pub async fn request_escalation(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let reason = required_text("reason", reason, ESCALATION_REASON_MAX, "a reason")?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    require_open(&row)?;
    if open_request(&mut tx, case_id).await?.is_some() {
        return Err(AppError::Conflict(
            "An escalation request for this case is open already.".into(),
        ));
    }
    let due = ack_due(&mut tx, programs, &row, now).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO escalation_requests (id, case_id, state, reason, requested_by, requested_at, \
         ack_due_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(EscalationState::Requested.as_str())
    .bind(&reason)
    .bind(&user.id)
    .bind(now)
    .bind(due)
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(CaseEventKind::EscalationRequest, Some(&user.id), &reason)
        .change("", EscalationState::Requested.as_str());
    insert_event(&mut tx, case_id, now, event).await?;
    let after = json!({ "request_id": id, "state": "requested", "ack_due_at": due });
    let action = "case.escalation_request";
    finish(tx, programs, &row, user, action, json!({}), after, now).await
}

/// The acknowledgment deadline of a request made `now`, in milliseconds: the program's target
/// for the case's severity on the program's calendar at the case's site.
async fn ack_due(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    row: &CaseRow,
    now: i64,
) -> Result<i64, AppError> {
    let program = programs.program(&row.program_id).map_err(sla_error)?;
    let holidays = site_holidays(conn, &row.site_id).await?;
    let cal = program
        .calendar(&row.time_zone, holidays)
        .map_err(sla_error)?;
    let at = ms_to_dt(now)?;
    let due = sla::escalation_ack_due(program, &cal, severity_of(row.severity)?, at)
        .map_err(sla_error)?;
    Ok(due.timestamp_millis())
}

/// Support acknowledges the open request, with an optional note for the customer.
pub async fn acknowledge_escalation(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    note: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let note = optional_text("note", note, ESCALATION_REASON_MAX)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let Some(open) = open_request(&mut tx, case_id).await? else {
        return Err(AppError::Conflict("No escalation request is open.".into()));
    };
    if open.state != EscalationState::Requested {
        return Err(AppError::Conflict(
            "This escalation request is acknowledged already.".into(),
        ));
    }
    sqlx::query(
        "UPDATE escalation_requests SET state = $2, acknowledged_at = $3, acknowledged_by = $4, \
         ack_note = $5 WHERE id = $1",
    )
    .bind(&open.id)
    .bind(EscalationState::Acknowledged.as_str())
    .bind(now)
    .bind(&user.id)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    let event = NewEvent::new(CaseEventKind::EscalationRequest, Some(&user.id), &note)
        .change(open.state.as_str(), EscalationState::Acknowledged.as_str());
    insert_event(&mut tx, case_id, now, event).await?;
    let before = json!({ "request_id": open.id, "state": open.state.as_str() });
    let after = json!({ "request_id": open.id, "state": "acknowledged" });
    let action = "case.escalation_ack";
    finish(tx, programs, &row, user, action, before, after, now).await
}

/// Support closes the open request (acknowledged or not), with an optional note.
pub async fn close_escalation(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    note: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let note = optional_text("note", note, ESCALATION_REASON_MAX)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let Some(open) = open_request(&mut tx, case_id).await? else {
        return Err(AppError::Conflict("No escalation request is open.".into()));
    };
    close_request(&mut tx, case_id, &open, Some(&user.id), &note, now).await?;
    let before = json!({ "request_id": open.id, "state": open.state.as_str() });
    let after = json!({ "request_id": open.id, "state": "closed" });
    let action = "case.escalation_close";
    finish(tx, programs, &row, user, action, before, after, now).await
}

/// Closes the case's open request, if any, when the case itself closes; the caller holds the
/// case's row lock. `actor`: `None` when a job closed the case.
pub(crate) async fn close_with_case(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    if let Some(open) = open_request(conn, case_id).await? {
        let note = "Closed with the case.";
        close_request(conn, case_id, &open, actor, note, now).await?;
    }
    Ok(())
}

async fn close_request(
    conn: &mut AnyConnection,
    case_id: &str,
    open: &OpenRequest,
    actor: Option<&str>,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE escalation_requests SET state = $2, closed_at = $3, closed_by = $4 WHERE id = $1",
    )
    .bind(&open.id)
    .bind(EscalationState::Closed.as_str())
    .bind(now)
    .bind(actor)
    .execute(&mut *conn)
    .await?;
    let event = NewEvent::new(CaseEventKind::EscalationRequest, actor, note)
        .change(open.state.as_str(), EscalationState::Closed.as_str());
    insert_event(conn, case_id, now, event).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OpenRequest {
    id: String,
    #[sqlx(try_from = "String")]
    state: EscalationState,
}

async fn open_request(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<OpenRequest>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, state FROM escalation_requests WHERE case_id = $1 AND state <> 'closed'",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct EscalatedAt {
    escalated_at: Option<i64>,
}

async fn escalated_at(conn: &mut AnyConnection, case_id: &str) -> Result<Option<i64>, AppError> {
    let row: Option<EscalatedAt> = sqlx::query_as("SELECT escalated_at FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|r| r.escalated_at))
}

/// A request as the case page reads it, with its people's names.
#[derive(sqlx::FromRow)]
struct RequestRow {
    id: String,
    #[sqlx(try_from = "String")]
    state: EscalationState,
    reason: String,
    requested_by: String,
    #[sqlx(try_from = "i64")]
    requested_at: Millis,
    #[sqlx(try_from = "i64")]
    ack_due_at: Millis,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<String>,
    ack_note: String,
    closed_at: Option<i64>,
}

impl RequestRow {
    fn into_request(self) -> Result<EscalationRequest, AppError> {
        Ok(EscalationRequest {
            id: self.id,
            state: self.state,
            reason: self.reason,
            requested_by: self.requested_by,
            requested_at: self.requested_at.into(),
            ack_due: self.ack_due_at.into(),
            acknowledged_at: opt_dt(self.acknowledged_at)?,
            acknowledged_by: self.acknowledged_by,
            ack_note: self.ack_note,
            closed_at: opt_dt(self.closed_at)?,
        })
    }
}

/// The case page's escalation panel for this viewer.
pub(super) async fn case_escalation(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    row: &CaseRow,
) -> Result<CaseEscalation, AppError> {
    let escalated_at = opt_dt(escalated_at(conn, &row.id).await?)?;
    let latest: Option<RequestRow> = sqlx::query_as(
        "SELECT r.id, r.state, r.reason, rq.name AS requested_by, r.requested_at, r.ack_due_at, \
                r.acknowledged_at, ak.name AS acknowledged_by, r.ack_note, r.closed_at \
         FROM escalation_requests r \
         JOIN users rq ON rq.id = r.requested_by \
         LEFT JOIN users ak ON ak.id = r.acknowledged_by \
         WHERE r.case_id = $1 ORDER BY r.requested_at DESC, r.id DESC LIMIT 1",
    )
    .bind(&row.id)
    .fetch_optional(&mut *conn)
    .await?;
    let request = latest.map(RequestRow::into_request).transpose()?;
    let open = row.status.is_open();
    let request_open = request.as_ref().is_some_and(|r| r.state.is_open());
    Ok(CaseEscalation {
        can_request: open && !staff(user) && customer_org(user).is_ok() && !request_open,
        can_escalate: open && staff(user) && escalated_at.is_none(),
        escalated_at,
        request,
    })
}
