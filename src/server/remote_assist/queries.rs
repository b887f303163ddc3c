//! The SQL of Remote Assist, one function per statement. The services call them in the order
//! their transactions need (the conditional update that claims a session always first).
use crate::model::case::CaseEventKind;
use crate::model::remote_assist::{EndReason, SessionState};
use crate::model::AppError;
use crate::server::cases::{insert_event, lock_case, NewEvent};
use crate::server::rows::{Flag, Millis};
use sqlx::{AnyConnection, AnyPool};

/// A session as stored, with the names the page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct SessionRow {
    pub id: String,
    pub array_id: String,
    pub array_name: String,
    pub organization_id: String,
    pub organization_name: String,
    pub time_zone: String,
    pub case_id: Option<String>,
    pub case_number: Option<i64>,
    pub case_subject: Option<String>,
    pub requested_by_name: String,
    pub reason: String,
    #[sqlx(try_from = "String")]
    pub state: SessionState,
    pub requested_hours: i64,
    pub requested_at: i64,
    pub started_at: Option<i64>,
    pub deadline_at: i64,
    pub ended_at: Option<i64>,
    pub ended_by_name: Option<String>,
    /// Stored text (`Option` cannot take `try_from`); the table's CHECK keeps it one of
    /// `EndReason`'s spellings, read with `end_reason()`.
    end_reason: Option<String>,
    pub extensions: i64,
}

impl SessionRow {
    pub fn end_reason(&self) -> Result<Option<EndReason>, AppError> {
        self.end_reason.as_deref().map(str::parse).transpose()
    }
}

const SESSION_SELECT: &str = "SELECT r.id, r.array_id, a.name AS array_name, r.organization_id, \
        o.name AS organization_name, s.time_zone, r.case_id, c.number AS case_number, \
        c.subject AS case_subject, u.name AS requested_by_name, r.reason, r.state, \
        r.requested_hours, r.requested_at, r.started_at, r.deadline_at, r.ended_at, \
        e.name AS ended_by_name, r.end_reason, r.extensions \
     FROM remote_assist_sessions r \
     JOIN arrays a ON a.id = r.array_id \
     JOIN sites s ON s.id = a.site_id \
     JOIN organizations o ON o.id = r.organization_id \
     JOIN users u ON u.id = r.requested_by \
     LEFT JOIN cases c ON c.id = r.case_id \
     LEFT JOIN users e ON e.id = r.ended_by_user";

pub(super) async fn load_session(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SessionRow>, AppError> {
    let sql = format!("{SESSION_SELECT} WHERE r.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The organization's sessions that are not over (every organization's for an empty filter).
pub(super) async fn open_sessions(
    pool: &AnyPool,
    filter: &str,
) -> Result<Vec<SessionRow>, AppError> {
    let sql = format!(
        "{SESSION_SELECT} WHERE r.state <> 'ended' AND ($1 = '' OR r.organization_id = $1)"
    );
    Ok(sqlx::query_as(&sql).bind(filter).fetch_all(pool).await?)
}

/// The organization's latest ended sessions, newest first (every organization's for an empty
/// filter).
pub(super) async fn ended_sessions(
    pool: &AnyPool,
    filter: &str,
    limit: i64,
) -> Result<Vec<SessionRow>, AppError> {
    let sql = format!(
        "{SESSION_SELECT} WHERE r.state = 'ended' AND ($1 = '' OR r.organization_id = $1) \
         ORDER BY r.ended_at DESC, r.id LIMIT $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(filter)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn audit(
    conn: &mut AnyConnection,
    organization_id: &str,
    actor: Option<&str>,
    action: &str,
    session_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: i64,
) -> Result<(), AppError> {
    crate::server::audit::record(
        conn,
        crate::server::audit::AuditEntry {
            organization_id: Some(organization_id),
            actor,
            action,
            entity: "remote_assist_session",
            entity_id: session_id,
            before,
            after,
            at,
        },
    )
    .await
}

/// Adds a 'remote_assist' entry to the linked case's timeline. Locks the case row first, as
/// every case writer does, so the event's sequence number cannot be taken twice; the version bump
/// makes a case job that read the case before this change skip it and look again next run.
pub(super) async fn case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: Option<&str>,
    body: &str,
    new_state: SessionState,
    at: i64,
) -> Result<(), AppError> {
    lock_case(conn, case_id, at).await?;
    let mut e = NewEvent::new(CaseEventKind::RemoteAssist, actor, body);
    e.new_value = Some(new_state.as_str().to_string());
    insert_event(conn, case_id, at, e).await?;
    Ok(())
}

// ---- Request ----

/// The array a session is requested on.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct RequestedArray {
    pub name: String,
    pub site_id: String,
    pub organization_id: String,
    pub time_zone: String,
    #[sqlx(try_from = "i64")]
    pub connected: Flag,
}

pub(super) async fn requested_array(
    pool: &AnyPool,
    array_id: &str,
) -> Result<Option<RequestedArray>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name, a.site_id, s.organization_id, s.time_zone, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(pool)
    .await?)
}

/// The case a request links to.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct LinkedCaseRow {
    pub organization_id: String,
    pub status: String,
}

pub(super) async fn linked_case(
    pool: &AnyPool,
    case_id: &str,
) -> Result<Option<LinkedCaseRow>, AppError> {
    Ok(
        sqlx::query_as("SELECT organization_id, status FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// A new session's stored values.
pub(super) struct SessionInsert<'a> {
    pub id: &'a str,
    pub array_id: &'a str,
    pub organization_id: &'a str,
    pub case_id: Option<&'a str>,
    pub requested_by: &'a str,
    pub reason: &'a str,
    pub state: SessionState,
    pub requested_hours: i64,
    pub requested_at: i64,
    pub started_at: Option<i64>,
    pub deadline_at: i64,
}

/// The raw error is returned so the caller can tell the one-open-session-per-array index's
/// refusal from other failures.
pub(super) async fn insert_session(
    conn: &mut AnyConnection,
    s: &SessionInsert<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO remote_assist_sessions (id, array_id, organization_id, case_id, requested_by, \
             reason, state, requested_hours, requested_at, started_at, deadline_at, extensions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0)",
    )
    .bind(s.id)
    .bind(s.array_id)
    .bind(s.organization_id)
    .bind(s.case_id)
    .bind(s.requested_by)
    .bind(s.reason)
    .bind(s.state.as_str())
    .bind(s.requested_hours)
    .bind(s.requested_at)
    .bind(s.started_at)
    .bind(s.deadline_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Claims: conditional updates, each the first statement of its transaction ----

/// Opens a requested session that has not timed out; the number of rows changed (0 or 1).
pub(super) async fn claim_start(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    deadline: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE remote_assist_sessions SET state = 'active', started_at = $2, deadline_at = $3, \
             version = version + 1 \
         WHERE id = $1 AND state = 'requested' AND deadline_at > $2",
    )
    .bind(id)
    .bind(now)
    .bind(deadline)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Counts an extension of a live, active session (and locks it); rows changed (0 or 1).
pub(super) async fn claim_extension(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE remote_assist_sessions SET extensions = extensions + 1, version = version + 1 \
         WHERE id = $1 AND state = 'active' AND deadline_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Locks a live, active session without changing it; rows changed (0 or 1).
pub(super) async fn lock_active(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE remote_assist_sessions SET version = version + 1 \
         WHERE id = $1 AND state = 'active' AND deadline_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Ends a session whose deadline is at or before `at`, at its deadline; rows changed (0 or 1).
pub(super) async fn claim_time_out(
    conn: &mut AnyConnection,
    id: &str,
    at: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE remote_assist_sessions SET state = 'ended', ended_at = deadline_at, \
             ended_by_user = NULL, end_reason = 'timed_out', version = version + 1 \
         WHERE id = $1 AND state <> 'ended' AND deadline_at <= $2",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Ends a session that is not over yet, now; rows changed (0 or 1).
pub(super) async fn claim_end(
    conn: &mut AnyConnection,
    id: &str,
    at: i64,
    actor: Option<&str>,
    reason: EndReason,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE remote_assist_sessions SET state = 'ended', ended_at = $2, ended_by_user = $3, \
             end_reason = $4, version = version + 1 \
         WHERE id = $1 AND state <> 'ended'",
    )
    .bind(id)
    .bind(at)
    .bind(actor)
    .bind(reason.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

// ---- After a claim ----

pub(super) async fn deadline_of(conn: &mut AnyConnection, id: &str) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT deadline_at FROM remote_assist_sessions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub(super) async fn set_deadline(
    conn: &mut AnyConnection,
    id: &str,
    deadline: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE remote_assist_sessions SET deadline_at = $2 WHERE id = $1")
        .bind(id)
        .bind(deadline)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn has_joined(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
) -> Result<bool, AppError> {
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM remote_assist_participants WHERE session_id = $1 AND user_id = $2",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(already > 0)
}

pub(super) async fn insert_participant(
    conn: &mut AnyConnection,
    session_id: &str,
    user_id: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO remote_assist_participants (session_id, user_id, joined_at) VALUES ($1, $2, $3)",
    )
    .bind(session_id)
    .bind(user_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- The overview's other reads ----

/// An engineer who joined a session.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ParticipantRow {
    pub session_id: String,
    pub user_id: String,
    pub name: String,
    #[sqlx(try_from = "i64")]
    pub joined_at: Millis,
}

/// Who joined which of `ids`, in joining order.
pub(super) async fn participants_of(
    pool: &AnyPool,
    ids: &[String],
) -> Result<Vec<ParticipantRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT p.session_id, p.user_id, u.name, p.joined_at \
         FROM remote_assist_participants p JOIN users u ON u.id = p.user_id \
         WHERE p.session_id IN ({}) ORDER BY p.joined_at, u.name",
        marks.join(", ")
    );
    let mut q = sqlx::query_as(&sql);
    for id in ids {
        q = q.bind(id.as_str());
    }
    Ok(q.fetch_all(pool).await?)
}

/// An array on the overview.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ArrayRow {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub serial: String,
    pub organization_name: String,
    pub site_name: String,
    pub time_zone: String,
    #[sqlx(try_from = "i64")]
    pub connected: Flag,
}

/// The organization's arrays (every organization's for an empty filter).
pub(super) async fn arrays(pool: &AnyPool, filter: &str) -> Result<Vec<ArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.site_id, a.name, a.serial, o.name AS organization_name, \
                s.name AS site_name, s.time_zone, CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id \
         JOIN organizations o ON o.id = s.organization_id \
         WHERE ($1 = '' OR s.organization_id = $1) \
         ORDER BY o.name, s.name, a.name",
    )
    .bind(filter)
    .fetch_all(pool)
    .await?)
}

/// An open case the request form offers to link.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct CaseChoiceRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub array_name: String,
}

pub(super) async fn open_cases(
    pool: &AnyPool,
    organization_id: &str,
) -> Result<Vec<CaseChoiceRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.number, c.subject, a.name AS array_name FROM cases c \
         JOIN arrays a ON a.id = c.array_id \
         WHERE c.organization_id = $1 AND c.status <> 'closed' \
         ORDER BY c.number DESC LIMIT 200",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?)
}

// ---- The time-out job ----

/// Sessions (or unstarted requests) past their deadline, earliest first, at most `limit`.
pub(super) async fn due_sessions(
    pool: &AnyPool,
    at: i64,
    limit: i64,
) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM remote_assist_sessions WHERE state <> 'ended' AND deadline_at <= $1 \
         ORDER BY deadline_at LIMIT $2",
    )
    .bind(at)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
