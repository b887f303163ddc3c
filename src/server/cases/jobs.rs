//! What the background jobs read of a case (`server::jobs` does the work), and the rebuild of
//! its cached deadlines for tests and repairs.
use super::convert::not_found;
use super::deadlines::{refresh, Computed};
use super::queries;
use super::timeline::EventRow;
use crate::model::case::{CaseEventKind, CaseStatus};
use crate::model::AppError;
use crate::server::db::begin_write;
use crate::sla::ProgramSet;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

impl Computed {
    /// When a background job has something to do on this case.
    pub fn job_due(&self) -> Option<DateTime<Utc>> {
        let d = &self.deadlines;
        let mut due: Vec<DateTime<Utc>> = Vec::new();
        if self.row.status == CaseStatus::WaitingOnCustomer {
            if stale_notice_posted(&self.events).is_some() {
                due.extend(d.auto_close_due);
            } else {
                due.extend(d.stale_notice_due);
            }
        }
        if self.row.status == CaseStatus::ResolutionProposed {
            due.extend(d.resolution_proposed_auto_close_due);
        }
        if d.rca_due.is_some() && !self.has_rca_follow_up && self.row.rca_parent_case_id.is_none() {
            // Created as soon as the Severity 1 case is resolved.
            due.extend(d.restored_at);
        }
        due.into_iter().min()
    }
}

/// When the stale-case notice was posted for the current wait, if it was.
pub(crate) fn stale_notice_posted(events: &[EventRow]) -> Option<DateTime<Utc>> {
    let waiting_since = events
        .iter()
        .rev()
        .find(|e| e.event.kind.sets_status())
        .filter(|e| e.event.new_value.as_deref() == Some(CaseStatus::WaitingOnCustomer.as_str()))
        .map(|e| e.event.at)?;
    events
        .iter()
        .rev()
        .find(|e| e.event.kind == CaseEventKind::StaleNotice && e.event.at >= waiting_since)
        .map(|e| e.event.at)
}

/// Rebuilds the deadlines cached on one case from its history, in a transaction of its own.
/// For tests and repairs: every change already does this in its own transaction.
#[doc(hidden)]
pub async fn rebuild_cached_deadlines(
    pool: &AnyPool,
    programs: &ProgramSet,
    case_id: &str,
) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await?;
    // Write first (the row lock), as every case writer does.
    if queries::lock_case_unchanged(&mut tx, case_id).await? == 0 {
        return Err(not_found());
    }
    refresh(&mut tx, programs, case_id).await?;
    Ok(tx.commit().await?)
}
