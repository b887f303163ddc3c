//! The engine's view of a case and the deadlines cached on its row, rebuilt from the history
//! inside every writing transaction.
use super::convert::{holiday, not_found, opt_dt, product_of, severity_of, sla_error};
use super::queries::{self, CaseInsert, CaseRow, NewCasePlace};
use super::timeline::{load_events, EventRow};
use crate::model::case::{CaseEvent, CaseEventKind, CaseStatus};
use crate::model::AppError;
use crate::server::db::ms_to_dt;
use crate::sla::{self, CaseDeadlines, CaseFacts, ProgramSet, SeverityChange, StatusChange};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AnyConnection;

pub(crate) async fn site_holidays(
    conn: &mut AnyConnection,
    site_id: &str,
) -> Result<Vec<NaiveDate>, AppError> {
    let days = queries::holiday_days(conn, site_id).await?;
    days.iter().map(|d| holiday(d)).collect()
}

/// The case's history as the SLA engine reads it: severity from the 'opened' and
/// 'severity_change' events, responses from public support updates, statuses from every event
/// that sets one.
pub(crate) fn facts_of(
    row: &CaseRow,
    events: &[EventRow],
    holidays: Vec<NaiveDate>,
) -> Result<CaseFacts, AppError> {
    let opened_at = ms_to_dt(row.opened_at)?;
    let mut severity_history = Vec::new();
    let mut support_updates = Vec::new();
    let mut status_history = Vec::new();
    for EventRow { event: e } in events {
        match e.kind {
            CaseEventKind::Opened | CaseEventKind::SeverityChange => {
                let n: i64 = e
                    .new_value
                    .as_deref()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| AppError::Internal("severity event without a value".into()))?;
                let at = if e.kind == CaseEventKind::Opened {
                    opened_at
                } else {
                    e.at
                };
                severity_history.push(SeverityChange {
                    at,
                    severity: severity_of(n)?,
                });
            }
            CaseEventKind::SupportUpdate if e.public => support_updates.push(e.at),
            k if k.sets_status() => {
                let s: CaseStatus = e
                    .new_value
                    .as_deref()
                    .unwrap_or_default()
                    .parse()
                    .map_err(|_| AppError::Internal("status event without a status".into()))?;
                status_history.push(StatusChange {
                    at: e.at,
                    status: s.to_sla(),
                });
            }
            _ => {}
        }
    }
    if severity_history.is_empty() {
        // A case always has its 'opened' event; fall back to the stored severity if not.
        severity_history.push(SeverityChange {
            at: opened_at,
            severity: severity_of(row.severity)?,
        });
    }
    Ok(CaseFacts {
        program_id: row.program_id.clone(),
        plan_id: row.plan_id.clone(),
        bcs: row.bcs.into(),
        product: product_of(&row.product_line),
        tz: row.time_zone.clone(),
        holidays,
        opened_at,
        severity_history,
        support_updates,
        status_history,
        agreed_update_due: opt_dt(row.agreed_update_due)?,
    })
}

pub(crate) struct Computed {
    pub facts: CaseFacts,
    pub deadlines: CaseDeadlines,
    pub events: Vec<EventRow>,
    pub row: CaseRow,
    pub has_rca_follow_up: bool,
}

impl Computed {
    /// Earliest pending initial-response or next-update deadline.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        let d = &self.deadlines;
        let ir = d
            .initial_response_due
            .filter(|_| d.initial_response_met_at.is_none());
        [ir, d.next_update_due].into_iter().flatten().min()
    }
}

/// Reads the case and its history and runs the engine.
pub(crate) async fn compute(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    case_id: &str,
) -> Result<Computed, AppError> {
    let row = queries::load_case(conn, case_id)
        .await?
        .ok_or_else(not_found)?;
    let events = load_events(conn, case_id).await?;
    let holidays = site_holidays(conn, &row.site_id).await?;
    let facts = facts_of(&row, &events, holidays)?;
    let deadlines = sla::case_deadlines(programs, &facts).map_err(sla_error)?;
    let children = queries::count_follow_ups(conn, case_id).await?;
    Ok(Computed {
        facts,
        deadlines,
        events,
        row,
        has_rca_follow_up: children > 0,
    })
}

/// Rebuilds the cached deadlines of a case from its history (inside the writing transaction).
pub(crate) async fn refresh(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    case_id: &str,
) -> Result<Computed, AppError> {
    let c = compute(conn, programs, case_id).await?;
    queries::store_deadlines(conn, case_id, cached_columns(&c)).await?;
    Ok(c)
}

/// The deadlines cached on the case row: initial response due and met, next update due, next
/// deadline, next job.
pub(super) fn cached_columns(c: &Computed) -> [Option<i64>; 5] {
    let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    [
        ms(c.deadlines.initial_response_due),
        ms(c.deadlines.initial_response_met_at),
        ms(c.deadlines.next_update_due),
        ms(c.next_deadline()),
        ms(c.job_due()),
    ]
}

/// What `refresh` will compute for the case `c` once `insert_case` has written it, without
/// reading back what this transaction writes: the row is `c` with its organization, site and
/// array, the history its one 'opened' entry, and a new case has no follow-up cases. The same
/// engine call on the same facts (a test compares the cached columns with a rebuild).
pub(crate) async fn new_case_deadlines(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    c: &CaseInsert<'_>,
) -> Result<Computed, AppError> {
    // One row per holiday of the site (one with no day when it has none).
    let rows = queries::new_case_place(conn, c).await?;
    let place = rows.first().ok_or_else(not_found)?;
    let holidays = rows
        .iter()
        .filter_map(|r| r.day.as_deref())
        .map(holiday)
        .collect::<Result<Vec<_>, _>>()?;
    let row = new_case_row(c, place);
    let events = vec![opened_event(c)?];
    let facts = facts_of(&row, &events, holidays)?;
    let deadlines = sla::case_deadlines(programs, &facts).map_err(sla_error)?;
    Ok(Computed {
        facts,
        deadlines,
        events,
        row,
        has_rca_follow_up: false,
    })
}

/// The row `insert_case` writes for `c`, as `load_case` will read it.
fn new_case_row(c: &CaseInsert<'_>, place: &NewCasePlace) -> CaseRow {
    CaseRow {
        id: c.id.to_string(),
        number: c.number,
        organization_id: c.organization_id.to_string(),
        organization_name: place.organization_name.clone(),
        site_id: c.site_id.to_string(),
        site_name: place.site_name.clone(),
        time_zone: place.time_zone.clone(),
        bcs: place.bcs,
        array_id: c.array_id.to_string(),
        array_name: place.array_name.clone(),
        product_line: place.product_line.clone(),
        program_id: place.program_id.clone(),
        plan_id: place.plan_id.clone(),
        subject: c.subject.to_string(),
        description: c.description.to_string(),
        business_impact: c.business_impact.to_string(),
        severity: i64::from(c.severity),
        status: CaseStatus::New,
        sev1_contact_name: c.sev1_contact_name.map(str::to_string),
        sev1_contact_phone: c.sev1_contact_phone.map(str::to_string),
        // Written after the row, where given; deadlines do not read it.
        conversation_id: None,
        agreed_update_due: None,
        opened_at: c.opened_at,
        updated_at: c.opened_at,
        closed_at: None,
        close_reason: None,
        rca_parent_case_id: c.rca_parent_case_id.map(str::to_string),
        initial_response_due_at: None,
        initial_response_met_at: None,
        next_update_due_at: None,
        next_deadline_at: None,
        owner_id: None,
        owner_name: None,
    }
}

/// The 'opened' entry `insert_case` writes, as `load_events` reads it (its author's name
/// plays no part in deadlines).
fn opened_event(c: &CaseInsert<'_>) -> Result<EventRow, AppError> {
    Ok(EventRow {
        event: CaseEvent {
            id: String::new(),
            at: ms_to_dt(c.opened_at)?,
            kind: CaseEventKind::Opened,
            actor_name: None,
            actor_is_staff: false,
            body: String::new(),
            old_value: Some(String::new()),
            new_value: Some(c.severity.to_string()),
            public: true,
        },
    })
}
