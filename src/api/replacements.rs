//! Hardware replacements. Every function takes the signed-in user from the session and hands it
//! to `server::replacements`, which authorizes (organization and role) and validates. Arguments
//! are the forms' fields as strings, so a bad value is a 422 with a message by the field.
// One argument per form field: the create and stage forms have more than clippy's seven, and
// the attribute must reach the browser build's generated stubs too.
#![allow(clippy::too_many_arguments)]
use crate::model::replacement::{CaseReplacements, LateDeliveries, ReplacementsOverview};
use crate::model::AppError;
use leptos::prelude::*;

/// The viewer's organization's replacements (every organization's for staff) and site logistics.
#[server(name = GetReplacements, endpoint = "replacements/overview")]
pub async fn replacements_overview() -> Result<ReplacementsOverview, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::replacements::overview(&state.pool, &user).await
}

/// The replacements of one case, with support's create form data.
#[server(name = GetCaseReplacements, endpoint = "replacements/case")]
pub async fn case_replacements(case_id: String) -> Result<CaseReplacements, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::replacements::for_case(&state.pool, &user, &case_id).await
}

/// Parts on their way past their committed delivery time.
#[server(name = GetLateDeliveries, endpoint = "replacements/late")]
pub async fn late_deliveries() -> Result<LateDeliveries, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::replacements::late(&state.pool, &user).await
}

/// Support records a diagnosed part on a case. Returns the replacement's id.
#[server(endpoint = "replacements/create")]
pub async fn create_replacement(
    case_id: String,
    array_id: Option<String>,
    part_type: String,
    part_number: String,
    quantity: String,
    description: Option<String>,
    technician_required: Option<String>,
    return_method: Option<String>,
    drive_retention: Option<String>,
) -> Result<String, AppError> {
    use crate::model::replacement::{checked, parse_quantity};
    use crate::server::auth::{app_state, current_user};
    use crate::server::replacements::NewReplacement;
    let user = current_user().await?;
    let state = app_state()?;
    let input = NewReplacement {
        case_id,
        array_id: array_id.unwrap_or_default(),
        part_type,
        part_number,
        quantity: parse_quantity(&quantity)?,
        description: description.unwrap_or_default(),
        technician_required: checked(&technician_required),
        return_method: return_method.unwrap_or_default(),
        drive_retention: checked(&drive_retention),
    };
    crate::server::replacements::create(&state.pool, &state.programs, &user, &input).await
}

/// Support moves a replacement to its next stage (`stage`), with what that stage records:
/// carrier and tracking number (shipped), delivery time (delivered, optional), the
/// technician's window (technician scheduled), a reason (cancelled).
#[server(endpoint = "replacements/stage")]
pub async fn move_replacement(
    replacement_id: String,
    stage: String,
    carrier: Option<String>,
    tracking_number: Option<String>,
    delivered_at: Option<String>,
    window_start: Option<String>,
    window_end: Option<String>,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::model::replacement::Stage;
    use crate::server::auth::{app_state, current_user};
    use crate::server::replacements as svc;
    let user = current_user().await?;
    let state = app_state()?;
    let pool = &state.pool;
    let id = replacement_id.as_str();
    let s = |v: Option<String>| v.unwrap_or_default();
    match stage.parse::<Stage>()? {
        Stage::Dispatched => svc::dispatch(pool, &state.programs, &user, id).await,
        Stage::Shipped => svc::ship(pool, &user, id, &s(carrier), &s(tracking_number)).await,
        Stage::Delivered => svc::deliver(pool, &user, id, &s(delivered_at)).await,
        Stage::TechnicianScheduled => {
            svc::schedule_technician(pool, &user, id, &s(window_start), &s(window_end)).await
        }
        Stage::Installed => svc::install(pool, &user, id).await,
        to @ (Stage::Returned | Stage::Retained) => svc::close(pool, &user, id, to).await,
        Stage::Cancelled => svc::cancel(pool, &user, id, &s(reason)).await,
        Stage::Diagnosed => Err(AppError::invalid(
            "stage",
            "A replacement starts as diagnosed; it cannot go back.",
        )),
    }
}

/// A designated contact confirms the site's access details for the field technician.
#[server(endpoint = "replacements/confirm-access")]
pub async fn confirm_site_access(replacement_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::replacements::confirm_access(&state.pool, &user, &replacement_id).await
}

/// A designated contact proposes the field technician's window (site local times).
#[server(endpoint = "replacements/propose-window")]
pub async fn propose_technician_window(
    replacement_id: String,
    window_start: String,
    window_end: String,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::replacements::propose_window(
        &state.pool,
        &user,
        &replacement_id,
        &window_start,
        &window_end,
    )
    .await
}

/// An admin saves a site's logistics for deliveries and field technicians.
#[server(endpoint = "replacements/site-logistics")]
pub async fn save_site_logistics(
    site_id: String,
    datacenter_address: String,
    grid_coordinates: String,
    access_instructions: String,
    delivery_contact_name: String,
    delivery_contact_phone: String,
) -> Result<(), AppError> {
    use crate::model::replacement::LogisticsFields;
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let fields = LogisticsFields {
        datacenter_address,
        grid_coordinates,
        access_instructions,
        delivery_contact_name,
        delivery_contact_phone,
    };
    crate::server::replacements::save_logistics(&state.pool, &user, &site_id, &fields).await?;
    // Back to the saved site's card, which says so (the id is a stored site's: hex, URL-safe).
    leptos_axum::redirect(&format!("/replacements?saved={site_id}#site-{site_id}"));
    Ok(())
}
