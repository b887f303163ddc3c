//! An upload, all or nothing: the files are written to disk first, then their bytes reserved
//! against the quotas and the files recorded, in one transaction; if anything fails, or the
//! client goes away, the files written so far are removed again (`files::Received`).
use super::files::{receive_all, Received};
use super::{queries, quota};
use crate::model::{AppError, CurrentUser};
use crate::server::access::staff;
use crate::server::cases::{audit, can_see, load_case};
use crate::server::ids::now_ms;
use crate::server::site_access::require_act_at;
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
    let budget = quota::budget(&state.pool, &state.attachments, case_id).await?;
    let received = receive_all(&state.attachments, case_id, &budget, multipart).await?;
    // Recorded in a task of its own, which runs to its end even when the client goes away now:
    // dropped between the commit and `keep`, the request would delete files already recorded.
    let upload = Upload {
        state: state.clone(),
        user_id: user.id.clone(),
        case_id: case_id.to_string(),
        organization_id,
    };
    tokio::spawn(async move { upload.record(received).await })
        .await
        .map_err(|e| AppError::Internal(format!("recording an upload: {e}")))?
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
    if !staff(user) {
        // Designation is per site: a contact of another site follows the case, attaches nothing.
        require_act_at(&mut conn, user, &row.site_id).await?;
    }
    if !row.status.is_open() {
        return Err(AppError::Conflict(
            "This case is closed: files can no longer be attached.".into(),
        ));
    }
    Ok(row.organization_id)
}

struct Upload {
    state: AppState,
    user_id: String,
    case_id: String,
    organization_id: String,
}

impl Upload {
    /// Reserves the bytes, records the files and the upload in the audit log, in one
    /// transaction; keeps the files only once it committed.
    async fn record(self, received: Received) -> Result<usize, AppError> {
        let now = now_ms();
        let (state, case_id, org) = (&self.state, &self.case_id, &self.organization_id);
        let mut tx = crate::server::db::begin_write(&state.pool).await?;
        // First: it takes the case's row lock, before which no quota check is safe.
        let bytes = received.total_bytes();
        quota::reserve(&mut tx, &state.attachments, case_id, org, bytes).await?;
        for f in received.files() {
            queries::insert(&mut tx, case_id, f, &self.user_id, now).await?;
        }
        let names: Vec<&str> = received.files().iter().map(|f| f.name.as_str()).collect();
        audit(
            &mut tx,
            Some(org),
            Some(&self.user_id),
            "case.attach",
            case_id,
            None,
            Some(serde_json::json!({ "files": names })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(received.keep())
    }
}
