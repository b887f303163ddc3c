//! The counters behind the sign-in and invitation limits: one `login_throttle` row per key, read
//! and changed only while the transaction holds that row's lock. An attempt locks its rows,
//! decides, and counts itself as pending in one transaction before any password is checked, so
//! forty parallel attempts see forty different counts, on one app instance or several (the
//! counts live in the database, not in a process).
use crate::model::AppError;
use crate::server::db::begin_write;
use sqlx::{AnyConnection, AnyPool};

/// Counts start again this long after a key's first attempt.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// One key's counts in its current window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Counter {
    pub failures: i64,
    pub pending: i64,
    pub last_failure_at: i64,
}

impl Counter {
    /// Failures and attempts still being checked: both count against a limit, or a burst of
    /// parallel attempts would all pass while none has failed yet.
    pub fn used(&self) -> i64 {
        self.failures + self.pending
    }
}

/// How an attempt that was let through ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Failed,
    Succeeded,
    /// Succeeded, and the key's failures are forgiven (a pair that proved it knows the password).
    SucceededForgiving,
    /// Ended without an answer about the credential (a database error): only no longer pending.
    Abandoned,
}

/// Locks `key`'s row for the rest of the transaction, creating it or starting a new window when
/// the last one is over, and reads it. The upsert is the lock: on PostgreSQL a second transaction
/// on the same key waits here until the first commits, then reads what it wrote.
pub async fn lock(conn: &mut AnyConnection, key: &str, now: i64) -> Result<Counter, AppError> {
    Ok(sqlx::query_as(
        "INSERT INTO login_throttle (key, window_start, failures, pending, last_failure_at) \
         VALUES ($1, $2, 0, 0, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start <= $3 THEN 0 \
                           ELSE login_throttle.failures END, \
           pending = CASE WHEN login_throttle.window_start <= $3 THEN 0 \
                          ELSE login_throttle.pending END, \
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 \
                               ELSE login_throttle.window_start END \
         RETURNING failures, pending, last_failure_at",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_MS)
    .fetch_one(&mut *conn)
    .await?)
}

/// Counts an attempt that was let through as pending until `settle`.
pub async fn add_pending(conn: &mut AnyConnection, key: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE login_throttle SET pending = pending + 1 WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records how a pending attempt ended.
pub async fn settle(
    conn: &mut AnyConnection,
    key: &str,
    outcome: Outcome,
    now: i64,
) -> Result<(), AppError> {
    let query = match outcome {
        Outcome::Failed => sqlx::query(
            "UPDATE login_throttle SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END, \
             failures = failures + 1, last_failure_at = $2 WHERE key = $1",
        )
        .bind(key)
        .bind(now),
        Outcome::SucceededForgiving => sqlx::query(
            "UPDATE login_throttle SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END, \
             failures = 0 WHERE key = $1",
        )
        .bind(key),
        Outcome::Succeeded | Outcome::Abandoned => sqlx::query(
            "UPDATE login_throttle SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END \
             WHERE key = $1",
        )
        .bind(key),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Lets one attempt under `key` through when fewer than `max` failed or are pending in the window;
/// `RateLimited` otherwise. For limits of one key (invitation accepts per address).
pub async fn admit(pool: &AnyPool, key: &str, max: i64, now: i64) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await?;
    if lock(&mut tx, key, now).await?.used() >= max {
        return Err(AppError::RateLimited);
    }
    add_pending(&mut tx, key).await?;
    tx.commit().await?;
    Ok(())
}

/// `settle` in a transaction of its own.
pub async fn finish(pool: &AnyPool, key: &str, outcome: Outcome, now: i64) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await?;
    settle(&mut tx, key, outcome, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the rows of windows long over (a password spray leaves one row per name tried).
pub async fn prune(pool: &AnyPool, now: i64) -> Result<u64, AppError> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query("DELETE FROM login_throttle WHERE window_start < $1")
        .bind(now - 2 * WINDOW_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(done)
}
