//! The signed-in person's own account, and the "forgot password" link for someone who cannot
//! sign in. Each function hands the session's user (or, for the reset, nobody: the e-mailed link
//! is the credential) to `server::account`, which validates and writes.
use crate::model::account::AccountPage;
use crate::model::AppError;
use leptos::prelude::*;

/// The request's `User-Agent`, as recorded with a new session.
#[cfg(feature = "ssr")]
pub fn user_agent() -> String {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// The session this request came with: the user was found by it, so it exists.
#[cfg(feature = "ssr")]
pub(crate) fn session_token() -> Result<String, AppError> {
    crate::server::auth::request_token().ok_or(AppError::Unauthenticated)
}

/// The person's name, address and open sessions.
#[server(name = GetAccountPage, endpoint = "account/page")]
pub async fn account_page() -> Result<AccountPage, AppError> {
    // Also while a required second factor is missing: this page is where it is set up.
    use crate::server::auth::{app_state, enrolling_user, request_token};
    use crate::server::shown_once::ShownOnce;
    // Before any await: see `server::shown_once` (new recovery codes are shown once).
    let memo = ShownOnce::<Vec<String>>::of_request();
    let state = app_state()?;
    let token = request_token();
    let user = enrolling_user().await?;
    crate::server::account::account_page(
        &state.pool,
        &state.sessions,
        &user,
        token.as_deref(),
        memo.as_ref(),
    )
    .await
}

/// A new password, given the current one; the person's other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let token = session_token()?;
    crate::server::account::change_password(
        &state.pool,
        &user,
        &token,
        &current_password,
        &password,
        &password_confirm,
    )
    .await?;
    leptos_axum::redirect("/account?changed=password");
    Ok(())
}

/// Ends every session of the person but this one.
#[server(endpoint = "account/sign-out-others")]
pub async fn sign_out_others() -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let token = session_token()?;
    let ended = crate::server::account::sign_out_others(&state.pool, &user, &token).await?;
    leptos_axum::redirect(&format!("/account?ended={ended}"));
    Ok(())
}

/// Sends a reset link if the address has an account; the answer is the same if not.
#[server(endpoint = "password-reset/request")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, client_ip};
    use crate::server::ids::now_ms;
    let state = app_state()?;
    crate::server::account::request_reset(&state.pool, &email, &client_ip(), now_ms()).await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Sets a new password with the e-mailed link (no sign-in: the link is the credential); every
/// session of the person ends, and they sign in with the new password.
#[server(endpoint = "password-reset/complete")]
pub async fn reset_password(
    token: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::server::auth::app_state;
    use crate::server::ids::now_ms;
    let state = app_state()?;
    crate::server::account::complete_reset(
        &state.pool,
        &token,
        &password,
        &password_confirm,
        now_ms(),
    )
    .await?;
    leptos_axum::redirect("/login?reset=done");
    Ok(())
}
