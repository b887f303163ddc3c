//! Dispatch: the part leaves for the site and the delivery commitment starts, computed by the
//! SLA engine.
use super::queries;
use super::row::ReplacementRow;
use super::times::zone;
use super::transition::{begin_move, finish_move};
use crate::model::replacement::{and_list, Stage};
use crate::model::{AppError, CurrentUser};
use crate::server::cases::site_holidays;
use crate::server::db::ms_to_dt;
use crate::server::ids::now_ms;
use crate::sla::explain::fmt_local;
use crate::sla::{delivery_due, DeliveryDue, DeliveryKind, ProgramSet, SlaError};
use serde_json::json;
use sqlx::AnyPool;

pub(crate) fn sla_error(e: SlaError) -> AppError {
    match e {
        SlaError::NoDeliveryRule { .. } => AppError::invalid(
            "array_id",
            "This array's support plan includes no hardware replacement.",
        ),
        other => {
            tracing::error!(error = %other, "SLA engine error");
            AppError::Internal(format!("delivery due: {other}"))
        }
    }
}

/// The part is dispatched: the delivery commitment starts, computed by the SLA engine in the
/// site's local time from now. A replacement that needs a field technician is refused while the
/// site's logistics miss anything the technician needs, saying what.
pub async fn dispatch(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    let (row, mut tx) = begin_move(pool, user, id, Stage::Dispatched).await?;
    if row.technician() {
        check_logistics(&row)?;
    }
    let terms = queries::delivery_terms(&mut tx, &row.id).await?;
    let holidays = site_holidays(&mut tx, &row.site_id).await?;
    let now = now_ms();
    let d = delivery_due(
        programs,
        &terms.program_id,
        &terms.plan_id,
        ms_to_dt(now)?,
        &row.time_zone,
        holidays,
        terms.six.0,
    )
    .map_err(sla_error)?;
    let due = d.due.map(|t| t.timestamp_millis());
    let stored =
        serde_json::to_string(&d).map_err(|e| AppError::Internal(format!("delivery due: {e}")))?;
    queries::set_dispatched(&mut tx, &row.id, now, &stored, due).await?;
    let body = format!(
        "Replacement dispatched: {} for {}. {}",
        row.title(),
        row.array_name,
        commitment_words(&d, &row.time_zone)
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.dispatch",
        Stage::Dispatched,
        &body,
        json!({ "stage": "dispatched", "delivery_due_at": due, "kind": d.kind }),
        now,
    )
    .await
}

/// A field technician is sent only with everything the site's logistics must tell them.
fn check_logistics(row: &ReplacementRow) -> Result<(), AppError> {
    let missing = row.logistics.missing();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid(
        "site_logistics",
        format!(
            "A field technician cannot be dispatched to {}: the site's logistics lack {}. \
             An admin of {} adds them on the Replacements page.",
            row.site_name,
            and_list(&missing),
            row.organization_name
        ),
    ))
}

/// "Delivery due Tue 13 Jan 17:00 EST (next-business-day delivery)." in the site's time.
pub(crate) fn commitment_words(d: &DeliveryDue, tz: &str) -> String {
    match (d.kind, d.due) {
        (DeliveryKind::BestEffort, _) | (_, None) => {
            let day = d
                .ships_on
                .map(|s| format!(" It ships the same day, {}.", s.format("%a %-d %b")))
                .unwrap_or_default();
            format!("Same-day shipping: best effort, no delivery commitment.{day}")
        }
        (DeliveryKind::NextBusinessDay, Some(due)) => format!(
            "Delivery due {} (next-business-day delivery).",
            fmt_local(due, zone(tz))
        ),
        (DeliveryKind::Hours, Some(due)) => {
            format!("Delivery due {}.", fmt_local(due, zone(tz)))
        }
    }
}
