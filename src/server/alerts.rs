//! The alert ingest API (`POST /api/v1/alerts`, a plain axum route) and its tokens.
//!
//! A monitoring system authenticates with a bearer token its organization's admin issued (only the
//! token's SHA-256 is stored). A critical alert opens a case on the array (flagged as opened from
//! a monitoring alert, severity from `model::alert::SEVERITY_BY_CODE`); a repeat of the same alert
//! id is added to that case's timeline; other alerts are stored and listed on the alerts page.
//! A dark site's array, another organization's array or an unknown serial is refused.
use crate::model::alert::{
    case_severity_for, AlertSeverity, AlertsPage, ApiToken, ArrayAlert, ArrayAlerts,
    CreatedApiToken, ALERTS_PER_ARRAY, CODE_MAX, MAX_BODY_BYTES, NAME_MAX, REQUESTS_PER_MINUTE,
    SUMMARY_MAX,
};
use crate::model::case::{case_number_label, CaseEventKind};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::{map_db, token_hash};
use crate::server::cases::{
    insert_case, insert_event, next_case_number, refresh, CaseInsert, NewEvent,
};
use crate::server::db::{col, ms_to_dt};
use crate::server::ids::{new_id, new_token, now_ms};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

const WINDOW_MS: i64 = 60_000;

// ---- Tokens ----

fn admin_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

/// The organization's tokens, for its admins only.
pub async fn tokens(pool: &AnyPool, user: &CurrentUser) -> Result<Vec<ApiToken>, AppError> {
    tokens_of(pool, admin_org(user)?).await
}

/// An admin issues a token for the organization's monitoring system; the answer is the only
/// time the secret is seen.
pub async fn create_token(
    pool: &AnyPool,
    user: &CurrentUser,
    name: &str,
) -> Result<CreatedApiToken, AppError> {
    let org = admin_org(user)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Name the token after the system that uses it.",
        ));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            "name",
            format!("Keep it to {NAME_MAX} characters at most."),
        ));
    }
    let token = format!("pat_{}", new_token());
    let id = new_id();
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    sqlx::query(
        "INSERT INTO api_tokens (id, organization_id, name, token_hash, prefix, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(org)
    .bind(name)
    .bind(token_hash(&token))
    .bind(&token[..12])
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "api_token.create",
            entity: "api_token",
            entity_id: &id,
            before: None,
            after: Some(json!({ "name": name })),
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(CreatedApiToken {
        id,
        name: name.to_string(),
        token,
    })
}

/// An admin revokes one of the organization's tokens: it stops working at once.
pub async fn revoke_token(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let org = admin_org(user)?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let changed = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3, revoked_by = $4 \
         WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(org)
    .bind(now)
    .bind(&user.id)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("Token".into()));
    }
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "api_token.revoke",
            entity: "api_token",
            entity_id: id,
            before: None,
            after: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

async fn tokens_of(pool: &AnyPool, org: &str) -> Result<Vec<ApiToken>, AppError> {
    let rows = sqlx::query(
        "SELECT t.id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at, u.name AS creator \
         FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by \
         WHERE t.organization_id = $1 ORDER BY t.created_at DESC, t.id",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let opt = |v: Option<i64>| v.map(ms_to_dt).transpose();
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: col(r, "id")?,
                name: col(r, "name")?,
                prefix: col(r, "prefix")?,
                created_by: col(r, "creator")?,
                created_at: ms_to_dt(col(r, "created_at")?)?,
                last_used_at: opt(col(r, "last_used_at")?)?,
                revoked_at: opt(col(r, "revoked_at")?)?,
            })
        })
        .collect()
}

/// The arrays the viewer may see, with their latest alerts; the tokens for an admin.
pub async fn page(pool: &AnyPool, user: &CurrentUser) -> Result<AlertsPage, AppError> {
    let org = match (user.role.is_staff(), user.organization_id.as_deref()) {
        (true, _) => None,
        (false, Some(org)) => Some(org),
        (false, None) => return Err(AppError::Forbidden),
    };
    let arrays = sqlx::query(
        "SELECT a.id, a.name, a.serial, s.name AS site_name, o.name AS org_name, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id JOIN organizations o ON o.id = s.organization_id \
         WHERE ($1 IS NULL OR s.organization_id = $1) ORDER BY o.name, s.name, a.name",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let mut out = Vec::new();
    for a in &arrays {
        let array_id: String = col(a, "id")?;
        let rows = sqlx::query(
            "SELECT m.alert_id, m.code, m.severity, m.summary, m.started_at, m.received_at, \
                    m.case_id, c.number \
             FROM monitoring_alerts m LEFT JOIN cases c ON c.id = m.case_id \
             WHERE m.array_id = $1 ORDER BY m.received_at DESC, m.id LIMIT $2",
        )
        .bind(&array_id)
        .bind(ALERTS_PER_ARRAY)
        .fetch_all(pool)
        .await
        .map_err(map_db)?;
        let alerts = rows
            .iter()
            .map(|r| {
                let severity: String = col(r, "severity")?;
                let case_id: Option<String> = col(r, "case_id")?;
                let number: Option<i64> = col(r, "number")?;
                Ok(ArrayAlert {
                    alert_id: col(r, "alert_id")?,
                    code: col(r, "code")?,
                    severity: AlertSeverity::parse(&severity).ok_or_else(|| {
                        AppError::Internal(format!("stored alert severity {severity:?}"))
                    })?,
                    summary: col(r, "summary")?,
                    started_at: ms_to_dt(col(r, "started_at")?)?,
                    received_at: ms_to_dt(col(r, "received_at")?)?,
                    case: case_id.zip(number.map(case_number_label)),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        out.push(ArrayAlerts {
            array_name: col(a, "name")?,
            serial: col(a, "serial")?,
            site_name: col(a, "site_name")?,
            organization_name: col(a, "org_name")?,
            connected: col::<i64>(a, "connected")? != 0,
            alerts,
        });
    }
    let tokens = match admin_org(user) {
        Ok(org) => Some(tokens_of(pool, org).await?),
        Err(_) => None,
    };
    Ok(AlertsPage {
        arrays: out,
        tokens,
    })
}

// ---- The ingest API ----

/// A refusal, as JSON: `{"error": "<code>", "message": "<sentence>"}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<i64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_alert", message)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status =
            StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %e, "alert ingest failed");
        }
        ApiError::new(status, "server_error", e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(json!({ "error": self.code, "message": self.message })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"alerts\""),
            );
        }
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// The JSON body of one alert.
#[derive(Debug, Deserialize)]
pub struct AlertInput {
    pub array_serial: String,
    pub alert_id: String,
    pub code: String,
    pub severity: String,
    pub summary: String,
    pub started_at: DateTime<Utc>,
}

struct Caller {
    token_id: String,
    organization_id: String,
}

async fn authenticate(pool: &AnyPool, authorization: Option<&str>) -> Result<Caller, ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Send a valid alert API token: Authorization: Bearer <token>.",
        )
    };
    let token = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(unauthorized)?;
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT id, organization_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await
    .map_err(map_db)?;
    let (token_id, organization_id) = row.ok_or_else(unauthorized)?;
    Ok(Caller {
        token_id,
        organization_id,
    })
}

/// Counts the request in the token's current minute; refuses past `REQUESTS_PER_MINUTE`.
async fn rate_limit(pool: &AnyPool, token_id: &str, now: i64) -> Result<(), ApiError> {
    let window = now - now.rem_euclid(WINDOW_MS);
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO api_token_usage (token_id, window_start, requests) VALUES ($1, $2, 1) \
         ON CONFLICT (token_id, window_start) DO UPDATE SET requests = api_token_usage.requests + 1 \
         RETURNING requests",
    )
    .bind(token_id)
    .bind(window)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_db)?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(token_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    tx.commit().await.map_err(map_db)?;
    if count > REQUESTS_PER_MINUTE {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "At most {REQUESTS_PER_MINUTE} requests a minute per token; try again shortly."
            ),
        );
        e.retry_after = Some((window + WINDOW_MS - now + 999) / 1000);
        return Err(e);
    }
    Ok(())
}

async fn read_body(req: Request) -> Result<axum::body::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("The body may be at most {MAX_BODY_BYTES} bytes."),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())
}

fn parse(body: &[u8]) -> Result<AlertInput, ApiError> {
    let input: AlertInput = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::invalid(e.to_string()),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The body is not valid JSON: {e}"),
        ),
    })?;
    let check = |field: &str, v: &str, max: usize| {
        if v.trim().is_empty() || v.chars().count() > max {
            Err(ApiError::invalid(format!(
                "`{field}` must be 1 to {max} characters."
            )))
        } else {
            Ok(())
        }
    };
    check("array_serial", &input.array_serial, 100)?;
    check("alert_id", &input.alert_id, 100)?;
    check("code", &input.code, CODE_MAX)?;
    check("summary", &input.summary, SUMMARY_MAX)?;
    if !input
        .code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(ApiError::invalid(
            "`code` must be lower-case letters, digits and underscores (e.g. controller_fault).",
        ));
    }
    if AlertSeverity::parse(&input.severity).is_none() {
        return Err(ApiError::invalid(
            "`severity` must be \"info\", \"warning\" or \"critical\".",
        ));
    }
    if input.started_at > Utc::now() + chrono::Duration::hours(1) {
        return Err(ApiError::invalid("`started_at` is in the future."));
    }
    Ok(input)
}

struct ArrayRow {
    id: String,
    site_id: String,
    name: String,
}

/// The array of the caller's organization with this serial, if it may send alerts.
async fn array_of(pool: &AnyPool, caller: &Caller, serial: &str) -> Result<ArrayRow, ApiError> {
    let row = sqlx::query(
        "SELECT a.id, a.site_id, a.name, s.organization_id, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.serial = $1",
    )
    .bind(serial.trim())
    .fetch_optional(pool)
    .await
    .map_err(map_db)?;
    let foreign = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_array",
            "No array of your organization has this serial.",
        )
    };
    let Some(r) = row else {
        return Err(foreign());
    };
    // Another organization's array answers like an unknown one: nothing leaks.
    if col::<String>(&r, "organization_id")? != caller.organization_id {
        return Err(foreign());
    }
    if col::<i64>(&r, "connected")? == 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "dark_site",
            "This array is at a dark site (not connected): it sends no alerts.",
        ));
    }
    Ok(ArrayRow {
        id: col(&r, "id")?,
        site_id: col(&r, "site_id")?,
        name: col(&r, "name")?,
    })
}

async fn store_alert(
    conn: &mut AnyConnection,
    caller: &Caller,
    array_id: &str,
    a: &AlertInput,
    case_id: Option<&str>,
    now: i64,
) -> Result<String, AppError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO monitoring_alerts (id, organization_id, array_id, alert_id, code, severity, \
             summary, started_at, received_at, case_id, token_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&caller.organization_id)
    .bind(array_id)
    .bind(a.alert_id.trim())
    .bind(&a.code)
    .bind(&a.severity)
    .bind(a.summary.trim())
    .bind(a.started_at.timestamp_millis())
    .bind(now)
    .bind(case_id)
    .bind(&caller.token_id)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    Ok(id)
}

fn alert_text(a: &AlertInput) -> String {
    format!(
        "Monitoring alert {} ({}, {}) started {}: {}",
        a.alert_id.trim(),
        a.code,
        a.severity,
        a.started_at.format("%Y-%m-%d %H:%M UTC"),
        a.summary.trim()
    )
}

/// Adds a repeat of a critical alert to its case. `None` when the alert has no case yet.
async fn append(
    state: &AppState,
    caller: &Caller,
    array: &ArrayRow,
    a: &AlertInput,
    now: i64,
) -> Result<Option<(String, i64)>, AppError> {
    let case: Option<(String, i64)> = sqlx::query_as(
        "SELECT c.id, c.number FROM alert_cases ac JOIN cases c ON c.id = ac.case_id \
         WHERE ac.array_id = $1 AND ac.alert_id = $2",
    )
    .bind(&array.id)
    .bind(a.alert_id.trim())
    .fetch_optional(&state.pool)
    .await
    .map_err(map_db)?;
    let Some((case_id, number)) = case else {
        return Ok(None);
    };
    let mut tx = crate::server::db::begin_write(&state.pool)
        .await
        .map_err(map_db)?;
    // The case's row lock first, as every case writer takes it.
    sqlx::query("UPDATE cases SET version = version + 1, updated_at = $2 WHERE id = $1")
        .bind(&case_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    let body = alert_text(a);
    let mut e = NewEvent::new(CaseEventKind::Alert, None, &body);
    e.new_value = Some(a.alert_id.trim().to_string());
    insert_event(&mut tx, &case_id, now, e).await?;
    store_alert(&mut tx, caller, &array.id, a, Some(&case_id), now).await?;
    refresh(&mut tx, &state.programs, &case_id).await?;
    tx.commit().await.map_err(map_db)?;
    Ok(Some((case_id, number)))
}

/// Opens the case of a critical alert. `None` when another request opened it first.
async fn open_case(
    state: &AppState,
    caller: &Caller,
    array: &ArrayRow,
    a: &AlertInput,
    now: i64,
) -> Result<Option<(String, i64)>, AppError> {
    let severity = case_severity_for(&a.code);
    let team_phone: Option<String> = sqlx::query_scalar(
        "SELECT team_phone FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(&caller.organization_id)
    .fetch_optional(&state.pool)
    .await
    .map_err(map_db)?;
    let team_phone = team_phone.filter(|p| !p.trim().is_empty());
    let subject: String = format!("Monitoring alert: {}", a.summary.trim())
        .chars()
        .take(200)
        .collect();
    let description = format!(
        "Opened automatically from a critical monitoring alert on {}.\n\n{}",
        array.name,
        alert_text(a)
    );
    let id = new_id();
    let mut tx = crate::server::db::begin_write(&state.pool)
        .await
        .map_err(map_db)?;
    let number = next_case_number(&mut tx).await?;
    insert_case(
        &mut tx,
        &CaseInsert {
            id: &id,
            number,
            organization_id: &caller.organization_id,
            site_id: &array.site_id,
            array_id: &array.id,
            opened_by: None,
            subject: &subject,
            description: &description,
            business_impact: "",
            severity,
            sev1_contact_name: team_phone.as_ref().map(|_| "Team contact (pager)"),
            sev1_contact_phone: team_phone.as_deref(),
            opened_at: now,
            rca_parent_case_id: None,
            opened_from_alert: true,
        },
    )
    .await?;
    let claimed = sqlx::query(
        "INSERT INTO alert_cases (array_id, alert_id, case_id) VALUES ($1, $2, $3) \
         ON CONFLICT (array_id, alert_id) DO NOTHING",
    )
    .bind(&array.id)
    .bind(a.alert_id.trim())
    .bind(&id)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if claimed == 0 {
        // Another request opened this alert's case meanwhile: drop ours, append instead.
        return Ok(None);
    }
    let body = alert_text(a);
    let mut e = NewEvent::new(CaseEventKind::Alert, None, &body);
    e.new_value = Some(a.alert_id.trim().to_string());
    insert_event(&mut tx, &id, now, e).await?;
    store_alert(&mut tx, caller, &array.id, a, Some(&id), now).await?;
    refresh(&mut tx, &state.programs, &id).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(&caller.organization_id),
            actor: None,
            action: "case.open_from_alert",
            entity: "case",
            entity_id: &id,
            before: None,
            after: Some(json!({
                "number": case_number_label(number),
                "alert_id": a.alert_id.trim(),
                "code": a.code,
                "severity": severity,
                "token_id": caller.token_id,
            })),
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(Some((id, number)))
}

async fn ingest_inner(state: &AppState, req: Request) -> Result<Response, ApiError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let caller = authenticate(&state.pool, authorization.as_deref()).await?;
    let now = now_ms();
    rate_limit(&state.pool, &caller.token_id, now).await?;
    let body = read_body(req).await?;
    let input = parse(&body)?;
    let array = array_of(&state.pool, &caller, &input.array_serial).await?;
    if input.severity != AlertSeverity::Critical.as_str() {
        let mut conn = state.pool.acquire().await.map_err(map_db)?;
        let id = store_alert(&mut conn, &caller, &array.id, &input, None, now).await?;
        return Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "status": "stored", "id": id })),
        )
            .into_response());
    }
    // A repeat appends; a first occurrence opens the case; losing that race appends after all.
    for _ in 0..2 {
        if let Some((case_id, number)) = append(state, &caller, &array, &input, now).await? {
            return Ok((
                StatusCode::OK,
                Json(json!({
                    "status": "appended",
                    "case_id": case_id,
                    "case_number": case_number_label(number),
                })),
            )
                .into_response());
        }
        if let Some((case_id, number)) = open_case(state, &caller, &array, &input, now).await? {
            return Ok((
                StatusCode::CREATED,
                Json(json!({
                    "status": "case_opened",
                    "case_id": case_id,
                    "case_number": case_number_label(number),
                    "case_severity": case_severity_for(&input.code),
                })),
            )
                .into_response());
        }
    }
    Err(AppError::Unavailable.into())
}

/// `POST /api/v1/alerts`.
pub async fn ingest(State(state): State<AppState>, req: Request) -> Response {
    match ingest_inner(&state, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
