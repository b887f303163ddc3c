//! The second step of signing in. The right password of an account with a factor opens a
//! half-open session (`sessions.pending_factor`): it opens no page, lives `PENDING_MINUTES`, and
//! takes at most `MAX_CODE_FAILURES` wrong codes before it is deleted (then the password again,
//! with its own limits). The right code replaces it with a full session under a new token.
use super::codes::{generator, is_app_code, matching_step, recovery_code_id};
use super::queries;
use crate::model::AppError;
use crate::server::auth::{insert_session, token_hash};
use crate::server::db::begin_write;
use crate::server::ids::{new_token, now_ms};
use crate::server::state::SessionConfig;
use sqlx::{AnyConnection, AnyPool};

/// How long the code may take after the password.
pub const PENDING_MINUTES: i64 = 10;
/// Wrong codes one half-open sign-in may take: five guesses at a million codes.
pub const MAX_CODE_FAILURES: i64 = 5;

/// The address of the account a half-open session (the cookie's `token`) waits for, if it
/// still does.
pub async fn pending_sign_in(pool: &AnyPool, token: &str) -> Result<Option<String>, AppError> {
    let row = queries::pending(pool, &token_hash(token)).await?;
    Ok(row
        .filter(|r| r.expires_at > now_ms() && r.factor_failures < MAX_CODE_FAILURES)
        .map(|r| r.email))
}

/// Whether `typed` is a code of the person's app not used before, or one of their unspent
/// recovery codes; spends it if so.
pub(super) async fn accept_code(
    conn: &mut AnyConnection,
    user_id: &str,
    email: &str,
    typed: &str,
    now: i64,
) -> Result<bool, AppError> {
    let Some(f) = queries::factor(&mut *conn, user_id).await? else {
        return Ok(false);
    };
    if f.confirmed_at.is_none() {
        return Ok(false);
    }
    if is_app_code(typed) {
        let t = generator(&f.secret, email)?;
        let unix = u64::try_from(now / 1000).unwrap_or(0);
        return match matching_step(&t, typed, unix) {
            Some(step) => queries::advance_step(conn, user_id, step).await,
            None => Ok(false),
        };
    }
    queries::spend_recovery_code(conn, user_id, &recovery_code_id(user_id, typed), now).await
}

/// Completes the sign-in of the half-open session `token` with `typed` (an app code or a
/// recovery code); returns the full session's token.
pub async fn complete_sign_in(
    pool: &AnyPool,
    cfg: &SessionConfig,
    token: &str,
    typed: &str,
) -> Result<String, AppError> {
    if typed.trim().is_empty() || typed.len() > 32 {
        return Err(AppError::invalid(
            "code",
            "Enter the six-digit code from your app, or a recovery code.",
        ));
    }
    let id = token_hash(token);
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let Some(p) = queries::pending(&mut *tx, &id).await? else {
        return Err(expired());
    };
    if p.expires_at <= now || p.factor_failures >= MAX_CODE_FAILURES {
        queries::delete_session(&mut tx, &id).await?;
        tx.commit().await?;
        return Err(expired());
    }
    if !accept_code(&mut tx, &p.user_id, &p.email, typed, now).await? {
        let failures = queries::count_failure(&mut tx, &id).await?;
        if failures >= MAX_CODE_FAILURES {
            queries::delete_session(&mut tx, &id).await?;
            tx.commit().await?;
            return Err(AppError::invalid(
                "code",
                "Too many wrong codes. Sign in again with your password.",
            ));
        }
        tx.commit().await?;
        return Err(AppError::invalid(
            "code",
            "That code is not right, or was already used. Enter the code your app shows now (a code works once).",
        ));
    }
    queries::delete_session(&mut tx, &id).await?;
    let full = new_token();
    let absolute = i64::try_from(cfg.absolute.as_millis()).unwrap_or(i64::MAX);
    insert_session(
        &mut tx,
        &full,
        &p.user_id,
        now,
        now.saturating_add(absolute),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}

fn expired() -> AppError {
    AppError::Conflict("This sign-in has expired. Sign in again with your password.".into())
}
