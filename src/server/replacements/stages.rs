//! Support's stage moves after dispatch: shipped, delivered, technician scheduled, installed,
//! closed (returned or retained), and cancelled.
use super::row::visible;
use super::times::{local, site_time, window};
use super::transition::{begin_move, finish_move};
use super::{queries, DAY_MS};
use crate::model::replacement::{Stage, CODE_MAX, RETURN_DAYS, TEXT_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::cases::{require_staff, required_text};
use crate::server::ids::now_ms;
use serde_json::json;
use sqlx::AnyPool;

/// The part left with the carrier.
pub async fn ship(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    carrier: &str,
    tracking_number: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let carrier = required_text("carrier", carrier, CODE_MAX, "the carrier")?;
    let tracking = required_text(
        "tracking_number",
        tracking_number,
        CODE_MAX,
        "the tracking number",
    )?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::Shipped).await?;
    let now = now_ms();
    queries::set_shipped(&mut tx, &row.id, now, &carrier, &tracking).await?;
    let body = format!(
        "Replacement shipped: {} with {carrier}, tracking number {tracking}.",
        row.title()
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.ship",
        Stage::Shipped,
        &body,
        json!({ "stage": "shipped", "carrier": carrier, "tracking_number": tracking }),
        now,
    )
    .await
}

/// The part arrived at the site, now or at `delivered_at` (site local time, for a delivery
/// recorded afterwards). Without a technician, the defective part's return is due from now.
pub async fn deliver(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    delivered_at: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let now = now_ms();
    let at = match delivered_at.trim() {
        "" => now,
        v => site_time("delivered_at", v, &row.time_zone)?.timestamp_millis(),
    };
    if at > now + 60_000 {
        return Err(AppError::invalid(
            "delivered_at",
            "The delivery time cannot be in the future.",
        ));
    }
    if row.shipped_at.is_some_and(|s| at < s) {
        return Err(AppError::invalid(
            "delivered_at",
            "The delivery time cannot be before the part shipped.",
        ));
    }
    let (row, mut tx) = begin_move(pool, user, id, Stage::Delivered).await?;
    let return_due = (!row.technician()).then_some(at + RETURN_DAYS * DAY_MS);
    queries::set_delivered(&mut tx, &row.id, at, return_due, now).await?;
    let on_time = match row.delivery_due_at {
        Some(due) if at <= due => " On time.",
        Some(_) => " Late: after the committed delivery time.",
        None => "",
    };
    let body = format!(
        "Replacement delivered: {} at {} on {}.{on_time}",
        row.title(),
        row.site_name,
        local(at, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.deliver",
        Stage::Delivered,
        &body,
        json!({ "stage": "delivered", "delivered_at": at, "return_due_at": return_due }),
        now,
    )
    .await
}

/// Support schedules the field technician's visit (site local times).
pub async fn schedule_technician(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    start: &str,
    end: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let row = visible(pool, user, id).await?;
    let (start, end) = window(start, end, &row.time_zone)?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::TechnicianScheduled).await?;
    let now = now_ms();
    queries::set_scheduled(&mut tx, &row.id, (start, end), now).await?;
    let body = format!(
        "Field technician scheduled for {}: {} to {}.",
        row.title(),
        local(start, &row.time_zone)?,
        local(end, &row.time_zone)?
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.schedule",
        Stage::TechnicianScheduled,
        &body,
        json!({ "stage": "technician_scheduled", "window_start": start, "window_end": end }),
        now,
    )
    .await
}

/// The technician replaced the part: the defective part's return is due from now.
pub async fn install(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let (row, mut tx) = begin_move(pool, user, id, Stage::Installed).await?;
    let now = now_ms();
    let return_due = (!row.retention()).then_some(now + RETURN_DAYS * DAY_MS);
    queries::set_installed(&mut tx, &row.id, now, return_due).await?;
    let body = format!(
        "Replacement installed by the field technician: {}.",
        row.title()
    );
    finish_move(
        tx,
        &row,
        user,
        "replacement.install",
        Stage::Installed,
        &body,
        json!({ "stage": "installed", "return_due_at": return_due }),
        now,
    )
    .await
}

/// The defective part came back (`Returned`), or the customer keeps the drives under the
/// drive-retention option (`Retained`): the replacement is done.
pub async fn close(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    to: Stage,
) -> Result<(), AppError> {
    if !matches!(to, Stage::Returned | Stage::Retained) {
        return Err(AppError::invalid("stage", "Choose returned or retained."));
    }
    let (row, mut tx) = begin_move(pool, user, id, to).await?;
    let now = now_ms();
    queries::set_closed(&mut tx, &row.id, to, now).await?;
    let body = if to == Stage::Retained {
        format!(
            "Replacement closed: the customer keeps the replaced drives ({}) under the drive-retention option.",
            row.title()
        )
    } else {
        format!(
            "Replacement closed: the defective part ({}) was returned.",
            row.title()
        )
    };
    finish_move(
        tx,
        &row,
        user,
        "replacement.close",
        to,
        &body,
        json!({ "stage": to.as_str() }),
        now,
    )
    .await
}

/// Support cancels a replacement before the part arrives, with a reason.
pub async fn cancel(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
    reason: &str,
) -> Result<(), AppError> {
    require_staff(user)?;
    let reason = required_text("reason", reason, TEXT_MAX, "why it is cancelled")?;
    let (row, mut tx) = begin_move(pool, user, id, Stage::Cancelled).await?;
    let now = now_ms();
    queries::set_cancelled(&mut tx, &row.id, now, &reason).await?;
    let body = format!("Replacement cancelled: {}. {reason}", row.title());
    finish_move(
        tx,
        &row,
        user,
        "replacement.cancel",
        Stage::Cancelled,
        &body,
        json!({ "stage": "cancelled", "reason": reason }),
        now,
    )
    .await
}
