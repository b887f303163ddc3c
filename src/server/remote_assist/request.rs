//! A customer's local administrator (an admin, or a backup contact designated at the array's
//! site) opens a session.
use super::queries::{self, audit, case_event, RequestedArray, SessionInsert};
use super::timeline::started_body;
use super::{array_not_found, ALREADY_ACTIVE, HOUR_MS};
use crate::model::case::CaseStatus;
use crate::model::remote_assist::{SessionState, MAX_HOURS, REASON_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::local_admin_org;
use crate::server::ids::{new_id, now_ms};
use crate::server::notifications;
use crate::server::site_access::{is_local_admin, require_act_at};
use serde_json::json;
use sqlx::AnyPool;

/// What the request form submits (hours already parsed by the server function).
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub array_id: String,
    /// Empty for none.
    pub case_id: String,
    pub reason: String,
    pub hours: i64,
}

/// Requests a session on one of the organization's connected arrays. The guides say both
/// "Only a customer's local administrator can open a Remote Assist session" and that backup
/// contacts are "opening RA sessions when required": the local administrator of an array is an
/// admin of its organization or a backup contact designated at the array's site, and their
/// request opens the link at once. Anyone else is refused (a backup contact of another site
/// with a sentence naming the site). Returns the session's id.
pub async fn request_session(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &NewSession,
) -> Result<String, AppError> {
    let org = local_admin_org(user)?.to_string();
    let array_id = input.array_id.trim();
    let array = checked_array(pool, &org, array_id).await?;
    let role = require_act_at(&mut *pool.acquire().await?, user, &array.site_id).await?;
    if !is_local_admin(role) {
        return Err(AppError::Forbidden);
    }
    let reason = checked_reason(&input.reason)?;
    checked_hours(input.hours)?;
    let case = checked_case(pool, &org, input.case_id.trim()).await?;
    let now = now_ms();
    // Sessions stored as requested before this rule still wait for an admin (`start_session`).
    let state = SessionState::Active;
    let id = new_id();
    let session = SessionInsert {
        id: &id,
        array_id,
        organization_id: &org,
        case_id: case,
        requested_by: &user.id,
        reason,
        state,
        requested_hours: input.hours,
        requested_at: now,
        started_at: (state == SessionState::Active).then_some(now),
        deadline_at: now + input.hours * HOUR_MS,
    };
    write_request(pool, &session, &array).await?;
    Ok(id)
}

/// One of the organization's connected arrays.
async fn checked_array(
    pool: &AnyPool,
    org: &str,
    array_id: &str,
) -> Result<RequestedArray, AppError> {
    if array_id.is_empty() {
        return Err(AppError::invalid("array_id", "Choose the array."));
    }
    let array = queries::requested_array(pool, array_id)
        .await?
        .ok_or_else(array_not_found)?;
    if array.organization_id != org {
        // Same answer as an unknown array: nothing about other customers leaks.
        return Err(array_not_found());
    }
    if !bool::from(array.connected) {
        return Err(AppError::invalid(
            "array_id",
            "This array is at a dark site (not connected to the vendor's cloud), so it cannot \
             have a Remote Assist session. Support can help over the phone instead.",
        ));
    }
    Ok(array)
}

fn checked_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Enter what support should do on the array.",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!("Keep it to {REASON_MAX} characters at most."),
        ));
    }
    Ok(reason)
}

/// A duration the form offers: 1 to `MAX_HOURS` hours.
pub(super) fn checked_hours(hours: i64) -> Result<(), AppError> {
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(AppError::invalid(
            "hours",
            format!("Choose a duration from 1 to {MAX_HOURS} hours."),
        ));
    }
    Ok(())
}

/// No case (empty id), or one of the organization's cases that is not closed.
async fn checked_case<'a>(
    pool: &AnyPool,
    org: &str,
    case_id: &'a str,
) -> Result<Option<&'a str>, AppError> {
    if case_id.is_empty() {
        return Ok(None);
    }
    let ok = queries::linked_case(pool, case_id)
        .await?
        .is_some_and(|c| c.organization_id == org && c.status != CaseStatus::Closed.as_str());
    if !ok {
        return Err(AppError::invalid(
            "case_id",
            "Choose one of your organization's open cases, or none.",
        ));
    }
    Ok(Some(case_id))
}

/// Stores the session; a session that starts at once also writes its case event and its
/// notification. The audit entry comes last, in the same transaction.
async fn write_request(
    pool: &AnyPool,
    s: &SessionInsert<'_>,
    array: &RequestedArray,
) -> Result<(), AppError> {
    let mut tx = crate::server::db::begin_write(pool).await?;
    // The first statement, and the one the unique index refuses for a second open session.
    match queries::insert_session(&mut tx, s).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(ALREADY_ACTIVE.into()));
        }
        Err(e) => return Err(e.into()),
    }
    let actor = Some(s.requested_by);
    let (now, deadline) = (s.requested_at, s.deadline_at);
    if let (Some(case_id), SessionState::Active) = (s.case_id, s.state) {
        let body = started_body(&array.name, s.requested_hours, deadline, &array.time_zone)?;
        case_event(&mut tx, case_id, actor, &body, s.state, now).await?;
    }
    if s.state == SessionState::Active {
        let body = started_body(&array.name, s.requested_hours, deadline, &array.time_zone)?;
        notifications::on_remote_assist(&mut tx, s.id, true, &body, actor, now).await?;
    }
    audit(
        &mut tx,
        s.organization_id,
        actor,
        "remote_assist.request",
        s.id,
        None,
        Some(json!({
            "array_id": s.array_id,
            "case_id": s.case_id,
            "state": s.state.as_str(),
            "hours": s.requested_hours,
            "deadline_at": deadline,
            "reason": s.reason,
        })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}
