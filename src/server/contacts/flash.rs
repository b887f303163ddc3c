//! A new invitation link shown once, to the session that made it: kept in `invitation_flashes`
//! when the link is made, read and deleted by the next contacts page of that session. The
//! redirect after the form therefore carries no token (browser history, access logs and the
//! Referer header never see one), and a reload shows the link no more.
use crate::model::contact::{invitation_path, InvitationNotice};
use crate::model::AppError;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::new_id;
use crate::server::shown_once::ShownOnce;
use sqlx::{AnyConnection, AnyPool};

/// Keeps the link for the session, in the transaction that made it.
pub(super) async fn keep(
    conn: &mut AnyConnection,
    session_id: &str,
    invitation_id: &str,
    token: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO invitation_flashes (id, session_id, invitation_id, token, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(session_id)
    .bind(invitation_id)
    .bind(token)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TakenRow {
    invitation_id: String,
    token: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    name: String,
    email: String,
    expires_at: i64,
}

/// The session's new links, taken once per request (`ShownOnce`), then gone.
pub(super) async fn take_for_request(
    pool: &AnyPool,
    memo: Option<&ShownOnce<Vec<InvitationNotice>>>,
    session_id: &str,
    now: i64,
) -> Result<Vec<InvitationNotice>, AppError> {
    ShownOnce::take(memo, || take(pool, session_id, now)).await
}

/// The session's new links, oldest first, deleted as they are read; a link that can no longer
/// be used (replaced, accepted, expired) is dropped unseen.
pub(super) async fn take(
    pool: &AnyPool,
    session_id: &str,
    now: i64,
) -> Result<Vec<InvitationNotice>, AppError> {
    // Most page views have none: look before taking the write lock.
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM invitation_flashes WHERE session_id = $1")
            .bind(session_id)
            .fetch_one(pool)
            .await?;
    if waiting == 0 {
        return Ok(Vec::new());
    }
    let mut tx = begin_write(pool).await?;
    // One statement reads and deletes: of two pages rendering at once, one gets the rows.
    let mut taken: Vec<TakenRow> = sqlx::query_as(
        "DELETE FROM invitation_flashes WHERE session_id = $1 \
         RETURNING invitation_id, token, created_at",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    taken.sort_by_key(|t| t.created_at);
    let mut shown = Vec::with_capacity(taken.len());
    for t in taken {
        let row: Option<LinkRow> = sqlx::query_as(
            "SELECT u.name, u.email, i.expires_at FROM invitations i JOIN users u ON u.id = i.user_id \
             WHERE i.id = $1 AND i.used_at IS NULL AND i.expires_at > $2",
        )
        .bind(&t.invitation_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = row {
            shown.push(InvitationNotice {
                name: r.name,
                email: r.email,
                path: invitation_path(&t.token),
                expires_at: ms_to_dt(r.expires_at)?,
            });
        }
    }
    tx.commit().await?;
    Ok(shown)
}
