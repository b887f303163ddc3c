//! The customer's part: a designated contact confirms the site's access details and proposes
//! the field technician's window. Neither moves the stage.
use super::queries;
use super::row::{visible, ReplacementRow};
use super::times::{local, window};
use super::transition::finish_move;
use crate::model::replacement::and_list;
use crate::model::{AppError, CurrentUser};
use crate::server::access::contact_of;
use crate::server::ids::now_ms;
use crate::server::site_access::require_act_at;
use serde_json::json;
use sqlx::AnyPool;

/// A designated contact confirms the site's access details for the field technician.
pub async fn confirm_access(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let row = contacts_technician_visit(pool, user, id).await?;
    let missing = row.logistics.missing();
    if !missing.is_empty() {
        return Err(AppError::Conflict(format!(
            "The site's logistics lack {}: an admin adds them on the Replacements page first.",
            and_list(&missing)
        )));
    }
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    let changed = queries::set_access_confirmed(&mut tx, &row.id, now, &user.id).await?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "The access details are already confirmed, or the technician's visit is over.".into(),
        ));
    }
    let body = format!(
        "{} confirmed the site access details of {} for the field technician.",
        user.name, row.site_name
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.confirm_access",
        row.stage,
        &body,
        json!({ "access_confirmed_at": now }),
        now,
    )
    .await
}

/// A designated contact proposes when the field technician may come (site local times).
pub async fn propose_window(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    start: &str,
    end: &str,
) -> Result<(), AppError> {
    let row = contacts_technician_visit(pool, user, id).await?;
    let (start, end) = window(start, end, &row.time_zone)?;
    let now = now_ms();
    if start <= now {
        return Err(AppError::invalid(
            "window_start",
            "Propose a window in the future.",
        ));
    }
    let mut tx = crate::server::db::begin_write(pool).await?;
    let changed = queries::set_proposed_window(&mut tx, &row.id, (start, end), now).await?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "The technician's visit is already scheduled or over.".into(),
        ));
    }
    let body = format!(
        "{} proposed a window for the field technician: {} to {}.",
        user.name,
        local(start, &row.time_zone)?,
        local(end, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.propose_window",
        row.stage,
        &body,
        json!({ "proposed_window_start": start, "proposed_window_end": end }),
        now,
    )
    .await
}

/// The replacement, if the user is a contact of its organization who may act at its site and a
/// technician comes.
async fn contacts_technician_visit(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
) -> Result<ReplacementRow, AppError> {
    let row = visible(pool, user, id).await?;
    if !contact_of(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    // Designation is per site: a contact of another site follows the replacement, no more.
    require_act_at(&mut *pool.acquire().await?, user, &row.site_id).await?;
    if !row.technician() {
        return Err(AppError::Conflict(
            "This replacement needs no field technician.".into(),
        ));
    }
    Ok(row)
}
