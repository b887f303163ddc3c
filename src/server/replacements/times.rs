//! Instants in the site's time: what a person types and reads is local to the site.
use crate::model::AppError;
use crate::server::db::ms_to_dt;
use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub(crate) fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

pub(crate) fn opt_dt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, AppError> {
    ms.map(ms_to_dt).transpose()
}

pub(crate) fn local(ms: i64, tz: &str) -> Result<String, AppError> {
    Ok(fmt_local(ms_to_dt(ms)?, zone(tz)))
}

pub(crate) fn local_day(ms: i64, tz: &str) -> Result<String, AppError> {
    Ok(ms_to_dt(ms)?
        .with_timezone(&zone(tz))
        .format("%a %-d %b %Y")
        .to_string())
}

/// A `datetime-local` value read in the site's zone (or RFC 3339), for the named field.
pub(crate) fn site_time(field: &str, value: &str, tz: &str) -> Result<DateTime<Utc>, AppError> {
    crate::server::cases::parse_due(value, zone(tz)).map_err(|e| match e {
        AppError::Invalid { message, .. } => AppError::invalid(field, message),
        other => other,
    })
}

/// A visit window: both ends at the site, the end after the start.
pub(crate) fn window(start: &str, end: &str, tz: &str) -> Result<(i64, i64), AppError> {
    let s = site_time("window_start", start, tz)?;
    let e = site_time("window_end", end, tz)?;
    if e <= s {
        return Err(AppError::invalid(
            "window_end",
            "The window must end after it starts.",
        ));
    }
    Ok((s.timestamp_millis(), e.timestamp_millis()))
}
