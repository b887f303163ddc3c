//! The Remote Assist time-out: every session (or unstarted request) past its deadline ends,
//! with reason `timed_out`, exactly once. Safe with several app instances on one database: each
//! session is claimed by `end_in_tx`'s conditional update (`WHERE state <> 'ended' AND
//! deadline_at <= now`), so of two instances (or a user ending it at the same moment) only one
//! writes the end, its case event and its audit entry.
use super::end::end_in_tx;
use super::queries::{self, load_session};
use crate::model::remote_assist::EndReason;
use crate::model::AppError;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// Sessions handled per run at most, so one run never holds the database for long.
const BATCH: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemoteAssistJobReport {
    pub timed_out: u32,
    /// Sessions ended or extended by someone else between our read and our claim.
    pub skipped: u32,
    pub failed: u32,
}

/// Ends every open session whose deadline is at or before `now`.
pub async fn run_remote_assist_jobs(
    pool: &AnyPool,
    now: DateTime<Utc>,
) -> Result<RemoteAssistJobReport, AppError> {
    let at = now.timestamp_millis();
    let due = queries::due_sessions(pool, at, BATCH).await?;
    let mut report = RemoteAssistJobReport::default();
    for id in due {
        match time_out(pool, &id, at).await {
            Ok(true) => report.timed_out += 1,
            Ok(false) => report.skipped += 1,
            Err(e) => {
                // One broken session must not stop the others; it is retried next run.
                tracing::error!(session = %id, error = %e, "remote assist time-out failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

async fn time_out(pool: &AnyPool, id: &str, at: i64) -> Result<bool, AppError> {
    // Names for the case event are read before the transaction; the claim below decides.
    let row = {
        let mut conn = pool.acquire().await?;
        match load_session(&mut conn, id).await? {
            Some(r) => r,
            None => return Ok(false),
        }
    };
    let mut tx = crate::server::db::begin_write(pool).await?;
    if !end_in_tx(&mut tx, &row, None, EndReason::TimedOut, at).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// One run from the shared job loop, logging what it did.
pub async fn run_logged(pool: &AnyPool, now: DateTime<Utc>) {
    match run_remote_assist_jobs(pool, now).await {
        Ok(r) => {
            crate::server::metrics::job_run("remote_assist_jobs", "ok");
            if r.timed_out > 0 || r.failed > 0 {
                tracing::info!(?r, "remote assist jobs ran");
            }
        }
        Err(e) => {
            crate::server::metrics::job_run("remote_assist_jobs", "error");
            tracing::warn!(error = %e, "remote assist jobs could not run");
        }
    }
}
