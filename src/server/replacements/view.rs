//! What a viewer sees of a replacement: its times, its delivery state, the customer's next
//! step in words and what the viewer may do.
use super::row::ReplacementRow;
use super::times::{local, local_day, opt_dt};
use crate::model::case::case_number_label;
use crate::model::replacement::{
    and_list, DeliveryState, Replacement, ReplacementCase, ReturnMethod, Stage,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::contact_of;
use crate::server::db::ms_to_dt;
use crate::sla::DeliveryDue;
use chrono::{DateTime, Utc};

/// Stages before the technician's visit is scheduled: the customer can still propose a window.
fn before_visit(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::Diagnosed | Stage::Dispatched | Stage::Shipped | Stage::Delivered
    )
}

/// How the customer sends the defective part back, by the due day, in words.
fn return_words(row: &ReplacementRow, due: Option<i64>) -> Result<String, AppError> {
    if row.retention() {
        return Ok(
            "Nothing to send back: you keep the replaced drives under the drive-retention option (an additional charge)."
                .to_string(),
        );
    }
    let by = match due {
        Some(d) => format!(" by {}", local_day(d, &row.time_zone)?),
        None => String::new(),
    };
    Ok(match row.return_method {
        ReturnMethod::Label => format!(
            "Return the defective part{by}: pack it in the packaging the replacement came in \
             and affix the prepaid return label (on the packaging, or sent to you by e-mail)."
        ),
        ReturnMethod::Kit => format!(
            "Return the defective part{by}: pack it in the packaging the replacement came in \
             and follow the returns kit's instructions to arrange collection with the \
             logistics provider."
        ),
    })
}

/// What the customer must do next, in words (also shown to support).
fn next_step(row: &ReplacementRow, missing: &[&str]) -> Result<Option<String>, AppError> {
    let tz = &row.time_zone;
    let technician = row.technician();
    Ok(match row.stage {
        Stage::Returned | Stage::Retained | Stage::Cancelled => None,
        _ if technician && !missing.is_empty() && row.stage < Stage::Installed => Some(format!(
            "An admin of your organization must add {} to the site's logistics on the \
             Replacements page before the field technician can be dispatched.",
            and_list(missing)
        )),
        _ if technician && row.access_confirmed_at.is_none() && row.stage < Stage::Installed => {
            Some("Confirm the site access details for the field technician.".to_string())
        }
        _ if technician && before_visit(row.stage) && row.proposed().is_none() => {
            Some("Propose a window for the field technician's visit.".to_string())
        }
        Stage::Diagnosed => Some("Nothing yet: support is preparing the dispatch.".to_string()),
        Stage::Dispatched | Stage::Shipped => {
            Some("Receive the replacement part at the site when it arrives.".to_string())
        }
        Stage::Delivered if technician => {
            Some("Support will confirm the field technician's visit.".to_string())
        }
        Stage::TechnicianScheduled => match row.window() {
            Some((s, e)) => Some(format!(
                "Give the field technician access to the site from {} to {}.",
                local(s, tz)?,
                local(e, tz)?
            )),
            None => None,
        },
        Stage::Delivered | Stage::Installed => Some(return_words(row, row.return_due_at)?),
    })
}

/// What the viewer may do with the replacement.
struct Actions {
    next_stages: Vec<Stage>,
    can_cancel: bool,
    can_confirm_access: bool,
    can_propose_window: bool,
}

impl Actions {
    fn of(row: &ReplacementRow, user: &CurrentUser, acts_here: bool, missing: &[&str]) -> Actions {
        let staff = user.role.is_staff();
        let contact = contact_of(user, &row.organization_id) && acts_here;
        let technician = row.technician();
        let before_visit = before_visit(row.stage);
        Actions {
            next_stages: if staff {
                row.stage.next(technician, row.retention())
            } else {
                Vec::new()
            },
            can_cancel: staff && row.stage.can_cancel(),
            can_confirm_access: contact
                && technician
                && row.access_confirmed_at.is_none()
                && missing.is_empty()
                && (before_visit || row.stage == Stage::TechnicianScheduled),
            can_propose_window: contact && technician && before_visit,
        }
    }
}

/// A window's start and end.
type Window = (DateTime<Utc>, DateTime<Utc>);

fn window_dt(w: Option<(i64, i64)>) -> Result<Option<Window>, AppError> {
    w.map(|(s, e)| Ok((ms_to_dt(s)?, ms_to_dt(e)?))).transpose()
}

fn stored_delivery(row: &ReplacementRow) -> Result<Option<DeliveryDue>, AppError> {
    row.delivery_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| AppError::Internal(format!("stored delivery due: {e}")))
}

/// `acts_here`: the viewer may act at the replacement's site (`site_access`).
pub(crate) fn view(
    row: &ReplacementRow,
    user: &CurrentUser,
    acts_here: bool,
    now: DateTime<Utc>,
) -> Result<Replacement, AppError> {
    let missing = if row.technician() && !row.stage.is_final() {
        row.logistics.missing()
    } else {
        Vec::new()
    };
    let delivery_due = opt_dt(row.delivery_due_at)?;
    let delivered_at = opt_dt(row.delivered_at)?;
    let may = Actions::of(row, user, acts_here, &missing);
    Ok(Replacement {
        id: row.id.clone(),
        organization_name: row.organization_name.clone(),
        case: ReplacementCase {
            id: row.case_id.clone(),
            number_label: case_number_label(row.case_number),
            subject: row.case_subject.clone(),
        },
        array_name: row.array_name.clone(),
        site_name: row.site_name.clone(),
        site_tz: row.time_zone.clone(),
        part_type: row.part_type,
        part_number: row.part_number.clone(),
        quantity: row.quantity,
        description: row.description.clone(),
        technician_required: row.technician(),
        return_method: row.return_method,
        drive_retention: row.retention(),
        stage: row.stage,
        created_by: row.created_by_name.clone(),
        diagnosed_at: ms_to_dt(row.diagnosed_at)?,
        dispatched_at: opt_dt(row.dispatched_at)?,
        shipped_at: opt_dt(row.shipped_at)?,
        delivered_at,
        scheduled_at: opt_dt(row.scheduled_at)?,
        installed_at: opt_dt(row.installed_at)?,
        closed_at: opt_dt(row.closed_at)?,
        cancelled_at: opt_dt(row.cancelled_at)?,
        cancel_reason: row.cancel_reason.clone(),
        carrier: row.carrier.clone(),
        tracking_number: row.tracking_number.clone(),
        delivery: stored_delivery(row)?,
        delivery_due,
        delivery_state: DeliveryState::of(
            row.stage,
            row.dispatched_at.is_some(),
            delivery_due,
            delivered_at,
            now,
        ),
        proposed_window: window_dt(row.proposed())?,
        window: window_dt(row.window())?,
        access_confirmed_at: opt_dt(row.access_confirmed_at)?,
        access_confirmed_by: row.access_confirmed_by.clone(),
        return_due: opt_dt(row.return_due_at)?,
        next_step: next_step(row, &missing)?,
        logistics_missing: missing.iter().map(|m| m.to_string()).collect(),
        next_stages: may.next_stages,
        can_cancel: may.can_cancel,
        can_confirm_access: may.can_confirm_access,
        can_propose_window: may.can_propose_window,
    })
}
