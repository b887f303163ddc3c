//! The SQL of cases, one function per statement. The services call them in the order their
//! transactions need (the statement that takes the case's row lock always first).
use super::open::Opening;
use super::timeline::NewEvent;
use crate::model::case::{CaseEventKind, CaseStatus};
use crate::model::AppError;
use crate::server::access::OrgOwned;
use crate::server::rows::{Flag, Millis};
use sqlx::AnyConnection;

// ---- The case ----

/// A case with what it needs from its site, array and organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub id: String,
    pub number: i64,
    pub organization_id: String,
    pub organization_name: String,
    pub site_id: String,
    pub site_name: String,
    pub time_zone: String,
    #[sqlx(try_from = "i64")]
    pub bcs: Flag,
    pub array_id: String,
    pub array_name: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub severity: i64,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub sev1_contact_name: Option<String>,
    pub sev1_contact_phone: Option<String>,
    pub conversation_id: Option<String>,
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
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
}

impl OrgOwned for CaseRow {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }
}

/// Selects `CaseRow`s; the list appends its own filter, order and page.
pub(super) const CASE_SELECT: &str = "SELECT c.id, c.number, c.organization_id, o.name AS organization_name, \
        c.site_id, s.name AS site_name, s.time_zone, CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
        c.array_id, a.name AS array_name, a.product_line, a.program_id, a.plan_id, \
        c.subject, c.description, c.business_impact, c.severity, c.status, \
        c.sev1_contact_name, c.sev1_contact_phone, c.conversation_id, c.agreed_update_due, \
        c.opened_at, c.updated_at, c.closed_at, c.close_reason, c.rca_parent_case_id, \
        c.initial_response_due_at, c.initial_response_met_at, c.next_update_due_at, c.next_deadline_at, \
        c.owner_id, ow.name AS owner_name \
     FROM cases c \
     JOIN organizations o ON o.id = c.organization_id \
     JOIN sites s ON s.id = c.site_id \
     JOIN arrays a ON a.id = c.array_id \
     LEFT JOIN users ow ON ow.id = c.owner_id";

pub(crate) async fn load_case(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<CaseRow>, AppError> {
    let sql = format!("{CASE_SELECT} WHERE c.id = $1");
    Ok(sqlx::query_as::<_, CaseRow>(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The lock every change of a case takes first (see `tx::begin_locked`; alerts, Remote Assist
/// and replacements take it too before they write to a case): how many rows it locked, 0 for
/// an unknown case.
pub(crate) async fn lock_case(
    conn: &mut AnyConnection,
    case_id: &str,
    now: i64,
) -> Result<u64, AppError> {
    Ok(
        sqlx::query("UPDATE cases SET version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(case_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// The row lock without a change, for a rebuild of the cached deadlines.
pub(super) async fn lock_case_unchanged(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<u64, AppError> {
    Ok(
        sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1")
            .bind(case_id)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

pub(super) async fn count_follow_ups(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE rca_parent_case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Writes the deadlines cached on the case row, in `deadlines::cached_columns` order.
pub(super) async fn store_deadlines(
    conn: &mut AnyConnection,
    case_id: &str,
    [ir_due, ir_met, update_due, next, job]: [Option<i64>; 5],
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE cases SET initial_response_due_at = $2, initial_response_met_at = $3, \
                next_update_due_at = $4, next_deadline_at = $5, job_due_at = $6, \
                due_key = COALESCE($5, 9223372036854775807) \
         WHERE id = $1",
    )
    .bind(case_id)
    .bind(ir_due)
    .bind(ir_met)
    .bind(update_due)
    .bind(next)
    .bind(job)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn set_status_row(
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
        .await?;
    Ok(())
}

pub(super) async fn set_severity_row(
    conn: &mut AnyConnection,
    case_id: &str,
    severity: u8,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET severity = $2 WHERE id = $1")
        .bind(case_id)
        .bind(i64::from(severity))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn set_sev1_contact(
    conn: &mut AnyConnection,
    case_id: &str,
    name: &str,
    phone: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET sev1_contact_name = $2, sev1_contact_phone = $3 WHERE id = $1")
        .bind(case_id)
        .bind(name)
        .bind(phone)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn set_conversation_id(
    conn: &mut AnyConnection,
    case_id: &str,
    conversation_id: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET conversation_id = $2 WHERE id = $1")
        .bind(case_id)
        .bind(conversation_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn set_owner(
    conn: &mut AnyConnection,
    case_id: &str,
    owner_id: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET owner_id = $2 WHERE id = $1")
        .bind(case_id)
        .bind(owner_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn set_agreed_update_due(
    conn: &mut AnyConnection,
    case_id: &str,
    due: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET agreed_update_due = $2 WHERE id = $1")
        .bind(case_id)
        .bind(due)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- A new case ----

/// The next case number, taken inside the creating transaction: concurrent creators wait on the
/// counter row, and a rolled-back creation gives its number back.
pub(crate) async fn next_case_number(conn: &mut AnyConnection) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar(
            "UPDATE case_counter SET value = value + 1 WHERE id = 1 RETURNING value",
        )
        .fetch_one(&mut *conn)
        .await?,
    )
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

/// The case row, with its cached deadlines in `deadlines::cached_columns` order and how it came
/// in (`open::Opening`).
pub(super) async fn insert_case_row(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
    [ir_due, ir_met, update_due, next, job]: [Option<i64>; 5],
    opening: &Opening<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO cases (id, number, organization_id, site_id, array_id, opened_by, subject, \
             description, business_impact, severity, status, sev1_contact_name, sev1_contact_phone, \
             opened_at, updated_at, rca_parent_case_id, opened_from_alert, \
             initial_response_due_at, initial_response_met_at, next_update_due_at, \
             next_deadline_at, job_due_at, due_key, channel, logged_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'new', $11, $12, $13, $13, $14, $15, \
             $16, $17, $18, $19, $20, COALESCE($19, 9223372036854775807), $21, $22)",
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
    .bind(opening.channel.as_str())
    .bind(opening.logged_by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a new case's row takes from its organization, site and array, once per holiday of the
/// site (`day`; one row with no day when it has none).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct NewCasePlace {
    pub organization_name: String,
    pub site_name: String,
    pub time_zone: String,
    #[sqlx(try_from = "i64")]
    pub bcs: Flag,
    pub array_name: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub day: Option<String>,
}

pub(super) async fn new_case_place(
    conn: &mut AnyConnection,
    c: &CaseInsert<'_>,
) -> Result<Vec<NewCasePlace>, AppError> {
    Ok(sqlx::query_as::<_, NewCasePlace>(
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
    .await?)
}

/// The array a customer opens a case on, with what decides whether they may.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct CaseArray {
    pub site_id: String,
    pub program_id: String,
    pub contract_end: String,
    pub organization_id: String,
    pub time_zone: String,
}

pub(super) async fn case_array(
    pool: &sqlx::AnyPool,
    array_id: &str,
) -> Result<Option<CaseArray>, AppError> {
    Ok(sqlx::query_as::<_, CaseArray>(
        "SELECT a.id, a.site_id, a.program_id, a.contract_end, s.organization_id, s.time_zone \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(pool)
    .await?)
}

// ---- The timeline ----

/// One timeline entry as stored, with its author.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct EventRecord {
    pub id: String,
    #[sqlx(try_from = "i64")]
    pub at: Millis,
    #[sqlx(try_from = "String")]
    pub kind: CaseEventKind,
    pub body: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    #[sqlx(try_from = "i64")]
    pub public: Flag,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
}

pub(super) async fn event_records(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<EventRecord>, AppError> {
    Ok(sqlx::query_as::<_, EventRecord>(
        "SELECT e.id, e.at, e.kind, e.body, e.old_value, e.new_value, \
                CASE WHEN e.public THEN 1 ELSE 0 END AS public, \
                u.name AS actor_name, u.role AS actor_role \
         FROM case_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.case_id = $1 ORDER BY e.seq",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub(super) async fn next_event_seq(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub(super) async fn insert_event_row(
    conn: &mut AnyConnection,
    id: &str,
    case_id: &str,
    seq: i64,
    at: i64,
    e: &NewEvent<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO case_events (id, case_id, seq, at, actor_user_id, kind, body, old_value, new_value, public) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(case_id)
    .bind(seq)
    .bind(at)
    .bind(e.actor)
    .bind(e.kind.as_str())
    .bind(e.body)
    .bind(e.old_value.clone())
    .bind(e.new_value.clone())
    .bind(e.public)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- The site and the survey ----

/// The site's holidays as stored ("YYYY-MM-DD"), in order.
pub(super) async fn holiday_days(
    conn: &mut AnyConnection,
    site_id: &str,
) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT day FROM site_holidays WHERE site_id = $1 ORDER BY day")
            .bind(site_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

pub(super) async fn count_surveys(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM case_surveys WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub(super) async fn insert_survey(
    conn: &mut AnyConnection,
    case_id: &str,
    rating: u8,
    comment: &str,
    user_id: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO case_surveys (case_id, rating, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case_id)
    .bind(i64::from(rating))
    .bind(comment)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
