//! Stored values into the engine's types. A stored value the engine refuses is the server's
//! fault, never the user's: each is an internal error.
use crate::model::AppError;
use crate::server::db::ms_to_dt;
use crate::sla::{self, ProductLine, Severity};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

pub(super) fn opt_dt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, AppError> {
    ms.map(ms_to_dt).transpose()
}

pub(super) fn sla_error(e: sla::SlaError) -> AppError {
    tracing::error!(error = %e, "SLA engine error");
    AppError::Internal(format!("deadlines: {e}"))
}

pub(super) fn parse_tz(name: &str) -> Result<Tz, AppError> {
    name.parse::<Tz>()
        .map_err(|_| AppError::Internal(format!("unknown time zone {name:?}")))
}

/// The engine's severity table for an array's stored product line. Cloud services read the
/// program's single table, which the engine finds under the default product line.
pub(super) fn product_of(product_line: &str) -> ProductLine {
    match product_line {
        "portworx" => ProductLine::Portworx,
        _ => ProductLine::Array,
    }
}

pub(super) fn severity_of(n: i64) -> Result<Severity, AppError> {
    u8::try_from(n)
        .ok()
        .and_then(|n| Severity::new(n).ok())
        .ok_or_else(|| AppError::Internal(format!("stored severity out of range: {n}")))
}

pub(super) fn holiday(d: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| AppError::Internal(format!("stored holiday {d:?}")))
}

pub(super) fn contract_end(d: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| AppError::Internal(format!("stored contract end {d:?}")))
}

pub(super) fn not_found() -> AppError {
    AppError::NotFound("Case".into())
}
