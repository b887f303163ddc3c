//! An upload, all or nothing: the files are written to disk first, then recorded in one
//! transaction; if anything fails, the files written so far are removed again.
use super::files::{discard, receive_all, Pending};
use super::queries;
use crate::model::{AppError, CurrentUser};
use crate::server::cases::{audit, can_see, load_case};
use crate::server::ids::now_ms;
use crate::server::state::AppState;
use axum::extract::Multipart;

/// Stores every file of the form, all or nothing; returns how many were attached.
pub(super) async fn store(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
    multipart: &mut Multipart,
) -> Result<usize, AppError> {
    let organization_id = open_case_organization(state, user, case_id).await?;
    let already = queries::stored_bytes(&state.pool, case_id).await?;
    let pending = receive_all(&state.attachments, case_id, already, multipart).await?;
    if let Err(e) = record(state, user, case_id, &organization_id, &pending).await {
        discard(&pending).await;
        return Err(e);
    }
    Ok(pending.len())
}

/// The organization of a case this user sees and may still attach files to.
async fn open_case_organization(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
) -> Result<String, AppError> {
    let mut conn = state.pool.acquire().await?;
    let row = load_case(&mut conn, case_id)
        .await?
        .filter(|r| can_see(user, r))
        .ok_or_else(|| AppError::NotFound("Case".into()))?;
    if !row.status.is_open() {
        return Err(AppError::Conflict(
            "This case is closed: files can no longer be attached.".into(),
        ));
    }
    Ok(row.organization_id)
}

/// Records the files written to disk, and the upload in the audit log, in one transaction.
async fn record(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
    organization_id: &str,
    pending: &[Pending],
) -> Result<(), AppError> {
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(&state.pool).await?;
    for f in pending {
        queries::insert(&mut tx, case_id, f, &user.id, now).await?;
    }
    let names: Vec<&str> = pending.iter().map(|f| f.name.as_str()).collect();
    audit(
        &mut tx,
        Some(organization_id),
        Some(&user.id),
        "case.attach",
        case_id,
        None,
        Some(serde_json::json!({ "files": names })),
        now,
    )
    .await?;
    Ok(tx.commit().await?)
}
