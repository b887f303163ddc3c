//! Starting, joining and extending a session. Each transaction's first statement is the
//! conditional update that claims the session (see the module doc); when it finds nothing to
//! change, `state_conflict` says why.
use super::queries::{self, audit, case_event, load_session, SessionRow};
use super::request::checked_hours;
use super::timeline::started_body;
use super::{session_not_found, HOUR_MS};
use crate::model::remote_assist::{SessionState, MAX_HOURS};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{admin_of, can_see, local_admin_of, viewer_org};
use crate::server::ids::now_ms;
use crate::server::notifications;
use serde_json::json;
use sqlx::AnyPool;

/// The session if the user may see it; unknown and foreign ids are both "not found".
pub(super) async fn visible_session(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
) -> Result<SessionRow, AppError> {
    viewer_org(user)?;
    let mut conn = pool.acquire().await?;
    let row = load_session(&mut conn, id.trim())
        .await?
        .ok_or_else(session_not_found)?;
    if !can_see(user, &row.organization_id) {
        return Err(session_not_found());
    }
    Ok(row)
}

/// Why a conditional update found nothing to change, read after the fact.
async fn state_conflict(pool: &AnyPool, id: &str, doing: &str) -> AppError {
    let now = now_ms();
    let mut conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    match load_session(&mut conn, id).await {
        Ok(Some(r)) if r.state == SessionState::Ended => AppError::Conflict(format!(
            "This Remote Assist session has ended; it cannot be {doing}."
        )),
        Ok(Some(r)) if r.deadline_at <= now => AppError::Conflict(format!(
            "This Remote Assist session has timed out; it cannot be {doing}."
        )),
        Ok(Some(r)) if r.state == SessionState::Requested => AppError::Conflict(format!(
            "This Remote Assist session has not been started yet; it cannot be {doing}."
        )),
        Ok(Some(_)) => AppError::Conflict(format!(
            "This Remote Assist session is already active; it cannot be {doing}."
        )),
        Ok(None) => session_not_found(),
        Err(e) => e,
    }
}

/// An admin starts a session a backup contact requested: the link opens for its duration.
pub async fn start_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    if !admin_of(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    let now = now_ms();
    let deadline = now + row.requested_hours * HOUR_MS;
    let mut tx = crate::server::db::begin_write(pool).await?;
    if queries::claim_start(&mut tx, &row.id, now, deadline).await? == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "started").await);
    }
    let body = started_body(
        &row.array_name,
        row.requested_hours,
        deadline,
        &row.time_zone,
    )?;
    if let Some(case_id) = &row.case_id {
        case_event(
            &mut tx,
            case_id,
            Some(&user.id),
            &body,
            SessionState::Active,
            now,
        )
        .await?;
    }
    notifications::on_remote_assist(&mut tx, &row.id, true, &body, Some(&user.id), now).await?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.start",
        &row.id,
        Some(json!({ "state": row.state.as_str() })),
        Some(json!({ "state": "active", "deadline_at": deadline })),
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// The customer's local administrator gives the session more time. The time left afterwards
/// is capped at `MAX_HOURS`, so a session never runs far ahead of a customer decision.
pub async fn extend_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
    hours: i64,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    if !local_admin_of(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    checked_hours(hours)?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    // Lock first (only a live, active session), then read the deadline we now hold.
    if queries::claim_extension(&mut tx, &row.id, now).await? == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "extended").await);
    }
    let deadline = queries::deadline_of(&mut tx, &row.id).await?;
    let new_deadline = deadline + hours * HOUR_MS;
    if new_deadline - now > MAX_HOURS * HOUR_MS {
        // Dropping the transaction rolls the extension count back.
        return Err(AppError::invalid("hours", over_cap(deadline, now)));
    }
    queries::set_deadline(&mut tx, &row.id, new_deadline).await?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.extend",
        &row.id,
        Some(json!({ "deadline_at": deadline })),
        Some(json!({ "deadline_at": new_deadline, "hours": hours })),
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// Why an extension past the `MAX_HOURS` cap is refused, with the most it may still add.
fn over_cap(deadline: i64, now: i64) -> String {
    let most = (now + MAX_HOURS * HOUR_MS - deadline) / HOUR_MS;
    if most >= 1 {
        format!(
            "A session may have at most {MAX_HOURS} hours left: extend it by {most} hours \
             at most."
        )
    } else {
        format!("This session already has nearly {MAX_HOURS} hours left.")
    }
}

/// A support engineer joins an active session; joining again changes nothing.
pub async fn join_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    if !user.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let row = visible_session(pool, user, session_id).await?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    // Holding the session's row while adding the participant: an end or the job waits for us
    // (or we see it ended), so nobody joins a session that is over.
    if queries::lock_active(&mut tx, &row.id, now).await? == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "joined").await);
    }
    if queries::has_joined(&mut tx, &row.id, &user.id).await? {
        return Ok(());
    }
    queries::insert_participant(&mut tx, &row.id, &user.id, now).await?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.join",
        &row.id,
        None,
        Some(json!({ "engineer": user.name })),
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}
