//! Remote Assist. Every function takes the signed-in user from the session and hands it to
//! `server::remote_assist`, which authorizes (organization and role) and validates. Arguments are
//! the forms' fields as strings, so a bad value is a 422 with a message by the field.
use crate::model::remote_assist::RemoteAssistOverview;
use crate::model::AppError;
use leptos::prelude::*;

/// The viewer's arrays with their open sessions, the recent history and the request form's data.
#[server(name = GetRemoteAssist, endpoint = "remote-assist/overview")]
pub async fn remote_assist_overview() -> Result<RemoteAssistOverview, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::remote_assist::overview(&state.pool, &user).await
}

/// An admin or backup contact requests a session on one of the organization's arrays; an
/// admin's request opens it at once. Returns the session's id, and sends the browser to the
/// page with the request's confirmation (`?requested=<id>`).
#[server(endpoint = "remote-assist/request")]
pub async fn request_remote_assist(
    array_id: String,
    reason: String,
    hours: String,
    case_id: Option<String>,
) -> Result<String, AppError> {
    use crate::model::remote_assist::parse_hours;
    use crate::server::auth::{app_state, current_user};
    use crate::server::remote_assist::NewSession;
    let user = current_user().await?;
    let state = app_state()?;
    let input = NewSession {
        array_id,
        case_id: case_id.unwrap_or_default(),
        reason,
        hours: parse_hours("hours", &hours)?,
    };
    let id = crate::server::remote_assist::request_session(&state.pool, &user, &input).await?;
    // Back to the page, which says what became of the request (open now, or waiting for an
    // admin) at its top, also without JavaScript.
    leptos_axum::redirect(&format!("/remote-assist?requested={id}"));
    Ok(id)
}

/// An admin starts a session a backup contact requested.
#[server(endpoint = "remote-assist/start")]
pub async fn start_remote_assist(session_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::remote_assist::start_session(&state.pool, &user, &session_id).await
}

/// A support engineer joins an active session.
#[server(endpoint = "remote-assist/join")]
pub async fn join_remote_assist(session_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::remote_assist::join_session(&state.pool, &user, &session_id).await
}

/// The customer's admin (or backup contact) or a support engineer ends a session.
#[server(endpoint = "remote-assist/end")]
pub async fn end_remote_assist(session_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::remote_assist::end_session(&state.pool, &user, &session_id).await
}

/// The customer's admin (or backup contact) gives an active session more hours.
#[server(endpoint = "remote-assist/extend")]
pub async fn extend_remote_assist(session_id: String, hours: String) -> Result<(), AppError> {
    use crate::model::remote_assist::parse_hours;
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let hours = parse_hours("hours", &hours)?;
    crate::server::remote_assist::extend_session(&state.pool, &user, &session_id, hours).await
}
