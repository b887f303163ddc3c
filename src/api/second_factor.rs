//! Two-step sign-in: the code after the password, and setting an authenticator app up or turning
//! it off on one's own Account page. Every function acts on the session's own account only;
//! `server::account::second_factor` validates and writes.
use crate::model::AppError;
use leptos::prelude::*;

/// The address the half-open sign-in of this browser waits a code for (`None`: there is none, or
/// it expired).
#[server(endpoint = "login/pending")]
pub async fn pending_sign_in() -> Result<Option<String>, AppError> {
    use crate::server::auth::{app_state, request_token};
    let state = app_state()?;
    let Some(token) = request_token() else {
        return Ok(None);
    };
    crate::server::account::second_factor::pending_sign_in(&state.pool, &token).await
}

/// The second step: a code from the app (or a recovery code) turns the half-open session into a
/// full one, under a new cookie.
#[server(endpoint = "login/code")]
pub async fn verify_sign_in_code(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, client_ip, request_token};
    let state = app_state()?;
    let token = request_token().ok_or(AppError::Conflict(
        "This sign-in has expired. Sign in again with your password.".into(),
    ))?;
    let full = crate::server::account::second_factor::complete_sign_in(
        &state.pool,
        &state.sessions,
        &token,
        &code,
    )
    .await?;
    let agent = crate::api::account::user_agent();
    crate::server::account::record_client(&state.pool, &full, &agent, &client_ip()).await?;
    crate::api::auth::set_session_cookie(&full)?;
    leptos_axum::redirect(&crate::api::auth::safe_next(next.as_deref()));
    Ok(())
}

/// Makes a new secret to set an app up with; the Account page then shows it.
#[server(endpoint = "account/two-factor/start")]
pub async fn start_second_factor() -> Result<(), AppError> {
    use crate::server::auth::{app_state, enrolling_user};
    let user = enrolling_user().await?;
    let state = app_state()?;
    crate::server::account::second_factor::start(&state.pool, &user).await?;
    leptos_axum::redirect("/account#two-step");
    Ok(())
}

/// Turns two-step sign-in on with the app's first code; the recovery codes appear once.
#[server(endpoint = "account/two-factor/confirm")]
pub async fn confirm_second_factor(code: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, enrolling_user};
    let user = enrolling_user().await?;
    let state = app_state()?;
    crate::server::account::second_factor::confirm(&state.pool, &user, &code).await?;
    leptos_axum::redirect("/account?two_step=on#two-step");
    Ok(())
}

/// Turns it off, with the password and a code.
#[server(endpoint = "account/two-factor/off")]
pub async fn turn_off_second_factor(
    current_password: String,
    code: String,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::account::second_factor::turn_off(
        &state.pool,
        &user,
        state.sessions.staff_second_factor,
        &current_password,
        &code,
    )
    .await?;
    leptos_axum::redirect("/account?two_step=off#two-step");
    Ok(())
}

/// An organization's admin requires two-step sign-in of everyone in it (a ticked box), or not.
#[server(endpoint = "account/two-factor/organization")]
pub async fn set_organization_second_factor(required: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let on = required.is_some_and(|v| !matches!(v.trim(), "" | "false" | "off" | "0"));
    crate::server::account::second_factor::set_org_requirement(&state.pool, &user, on).await?;
    leptos_axum::redirect("/account?organization_two_step=saved#two-step");
    Ok(())
}
