//! Two-step sign-in's SQL: one function per statement.
use crate::model::AppError;
use sqlx::{Any, AnyConnection, Executor};

#[derive(sqlx::FromRow)]
pub(super) struct FactorRow {
    pub secret: String,
    pub confirmed_at: Option<i64>,
}

pub(super) async fn factor<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user_id: &str,
) -> Result<Option<FactorRow>, AppError> {
    Ok(
        sqlx::query_as("SELECT secret, confirmed_at FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(ex)
            .await?,
    )
}

/// A new secret being set up, replacing one that was (never one that is on: the caller checks).
pub(super) async fn put_secret(
    conn: &mut AnyConnection,
    user_id: &str,
    secret: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO second_factors (user_id, secret, confirmed_at, last_step, new_codes, created_at) \
         VALUES ($1, $2, NULL, 0, NULL, $3)",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// On, with the step of the code that confirmed it (so that code cannot sign in) and the new
/// recovery codes in clear until the page shows them.
pub(super) async fn confirm(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
    step: i64,
    new_codes: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE second_factors SET confirmed_at = $1, last_step = $2, new_codes = $3 \
         WHERE user_id = $4 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(step)
    .bind(new_codes)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The recovery codes waiting to be shown, cleared as they are taken: the clearing is
/// conditional on the text read, so of two pages at once only one shows them. (An UPDATE's
/// RETURNING gives the new value, NULL here, so the codes are read first.)
pub(super) async fn take_new_codes(
    pool: &sqlx::AnyPool,
    user_id: &str,
) -> Result<Vec<String>, AppError> {
    let waiting: Option<Option<String>> =
        sqlx::query_scalar("SELECT new_codes FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    let Some(text) = waiting.flatten() else {
        return Ok(Vec::new());
    };
    let mut tx = crate::server::db::begin_write(pool).await?;
    let taken = sqlx::query(
        "UPDATE second_factors SET new_codes = NULL WHERE user_id = $1 AND new_codes = $2",
    )
    .bind(user_id)
    .bind(&text)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if taken != 1 {
        return Ok(Vec::new());
    }
    Ok(text.split_whitespace().map(str::to_string).collect())
}

pub(super) async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    ids: &[String],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for id in ids {
        sqlx::query("INSERT INTO recovery_codes (id, user_id, used_at) VALUES ($1, $2, NULL)")
            .bind(id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn recovery_codes_left<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user_id: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(ex)
    .await?)
}

/// Moves the last accepted step forward to `step`; `false` if that step (or a later one) was
/// already used: the code was replayed. One conditional statement, so two requests with one code
/// cannot both pass.
pub(super) async fn advance_step(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
) -> Result<bool, AppError> {
    let n = sqlx::query(
        "UPDATE second_factors SET last_step = $1 \
         WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Spends a recovery code; `false` if it is not the person's or was spent.
pub(super) async fn spend_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    now: i64,
) -> Result<bool, AppError> {
    let n = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND user_id = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Removes the factor and its recovery codes; whether there was one.
pub(super) async fn remove(conn: &mut AnyConnection, user_id: &str) -> Result<bool, AppError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let n = sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(n > 0)
}

pub(super) async fn org_requires<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: &str,
) -> Result<bool, AppError> {
    // The Any driver decodes no SQLite boolean: read it as a number, as elsewhere.
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT CASE WHEN require_second_factor THEN 1 ELSE 0 END FROM organizations WHERE id = $1",
    )
    .bind(org)
    .fetch_optional(ex)
    .await?;
    Ok(v == Some(1))
}

pub(super) async fn set_org_requires(
    conn: &mut AnyConnection,
    org: &str,
    required: bool,
) -> Result<(), AppError> {
    sqlx::query("UPDATE organizations SET require_second_factor = $1 WHERE id = $2")
        .bind(required)
        .bind(org)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn user_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(&mut *conn)
        .await?)
}

// ---- The half-open session between the password and the code ----

#[derive(sqlx::FromRow)]
pub(super) struct PendingRow {
    pub user_id: String,
    pub email: String,
    pub factor_failures: i64,
    pub expires_at: i64,
}

pub(super) async fn pending<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    session_id: &str,
) -> Result<Option<PendingRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.user_id, u.email, s.factor_failures, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.pending_factor = TRUE AND u.active = TRUE",
    )
    .bind(session_id)
    .fetch_optional(ex)
    .await?)
}

/// Counts a wrong code against the half-open session; the failures so far.
pub(super) async fn count_failure(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<i64, AppError> {
    let n: Option<i64> = sqlx::query_scalar(
        "UPDATE sessions SET factor_failures = factor_failures + 1 \
         WHERE id = $1 AND pending_factor = TRUE RETURNING factor_failures",
    )
    .bind(session_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(n.unwrap_or(i64::MAX))
}

pub(super) async fn delete_session(
    conn: &mut AnyConnection,
    session_id: &str,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
