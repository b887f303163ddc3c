//! The steps every change of a case shares: the row lock first, the change, then the rebuilt
//! deadlines and the audit entry in the same transaction.
use super::convert::not_found;
use super::deadlines::refresh;
use super::queries::{self, CaseRow};
use super::timeline::{audit, insert_event, NewEvent};
use crate::model::case::CaseEventKind;
use crate::model::{AppError, CurrentUser};
use crate::server::access::can_see;
use crate::server::db::{begin_write, WriteTx};
use crate::server::site_access::require_act_at;
use crate::sla::{ProgramSet, Severity};
use sqlx::{AnyConnection, AnyPool};

/// Starts a transaction holding the case's row lock and returns the case as it is now, if the
/// user may see it. Writing first matters: on SQLite a transaction that reads before it writes
/// fails when another writer got in between, while one that writes first waits for the lock;
/// on PostgreSQL the row lock serializes everyone writing this case, jobs included.
pub(super) async fn begin_locked(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
    now: i64,
) -> Result<(WriteTx, CaseRow), AppError> {
    let mut tx = begin_write(pool).await?;
    if queries::lock_case(&mut tx, case_id, now).await? == 0 {
        return Err(not_found());
    }
    let row = queries::load_case(&mut tx, case_id)
        .await?
        .ok_or_else(not_found)?;
    if !can_see(user, &row) {
        // Dropping the transaction rolls the lock back; a foreign id looks like an unknown one.
        return Err(not_found());
    }
    Ok((tx, row))
}

/// Refuses a change to a closed case (checked under the row lock `begin_locked` took).
pub(super) fn require_open(row: &CaseRow) -> Result<(), AppError> {
    if !row.status.is_open() {
        return Err(AppError::Conflict("This case is closed.".into()));
    }
    Ok(())
}

/// `begin_locked` for a customer's action: the user must also be designated at the case's site
/// (or an admin of its organization). Refused after the lock, so the refusal writes nothing.
pub(super) async fn begin_acting(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
    now: i64,
) -> Result<(WriteTx, CaseRow), AppError> {
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    require_act_at(&mut tx, user, &row.site_id).await?;
    Ok((tx, row))
}

/// Rebuilds the deadlines, writes the audit entry and commits.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish(
    mut tx: WriteTx,
    programs: &ProgramSet,
    row: &CaseRow,
    user: &CurrentUser,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    now: i64,
) -> Result<(), AppError> {
    refresh(&mut tx, programs, &row.id).await?;
    audit(
        &mut tx,
        Some(&row.organization_id),
        Some(&user.id),
        action,
        &row.id,
        Some(before),
        Some(after),
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// The new severity and its timeline entry (the reason is the entry's body).
pub(super) async fn change_severity(
    conn: &mut AnyConnection,
    row: &CaseRow,
    user: &CurrentUser,
    new: Severity,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    queries::set_severity_row(conn, &row.id, new.get()).await?;
    insert_event(
        conn,
        &row.id,
        now,
        NewEvent::new(CaseEventKind::SeverityChange, Some(&user.id), reason)
            .change(row.severity.to_string(), new.get().to_string()),
    )
    .await?;
    Ok(())
}
