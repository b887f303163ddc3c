//! Who owns a case: the support engineer (the guides' TSE) who is the customer's point of
//! contact. Support takes an unassigned case or assigns it to another engineer (or to nobody);
//! each change is a timeline entry in words and an audit entry, in the transaction that holds
//! the case's row lock (`tx::begin_locked` … `tx::finish`), so two engineers taking one case
//! at once leave one owner and one entry: the second finds it taken.
use super::queries::{self, CaseRow};
use super::timeline::{insert_event, NewEvent};
use super::tx::{begin_locked, finish, require_open};
use crate::model::case::{CaseEventKind, EngineerOption};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::require_staff;
use crate::server::db::WriteTx;
use crate::server::ids::now_ms;
use crate::sla::ProgramSet;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// "Take it": the signed-in engineer becomes the owner of an unassigned case. A case someone
/// owns already is a conflict (reassigning is a deliberate act, not a race's outcome).
pub async fn take_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let now = now_ms();
    let (tx, row) = begin_locked(pool, user, case_id, now).await?;
    require_open(&row)?;
    if let Some(owner) = &row.owner_id {
        let who = if owner == &user.id {
            "You own this case already.".to_string()
        } else {
            format!(
                "{} owns this case already; assign it if you mean to take it over.",
                row.owner_name.as_deref().unwrap_or("Another engineer")
            )
        };
        return Err(AppError::Conflict(who));
    }
    let me = EngineerOption {
        id: user.id.clone(),
        name: user.name.clone(),
    };
    change_owner(tx, programs, &row, user, Some(&me), "case.take", now).await
}

/// Assigns the case to an active support engineer, or to nobody when `engineer_id` is empty.
/// An id that is not an active engineer is refused by the field, as is the current owner.
pub async fn assign_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    engineer_id: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let engineer_id = engineer_id.trim();
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    require_open(&row)?;
    let new = if engineer_id.is_empty() {
        None
    } else {
        Some(
            active_engineer(&mut tx, engineer_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("engineer_id", "Choose one of the support engineers.")
                })?,
        )
    };
    if new.as_ref().map(|e| e.id.as_str()) == row.owner_id.as_deref() {
        let msg = match &new {
            Some(e) => format!("{} owns this case already.", e.name),
            None => "Nobody owns this case yet.".to_string(),
        };
        return Err(AppError::invalid("engineer_id", msg));
    }
    change_owner(tx, programs, &row, user, new.as_ref(), "case.assign", now).await
}

/// The new owner, its timeline entry ("Owner: — → Sam Support", names as they were then) and
/// the audit entry (ids), then commit.
async fn change_owner(
    mut tx: WriteTx,
    programs: &ProgramSet,
    row: &CaseRow,
    user: &CurrentUser,
    new: Option<&EngineerOption>,
    action: &str,
    now: i64,
) -> Result<(), AppError> {
    let new_id = new.map(|e| e.id.as_str());
    queries::set_owner(&mut tx, &row.id, new_id).await?;
    let old_name = row.owner_name.clone().unwrap_or_default();
    let new_name = new.map(|e| e.name.clone()).unwrap_or_default();
    insert_event(
        &mut tx,
        &row.id,
        now,
        NewEvent::new(CaseEventKind::OwnerChange, Some(&user.id), "").change(old_name, new_name),
    )
    .await?;
    finish(
        tx,
        programs,
        row,
        user,
        action,
        json!({ "owner_id": row.owner_id }),
        json!({ "owner_id": new_id }),
        now,
    )
    .await
}

#[derive(sqlx::FromRow)]
struct EngineerRow {
    id: String,
    name: String,
}

impl From<EngineerRow> for EngineerOption {
    fn from(r: EngineerRow) -> Self {
        EngineerOption {
            id: r.id,
            name: r.name,
        }
    }
}

async fn active_engineer(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<EngineerOption>, AppError> {
    let row: Option<EngineerRow> =
        sqlx::query_as("SELECT id, name FROM users WHERE id = $1 AND role = $2 AND active")
            .bind(id)
            .bind(Role::SupportEngineer.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(EngineerOption::from))
}

/// The active support engineers by name, for the assign form.
pub(super) async fn engineers(conn: &mut AnyConnection) -> Result<Vec<EngineerOption>, AppError> {
    let rows: Vec<EngineerRow> = sqlx::query_as(
        "SELECT id, name FROM users WHERE role = $1 AND active ORDER BY name, id LIMIT 500",
    )
    .bind(Role::SupportEngineer.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(EngineerOption::from).collect())
}
