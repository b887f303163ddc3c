//! How every change starts (a stage claim that locks the row) and ends (the case's timeline
//! entry, the audit entry and the commit, in the change's transaction).
use super::queries;
use super::row::{visible, ReplacementRow};
use crate::model::case::CaseEventKind;
use crate::model::replacement::Stage;
use crate::model::{AppError, CurrentUser};
use crate::server::cases::{insert_event, lock_case, require_staff, NewEvent};
use crate::server::db::WriteTx;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// Adds a 'replacement' entry to the case's timeline. Locks the case row first, as every case
/// writer does, so the event's sequence number cannot be taken twice; the version bump makes a
/// case job that read the case before this change look again next run.
pub(crate) async fn case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: Option<&str>,
    stage: Stage,
    body: &str,
    at: i64,
) -> Result<(), AppError> {
    // Bumps the case's version: a change to a replacement is a change to its case.
    lock_case(conn, case_id, at).await?;
    let mut e = NewEvent::new(CaseEventKind::Replacement, actor, body);
    e.new_value = Some(stage.as_str().to_string());
    insert_event(conn, case_id, at, e).await?;
    Ok(())
}

/// Ends a change: the case's timeline entry and the audit entry, in the change's transaction,
/// then the commit.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn finish_move(
    mut tx: WriteTx,
    row: &ReplacementRow,
    user: &CurrentUser,
    action: &str,
    stage: Stage,
    body: &str,
    after: serde_json::Value,
    at: i64,
) -> Result<(), AppError> {
    case_event(&mut tx, &row.case_id, Some(&user.id), stage, body, at).await?;
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(&row.organization_id),
            actor: Some(&user.id),
            action,
            entity: "replacement",
            entity_id: &row.id,
            before: Some(json!({ "stage": row.stage.as_str() })),
            after: Some(after),
            at,
        },
    )
    .await?;
    Ok(tx.commit().await?)
}

/// Why a move to `to` is refused from where the replacement is.
fn stage_conflict(row: &ReplacementRow, to: Stage) -> AppError {
    let now = row.stage;
    let message = if now == to {
        format!("This replacement is already at “{}”.", now.label())
    } else if now.is_final() {
        format!(
            "This replacement is closed (“{}”); its stage cannot change any more.",
            now.label()
        )
    } else if to == Stage::Cancelled {
        format!(
            "This replacement is at “{}”: once the part has arrived it cannot be cancelled.",
            now.label()
        )
    } else if !row.technician() && matches!(to, Stage::TechnicianScheduled | Stage::Installed) {
        "This replacement needs no field technician.".to_string()
    } else if to == Stage::Retained && !row.retention() {
        "The customer did not choose the drive-retention option: the defective part must be returned."
            .to_string()
    } else if to == Stage::Returned && row.retention() {
        "The customer keeps the drives under the drive-retention option: close it as retained."
            .to_string()
    } else {
        match to.required_before(row.technician()) {
            Some(before) => format!(
                "This replacement is at “{}”: it can only move to “{}” from “{}”.",
                now.label(),
                to.label(),
                before.label()
            ),
            None => format!("This replacement cannot move to “{}”.", to.label()),
        }
    };
    AppError::Conflict(message)
}

/// Starts a move to `to`: checks it is the next stage (or a cancel while allowed), then locks
/// the row with a conditional update from the stage it was read at. A concurrent move makes the
/// update find nothing, and the answer explains the stage the row is really at.
pub(crate) async fn begin_move(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    to: Stage,
) -> Result<(ReplacementRow, WriteTx), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let allowed = if to == Stage::Cancelled {
        row.stage.can_cancel()
    } else {
        row.stage
            .next(row.technician(), row.retention())
            .contains(&to)
    };
    if !allowed {
        return Err(stage_conflict(&row, to));
    }
    let mut tx = crate::server::db::begin_write(pool).await?;
    let locked = queries::claim_stage(&mut tx, &row.id, row.stage).await?;
    if locked == 0 {
        drop(tx);
        let current = visible(pool, user, id).await?;
        return Err(stage_conflict(&current, to));
    }
    Ok((row, tx))
}
