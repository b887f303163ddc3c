//! The account service's SQL: one function per statement; changes run on the caller's
//! connection, inside its transaction.
use crate::model::AppError;
use crate::server::ids::new_id;
use crate::server::rows::Millis;
use sqlx::{AnyConnection, AnyPool};

// ---- Sessions ----

/// One of a person's sessions, as the Account page lists them.
#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub id: String,
    #[sqlx(try_from = "i64")]
    pub created_at: Millis,
    #[sqlx(try_from = "i64")]
    pub last_seen_at: Millis,
    pub user_agent: String,
    pub ip: String,
}

/// The person's unexpired sessions, most recently used first. Idle expiry is the caller's: it
/// passes the oldest `last_seen_at` still alive.
pub(super) async fn live_sessions(
    pool: &AnyPool,
    user_id: &str,
    now: i64,
    seen_since: i64,
) -> Result<Vec<SessionRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_seen_at, user_agent, ip FROM sessions \
         WHERE user_id = $1 AND pending_factor = FALSE AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC, created_at DESC, id",
    )
    .bind(user_id)
    .bind(now)
    .bind(seen_since)
    .fetch_all(pool)
    .await?)
}

/// Ends every session of the person but `keep` (the hash of the one making the request).
pub(super) async fn delete_other_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: &str,
) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

pub(super) async fn delete_all_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

pub(super) async fn set_session_client(
    conn: &mut AnyConnection,
    session_id: &str,
    user_agent: &str,
    ip: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET user_agent = $2, ip = $3 WHERE id = $1")
        .bind(session_id)
        .bind(user_agent)
        .bind(ip)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- Passwords ----

pub(super) async fn password_hash(
    pool: &AnyPool,
    user_id: &str,
) -> Result<Option<String>, AppError> {
    let phc: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = TRUE")
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    Ok(phc.flatten())
}

pub(super) async fn set_password(
    conn: &mut AnyConnection,
    user_id: &str,
    phc: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(phc)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- Reset requests and links ----

/// Reset requests for this address, and from this client address, since `since`.
pub(super) async fn reset_request_counts(
    pool: &AnyPool,
    email: &str,
    ip: &str,
    since: i64,
) -> Result<(i64, i64), AppError> {
    let by_account: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_reset_requests WHERE email = $1 AND at > $2",
    )
    .bind(email)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let by_address: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_reset_requests WHERE ip = $1 AND at > $2",
    )
    .bind(ip)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok((by_account, by_address))
}

pub(super) async fn insert_reset_request(
    conn: &mut AnyConnection,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO password_reset_requests (id, email, ip, at) VALUES ($1, $2, $3, $4)")
        .bind(new_id())
        .bind(email)
        .bind(ip)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A person who may reset their password: who may sign in (an active designated contact or
/// vendor staff), password or not yet.
#[derive(sqlx::FromRow)]
pub(super) struct ResettableUser {
    pub id: String,
    pub organization_id: Option<String>,
}

pub(super) async fn resettable_user(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<ResettableUser>, AppError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.organization_id FROM users u \
         WHERE u.email = $1 AND u.active = TRUE \
           AND (u.role = 'support_engineer' \
                OR EXISTS (SELECT 1 FROM site_contacts c WHERE c.user_id = u.id))",
    )
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The e-mail that carries a link: an event of no case and one outbox message, which the
/// outbox worker delivers like any notification (no bell entry: it is not news to anyone).
pub(super) struct ResetMail<'a> {
    pub event_id: &'a str,
    pub organization_id: Option<&'a str>,
    pub recipient: &'a str,
    pub user_id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub now: i64,
}

pub(super) async fn insert_reset_mail(
    conn: &mut AnyConnection,
    m: &ResetMail<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO notification_events (id, kind, organization_id, case_id, title, body, link, created_at) \
         VALUES ($1, 'password_reset', $2, NULL, $3, $4, $5, $6)",
    )
    .bind(m.event_id)
    .bind(m.organization_id)
    .bind(m.title)
    .bind(m.body)
    .bind(m.link)
    .bind(m.now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (id, event_id, recipient, user_id, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(new_id())
    .bind(m.event_id)
    .bind(m.recipient)
    .bind(m.user_id)
    .bind(m.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) struct NewReset<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub event_id: Option<&'a str>,
    pub now: i64,
    pub expires_at: i64,
}

pub(super) async fn insert_reset(
    conn: &mut AnyConnection,
    r: &NewReset<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO password_resets (id, user_id, event_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(r.id)
    .bind(r.user_id)
    .bind(r.event_id)
    .bind(r.now)
    .bind(r.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses up the person's unused links (a newer one, or a reset done, makes them worthless).
pub(super) async fn revoke_resets(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes the link if it is unused and unexpired at `now`; the person it was for, else `None`.
/// One conditional update, so of two submissions of one link only one matches.
pub(super) async fn claim_reset(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<Option<String>, AppError> {
    let claimed = sqlx::query(
        "UPDATE password_resets SET used_at = $2 \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT user_id FROM password_resets WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A link as stored, to tell why it cannot be used.
#[derive(sqlx::FromRow)]
pub(super) struct ResetState {
    pub used_at: Option<i64>,
    pub expires_at: i64,
}

pub(super) async fn reset_state(pool: &AnyPool, id: &str) -> Result<Option<ResetState>, AppError> {
    Ok(
        sqlx::query_as("SELECT used_at, expires_at FROM password_resets WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Takes the secret out of the person's reset e-mails once no link of theirs works: the outbox
/// keeps an event's link as text (it must, to send it), and nothing should outlive its use.
pub(super) async fn blank_reset_links(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notification_events SET link = '/forgot-password' \
         WHERE id IN (SELECT event_id FROM password_resets WHERE user_id = $1)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The person's organization, for the audit log (`None` for vendor staff).
pub(super) async fn organization_of(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Option<String>, AppError> {
    let org: Option<Option<String>> =
        sqlx::query_scalar("SELECT organization_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(org.flatten())
}

/// Whether the person may still sign in (active, and designated or staff).
pub(super) async fn may_sign_in(conn: &mut AnyConnection, user_id: &str) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.id = $1 AND u.active = TRUE \
           AND (u.role = 'support_engineer' \
                OR EXISTS (SELECT 1 FROM site_contacts c WHERE c.user_id = u.id))",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}
