//! The case's history put in order once, for every clock: severity changes from opening, statuses,
//! support updates, and the stretches spent waiting on the customer.

use chrono::{DateTime, Utc};

use super::{CaseFacts, CaseStatus, SeverityChange, StatusChange};
use crate::error::SlaError;
use crate::program::Severity;
use crate::targets::Pause;

pub(super) struct History {
    pub(super) opened: DateTime<Utc>,
    /// The severity at opening, then each change to a different severity, in time order.
    pub(super) changes: Vec<SeverityChange>,
    /// Severity in effect now.
    pub(super) current: Severity,
    /// Status changes in time order.
    pub(super) statuses: Vec<StatusChange>,
    pub(super) status_now: CaseStatus,
    /// Support updates since opening, in time order.
    pub(super) updates: Vec<DateTime<Utc>>,
    /// Waiting stretches, closed ones only; an open one is reported as "paused since".
    pub(super) pauses: Vec<Pause>,
    pub(super) waiting_since: Option<DateTime<Utc>>,
    pub(super) last_reopen: Option<DateTime<Utc>>,
    pub(super) resolved_since: Option<DateTime<Utc>>,
}

/// What the walk through the statuses finds.
struct StatusWalk {
    pauses: Vec<Pause>,
    waiting_since: Option<DateTime<Utc>>,
    last_reopen: Option<DateTime<Utc>>,
    resolved_since: Option<DateTime<Utc>>,
}

impl History {
    pub(super) fn of(facts: &CaseFacts) -> Result<History, SlaError> {
        let opened = facts.opened_at;
        let changes = severity_changes(&facts.severity_history, opened)?;
        // `severity_changes` always starts with the severity at opening.
        let current = changes[changes.len() - 1].severity;
        let mut statuses = facts.status_history.clone();
        statuses.sort_by_key(|s| s.at);
        let status_now = statuses
            .last()
            .map(|s| s.status)
            .unwrap_or(CaseStatus::Open);
        let mut updates: Vec<DateTime<Utc>> = facts
            .support_updates
            .iter()
            .copied()
            .filter(|u| *u >= opened)
            .collect();
        updates.sort();
        let walk = walk_statuses(&statuses, opened);
        Ok(History {
            opened,
            changes,
            current,
            statuses,
            status_now,
            updates,
            pauses: walk.pauses,
            waiting_since: walk.waiting_since,
            last_reopen: walk.last_reopen,
            resolved_since: walk.resolved_since,
        })
    }

    /// When the case was restored: the start of its current resolved stretch, if it is in one.
    pub(super) fn restored_at(&self) -> Option<DateTime<Utc>> {
        if self.status_now.is_resolved() {
            self.resolved_since
        } else {
            None
        }
    }
}

/// The first entry's severity counts from opening; later entries in time order, repeats dropped,
/// none before opening.
fn severity_changes(
    history: &[SeverityChange],
    opened: DateTime<Utc>,
) -> Result<Vec<SeverityChange>, SlaError> {
    let Some((first, later)) = history.split_first() else {
        return Err(SlaError::InvalidFacts(
            "severity_history must hold at least the severity at opening".into(),
        ));
    };
    let mut later = later.to_vec();
    later.sort_by_key(|c| c.at);
    let mut changes = vec![SeverityChange {
        at: opened,
        severity: first.severity,
    }];
    for c in later {
        let last = changes.last().map(|l| l.severity);
        if last != Some(c.severity) {
            changes.push(SeverityChange {
                at: c.at.max(opened),
                severity: c.severity,
            });
        }
    }
    Ok(changes)
}

fn walk_statuses(statuses: &[StatusChange], opened: DateTime<Utc>) -> StatusWalk {
    let mut walk = StatusWalk {
        pauses: Vec::new(),
        waiting_since: None,
        last_reopen: None,
        resolved_since: None,
    };
    let mut prev_status = CaseStatus::Open;
    for s in statuses {
        let at = s.at.max(opened);
        if let Some(w) = walk.waiting_since.take() {
            if s.status == CaseStatus::WaitingOnCustomer {
                walk.waiting_since = Some(w);
            } else {
                walk.pauses.push((w, at));
            }
        }
        if s.status == CaseStatus::WaitingOnCustomer && walk.waiting_since.is_none() {
            walk.waiting_since = Some(at);
        }
        if prev_status.is_resolved() && !s.status.is_resolved() {
            walk.last_reopen = Some(at);
            walk.resolved_since = None;
        }
        if s.status.is_resolved() && walk.resolved_since.is_none() {
            walk.resolved_since = Some(at);
        }
        prev_status = s.status;
    }
    walk
}
