//! Retention: rows the portal needs only for a while, deleted by the background job loop so that
//! sign-in records, dead sessions, delivered e-mails (with their addresses) and old
//! notifications do not pile up forever. Every delete is one statement on its own, bounded to a
//! batch (the next run takes the rest), so a run never holds the write lock for long; any
//! number of instances may run it at once (a row two of them delete is simply gone).
use crate::model::AppError;
use crate::server::db::execute_gated;
use crate::server::state::SessionConfig;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;
use std::time::Duration;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// Sign-in attempts: the rate limits look back 15 minutes; the rest is for looking into an
/// attack afterwards.
pub const LOGIN_ATTEMPTS_DAYS: i64 = 30;
/// Delivered e-mails (the outbox keeps each address): long enough to answer "was I told?".
pub const SENT_EMAILS_DAYS: i64 = 30;
/// In-app notifications, read or not, and the events nobody refers to any more.
pub const NOTIFICATIONS_DAYS: i64 = 180;
/// How often the job loop runs retention (its deletes scan tables the requests do not index
/// by age; every few minutes is plenty).
pub const RETENTION_INTERVAL: Duration = Duration::from_secs(600);
/// Rows deleted per table and run at most.
const BATCH: i64 = 5000;

/// How many rows one run deleted, by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub login_attempts: u64,
    pub sessions: u64,
    pub sent_emails: u64,
    pub notifications: u64,
    pub notification_events: u64,
}

impl RetentionReport {
    pub fn deleted(&self) -> u64 {
        self.login_attempts
            + self.sessions
            + self.sent_emails
            + self.notifications
            + self.notification_events
    }
}

/// Deletes what is past its retention at `now`. Sessions go once they have expired, by the
/// same rules that end them at a request (absolute expiry, or idle past `sessions.idle`).
pub async fn run_retention(
    pool: &AnyPool,
    sessions: &SessionConfig,
    now: DateTime<Utc>,
) -> Result<RetentionReport, AppError> {
    let now = now.timestamp_millis();
    let idle_ms = i64::try_from(sessions.idle.as_millis()).unwrap_or(i64::MAX);
    let login_attempts = delete(
        pool,
        "DELETE FROM login_attempts WHERE id IN \
         (SELECT id FROM login_attempts WHERE at < $1 LIMIT $2)",
        now - LOGIN_ATTEMPTS_DAYS * DAY_MS,
    )
    .await?;
    let sessions = delete_sessions(pool, now, now.saturating_sub(idle_ms)).await?;
    let sent_emails = delete(
        pool,
        "DELETE FROM outbox WHERE id IN \
         (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < $1 LIMIT $2)",
        now - SENT_EMAILS_DAYS * DAY_MS,
    )
    .await?;
    let cutoff = now - NOTIFICATIONS_DAYS * DAY_MS;
    let notifications = delete(
        pool,
        "DELETE FROM notifications WHERE id IN \
         (SELECT id FROM notifications WHERE created_at < $1 LIMIT $2)",
        cutoff,
    )
    .await?;
    // An event with a dedupe key stays: it is what stops a job from raising the same warning
    // again (a replacement still late, say). Events an e-mail still waits on stay too.
    let notification_events = delete(
        pool,
        "DELETE FROM notification_events WHERE id IN \
         (SELECT e.id FROM notification_events e WHERE e.created_at < $1 AND e.dedupe_key IS NULL \
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.event_id = e.id) \
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id) LIMIT $2)",
        cutoff,
    )
    .await?;
    Ok(RetentionReport {
        login_attempts,
        sessions,
        sent_emails,
        notifications,
        notification_events,
    })
}

/// One bounded delete of the rows older than `before`; how many went.
async fn delete(pool: &AnyPool, sql: &'static str, before: i64) -> Result<u64, AppError> {
    let query = sqlx::query(sql).bind(before).bind(BATCH);
    Ok(execute_gated(pool, query).await?.rows_affected())
}

async fn delete_sessions(pool: &AnyPool, now: i64, idle_since: i64) -> Result<u64, AppError> {
    let query = sqlx::query(
        "DELETE FROM sessions WHERE id IN \
         (SELECT id FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)",
    )
    .bind(now)
    .bind(idle_since)
    .bind(BATCH);
    Ok(execute_gated(pool, query).await?.rows_affected())
}

/// One run from the shared job loop, logging what it did.
pub async fn run_logged(pool: &AnyPool, sessions: &SessionConfig, now: DateTime<Utc>) {
    match run_retention(pool, sessions, now).await {
        Ok(r) => {
            crate::server::metrics::job_run("retention", "ok");
            if r.deleted() > 0 {
                tracing::info!(?r, "retention deleted old rows");
            }
        }
        Err(e) => {
            crate::server::metrics::job_run("retention", "error");
            tracing::warn!(error = %e, "retention could not run");
        }
    }
}
