//! Support cases: every rule about who may see and do what, each change written with its audit
//! entry in one transaction, and the SLA deadlines cached on the case row rebuilt from the event
//! history (the history is the truth; the cache only serves sorting, the list and the jobs).
use crate::model::case::{
    case_number_label, parse_case_number, CaseCreated, CaseDetail, CaseEvent, CaseEventKind,
    CaseLink, CaseList, CaseListQuery, CaseSort, CaseStatus, CaseSummary, CaseSurvey, NewCase,
    OpenCaseArray, OpenCaseForm, OpenCaseSite, Sev1Contact, SeverityOption, StatusFilter, BODY_MAX,
    CONTACT_MAX, DUE_SOON_MINUTES, REASON_MAX, SUBJECT_MAX,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::auth::map_db;
use crate::server::db::{begin_write, col, ms_to_dt, WriteTx};
use crate::server::ids::{new_id, now_ms};
use crate::sla::{
    self, CaseDeadlines, CaseFacts, EntitlementState, ProductLine, ProgramSet, Severity,
    SeverityChange, StatusChange,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AnyPool};

// ---- Small conversions ----

fn opt_dt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, AppError> {
    ms.map(ms_to_dt).transpose()
}

fn sla_error(e: sla::SlaError) -> AppError {
    tracing::error!(error = %e, "SLA engine error");
    AppError::Internal(format!("deadlines: {e}"))
}

fn parse_tz(name: &str) -> Result<Tz, AppError> {
    name.parse::<Tz>()
        .map_err(|_| AppError::Internal(format!("unknown time zone {name:?}")))
}

/// The engine's severity table for an array's stored product line. Cloud services read the
/// program's single table, which the engine finds under the default product line.
pub(crate) fn product_of(product_line: &str) -> ProductLine {
    match product_line {
        "portworx" => ProductLine::Portworx,
        _ => ProductLine::Array,
    }
}

fn severity_of(n: i64) -> Result<Severity, AppError> {
    u8::try_from(n)
        .ok()
        .and_then(|n| Severity::new(n).ok())
        .ok_or_else(|| AppError::Internal(format!("stored severity out of range: {n}")))
}

// ---- Input validation (field names are the form's input names) ----

pub(crate) fn required_text(
    field: &str,
    value: &str,
    max: usize,
    what: &str,
) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("Enter {what}.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep it to {max} characters at most."),
        ));
    }
    Ok(v.to_string())
}

pub(crate) fn optional_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep it to {max} characters at most."),
        ));
    }
    Ok(v.to_string())
}

/// Severity from a form value: 1 to 4.
pub fn parse_severity(field: &str, value: &str) -> Result<u8, AppError> {
    value
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=4).contains(n))
        .ok_or_else(|| AppError::invalid(field, "Choose a severity from 1 to 4."))
}

fn check_severity(field: &str, n: u8) -> Result<Severity, AppError> {
    Severity::new(n).map_err(|_| AppError::invalid(field, "Choose a severity from 1 to 4."))
}

fn check_phone(value: &str) -> Result<String, AppError> {
    let v = required_text(
        "sev1_contact_phone",
        value,
        CONTACT_MAX,
        "a phone number reachable at all times",
    )?;
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c) || c == 'x');
    if digits < 5 || !allowed {
        return Err(AppError::invalid(
            "sev1_contact_phone",
            "Enter a phone number with its country or area code.",
        ));
    }
    Ok(v)
}

// ---- Who may do what ----

/// Designated contacts of a customer act on their organization's cases; staff on every case.
fn customer_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin | Role::AuthorizedCaller | Role::BackupContact, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

pub(crate) fn require_staff(user: &CurrentUser) -> Result<(), AppError> {
    if user.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn can_see(user: &CurrentUser, row: &CaseRow) -> bool {
    user.role.is_staff() || user.organization_id.as_deref() == Some(row.organization_id.as_str())
}

fn not_found() -> AppError {
    AppError::NotFound("Case".into())
}

// ---- Rows ----

/// A case with what it needs from its site, array and organization.
#[derive(Debug, Clone)]
pub(crate) struct CaseRow {
    pub id: String,
    pub number: i64,
    pub organization_id: String,
    pub organization_name: String,
    pub site_id: String,
    pub site_name: String,
    pub time_zone: String,
    pub bcs: bool,
    pub array_id: String,
    pub array_name: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub severity: i64,
    pub status: CaseStatus,
    pub sev1_contact_name: Option<String>,
    pub sev1_contact_phone: Option<String>,
    pub agreed_update_due: Option<i64>,
    pub opened_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub close_reason: Option<String>,
    pub rca_parent_case_id: Option<String>,
    pub initial_response_due_at: Option<i64>,
    pub initial_response_met_at: Option<i64>,
    pub next_update_due_at: Option<i64>,
    pub next_deadline_at: Option<i64>,
}

const CASE_SELECT: &str = "SELECT c.id, c.number, c.organization_id, o.name AS organization_name, \
        c.site_id, s.name AS site_name, s.time_zone, CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
        c.array_id, a.name AS array_name, a.product_line, a.program_id, a.plan_id, \
        c.subject, c.description, c.business_impact, c.severity, c.status, \
        c.sev1_contact_name, c.sev1_contact_phone, c.agreed_update_due, c.opened_at, c.updated_at, \
        c.closed_at, c.close_reason, c.rca_parent_case_id, \
        c.initial_response_due_at, c.initial_response_met_at, c.next_update_due_at, c.next_deadline_at \
     FROM cases c \
     JOIN organizations o ON o.id = c.organization_id \
     JOIN sites s ON s.id = c.site_id \
     JOIN arrays a ON a.id = c.array_id";

fn case_row(row: &AnyRow) -> Result<CaseRow, AppError> {
    let status: String = col(row, "status")?;
    Ok(CaseRow {
        id: col(row, "id")?,
        number: col(row, "number")?,
        organization_id: col(row, "organization_id")?,
        organization_name: col(row, "organization_name")?,
        site_id: col(row, "site_id")?,
        site_name: col(row, "site_name")?,
        time_zone: col(row, "time_zone")?,
        bcs: col::<i64>(row, "bcs")? != 0,
        array_id: col(row, "array_id")?,
        array_name: col(row, "array_name")?,
        product_line: col(row, "product_line")?,
        program_id: col(row, "program_id")?,
        plan_id: col(row, "plan_id")?,
        subject: col(row, "subject")?,
        description: col(row, "description")?,
        business_impact: col(row, "business_impact")?,
        severity: col(row, "severity")?,
        status: status
            .parse()
            .map_err(|_| AppError::Internal(format!("stored status {status:?}")))?,
        sev1_contact_name: col(row, "sev1_contact_name")?,
        sev1_contact_phone: col(row, "sev1_contact_phone")?,
        agreed_update_due: col(row, "agreed_update_due")?,
        opened_at: col(row, "opened_at")?,
        updated_at: col(row, "updated_at")?,
        closed_at: col(row, "closed_at")?,
        close_reason: col(row, "close_reason")?,
        rca_parent_case_id: col(row, "rca_parent_case_id")?,
        initial_response_due_at: col(row, "initial_response_due_at")?,
        initial_response_met_at: col(row, "initial_response_met_at")?,
        next_update_due_at: col(row, "next_update_due_at")?,
        next_deadline_at: col(row, "next_deadline_at")?,
    })
}

pub(crate) async fn load_case(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<CaseRow>, AppError> {
    let sql = format!("{CASE_SELECT} WHERE c.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_db)?;
    row.as_ref().map(case_row).transpose()
}

/// One timeline entry as stored, with its author.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub event: CaseEvent,
}

pub(crate) async fn load_events(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<EventRow>, AppError> {
    let rows = sqlx::query(
        "SELECT e.id, e.at, e.kind, e.body, e.old_value, e.new_value, \
                CASE WHEN e.public THEN 1 ELSE 0 END AS public, \
                u.name AS actor_name, u.role AS actor_role \
         FROM case_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.case_id = $1 ORDER BY e.seq",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    rows.iter()
        .map(|r| {
            let kind: String = col(r, "kind")?;
            let role: Option<String> = col(r, "actor_role")?;
            Ok(EventRow {
                event: CaseEvent {
                    id: col(r, "id")?,
                    at: ms_to_dt(col(r, "at")?)?,
                    kind: kind.parse()?,
                    actor_name: col(r, "actor_name")?,
                    actor_is_staff: role.as_deref() == Some(Role::SupportEngineer.as_str()),
                    body: col(r, "body")?,
                    old_value: col(r, "old_value")?,
                    new_value: col(r, "new_value")?,
                    public: col::<i64>(r, "public")? != 0,
                },
            })
        })
        .collect()
}

pub(crate) async fn site_holidays(
    conn: &mut AnyConnection,
    site_id: &str,
) -> Result<Vec<NaiveDate>, AppError> {
    let days: Vec<String> =
        sqlx::query_scalar("SELECT day FROM site_holidays WHERE site_id = $1 ORDER BY day")
            .bind(site_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_db)?;
    days.iter()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::Internal(format!("stored holiday {d:?}")))
        })
        .collect()
}

// ---- The engine's view of a case ----

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
        bcs: row.bcs,
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

pub(crate) struct Computed {
    pub facts: CaseFacts,
    pub deadlines: CaseDeadlines,
    pub events: Vec<EventRow>,
    pub row: CaseRow,
    pub has_rca_follow_up: bool,
}

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
    let row = load_case(conn, case_id).await?.ok_or_else(not_found)?;
    let events = load_events(conn, case_id).await?;
    let holidays = site_holidays(conn, &row.site_id).await?;
    let facts = facts_of(&row, &events, holidays)?;
    let deadlines = sla::case_deadlines(programs, &facts).map_err(sla_error)?;
    let children: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE rca_parent_case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_db)?;
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
    store_deadlines(conn, case_id, &c).await?;
    Ok(c)
}

/// Rebuilds the deadlines cached on one case from its history, in a transaction of its own.
/// For tests and repairs: every change already does this in its own transaction.
#[doc(hidden)]
pub async fn rebuild_cached_deadlines(
    pool: &AnyPool,
    programs: &ProgramSet,
    case_id: &str,
) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    // Write first (the row lock), as every case writer does.
    let locked = sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1")
        .bind(case_id)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?
        .rows_affected();
    if locked == 0 {
        return Err(not_found());
    }
    refresh(&mut tx, programs, case_id).await?;
    tx.commit().await.map_err(map_db)
}

/// The deadlines cached on the case row: initial response due and met, next update due, next
/// deadline, next job.
fn cached_columns(c: &Computed) -> [Option<i64>; 5] {
    let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    [
        ms(c.deadlines.initial_response_due),
        ms(c.deadlines.initial_response_met_at),
        ms(c.deadlines.next_update_due),
        ms(c.next_deadline()),
        ms(c.job_due()),
    ]
}

/// Writes the deadlines cached on the case row.
async fn store_deadlines(
    conn: &mut AnyConnection,
    case_id: &str,
    c: &Computed,
) -> Result<(), AppError> {
    let [ir_due, ir_met, update_due, next, job] = cached_columns(c);
    sqlx::query(
        "UPDATE cases SET initial_response_due_at = $2, initial_response_met_at = $3, \
                next_update_due_at = $4, next_deadline_at = $5, job_due_at = $6 \
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(ir_due)
    .bind(ir_met)
    .bind(update_due)
    .bind(next)
    .bind(job)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    Ok(())
}

// ---- Writes ----

pub(crate) struct NewEvent<'a> {
    pub kind: CaseEventKind,
    pub actor: Option<&'a str>,
    pub body: &'a str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub public: bool,
}

impl<'a> NewEvent<'a> {
    pub fn new(kind: CaseEventKind, actor: Option<&'a str>, body: &'a str) -> Self {
        NewEvent {
            kind,
            actor,
            body,
            old_value: None,
            new_value: None,
            public: kind != CaseEventKind::InternalNote,
        }
    }

    pub fn change(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.old_value = Some(old.into());
        self.new_value = Some(new.into());
        self
    }
}

pub(crate) async fn insert_event(
    conn: &mut AnyConnection,
    case_id: &str,
    at: i64,
    e: NewEvent<'_>,
) -> Result<String, AppError> {
    // Callers hold the case's row lock, so the next sequence number cannot be taken twice.
    let seq: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(map_db)?;
    write_event(conn, case_id, seq, at, e, None).await
}

/// Writes an event with its sequence number and tells whoever must hear of it. `case`: what the
/// notification needs of the case, when the caller has just written it (read otherwise).
async fn write_event(
    conn: &mut AnyConnection,
    case_id: &str,
    seq: i64,
    at: i64,
    e: NewEvent<'_>,
    case: Option<&crate::server::notifications::CaseNoticeFacts>,
) -> Result<String, AppError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_events (id, case_id, seq, at, actor_user_id, kind, body, old_value, new_value, public) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(seq)
    .bind(at)
    .bind(e.actor)
    .bind(e.kind.as_str())
    .bind(e.body)
    .bind(e.old_value)
    .bind(e.new_value.clone())
    .bind(e.public)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    // Whoever must hear of it is told in this same transaction (bell and e-mail outbox).
    crate::server::notifications::on_case_event(
        conn,
        case_id,
        case,
        e.kind,
        e.actor,
        e.body,
        e.public,
        e.new_value.as_deref(),
        at,
    )
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    organization_id: Option<&str>,
    actor: Option<&str>,
    action: &str,
    case_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: i64,
) -> Result<(), AppError> {
    crate::server::audit::record(
        conn,
        crate::server::audit::AuditEntry {
            organization_id,
            actor,
            action,
            entity: "case",
            entity_id: case_id,
            before,
            after,
            at,
        },
    )
    .await
}

/// The next case number, taken inside the creating transaction: concurrent creators wait on the
/// counter row, and a rolled-back creation gives its number back.
pub(crate) async fn next_case_number(conn: &mut AnyConnection) -> Result<i64, AppError> {
    sqlx::query_scalar("UPDATE case_counter SET value = value + 1 WHERE id = 1 RETURNING value")
        .fetch_one(&mut *conn)
        .await
        .map_err(map_db)
}

/// Everything stored about a new case row.
pub(crate) struct CaseInsert<'a> {
    pub id: &'a str,
    pub number: i64,
    pub organization_id: &'a str,
    pub site_id: &'a str,
    pub array_id: &'a str,
    pub opened_by: Option<&'a str>,
    pub subject: &'a str,
    pub description: &'a str,
    pub business_impact: &'a str,
    pub severity: u8,
    pub sev1_contact_name: Option<&'a str>,
    pub sev1_contact_phone: Option<&'a str>,
    pub opened_at: i64,
    pub rca_parent_case_id: Option<&'a str>,
    /// Opened by the alert ingest API from a critical monitoring alert.
    pub opened_from_alert: bool,
}

pub(crate) async fn insert_case(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
) -> Result<(), AppError> {
    insert_case_with(conn, c, None).await
}

/// `insert_case`, with the cached deadlines `new_case_deadlines` computed for it (the caller
/// then needs no `refresh`), or without (the caller refreshes).
pub(crate) async fn insert_case_with(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
    deadlines: Option<&Computed>,
) -> Result<(), AppError> {
    let [ir_due, ir_met, update_due, next, job] = deadlines.map(cached_columns).unwrap_or_default();
    sqlx::query(
        "INSERT INTO cases (id, number, organization_id, site_id, array_id, opened_by, subject, \
             description, business_impact, severity, status, sev1_contact_name, sev1_contact_phone, \
             opened_at, updated_at, rca_parent_case_id, opened_from_alert, \
             initial_response_due_at, initial_response_met_at, next_update_due_at, \
             next_deadline_at, job_due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11, $12, $13, $13, $14, $15, \
             $16, $17, $18, $19, $20)",
    )
    .bind(c.id)
    .bind(c.number)
    .bind(c.organization_id)
    .bind(c.site_id)
    .bind(c.array_id)
    .bind(c.opened_by)
    .bind(c.subject)
    .bind(c.description)
    .bind(c.business_impact)
    .bind(i64::from(c.severity))
    .bind(c.sev1_contact_name)
    .bind(c.sev1_contact_phone)
    .bind(c.opened_at)
    .bind(c.rca_parent_case_id)
    .bind(c.opened_from_alert)
    .bind(ir_due)
    .bind(ir_met)
    .bind(update_due)
    .bind(next)
    .bind(job)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    // The case is new: its 'opened' entry is the first, and the notification needs nothing of
    // the case that is not here.
    let facts = (
        c.number,
        c.organization_id.to_string(),
        c.site_id.to_string(),
        c.subject.to_string(),
        c.opened_by.map(str::to_string),
        i64::from(c.opened_from_alert),
        c.rca_parent_case_id.map(str::to_string),
    );
    write_event(
        conn,
        c.id,
        1,
        c.opened_at,
        NewEvent::new(CaseEventKind::Opened, c.opened_by, "").change("", c.severity.to_string()),
        Some(&facts),
    )
    .await?;
    Ok(())
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
    let rows = sqlx::query(
        "SELECT o.name AS organization_name, s.name AS site_name, s.time_zone, \
                CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
                a.name AS array_name, a.product_line, a.program_id, a.plan_id, h.day \
         FROM organizations o JOIN sites s ON s.id = $2 JOIN arrays a ON a.id = $3 \
         LEFT JOIN site_holidays h ON h.site_id = s.id \
         WHERE o.id = $1 ORDER BY h.day",
    )
    .bind(c.organization_id)
    .bind(c.site_id)
    .bind(c.array_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    let joined = rows.first().ok_or_else(not_found)?;
    let mut holidays = Vec::new();
    for r in &rows {
        if let Some(d) = col::<Option<String>>(r, "day")? {
            holidays.push(
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| AppError::Internal(format!("stored holiday {d:?}")))?,
            );
        }
    }
    let row = CaseRow {
        id: c.id.to_string(),
        number: c.number,
        organization_id: c.organization_id.to_string(),
        organization_name: col(joined, "organization_name")?,
        site_id: c.site_id.to_string(),
        site_name: col(joined, "site_name")?,
        time_zone: col(joined, "time_zone")?,
        bcs: col::<i64>(joined, "bcs")? != 0,
        array_id: c.array_id.to_string(),
        array_name: col(joined, "array_name")?,
        product_line: col(joined, "product_line")?,
        program_id: col(joined, "program_id")?,
        plan_id: col(joined, "plan_id")?,
        subject: c.subject.to_string(),
        description: c.description.to_string(),
        business_impact: c.business_impact.to_string(),
        severity: i64::from(c.severity),
        status: CaseStatus::New,
        sev1_contact_name: c.sev1_contact_name.map(str::to_string),
        sev1_contact_phone: c.sev1_contact_phone.map(str::to_string),
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
    };
    // The 'opened' entry `insert_case` writes, as `load_events` reads it (its author's name
    // plays no part in deadlines).
    let events = vec![EventRow {
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
    }];
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

/// Starts a transaction holding the case's row lock and returns the case as it is now, if the
/// user may see it. Writing first matters: on SQLite a transaction that reads before it writes
/// fails when another writer got in between, while one that writes first waits for the lock;
/// on PostgreSQL the row lock serializes everyone writing this case, jobs included.
async fn begin_locked(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
    now: i64,
) -> Result<(WriteTx, CaseRow), AppError> {
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    let locked =
        sqlx::query("UPDATE cases SET version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(case_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_db)?
            .rows_affected();
    if locked == 0 {
        return Err(not_found());
    }
    let row = load_case(&mut tx, case_id).await?.ok_or_else(not_found)?;
    if !can_see(user, &row) {
        // Dropping the transaction rolls the lock back; a foreign id looks like an unknown one.
        return Err(not_found());
    }
    Ok((tx, row))
}

/// Rebuilds the deadlines, writes the audit entry and commits.
#[allow(clippy::too_many_arguments)]
async fn finish(
    mut tx: WriteTx,
    programs: &ProgramSet,
    row: &CaseRow,
    user: &CurrentUser,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    now: i64,
) -> Result<(), AppError> {
    refresh(&mut tx, programs, &row.id).await?;
    audit(
        &mut tx,
        Some(&row.organization_id),
        Some(&user.id),
        action,
        &row.id,
        Some(before),
        Some(after),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

// ---- Customer actions ----

/// Opens a case for the caller's organization.
pub async fn create_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    input: &NewCase,
) -> Result<CaseCreated, AppError> {
    let org = customer_org(user)?;
    // The array decides the site, the program and whether support is active.
    let array_id = input.array_id.trim();
    if array_id.is_empty() {
        return Err(AppError::invalid("array_id", "Choose the affected array."));
    }
    let array = sqlx::query(
        "SELECT a.id, a.site_id, a.program_id, a.contract_end, s.organization_id, s.time_zone \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(pool)
    .await
    .map_err(map_db)?;
    let Some(array) = array else {
        return Err(AppError::invalid(
            "array_id",
            "Choose one of your organization's arrays.",
        ));
    };
    let array_org: String = col(&array, "organization_id")?;
    let site_id: String = col(&array, "site_id")?;
    if array_org != org {
        // Same answer as an unknown array: nothing about other customers leaks.
        return Err(AppError::invalid(
            "array_id",
            "Choose one of your organization's arrays.",
        ));
    }
    if !input.site_id.trim().is_empty() && input.site_id.trim() != site_id {
        return Err(AppError::invalid(
            "array_id",
            "This array is not at the chosen site.",
        ));
    }
    let program_id: String = col(&array, "program_id")?;
    let program = programs.program(&program_id).map_err(sla_error)?;
    let contract_end: String = col(&array, "contract_end")?;
    let tz = parse_tz(&col::<String>(&array, "time_zone")?)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let end = NaiveDate::parse_from_str(&contract_end, "%Y-%m-%d")
        .map_err(|_| AppError::Internal(format!("stored contract end {contract_end:?}")))?;
    let entitlement = sla::entitlement_on(program, end, today);
    if entitlement != EntitlementState::Active {
        return Err(AppError::invalid(
            "array_id",
            reinstatement_message(end, &entitlement)
                .unwrap_or_else(|| "Support for this array is not active.".into()),
        ));
    }

    let severity = check_severity("severity", input.severity)?;
    let subject = required_text("subject", &input.subject, SUBJECT_MAX, "a subject")?;
    let description = required_text(
        "description",
        &input.description,
        BODY_MAX,
        "a description of the problem",
    )?;
    let business_impact = optional_text("business_impact", &input.business_impact, BODY_MAX)?;
    let (contact_name, contact_phone) = if severity.get() == 1 {
        (
            Some(required_text(
                "sev1_contact_name",
                &input.sev1_contact_name,
                CONTACT_MAX,
                "the name of a contact available at all times",
            )?),
            Some(check_phone(&input.sev1_contact_phone)?),
        )
    } else {
        let n = optional_text("sev1_contact_name", &input.sev1_contact_name, CONTACT_MAX)?;
        let p = optional_text("sev1_contact_phone", &input.sev1_contact_phone, CONTACT_MAX)?;
        (
            Some(n).filter(|s| !s.is_empty()),
            Some(p).filter(|s| !s.is_empty()),
        )
    };

    let now = now_ms();
    let id = new_id();
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    let number = next_case_number(&mut tx).await?;
    let case = CaseInsert {
        id: &id,
        number,
        organization_id: org,
        site_id: &site_id,
        array_id,
        opened_by: Some(&user.id),
        subject: &subject,
        description: &description,
        business_impact: &business_impact,
        severity: severity.get(),
        sev1_contact_name: contact_name.as_deref(),
        sev1_contact_phone: contact_phone.as_deref(),
        opened_at: now,
        rca_parent_case_id: None,
        opened_from_alert: false,
    };
    // Deadlines computed before the row is written, so that it is written once.
    let deadlines = new_case_deadlines(&mut tx, programs, &case).await?;
    insert_case_with(&mut tx, &case, Some(&deadlines)).await?;
    audit(
        &mut tx,
        Some(org),
        Some(&user.id),
        "case.open",
        &id,
        None,
        Some(json!({
            "number": case_number_label(number),
            "array_id": array_id,
            "severity": severity.get(),
            "subject": subject,
        })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(CaseCreated {
        id,
        number_label: case_number_label(number),
    })
}

/// A customer's comment. An answer to a case waiting on the customer puts it back in progress,
/// which restarts the clocks the wait had stopped.
pub async fn add_comment(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    body: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let body = required_text("body", body, BODY_MAX, "a comment")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status == CaseStatus::Closed {
        return Err(AppError::Conflict(
            "This case is closed. Open a new case for a new problem.".into(),
        ));
    }
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::CustomerComment, Some(&user.id), &body),
    )
    .await?;
    let mut status = row.status;
    if row.status == CaseStatus::WaitingOnCustomer {
        status = CaseStatus::InProgress;
        set_status_row(&mut tx, case_id, status, None, now).await?;
        insert_event(
            &mut tx,
            case_id,
            now,
            NewEvent::new(
                CaseEventKind::StatusChange,
                Some(&user.id),
                "The customer answered.",
            )
            .change(row.status.as_str(), status.as_str()),
        )
        .await?;
    }
    finish(
        tx,
        programs,
        &row,
        user,
        "case.comment",
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str(), "chars": body.chars().count() }),
        now,
    )
    .await
}

async fn set_status_row(
    conn: &mut AnyConnection,
    case_id: &str,
    status: CaseStatus,
    close_reason: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let closed_at = (status == CaseStatus::Closed).then_some(now);
    sqlx::query("UPDATE cases SET status = $2, closed_at = $3, close_reason = $4 WHERE id = $1")
        .bind(case_id)
        .bind(status.as_str())
        .bind(closed_at)
        .bind(close_reason.filter(|_| status == CaseStatus::Closed))
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
    Ok(())
}

/// Customers may raise a case's severity (a raise sticks), never lower it. Raising to Severity 1
/// needs a contact reachable at all times: the one given here, or the case's own.
#[allow(clippy::too_many_arguments)]
pub async fn raise_severity(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    severity: u8,
    reason: &str,
    contact_name: Option<&str>,
    contact_phone: Option<&str>,
) -> Result<(), AppError> {
    customer_org(user)?;
    let new = check_severity("severity", severity)?;
    let reason = required_text(
        "reason",
        reason,
        REASON_MAX,
        "why the severity must be raised",
    )?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status == CaseStatus::Closed {
        return Err(AppError::Conflict("This case is closed.".into()));
    }
    let current = severity_of(row.severity)?;
    if !new.is_raise_from(current) {
        return Err(AppError::invalid(
            "severity",
            format!(
                "You can only raise the severity: choose a level more severe than {current}. \
                 Lowering it is support's decision."
            ),
        ));
    }
    if new.get() == 1 {
        // Severity 1 needs someone reachable at all times; keep the one given at opening.
        let name = contact_name
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or(row.sev1_contact_name.clone());
        let phone = contact_phone
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or(row.sev1_contact_phone.clone());
        let name = required_text(
            "sev1_contact_name",
            name.as_deref().unwrap_or_default(),
            CONTACT_MAX,
            "the name of a contact available at all times",
        )?;
        let phone = check_phone(phone.as_deref().unwrap_or_default())?;
        sqlx::query(
            "UPDATE cases SET sev1_contact_name = $2, sev1_contact_phone = $3 WHERE id = $1",
        )
        .bind(case_id)
        .bind(&name)
        .bind(&phone)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    }
    change_severity(&mut tx, &row, user, new, &reason, now).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.raise_severity",
        json!({ "severity": row.severity }),
        json!({ "severity": new.get(), "reason": reason }),
        now,
    )
    .await
}

async fn change_severity(
    conn: &mut AnyConnection,
    row: &CaseRow,
    user: &CurrentUser,
    new: Severity,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET severity = $2 WHERE id = $1")
        .bind(&row.id)
        .bind(i64::from(new.get()))
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
    insert_event(
        conn,
        &row.id,
        now,
        NewEvent::new(CaseEventKind::SeverityChange, Some(&user.id), reason)
            .change(row.severity.to_string(), new.get().to_string()),
    )
    .await?;
    Ok(())
}

/// The customer accepts the resolution support proposed: the case closes.
pub async fn confirm_resolution(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status != CaseStatus::ResolutionProposed {
        return Err(AppError::Conflict(
            "Support has not proposed a resolution for this case.".into(),
        ));
    }
    set_status_row(
        &mut tx,
        case_id,
        CaseStatus::Closed,
        Some("Resolution confirmed by the customer."),
        now,
    )
    .await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::ResolutionConfirmed, Some(&user.id), "")
            .change(row.status.as_str(), CaseStatus::Closed.as_str()),
    )
    .await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.confirm_resolution",
        json!({ "status": row.status.as_str() }),
        json!({ "status": "closed" }),
        now,
    )
    .await
}

/// The customer refuses the proposed resolution: back in progress, with the reason.
pub async fn reopen_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let reason = required_text(
        "reason",
        reason,
        REASON_MAX,
        "why the problem is not solved",
    )?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status != CaseStatus::ResolutionProposed {
        return Err(AppError::Conflict(
            "Only a case with a proposed resolution can be reopened here.".into(),
        ));
    }
    set_status_row(&mut tx, case_id, CaseStatus::InProgress, None, now).await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::Reopened, Some(&user.id), &reason)
            .change(row.status.as_str(), CaseStatus::InProgress.as_str()),
    )
    .await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.reopen",
        json!({ "status": row.status.as_str() }),
        json!({ "status": "in_progress", "reason": reason }),
        now,
    )
    .await
}

/// The satisfaction survey of a closed case, answered once.
pub async fn submit_survey(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    rating: u8,
    comment: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    if !(1..=5).contains(&rating) {
        return Err(AppError::invalid("rating", "Choose a rating from 1 to 5."));
    }
    let comment = optional_text("comment", comment, REASON_MAX)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status != CaseStatus::Closed {
        return Err(AppError::Conflict(
            "The survey opens once the case is closed.".into(),
        ));
    }
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_surveys WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_db)?;
    if existing > 0 {
        return Err(AppError::Conflict(
            "The survey of this case was already answered.".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO case_surveys (case_id, rating, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(i64::from(rating))
    .bind(&comment)
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let mut e = NewEvent::new(CaseEventKind::Survey, Some(&user.id), &comment);
    e.new_value = Some(rating.to_string());
    insert_event(&mut tx, case_id, now, e).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.survey",
        json!(null),
        json!({ "rating": rating }),
        now,
    )
    .await
}

// ---- Support engineer actions ----

/// A public update (the customer sees it; it answers the initial-response clock and restarts the
/// update clock) or an internal note (staff only; no clock moves).
pub async fn support_update(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    body: &str,
    public: bool,
) -> Result<(), AppError> {
    require_staff(user)?;
    let body = required_text("body", body, BODY_MAX, "the update")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let kind = if public {
        CaseEventKind::SupportUpdate
    } else {
        CaseEventKind::InternalNote
    };
    if public && row.status == CaseStatus::Closed {
        return Err(AppError::Conflict(
            "This case is closed; reopen it before posting a public update.".into(),
        ));
    }
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(kind, Some(&user.id), &body),
    )
    .await?;
    let mut status = row.status;
    if public && row.status == CaseStatus::New {
        // Support has picked the case up.
        status = CaseStatus::InProgress;
        set_status_row(&mut tx, case_id, status, None, now).await?;
        insert_event(
            &mut tx,
            case_id,
            now,
            NewEvent::new(CaseEventKind::StatusChange, Some(&user.id), "")
                .change(row.status.as_str(), status.as_str()),
        )
        .await?;
    }
    let action = if public {
        "case.support_update"
    } else {
        "case.internal_note"
    };
    finish(
        tx,
        programs,
        &row,
        user,
        action,
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str(), "chars": body.chars().count() }),
        now,
    )
    .await
}

/// Moves a case along the support workflow.
pub async fn set_status(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    status: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let status: CaseStatus = status.trim().parse()?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if !row.status.support_transitions().contains(&status) {
        return Err(AppError::invalid(
            "status",
            format!(
                "A case that is {} cannot be moved to {}.",
                row.status.label().to_lowercase(),
                status.label().to_lowercase()
            ),
        ));
    }
    set_status_row(&mut tx, case_id, status, Some("Closed by support."), now).await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::StatusChange, Some(&user.id), "")
            .change(row.status.as_str(), status.as_str()),
    )
    .await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.status",
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str() }),
        now,
    )
    .await
}

/// Support sets the severity, up or down; support has the final say.
pub async fn set_severity(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    severity: u8,
    reason: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let new = check_severity("severity", severity)?;
    let reason = required_text("reason", reason, REASON_MAX, "the reason for the change")?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    if row.status == CaseStatus::Closed {
        return Err(AppError::Conflict("This case is closed.".into()));
    }
    if i64::from(new.get()) == row.severity {
        return Err(AppError::invalid(
            "severity",
            format!("The case already is {new}."),
        ));
    }
    change_severity(&mut tx, &row, user, new, &reason, now).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.set_severity",
        json!({ "severity": row.severity }),
        json!({ "severity": new.get(), "reason": reason }),
        now,
    )
    .await
}

/// "2026-12-01T14:30:00Z" (RFC 3339) or a `datetime-local` value ("2026-12-01T09:30") read in
/// the site's time zone.
pub fn parse_due(text: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let bad = || AppError::invalid("due", "Enter a date and time, e.g. 2026-12-01T09:30.");
    let local = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| bad())?;
    // In a DST gap the time does not exist; in an overlap take the earlier instant.
    tz.from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            AppError::invalid(
                "due",
                "That time does not exist at the site (clocks change); choose another.",
            )
        })
}

/// Support records the update date agreed with the customer (for "as agreed" severities);
/// an empty value clears it.
pub async fn set_agreed_update(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    due: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let now = now_ms();
    let (mut tx, row) = begin_locked(pool, user, case_id, now).await?;
    let due = if due.trim().is_empty() {
        None
    } else {
        let d = parse_due(due, parse_tz(&row.time_zone)?)?;
        if d.timestamp_millis() <= now {
            return Err(AppError::invalid("due", "Choose a time in the future."));
        }
        Some(d)
    };
    if due.is_some() && !update_as_agreed(programs, &row)? {
        return Err(AppError::invalid(
            "due",
            "This severity has a fixed update cadence; an agreed date does not apply.",
        ));
    }
    if row.status == CaseStatus::Closed {
        return Err(AppError::Conflict("This case is closed.".into()));
    }
    sqlx::query("UPDATE cases SET agreed_update_due = $2 WHERE id = $1")
        .bind(case_id)
        .bind(due.map(|d| d.timestamp_millis()))
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.agreed_update",
        json!({ "agreed_update_due": row.agreed_update_due }),
        json!({ "agreed_update_due": due.map(|d| d.timestamp_millis()) }),
        now,
    )
    .await
}

fn update_as_agreed(programs: &ProgramSet, row: &CaseRow) -> Result<bool, AppError> {
    let program = programs.program(&row.program_id).map_err(sla_error)?;
    let table = program
        .table_for(product_of(&row.product_line))
        .map_err(sla_error)?;
    Ok(table
        .rows
        .iter()
        .find(|r| i64::from(r.severity.get()) == row.severity)
        .is_some_and(|r| r.update.as_agreed))
}

// ---- Reads ----

fn summary(row: &CaseRow, now: DateTime<Utc>) -> Result<CaseSummary, AppError> {
    let next_deadline = opt_dt(row.next_deadline_at)?;
    let breach = next_deadline
        .filter(|_| row.status.is_open())
        .map(|d| sla::breach_state(d, now, chrono::Duration::minutes(DUE_SOON_MINUTES)));
    Ok(CaseSummary {
        id: row.id.clone(),
        number: row.number,
        number_label: case_number_label(row.number),
        subject: row.subject.clone(),
        organization_id: row.organization_id.clone(),
        organization_name: row.organization_name.clone(),
        site_id: row.site_id.clone(),
        site_name: row.site_name.clone(),
        site_tz: row.time_zone.clone(),
        array_id: row.array_id.clone(),
        array_name: row.array_name.clone(),
        severity: u8::try_from(row.severity).unwrap_or(4),
        status: row.status,
        opened_at: ms_to_dt(row.opened_at)?,
        updated_at: ms_to_dt(row.updated_at)?,
        closed_at: opt_dt(row.closed_at)?,
        initial_response_due: opt_dt(row.initial_response_due_at)?,
        initial_response_met_at: opt_dt(row.initial_response_met_at)?,
        next_update_due: opt_dt(row.next_update_due_at)?,
        next_deadline,
        breach,
        is_rca: row.rca_parent_case_id.is_some(),
    })
}

enum Arg {
    Text(String),
    Int(i64),
}

/// `%`, `_` and the escape character itself match literally.
fn like_pattern(search: &str) -> String {
    let mut p = String::with_capacity(search.len() + 2);
    p.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The case list's two statements (count and page) and their arguments; the page's two
/// arguments (limit, offset) come last.
pub(crate) struct ListStatements {
    pub count_sql: String,
    pub list_sql: String,
    args: Vec<Arg>,
}

impl ListStatements {
    fn bind_all<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
        with_page: bool,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        let n = if with_page {
            self.args.len()
        } else {
            self.args.len() - 2
        };
        for a in &self.args[..n] {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(n) => q.bind(*n),
            };
        }
        q
    }

    /// The database's plan for each statement (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
    /// `EXPLAIN`), one line per step, for the benchmark report.
    pub async fn explain(&self, pool: &AnyPool, postgres: bool) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        for (sql, with_page) in [(&self.count_sql, false), (&self.list_sql, true)] {
            out.push(format!("-- {sql}"));
            let explain = if postgres {
                format!("EXPLAIN {sql}")
            } else {
                format!("EXPLAIN QUERY PLAN {sql}")
            };
            let rows = self
                .bind_all(sqlx::query(&explain), with_page)
                .fetch_all(pool)
                .await
                .map_err(map_db)?;
            for r in rows {
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                use sqlx::Row;
                let line: String = r
                    .try_get("detail")
                    .or_else(|_| r.try_get(0))
                    .map_err(map_db)?;
                out.push(line);
            }
        }
        Ok(out)
    }
}

/// The cases the user may see, filtered, sorted and paginated.
pub async fn list_cases(
    pool: &AnyPool,
    user: &CurrentUser,
    query: &CaseListQuery,
) -> Result<CaseList, AppError> {
    let statements = list_statements(user, query)?;
    let total: i64 = statements
        .bind_all(sqlx::query(&statements.count_sql), false)
        .fetch_one(pool)
        .await
        .and_then(|r| sqlx::Row::try_get(&r, 0))
        .map_err(map_db)?;
    let rows = statements
        .bind_all(sqlx::query(&statements.list_sql), true)
        .fetch_all(pool)
        .await
        .map_err(map_db)?;
    let now = Utc::now();
    let rows = rows
        .iter()
        .map(|r| case_row(r).and_then(|c| summary(&c, now)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseList {
        rows,
        now,
        total,
        page: query.page.max(1),
        page_size: query.page_size.clamp(1, 100),
    })
}

pub(crate) fn list_statements(
    user: &CurrentUser,
    query: &CaseListQuery,
) -> Result<ListStatements, AppError> {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let arg = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    if !user.role.is_staff() {
        let org = customer_org(user)?;
        let p = arg(&mut args, Arg::Text(org.to_string()));
        conds.push(format!("c.organization_id = {p}"));
    }
    match query.status {
        StatusFilter::Open => conds.push("c.status <> 'closed'".into()),
        StatusFilter::Closed => conds.push("c.status = 'closed'".into()),
        StatusFilter::All => {}
        StatusFilter::Only(s) => {
            let p = arg(&mut args, Arg::Text(s.as_str().into()));
            conds.push(format!("c.status = {p}"));
        }
    }
    if let Some(sev) = query.severity {
        let p = arg(&mut args, Arg::Int(i64::from(sev)));
        conds.push(format!("c.severity = {p}"));
    }
    if let Some(site) = &query.site_id {
        let p = arg(&mut args, Arg::Text(site.clone()));
        conds.push(format!("c.site_id = {p}"));
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = arg(&mut args, Arg::Text(like_pattern(search)));
        let mut cond = format!("LOWER(c.subject) LIKE {p} ESCAPE '\\'");
        if let Some(n) = parse_case_number(search) {
            let q = arg(&mut args, Arg::Int(n));
            cond = format!("({cond} OR c.number = {q})");
        }
        conds.push(cond);
    }
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    // Cases without a pending deadline sort after those with one, on both backends. The
    // partial indexes of migration 0009 are built on this very expression: keep them in step.
    let by_deadline =
        "CASE WHEN c.next_deadline_at IS NULL THEN 1 ELSE 0 END, c.next_deadline_at, c.number";
    let order = match query.sort {
        CaseSort::NextDeadline => by_deadline.to_string(),
        CaseSort::OpenedDesc => "c.opened_at DESC, c.number DESC".to_string(),
        CaseSort::Severity => format!("c.severity, {by_deadline}"),
    };
    let page_size = query.page_size.clamp(1, 100);
    let page = query.page.max(1);
    let limit = arg(&mut args, Arg::Int(i64::from(page_size)));
    let offset = arg(
        &mut args,
        Arg::Int(i64::from(page - 1) * i64::from(page_size)),
    );

    let count_sql = format!("SELECT COUNT(*) FROM cases c{where_sql}");
    let list_sql =
        format!("{CASE_SELECT}{where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    Ok(ListStatements {
        count_sql,
        list_sql,
        args,
    })
}

async fn link(conn: &mut AnyConnection, sql: &str, id: &str) -> Result<Option<CaseLink>, AppError> {
    let row = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_db)?;
    row.map(|r| {
        let status: String = col(&r, "status")?;
        Ok(CaseLink {
            id: col(&r, "id")?,
            number_label: case_number_label(col(&r, "number")?),
            subject: col(&r, "subject")?,
            status: status
                .parse()
                .map_err(|_| AppError::Internal(format!("stored status {status:?}")))?,
        })
    })
    .transpose()
}

/// The case page, filtered for the viewer. Unknown and foreign ids are both "not found".
pub async fn case_detail(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
) -> Result<CaseDetail, AppError> {
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let Some(row) = load_case(&mut conn, case_id).await? else {
        return Err(not_found());
    };
    if !can_see(user, &row) {
        return Err(not_found());
    }
    let c = compute(&mut conn, programs, case_id).await?;
    let row = c.row.clone();
    let now = Utc::now();
    let mut summary = summary(&row, now)?;
    // The live computation wins over the cache (e.g. programs changed since the last write).
    summary.initial_response_due = c.deadlines.initial_response_due;
    summary.initial_response_met_at = c.deadlines.initial_response_met_at;
    summary.next_update_due = c.deadlines.next_update_due;
    summary.next_deadline = c.next_deadline();
    summary.breach = summary
        .next_deadline
        .filter(|_| row.status.is_open())
        .map(|d| sla::breach_state(d, now, chrono::Duration::minutes(DUE_SOON_MINUTES)));

    let staff = user.role.is_staff();
    let timeline: Vec<CaseEvent> = c
        .events
        .iter()
        .map(|e| e.event.clone())
        .filter(|e| staff || e.public)
        .collect();
    let survey = sqlx::query("SELECT rating, comment, at FROM case_surveys WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_db)?
        .map(|r| -> Result<CaseSurvey, AppError> {
            Ok(CaseSurvey {
                rating: u8::try_from(col::<i64>(&r, "rating")?).unwrap_or(0),
                comment: col(&r, "comment")?,
                at: ms_to_dt(col(&r, "at")?)?,
            })
        })
        .transpose()?;
    let rca_parent = match &row.rca_parent_case_id {
        Some(p) => {
            link(
                &mut conn,
                "SELECT id, number, subject, status FROM cases WHERE id = $1",
                p,
            )
            .await?
        }
        None => None,
    };
    let rca_follow_up = link(
        &mut conn,
        "SELECT id, number, subject, status FROM cases WHERE rca_parent_case_id = $1",
        case_id,
    )
    .await?;
    let customer = !staff && customer_org(user).is_ok();
    let open = row.status.is_open();
    let proposed = row.status == CaseStatus::ResolutionProposed;
    Ok(CaseDetail {
        description: row.description.clone(),
        business_impact: row.business_impact.clone(),
        sev1_contact: match (&row.sev1_contact_name, &row.sev1_contact_phone) {
            (Some(name), Some(phone)) => Some(Sev1Contact {
                name: name.clone(),
                phone: phone.clone(),
            }),
            _ => None,
        },
        agreed_update_due: opt_dt(row.agreed_update_due)?,
        close_reason: row.close_reason.clone(),
        update_as_agreed: update_as_agreed(programs, &row)?,
        facts: c.facts,
        deadlines: c.deadlines,
        timeline,
        attachments: crate::server::attachments::list(&mut *conn, case_id).await?,
        can_comment: customer && open,
        can_raise: customer && open && row.severity > 1,
        can_confirm: customer && proposed,
        can_reopen: customer && proposed,
        can_survey: customer && !open && survey.is_none(),
        survey,
        rca_parent,
        rca_follow_up,
        is_staff: staff,
        allowed_statuses: if staff {
            row.status.support_transitions().to_vec()
        } else {
            Vec::new()
        },
        summary,
        now,
    })
}

/// How to get support back for a lapsed array, or why it cannot be.
pub fn reinstatement_message(contract_end: NaiveDate, state: &EntitlementState) -> Option<String> {
    match state {
        EntitlementState::Active => None,
        EntitlementState::Lapsed {
            reinstatable_until,
            fees_waivable_until,
        } => {
            let mut m = format!(
                "Support for this array ended on {contract_end}. Contact your account team to \
                 reinstate it"
            );
            if let Some(u) = reinstatable_until {
                m.push_str(&format!(" (possible until {u})"));
            }
            m.push('.');
            if let Some(f) = fees_waivable_until {
                m.push_str(&format!(
                    " Reinstatement fees may be waived if you do so by {f}."
                ));
            }
            m.push_str(" Until then, cases cannot be opened for it.");
            Some(m)
        }
        EntitlementState::Expired => Some(format!(
            "Support for this array ended on {contract_end} and can no longer be reinstated. \
             Contact your account team about a new support contract."
        )),
    }
}

/// What the open-case form offers the caller: their organization's sites and arrays.
pub async fn open_case_form(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
) -> Result<OpenCaseForm, AppError> {
    let org = customer_org(user)?;
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let rows = sqlx::query(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone, \
                CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
                a.id AS array_id, a.name AS array_name, a.serial, a.product_line, a.program_id, \
                a.plan_id, a.contract_end \
         FROM sites s JOIN arrays a ON a.site_id = s.id \
         WHERE s.organization_id = $1 ORDER BY s.name, a.name",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    let mut sites: Vec<OpenCaseSite> = Vec::new();
    for r in &rows {
        let site_id: String = col(r, "site_id")?;
        if sites.last().is_none_or(|s| s.id != site_id) {
            let holidays = site_holidays(&mut conn, &site_id).await?;
            sites.push(OpenCaseSite {
                id: site_id,
                name: col(r, "site_name")?,
                time_zone: col(r, "time_zone")?,
                bcs: col::<i64>(r, "bcs")? != 0,
                holidays,
                arrays: Vec::new(),
            });
        }
        let Some(site) = sites.last_mut() else {
            continue;
        };
        let tz = parse_tz(&site.time_zone)?;
        let today = Utc::now().with_timezone(&tz).date_naive();
        let program_id: String = col(r, "program_id")?;
        let plan_id: String = col(r, "plan_id")?;
        let product_line: String = col(r, "product_line")?;
        let product = product_of(&product_line);
        let contract_end: String = col(r, "contract_end")?;
        let contract_end = NaiveDate::parse_from_str(&contract_end, "%Y-%m-%d")
            .map_err(|_| AppError::Internal(format!("stored contract end {contract_end:?}")))?;
        let program = programs.program(&program_id).map_err(sla_error)?;
        let plan = program.plan(&plan_id).map_err(sla_error)?;
        let entitlement = sla::entitlement_on(program, contract_end, today);
        let mut severities: Vec<SeverityOption> = program
            .table_for(product)
            .map_err(sla_error)?
            .rows
            .iter()
            .map(|row| SeverityOption {
                severity: row.severity.get(),
                name: row.name.clone(),
                definition: row.definition.clone(),
            })
            .collect();
        severities.sort_by_key(|s| s.severity);
        site.arrays.push(OpenCaseArray {
            id: col(r, "array_id")?,
            name: col(r, "array_name")?,
            serial: col(r, "serial")?,
            product_line,
            product,
            program_id,
            program_name: program.name.clone(),
            plan_id,
            plan_name: plan.name.clone(),
            contract_end,
            support_active: entitlement == EntitlementState::Active,
            reinstatement_message: reinstatement_message(contract_end, &entitlement),
            entitlement,
            severities,
        });
    }
    Ok(OpenCaseForm {
        sites,
        programs: programs.clone(),
        now: Utc::now(),
    })
}
