//! `POST /api/v1/alerts`: authenticate the token, count the request, read and check the alert,
//! then store it or open or extend its case.
use super::api_error::ApiError;
use super::cases::{append, open_case, store_alert};
use super::input::{parse, read_body};
use super::queries::{self, ArrayRow, Caller};
use crate::model::alert::{case_severity_for, AlertSeverity, REQUESTS_PER_MINUTE};
use crate::model::case::case_number_label;
use crate::model::AppError;
use crate::server::auth::token_hash;
use crate::server::ids::now_ms;
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sqlx::AnyPool;

const WINDOW_MS: i64 = 60_000;

/// `POST /api/v1/alerts`.
pub async fn ingest(State(state): State<AppState>, req: Request) -> Response {
    match ingest_inner(&state, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
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
        let mut conn = state.pool.acquire().await?;
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
    queries::caller_of(pool, &token_hash(token))
        .await?
        .ok_or_else(unauthorized)
}

/// Counts the request in the token's current minute; refuses past `REQUESTS_PER_MINUTE`.
async fn rate_limit(pool: &AnyPool, token_id: &str, now: i64) -> Result<(), ApiError> {
    let window = now - now.rem_euclid(WINDOW_MS);
    let mut tx = crate::server::db::begin_write(pool).await?;
    let count = queries::count_request(&mut tx, token_id, window).await?;
    queries::touch_token(&mut tx, token_id, now).await?;
    tx.commit().await?;
    if count > REQUESTS_PER_MINUTE {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "At most {REQUESTS_PER_MINUTE} requests a minute per token; try again shortly."
            ),
        )
        .retry_after((window + WINDOW_MS - now + 999) / 1000));
    }
    Ok(())
}

/// The array of the caller's organization with this serial, if it may send alerts.
async fn array_of(pool: &AnyPool, caller: &Caller, serial: &str) -> Result<ArrayRow, ApiError> {
    let foreign = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_array",
            "No array of your organization has this serial.",
        )
    };
    let Some(r) = queries::array_by_serial(pool, serial.trim()).await? else {
        return Err(foreign());
    };
    // Another organization's array answers like an unknown one: nothing leaks.
    if r.organization_id != caller.organization_id {
        return Err(foreign());
    }
    if !bool::from(r.connected) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "dark_site",
            "This array is at a dark site (not connected): it sends no alerts.",
        ));
    }
    Ok(r)
}
