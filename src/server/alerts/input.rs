//! An alert's body: size-limited, parsed and checked before anything is stored.
use super::api_error::ApiError;
use crate::model::alert::{AlertSeverity, CODE_MAX, MAX_BODY_BYTES, SUMMARY_MAX};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;

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

pub(super) async fn read_body(req: Request) -> Result<axum::body::Bytes, ApiError> {
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

pub(super) fn parse(body: &[u8]) -> Result<AlertInput, ApiError> {
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
