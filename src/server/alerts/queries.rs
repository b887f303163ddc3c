//! The SQL of the alerts page, its tokens and the ingest API, one function per statement.
use crate::model::AppError;
use crate::server::rows::{Flag, Millis};
use sqlx::{AnyConnection, AnyPool};

// ---- Tokens ----

/// A token's stored values.
pub(super) struct TokenInsert<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub name: &'a str,
    pub token_hash: String,
    pub prefix: &'a str,
    pub created_by: &'a str,
    pub created_at: i64,
}

pub(super) async fn insert_token(
    conn: &mut AnyConnection,
    t: &TokenInsert<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO api_tokens (id, organization_id, name, token_hash, prefix, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id)
    .bind(t.organization_id)
    .bind(t.name)
    .bind(&t.token_hash)
    .bind(t.prefix)
    .bind(t.created_by)
    .bind(t.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Revokes one of the organization's live tokens; rows changed (0 or 1).
pub(super) async fn revoke_token(
    conn: &mut AnyConnection,
    id: &str,
    organization_id: &str,
    by: &str,
    at: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3, revoked_by = $4 \
         WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(organization_id)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// A token as the admin's list shows it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub creator: Option<String>,
    #[sqlx(try_from = "i64")]
    pub created_at: Millis,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub(super) async fn tokens_of(pool: &AnyPool, org: &str) -> Result<Vec<TokenRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at, u.name AS creator \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by \
         WHERE t.organization_id = $1 ORDER BY t.created_at DESC, t.id",
    )
    .bind(org)
    .fetch_all(pool)
    .await?)
}

// ---- The alerts page ----

/// An array on the alerts page.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct PageArrayRow {
    pub id: String,
    pub name: String,
    pub serial: String,
    pub site_name: String,
    pub org_name: String,
    #[sqlx(try_from = "i64")]
    pub connected: Flag,
}

/// The organization's arrays (every organization's for `None`).
pub(super) async fn page_arrays(
    pool: &AnyPool,
    org: Option<&str>,
) -> Result<Vec<PageArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name, a.serial, s.name AS site_name, o.name AS org_name, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id JOIN organizations o ON o.id = s.organization_id \
         WHERE ($1 IS NULL OR s.organization_id = $1) ORDER BY o.name, s.name, a.name",
    )
    .bind(org)
    .fetch_all(pool)
    .await?)
}

/// A stored alert, with its case's number when it has one.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct AlertRow {
    pub alert_id: String,
    pub code: String,
    /// Parsed by the page, which names a bad stored value.
    pub severity: String,
    pub summary: String,
    #[sqlx(try_from = "i64")]
    pub started_at: Millis,
    #[sqlx(try_from = "i64")]
    pub received_at: Millis,
    pub case_id: Option<String>,
    pub number: Option<i64>,
}

/// The array's latest alerts, newest first.
pub(super) async fn latest_alerts(
    pool: &AnyPool,
    array_id: &str,
    limit: i64,
) -> Result<Vec<AlertRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT m.alert_id, m.code, m.severity, m.summary, m.started_at, m.received_at, \
                m.case_id, c.number \
         FROM monitoring_alerts m LEFT JOIN cases c ON c.id = m.case_id \
         WHERE m.array_id = $1 ORDER BY m.received_at DESC, m.id LIMIT $2",
    )
    .bind(array_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

// ---- The ingest API ----

/// Who sent an alert: a live token and its organization.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Caller {
    #[sqlx(rename = "id")]
    pub token_id: String,
    pub organization_id: String,
}

pub(super) async fn caller_of(pool: &AnyPool, hash: &str) -> Result<Option<Caller>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, organization_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await?)
}

/// Counts one request in the token's window; the window's count so far, this one included.
pub(super) async fn count_request(
    conn: &mut AnyConnection,
    token_id: &str,
    window: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_token_usage (token_id, window_start, requests) VALUES ($1, $2, 1) \
         ON CONFLICT (token_id, window_start) DO UPDATE SET requests = api_token_usage.requests + 1 \
         RETURNING requests",
    )
    .bind(token_id)
    .bind(window)
    .fetch_one(&mut *conn)
    .await?)
}

pub(super) async fn touch_token(
    conn: &mut AnyConnection,
    token_id: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(token_id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The array an alert names by serial, with what decides whether it may send alerts.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct ArrayRow {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub organization_id: String,
    #[sqlx(try_from = "i64")]
    pub connected: Flag,
}

pub(super) async fn array_by_serial(
    pool: &AnyPool,
    serial: &str,
) -> Result<Option<ArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.site_id, a.name, s.organization_id, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.serial = $1",
    )
    .bind(serial)
    .fetch_optional(pool)
    .await?)
}

/// An alert's stored values.
pub(super) struct AlertInsert<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub array_id: &'a str,
    pub alert_id: &'a str,
    pub code: &'a str,
    pub severity: &'a str,
    pub summary: &'a str,
    pub started_at: i64,
    pub received_at: i64,
    pub case_id: Option<&'a str>,
    pub token_id: &'a str,
}

pub(super) async fn insert_alert(
    conn: &mut AnyConnection,
    a: &AlertInsert<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO monitoring_alerts (id, organization_id, array_id, alert_id, code, severity, \
             summary, started_at, received_at, case_id, token_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(a.id)
    .bind(a.organization_id)
    .bind(a.array_id)
    .bind(a.alert_id)
    .bind(a.code)
    .bind(a.severity)
    .bind(a.summary)
    .bind(a.started_at)
    .bind(a.received_at)
    .bind(a.case_id)
    .bind(a.token_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The case an alert id opened on the array, with its number.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct AlertCaseRow {
    pub id: String,
    pub number: i64,
}

pub(super) async fn case_of_alert(
    pool: &AnyPool,
    array_id: &str,
    alert_id: &str,
) -> Result<Option<AlertCaseRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.number FROM alert_cases ac JOIN cases c ON c.id = ac.case_id \
         WHERE ac.array_id = $1 AND ac.alert_id = $2",
    )
    .bind(array_id)
    .bind(alert_id)
    .fetch_optional(pool)
    .await?)
}

pub(super) async fn team_phone(
    pool: &AnyPool,
    organization_id: &str,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT team_phone FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(organization_id)
    .fetch_optional(pool)
    .await?)
}

/// Records that the alert id opened this case, unless another request recorded one first;
/// rows changed (0 or 1).
pub(super) async fn claim_alert_case(
    conn: &mut AnyConnection,
    array_id: &str,
    alert_id: &str,
    case_id: &str,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "INSERT INTO alert_cases (array_id, alert_id, case_id) VALUES ($1, $2, $3) \
         ON CONFLICT (array_id, alert_id) DO NOTHING",
    )
    .bind(array_id)
    .bind(alert_id)
    .bind(case_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
