//! Ending a session: by the customer's local administrator, by support, or by the time-out job.
use super::lifecycle::visible_session;
use super::queries::{self, audit, case_event, SessionRow};
use super::timeline::{ended_body, ended_case_body};
use crate::model::remote_assist::{EndReason, SessionState};
use crate::model::{AppError, CurrentUser};
use crate::server::access::local_admin_of;
use crate::server::ids::now_ms;
use crate::server::notifications;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// Ends a session that is not over yet, in the caller's transaction; its conditional update is
/// the claim. With `EndReason::TimedOut` (the job) only a session whose deadline is at or before
/// `at` ends, and it ends at its deadline. Returns false when there was nothing to end: someone
/// else (a user, or the job on another instance) ended it first, or it was extended meanwhile.
pub(super) async fn end_in_tx(
    conn: &mut AnyConnection,
    row: &SessionRow,
    actor: Option<&str>,
    reason: EndReason,
    at: i64,
) -> Result<bool, AppError> {
    let changed = if reason == EndReason::TimedOut {
        queries::claim_time_out(conn, &row.id, at).await?
    } else {
        queries::claim_end(conn, &row.id, at, actor, reason).await?
    };
    if changed == 0 {
        return Ok(false);
    }
    // A request nobody started never touched the case; only a started session's end is news.
    if let (Some(case_id), Some(_)) = (&row.case_id, row.started_at) {
        let body = ended_case_body(row, reason)?;
        case_event(conn, case_id, actor, &body, SessionState::Ended, at).await?;
    }
    if row.started_at.is_some() {
        let body = ended_body(row);
        notifications::on_remote_assist(conn, &row.id, false, &body, actor, at).await?;
    }
    audit(
        conn,
        &row.organization_id,
        actor,
        if reason == EndReason::TimedOut {
            "remote_assist.timed_out"
        } else {
            "remote_assist.end"
        },
        &row.id,
        Some(json!({ "state": row.state.as_str() })),
        Some(json!({ "state": "ended", "end_reason": reason.as_str() })),
        at,
    )
    .await?;
    Ok(true)
}

/// Ends a session: the customer's local administrator (ending it or withdrawing the request)
/// or a support engineer.
pub async fn end_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    let reason = if user.role.is_staff() {
        EndReason::Engineer
    } else if local_admin_of(user, &row.organization_id) {
        EndReason::Customer
    } else {
        return Err(AppError::Forbidden);
    };
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    if !end_in_tx(&mut tx, &row, Some(&user.id), reason, now).await? {
        return Err(AppError::Conflict(
            "This Remote Assist session has already ended.".into(),
        ));
    }
    Ok(tx.commit().await?)
}
