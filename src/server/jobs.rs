//! Background rules of the case workflow: the stale-case notice and closure, the closure of an
//! unanswered proposed resolution, and the root-cause-analysis follow-up of a resolved
//! Severity 1 case. Safe with several app instances on one database: each case is claimed with a
//! conditional update on its version, so exactly one instance acts on what it read; and
//! idempotent: every decision is recomputed from the case's history, so running again finds
//! nothing left to do.
use crate::model::case::{case_number_label, CaseEventKind, CaseStatus};
use crate::model::AppError;
use crate::server::cases::{
    audit, compute, insert_case, insert_event, next_case_number, refresh, stale_notice_posted,
    CaseInsert, Computed, NewEvent,
};
use crate::server::ids::new_id;
use crate::server::retention::{self, RETENTION_INTERVAL};
use crate::server::state::AppState;
use crate::sla::ProgramSet;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};
use std::time::Duration;

/// How often the jobs run.
pub const JOB_INTERVAL: Duration = Duration::from_secs(30);
/// Cases handled per run at most, so one run never holds the database for long.
const BATCH: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    pub stale_notices: u32,
    pub stale_closed: u32,
    pub resolution_closed: u32,
    pub rca_created: u32,
    /// Cases another instance (or a user) changed between our read and our claim.
    pub skipped: u32,
    pub failed: u32,
}

impl JobReport {
    pub fn acted(&self) -> u32 {
        self.stale_notices + self.stale_closed + self.resolution_closed + self.rca_created
    }
}

enum Outcome {
    Done(JobReport),
    Skipped,
}

/// Runs every rule that is due at `now` on every case.
pub async fn run_case_jobs(
    pool: &AnyPool,
    programs: &ProgramSet,
    now: DateTime<Utc>,
) -> Result<JobReport, AppError> {
    let now_ms = now.timestamp_millis();
    let due: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, version FROM cases WHERE job_due_at IS NOT NULL AND job_due_at <= $1 \
         ORDER BY job_due_at LIMIT $2",
    )
    .bind(now_ms)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    let mut report = JobReport::default();
    for (id, version) in due {
        match run_one(pool, programs, &id, version, now).await {
            Ok(Outcome::Done(r)) => {
                report.stale_notices += r.stale_notices;
                report.stale_closed += r.stale_closed;
                report.resolution_closed += r.resolution_closed;
                report.rca_created += r.rca_created;
            }
            Ok(Outcome::Skipped) => report.skipped += 1,
            Err(e) => {
                // One broken case must not stop the others; it is retried next run.
                tracing::error!(case = %id, error = %e, "case job failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

async fn run_one(
    pool: &AnyPool,
    programs: &ProgramSet,
    case_id: &str,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let at = now.timestamp_millis();
    let mut tx = crate::server::db::begin_write(pool).await?;
    // The claim: only the instance whose update still sees the version it read goes on. It is
    // also the transaction's first statement, so it takes the write lock before any read.
    let claimed =
        sqlx::query("UPDATE cases SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(case_id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if claimed == 0 {
        return Ok(Outcome::Skipped);
    }
    let c = compute(&mut tx, programs, case_id).await?;
    let rca_created = rca_follow_up(&mut tx, programs, &c, now, at).await?;
    let mut report = status_rules(&mut tx, &c, now, at).await?;
    report.rca_created = rca_created;
    // Also clears a stale `job_due_at` when there was nothing to do.
    refresh(&mut tx, programs, case_id).await?;
    tx.commit().await?;
    Ok(Outcome::Done(report))
}

/// Root cause analysis: a resolved Severity 1 case gets its follow-up case, once (the unique
/// parent column would refuse a second one anyway). Returns how many it created.
async fn rca_follow_up(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    c: &Computed,
    now: DateTime<Utc>,
    at: i64,
) -> Result<u32, AppError> {
    let (row, d) = (&c.row, &c.deadlines);
    let (Some(rca_due), Some(sev), None, false, true) = (
        d.rca_due,
        d.rca_follow_up_severity,
        &row.rca_parent_case_id,
        c.has_rca_follow_up,
        d.restored_at.is_some_and(|r| r <= now),
    ) else {
        return Ok(0);
    };
    let child_id = new_id();
    let number = next_case_number(conn).await?;
    let tz: chrono_tz::Tz = row.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let due_local = rca_due.with_timezone(&tz).format("%a %-d %b %Y %H:%M %Z");
    let subject: String = format!("Root cause analysis: {}", row.subject)
        .chars()
        .take(200)
        .collect();
    let description = format!(
        "Follow-up of {} (Severity 1, resolved). Support delivers the root cause \
         analysis by {due_local}.",
        case_number_label(row.number)
    );
    insert_case(
        conn,
        &CaseInsert {
            id: &child_id,
            number,
            organization_id: &row.organization_id,
            site_id: &row.site_id,
            array_id: &row.array_id,
            opened_by: None,
            subject: &subject,
            description: &description,
            business_impact: "",
            severity: sev.get(),
            sev1_contact_name: None,
            sev1_contact_phone: None,
            opened_at: at,
            rca_parent_case_id: Some(&row.id),
            opened_from_alert: false,
        },
    )
    .await?;
    let body = format!("Root cause analysis due {due_local}.");
    let mut e = NewEvent::new(CaseEventKind::RcaCreated, None, &body);
    e.new_value = Some(case_number_label(number));
    insert_event(conn, &row.id, at, e).await?;
    let mut e = NewEvent::new(CaseEventKind::RcaCreated, None, &body);
    e.new_value = Some(case_number_label(row.number));
    insert_event(conn, &child_id, at, e).await?;
    refresh(conn, programs, &child_id).await?;
    audit(
        conn,
        Some(&row.organization_id),
        None,
        "case.rca_created",
        &child_id,
        None,
        Some(json!({
            "parent": case_number_label(row.number),
            "number": case_number_label(number),
            "severity": sev.get(),
            "rca_due": rca_due.timestamp_millis(),
        })),
        at,
    )
    .await?;
    Ok(1)
}

/// The rules of a case waiting on the customer or on their answer to a proposed resolution:
/// the stale notice, then the closure.
async fn status_rules(
    conn: &mut AnyConnection,
    c: &Computed,
    now: DateTime<Utc>,
    at: i64,
) -> Result<JobReport, AppError> {
    let (row, d) = (&c.row, &c.deadlines);
    let mut report = JobReport::default();
    match row.status {
        CaseStatus::WaitingOnCustomer => {
            let notice = stale_notice_posted(&c.events);
            match (notice, d.stale_notice_due, d.auto_close_due) {
                (None, Some(due), close) if due <= now => {
                    stale_notice(conn, c, close, at).await?;
                    report.stale_notices += 1;
                }
                // Closed only after the notice was actually posted, so the customer always had
                // one, even when the jobs were down for a while.
                (Some(_), _, Some(close)) if close <= now => {
                    auto_close(
                        conn,
                        &row.id,
                        &row.organization_id,
                        row.status,
                        "Closed automatically: no answer from the customer after the closure notice.",
                        at,
                    )
                    .await?;
                    report.stale_closed += 1;
                }
                _ => {}
            }
        }
        CaseStatus::ResolutionProposed
            if d.resolution_proposed_auto_close_due
                .is_some_and(|due| due <= now) =>
        {
            auto_close(
                conn,
                &row.id,
                &row.organization_id,
                row.status,
                "Closed automatically: the proposed resolution was not answered in time.",
                at,
            )
            .await?;
            report.resolution_closed += 1;
        }
        _ => {}
    }
    Ok(report)
}

/// Tells the customer the case will be closed at `close` without their answer.
async fn stale_notice(
    conn: &mut AnyConnection,
    c: &Computed,
    close: Option<DateTime<Utc>>,
    at: i64,
) -> Result<(), AppError> {
    let row = &c.row;
    let tz: chrono_tz::Tz = row.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let when = close
        .map(|c| {
            c.with_timezone(&tz)
                .format("%a %-d %b %Y %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|| "soon".into());
    let body = format!(
        "We have been waiting for your answer on this case. Without a reply it \
         will be closed automatically on {when}."
    );
    insert_event(
        conn,
        &row.id,
        at,
        NewEvent::new(CaseEventKind::StaleNotice, None, &body),
    )
    .await?;
    audit(
        conn,
        Some(&row.organization_id),
        None,
        "case.stale_notice",
        &row.id,
        None,
        Some(json!({ "auto_close_due": close.map(|c| c.timestamp_millis()) })),
        at,
    )
    .await
}

async fn auto_close(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
    organization_id: &str,
    from: CaseStatus,
    reason: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE cases SET status = 'closed', closed_at = $2, close_reason = $3, updated_at = $2 \
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(at)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    insert_event(
        conn,
        case_id,
        at,
        NewEvent::new(CaseEventKind::AutoClosed, None, reason)
            .change(from.as_str(), CaseStatus::Closed.as_str()),
    )
    .await?;
    crate::server::cases::close_escalation_with_case(conn, case_id, None, at).await?;
    audit(
        conn,
        Some(organization_id),
        None,
        "case.auto_close",
        case_id,
        Some(json!({ "status": from.as_str() })),
        Some(json!({ "status": "closed", "reason": reason })),
        at,
    )
    .await
}

/// Runs the jobs every `JOB_INTERVAL` until the process ends.
pub fn spawn_job_loop(state: AppState) -> tokio::task::JoinHandle<()> {
    spawn_job_loop_every(state, JOB_INTERVAL)
}

/// Runs the jobs every `interval` until the process ends. A run that fails (the database is
/// down) is counted and logged; the next one tries again, so the jobs resume by themselves.
pub fn spawn_job_loop_every(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval.max(Duration::from_millis(100)));
        // After a slow run, wait a full interval instead of running several times in a row.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut retention_due = tokio::time::Instant::now();
        loop {
            tick.tick().await;
            if tokio::time::Instant::now() >= retention_due {
                retention_due = tokio::time::Instant::now() + RETENTION_INTERVAL;
                retention::run_logged(&state.pool, &state.sessions, Utc::now()).await;
                if let Err(e) = crate::server::db::refresh_statistics(&state.pool).await {
                    tracing::warn!(error = %e, "planner statistics not refreshed");
                }
            }
            match run_case_jobs(&state.pool, &state.programs, Utc::now()).await {
                Ok(r) => {
                    crate::server::metrics::job_run("case_jobs", "ok");
                    if r.acted() > 0 || r.failed > 0 {
                        tracing::info!(?r, "case jobs ran");
                    }
                }
                Err(e) => {
                    crate::server::metrics::job_run("case_jobs", "error");
                    tracing::warn!(error = %e, "case jobs could not run");
                }
            }
            crate::server::remote_assist_jobs::run_logged(&state.pool, Utc::now()).await;
            let now = crate::server::ids::now_ms();
            if let Err(e) = crate::server::throttle::prune(&state.pool, now).await {
                tracing::warn!(error = %e, "old sign-in counters could not be deleted");
            }
        }
    })
}
