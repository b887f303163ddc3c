//! Escalation: support escalates a case; a designated contact asks for escalation, support
//! acknowledges and closes the request. Each function takes the signed-in user and hands it to
//! `server::cases`, which authorizes and validates; on success the browser goes back to the case
//! page with `escalation=<what happened>` for its confirmation (also without JavaScript).
use crate::model::AppError;
use leptos::prelude::*;

/// Support engineer: escalates an open case with a reason (the owner stays).
#[server(endpoint = "cases/escalate")]
pub async fn escalate_case(case_id: String, reason: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::escalate_case(&state.pool, &state.programs, &user, &case_id, &reason)
        .await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?escalation=escalated"));
    Ok(())
}

/// A designated contact of the case's organization: asks support to escalate an open case.
#[server(endpoint = "cases/escalation-request")]
pub async fn request_escalation(case_id: String, reason: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::request_escalation(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        &reason,
    )
    .await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?escalation=requested"));
    Ok(())
}

/// Support engineer: acknowledges the open escalation request, with an optional note.
#[server(endpoint = "cases/escalation-ack")]
pub async fn acknowledge_escalation(case_id: String, note: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let note = note.unwrap_or_default();
    crate::server::cases::acknowledge_escalation(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        &note,
    )
    .await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?escalation=acknowledged"));
    Ok(())
}

/// Support engineer: closes the open escalation request, with an optional note.
#[server(endpoint = "cases/escalation-close")]
pub async fn close_escalation(case_id: String, note: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let note = note.unwrap_or_default();
    crate::server::cases::close_escalation(&state.pool, &state.programs, &user, &case_id, &note)
        .await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?escalation=closed"));
    Ok(())
}
