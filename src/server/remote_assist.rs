//! Remote Assist sessions: who may open, start, join, extend and end one, each change written
//! with its audit entry (and the linked case's timeline event) in one transaction.
//!
//! "Only one session per array" is the database's partial unique index
//! (`remote_assist_one_open_per_array`), so it holds with any number of app instances; this
//! module only turns its violation into a message. State changes are conditional updates
//! (`WHERE state = ...`), which are also each transaction's first statement: on SQLite that takes
//! the write lock before any read, on PostgreSQL the row lock, so a user and the expiry job (or
//! two instances) never both act on one session.
use crate::model::case::{case_number_label, CaseEventKind, CaseStatus};
use crate::model::remote_assist::{
    CaseChoice, EndReason, LinkedCase, Participant, RaArray, RaSession, RemoteAssistOverview,
    SessionState, HISTORY_LIMIT, MAX_HOURS, REASON_MAX,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::auth::map_db;
use crate::server::cases::{insert_event, NewEvent};
use crate::server::db::{col, ms_to_dt};
use crate::server::ids::{new_id, now_ms};
use crate::server::notifications;
use crate::sla::explain::fmt_local;
use chrono::Utc;
use chrono_tz::Tz;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool};

const HOUR_MS: i64 = 3_600_000;

fn session_not_found() -> AppError {
    AppError::NotFound("Remote Assist session".into())
}

fn array_not_found() -> AppError {
    AppError::NotFound("Array".into())
}

/// The message the one-open-session-per-array index stands behind.
pub const ALREADY_ACTIVE: &str = "A Remote Assist session is already active on this array.";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

// ---- Who may do what ----

/// A customer's designated contact (any role) and their organization; staff get `None`.
fn viewer_org(user: &CurrentUser) -> Result<Option<&str>, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::SupportEngineer, _) => Ok(None),
        (Role::Admin | Role::AuthorizedCaller | Role::BackupContact, Some(org)) => Ok(Some(org)),
        _ => Err(AppError::Forbidden),
    }
}

/// The organization's admins and backup contacts request, extend and end sessions: the
/// guides' "local administrator". Authorized callers only watch.
fn is_local_admin(user: &CurrentUser, organization_id: &str) -> bool {
    matches!(user.role, Role::Admin | Role::BackupContact)
        && user.organization_id.as_deref() == Some(organization_id)
}

/// Starting the link on a backup contact's request is the admin's decision alone.
fn is_org_admin(user: &CurrentUser, organization_id: &str) -> bool {
    user.role == Role::Admin && user.organization_id.as_deref() == Some(organization_id)
}

fn can_see(user: &CurrentUser, organization_id: &str) -> bool {
    user.role.is_staff() || user.organization_id.as_deref() == Some(organization_id)
}

// ---- Rows ----

/// A session as stored, with the names the page shows.
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
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
    pub state: SessionState,
    pub requested_hours: i64,
    pub requested_at: i64,
    pub started_at: Option<i64>,
    pub deadline_at: i64,
    pub ended_at: Option<i64>,
    pub ended_by_name: Option<String>,
    pub end_reason: Option<EndReason>,
    pub extensions: i64,
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

fn session_row(row: &AnyRow) -> Result<SessionRow, AppError> {
    let state: String = col(row, "state")?;
    let end_reason: Option<String> = col(row, "end_reason")?;
    Ok(SessionRow {
        id: col(row, "id")?,
        array_id: col(row, "array_id")?,
        array_name: col(row, "array_name")?,
        organization_id: col(row, "organization_id")?,
        organization_name: col(row, "organization_name")?,
        time_zone: col(row, "time_zone")?,
        case_id: col(row, "case_id")?,
        case_number: col(row, "case_number")?,
        case_subject: col(row, "case_subject")?,
        requested_by_name: col(row, "requested_by_name")?,
        reason: col(row, "reason")?,
        state: state.parse()?,
        requested_hours: col(row, "requested_hours")?,
        requested_at: col(row, "requested_at")?,
        started_at: col(row, "started_at")?,
        deadline_at: col(row, "deadline_at")?,
        ended_at: col(row, "ended_at")?,
        ended_by_name: col(row, "ended_by_name")?,
        end_reason: end_reason.as_deref().map(str::parse).transpose()?,
        extensions: col(row, "extensions")?,
    })
}

pub(crate) async fn load_session(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SessionRow>, AppError> {
    let sql = format!("{SESSION_SELECT} WHERE r.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_db)?;
    row.as_ref().map(session_row).transpose()
}

/// The session if the user may see it; unknown and foreign ids are both "not found".
async fn visible_session(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
) -> Result<SessionRow, AppError> {
    viewer_org(user)?;
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let row = load_session(&mut conn, id.trim())
        .await?
        .ok_or_else(session_not_found)?;
    if !can_see(user, &row.organization_id) {
        return Err(session_not_found());
    }
    Ok(row)
}

#[allow(clippy::too_many_arguments)]
async fn audit(
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
async fn case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: Option<&str>,
    body: &str,
    new_state: SessionState,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cases SET version = version + 1, updated_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
    let mut e = NewEvent::new(CaseEventKind::RemoteAssist, actor, body);
    e.new_value = Some(new_state.as_str().to_string());
    insert_event(conn, case_id, at, e).await?;
    Ok(())
}

fn local(ms: i64, tz: &str) -> Result<String, AppError> {
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    Ok(fmt_local(ms_to_dt(ms)?, zone))
}

fn started_body(array_name: &str, hours: i64, deadline: i64, tz: &str) -> Result<String, AppError> {
    Ok(format!(
        "Remote Assist session started on {array_name} for {hours} h; it ends by itself at {}.",
        local(deadline, tz)?
    ))
}

// ---- Customer: request ----

/// What the request form submits (hours already parsed by the server function).
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub array_id: String,
    /// Empty for none.
    pub case_id: String,
    pub reason: String,
    pub hours: i64,
}

/// Requests a session on one of the organization's connected arrays. An admin's request opens
/// the link at once (the admin is the local administrator who must open it); a backup contact's
/// waits for an admin to start it. Returns the session's id.
pub async fn request_session(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &NewSession,
) -> Result<String, AppError> {
    let org = match (user.role, user.organization_id.as_deref()) {
        (Role::Admin | Role::BackupContact, Some(org)) => org.to_string(),
        _ => return Err(AppError::Forbidden),
    };
    let array_id = input.array_id.trim();
    if array_id.is_empty() {
        return Err(AppError::invalid("array_id", "Choose the array."));
    }
    let array = sqlx::query(
        "SELECT a.id, a.name, s.organization_id, s.time_zone, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(pool)
    .await
    .map_err(map_db)?
    .ok_or_else(array_not_found)?;
    if col::<String>(&array, "organization_id")? != org {
        // Same answer as an unknown array: nothing about other customers leaks.
        return Err(array_not_found());
    }
    if col::<i64>(&array, "connected")? == 0 {
        return Err(AppError::invalid(
            "array_id",
            "This array is at a dark site (not connected to the vendor's cloud), so it cannot \
             have a Remote Assist session. Support can help over the phone instead.",
        ));
    }
    let array_name: String = col(&array, "name")?;
    let tz: String = col(&array, "time_zone")?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Enter what support should do on the array.",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            format!("Keep it to {REASON_MAX} characters at most."),
        ));
    }
    if !(1..=MAX_HOURS).contains(&input.hours) {
        return Err(AppError::invalid(
            "hours",
            format!("Choose a duration from 1 to {MAX_HOURS} hours."),
        ));
    }
    let case_id = input.case_id.trim();
    let case = if case_id.is_empty() {
        None
    } else {
        let row = sqlx::query("SELECT organization_id, status FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(pool)
            .await
            .map_err(map_db)?;
        let ok = match &row {
            Some(r) => {
                col::<String>(r, "organization_id")? == org
                    && col::<String>(r, "status")? != CaseStatus::Closed.as_str()
            }
            None => false,
        };
        if !ok {
            return Err(AppError::invalid(
                "case_id",
                "Choose one of your organization's open cases, or none.",
            ));
        }
        Some(case_id)
    };

    let now = now_ms();
    let deadline = now + input.hours * HOUR_MS;
    let state = if user.role == Role::Admin {
        SessionState::Active
    } else {
        SessionState::Requested
    };
    let started_at = (state == SessionState::Active).then_some(now);
    let id = new_id();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    // The first statement, and the one the unique index refuses for a second open session.
    let inserted = sqlx::query(
        "INSERT INTO remote_assist_sessions (id, array_id, organization_id, case_id, requested_by, \
             reason, state, requested_hours, requested_at, started_at, deadline_at, extensions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0)",
    )
    .bind(&id)
    .bind(array_id)
    .bind(&org)
    .bind(case)
    .bind(&user.id)
    .bind(reason)
    .bind(state.as_str())
    .bind(input.hours)
    .bind(now)
    .bind(started_at)
    .bind(deadline)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(ALREADY_ACTIVE.into()));
        }
        Err(e) => return Err(map_db(e)),
    }
    if let (Some(case_id), SessionState::Active) = (case, state) {
        let body = started_body(&array_name, input.hours, deadline, &tz)?;
        case_event(&mut tx, case_id, Some(&user.id), &body, state, now).await?;
    }
    if state == SessionState::Active {
        let body = started_body(&array_name, input.hours, deadline, &tz)?;
        notifications::on_remote_assist(&mut tx, &id, true, &body, Some(&user.id), now).await?;
    }
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "remote_assist.request",
        &id,
        None,
        Some(json!({
            "array_id": array_id,
            "case_id": case,
            "state": state.as_str(),
            "hours": input.hours,
            "deadline_at": deadline,
            "reason": reason,
        })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(id)
}

/// Why a conditional update found nothing to change, read after the fact.
async fn state_conflict(pool: &AnyPool, id: &str, doing: &str) -> AppError {
    let now = now_ms();
    let mut conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => return map_db(e),
    };
    match load_session(&mut conn, id).await {
        Ok(Some(r)) if r.state == SessionState::Ended => AppError::Conflict(format!(
            "This Remote Assist session has ended; it cannot be {doing}."
        )),
        Ok(Some(r)) if r.deadline_at <= now => AppError::Conflict(format!(
            "This Remote Assist session has timed out; it cannot be {doing}."
        )),
        Ok(Some(r)) if r.state == SessionState::Requested => AppError::Conflict(format!(
            "This Remote Assist session has not been started yet; it cannot be {doing}."
        )),
        Ok(Some(_)) => AppError::Conflict(format!(
            "This Remote Assist session is already active; it cannot be {doing}."
        )),
        Ok(None) => session_not_found(),
        Err(e) => e,
    }
}

/// An admin starts a session a backup contact requested: the link opens for its duration.
pub async fn start_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    if !is_org_admin(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    let now = now_ms();
    let deadline = now + row.requested_hours * HOUR_MS;
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let changed = sqlx::query(
        "UPDATE remote_assist_sessions SET state = 'active', started_at = $2, deadline_at = $3, \
             version = version + 1 \
         WHERE id = $1 AND state = 'requested' AND deadline_at > $2",
    )
    .bind(&row.id)
    .bind(now)
    .bind(deadline)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "started").await);
    }
    if let Some(case_id) = &row.case_id {
        let body = started_body(
            &row.array_name,
            row.requested_hours,
            deadline,
            &row.time_zone,
        )?;
        case_event(
            &mut tx,
            case_id,
            Some(&user.id),
            &body,
            SessionState::Active,
            now,
        )
        .await?;
    }
    let body = started_body(
        &row.array_name,
        row.requested_hours,
        deadline,
        &row.time_zone,
    )?;
    notifications::on_remote_assist(&mut tx, &row.id, true, &body, Some(&user.id), now).await?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.start",
        &row.id,
        Some(json!({ "state": row.state.as_str() })),
        Some(json!({ "state": "active", "deadline_at": deadline })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

/// The customer's local administrator gives the session more time. The time left afterwards
/// is capped at `MAX_HOURS`, so a session never runs far ahead of a customer decision.
pub async fn extend_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
    hours: i64,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    if !is_local_admin(user, &row.organization_id) {
        return Err(AppError::Forbidden);
    }
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(AppError::invalid(
            "hours",
            format!("Choose a duration from 1 to {MAX_HOURS} hours."),
        ));
    }
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    // Lock first (only a live, active session), then read the deadline we now hold.
    let locked = sqlx::query(
        "UPDATE remote_assist_sessions SET extensions = extensions + 1, version = version + 1 \
         WHERE id = $1 AND state = 'active' AND deadline_at > $2",
    )
    .bind(&row.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if locked == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "extended").await);
    }
    let deadline: i64 =
        sqlx::query_scalar("SELECT deadline_at FROM remote_assist_sessions WHERE id = $1")
            .bind(&row.id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_db)?;
    let new_deadline = deadline + hours * HOUR_MS;
    if new_deadline - now > MAX_HOURS * HOUR_MS {
        let most = (now + MAX_HOURS * HOUR_MS - deadline) / HOUR_MS;
        let message = if most >= 1 {
            format!(
                "A session may have at most {MAX_HOURS} hours left: extend it by {most} hours \
                 at most."
            )
        } else {
            format!("This session already has nearly {MAX_HOURS} hours left.")
        };
        // Dropping the transaction rolls the extension count back.
        return Err(AppError::invalid("hours", message));
    }
    sqlx::query("UPDATE remote_assist_sessions SET deadline_at = $2 WHERE id = $1")
        .bind(&row.id)
        .bind(new_deadline)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.extend",
        &row.id,
        Some(json!({ "deadline_at": deadline })),
        Some(json!({ "deadline_at": new_deadline, "hours": hours })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

/// A support engineer joins an active session; joining again changes nothing.
pub async fn join_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    if !user.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let row = visible_session(pool, user, session_id).await?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    // Holding the session's row while adding the participant: an end or the job waits for us
    // (or we see it ended), so nobody joins a session that is over.
    let locked = sqlx::query(
        "UPDATE remote_assist_sessions SET version = version + 1 \
         WHERE id = $1 AND state = 'active' AND deadline_at > $2",
    )
    .bind(&row.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if locked == 0 {
        drop(tx);
        return Err(state_conflict(pool, &row.id, "joined").await);
    }
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM remote_assist_participants WHERE session_id = $1 AND user_id = $2",
    )
    .bind(&row.id)
    .bind(&user.id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_db)?;
    if already > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO remote_assist_participants (session_id, user_id, joined_at) VALUES ($1, $2, $3)",
    )
    .bind(&row.id)
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    audit(
        &mut tx,
        &row.organization_id,
        Some(&user.id),
        "remote_assist.join",
        &row.id,
        None,
        Some(json!({ "engineer": user.name })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

/// Ends a session that is not over yet, in the caller's transaction; its conditional update is
/// the claim. With `EndReason::TimedOut` (the job) only a session whose deadline is at or before
/// `at` ends, and it ends at its deadline. Returns false when there was nothing to end: someone
/// else (a user, or the job on another instance) ended it first, or it was extended meanwhile.
pub(crate) async fn end_in_tx(
    conn: &mut AnyConnection,
    row: &SessionRow,
    actor: Option<&str>,
    reason: EndReason,
    at: i64,
) -> Result<bool, AppError> {
    let changed = if reason == EndReason::TimedOut {
        sqlx::query(
            "UPDATE remote_assist_sessions SET state = 'ended', ended_at = deadline_at, \
                 ended_by_user = NULL, end_reason = 'timed_out', version = version + 1 \
             WHERE id = $1 AND state <> 'ended' AND deadline_at <= $2",
        )
        .bind(&row.id)
        .bind(at)
        .execute(&mut *conn)
        .await
    } else {
        sqlx::query(
            "UPDATE remote_assist_sessions SET state = 'ended', ended_at = $2, ended_by_user = $3, \
                 end_reason = $4, version = version + 1 \
             WHERE id = $1 AND state <> 'ended'",
        )
        .bind(&row.id)
        .bind(at)
        .bind(actor)
        .bind(reason.as_str())
        .execute(&mut *conn)
        .await
    }
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    // A request nobody started never touched the case; only a started session's end is news.
    if let (Some(case_id), Some(_)) = (&row.case_id, row.started_at) {
        let body = match reason {
            EndReason::Customer => format!(
                "Remote Assist session on {} ended by the customer.",
                row.array_name
            ),
            EndReason::Engineer => {
                format!(
                    "Remote Assist session on {} ended by support.",
                    row.array_name
                )
            }
            EndReason::TimedOut => format!(
                "Remote Assist session on {} timed out at {}.",
                row.array_name,
                local(row.deadline_at, &row.time_zone)?
            ),
        };
        case_event(conn, case_id, actor, &body, SessionState::Ended, at).await?;
    }
    if row.started_at.is_some() {
        let body = format!("Remote Assist session on {} ended.", row.array_name);
        notifications::on_remote_assist(conn, &row.id, false, &body, actor, at).await?;
    }
    audit(
        conn,
        &row.organization_id,
        actor,
        if reason == EndReason::TimedOut {
            "remote_assist.timed_out"
        } else {
            "remote_assist.end"
        },
        &row.id,
        Some(json!({ "state": row.state.as_str() })),
        Some(json!({ "state": "ended", "end_reason": reason.as_str() })),
        at,
    )
    .await?;
    Ok(true)
}

/// Ends a session: the customer's local administrator (ending it or withdrawing the request)
/// or a support engineer.
pub async fn end_session(
    pool: &AnyPool,
    user: &CurrentUser,
    session_id: &str,
) -> Result<(), AppError> {
    let row = visible_session(pool, user, session_id).await?;
    let reason = if user.role.is_staff() {
        EndReason::Engineer
    } else if is_local_admin(user, &row.organization_id) {
        EndReason::Customer
    } else {
        return Err(AppError::Forbidden);
    };
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    if !end_in_tx(&mut tx, &row, Some(&user.id), reason, now).await? {
        return Err(AppError::Conflict(
            "This Remote Assist session has already ended.".into(),
        ));
    }
    tx.commit().await.map_err(map_db)
}

// ---- Reads ----

fn view(
    row: &SessionRow,
    participants: Vec<(String, Participant)>,
    user: &CurrentUser,
    now: i64,
) -> Result<RaSession, AppError> {
    let live = row.state != SessionState::Ended && row.deadline_at > now;
    let active = live && row.state == SessionState::Active;
    let joined = participants.iter().any(|(id, _)| *id == user.id);
    let local_admin = is_local_admin(user, &row.organization_id);
    Ok(RaSession {
        id: row.id.clone(),
        array_id: row.array_id.clone(),
        array_name: row.array_name.clone(),
        organization_name: row.organization_name.clone(),
        site_tz: row.time_zone.clone(),
        case: match (&row.case_id, row.case_number) {
            (Some(id), Some(n)) => Some(LinkedCase {
                id: id.clone(),
                number_label: case_number_label(n),
                subject: row.case_subject.clone().unwrap_or_default(),
            }),
            _ => None,
        },
        requested_by: row.requested_by_name.clone(),
        reason: row.reason.clone(),
        state: row.state,
        requested_hours: row.requested_hours,
        requested_at: ms_to_dt(row.requested_at)?,
        started_at: row.started_at.map(ms_to_dt).transpose()?,
        deadline_at: ms_to_dt(row.deadline_at)?,
        ended_at: row.ended_at.map(ms_to_dt).transpose()?,
        ended_by: row.ended_by_name.clone(),
        end_reason: row.end_reason,
        extensions: row.extensions,
        participants: participants.into_iter().map(|(_, p)| p).collect(),
        can_start: live
            && row.state == SessionState::Requested
            && is_org_admin(user, &row.organization_id),
        can_join: active && user.role.is_staff() && !joined,
        can_end: row.state != SessionState::Ended && (user.role.is_staff() || local_admin),
        can_extend: active && local_admin,
        joined,
    })
}

/// Who joined which of `ids`, in joining order.
async fn participants_of(
    pool: &AnyPool,
    ids: &[String],
) -> Result<Vec<(String, String, Participant)>, AppError> {
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
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id.as_str());
    }
    let rows = q.fetch_all(pool).await.map_err(map_db)?;
    rows.iter()
        .map(|r| {
            Ok((
                col(r, "session_id")?,
                col(r, "user_id")?,
                Participant {
                    name: col(r, "name")?,
                    joined_at: ms_to_dt(col(r, "joined_at")?)?,
                },
            ))
        })
        .collect()
}

/// The Remote Assist page: the viewer's organization's arrays (every organization's for staff)
/// with their open session, the recent history, and what the request form offers.
pub async fn overview(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<RemoteAssistOverview, AppError> {
    let org = viewer_org(user)?;
    // Staff see everything: an empty filter value means "no filter".
    let filter = org.unwrap_or_default();
    let arrays = sqlx::query(
        "SELECT a.id, a.name, a.serial, o.name AS organization_name, s.name AS site_name, \
                s.time_zone, CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id \
         JOIN organizations o ON o.id = s.organization_id \
         WHERE ($1 = '' OR s.organization_id = $1) \
         ORDER BY o.name, s.name, a.name",
    )
    .bind(filter)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let open_sql = format!(
        "{SESSION_SELECT} WHERE r.state <> 'ended' AND ($1 = '' OR r.organization_id = $1)"
    );
    let open = sqlx::query(&open_sql)
        .bind(filter)
        .fetch_all(pool)
        .await
        .map_err(map_db)?
        .iter()
        .map(session_row)
        .collect::<Result<Vec<_>, _>>()?;
    let history_sql = format!(
        "{SESSION_SELECT} WHERE r.state = 'ended' AND ($1 = '' OR r.organization_id = $1) \
         ORDER BY r.ended_at DESC, r.id LIMIT $2"
    );
    let history = sqlx::query(&history_sql)
        .bind(filter)
        .bind(HISTORY_LIMIT)
        .fetch_all(pool)
        .await
        .map_err(map_db)?
        .iter()
        .map(session_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<String> = open
        .iter()
        .chain(history.iter())
        .map(|r| r.id.clone())
        .collect();
    let mut who = participants_of(pool, &ids).await?;
    let now = now_ms();
    let mut take = |id: &str| -> Vec<(String, Participant)> {
        let (mine, rest): (Vec<_>, Vec<_>) = who.drain(..).partition(|(s, _, _)| s == id);
        who = rest;
        mine.into_iter().map(|(_, u, p)| (u, p)).collect()
    };
    let mut open_views = Vec::with_capacity(open.len());
    for r in &open {
        open_views.push(view(r, take(&r.id), user, now)?);
    }
    let mut history_views = Vec::with_capacity(history.len());
    for r in &history {
        history_views.push(view(r, take(&r.id), user, now)?);
    }
    let arrays = arrays
        .iter()
        .map(|a| {
            let id: String = col(a, "id")?;
            Ok(RaArray {
                session: open_views.iter().find(|s| s.array_id == id).cloned(),
                id,
                name: col(a, "name")?,
                serial: col(a, "serial")?,
                organization_name: col(a, "organization_name")?,
                site_name: col(a, "site_name")?,
                site_tz: col(a, "time_zone")?,
                connected: col::<i64>(a, "connected")? != 0,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let can_request = org.is_some_and(|o| is_local_admin(user, o));
    let cases = match org.filter(|_| can_request) {
        Some(o) => sqlx::query(
            "SELECT c.id, c.number, c.subject, a.name AS array_name FROM cases c \
             JOIN arrays a ON a.id = c.array_id \
             WHERE c.organization_id = $1 AND c.status <> 'closed' \
             ORDER BY c.number DESC LIMIT 200",
        )
        .bind(o)
        .fetch_all(pool)
        .await
        .map_err(map_db)?
        .iter()
        .map(|r| {
            let subject: String = col(r, "subject")?;
            let array: String = col(r, "array_name")?;
            Ok(CaseChoice {
                id: col(r, "id")?,
                label: format!(
                    "{} · {} ({array})",
                    case_number_label(col(r, "number")?),
                    subject.chars().take(80).collect::<String>()
                ),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?,
        None => Vec::new(),
    };
    Ok(RemoteAssistOverview {
        arrays,
        history: history_views,
        can_request,
        cases,
        is_staff: user.role.is_staff(),
        now: Utc::now(),
    })
}
