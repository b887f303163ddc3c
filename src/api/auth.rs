use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;

/// Where to go after signing in: only a path on this site, never another origin, and only
/// characters a `Location` header can carry.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 2048
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, client_ip, request_token, sign_in_step, sign_out};
    let state = app_state()?;
    let ip = client_ip();
    let signed = sign_in_step(&state.pool, &state.sessions, &email, &password, &ip).await?;
    let agent = crate::api::account::user_agent();
    crate::server::account::record_client(&state.pool, &signed.token, &agent, &ip).await?;
    if let Some(previous) = request_token() {
        sign_out(&state.pool, &previous).await?;
    }
    set_session_cookie(&signed.token)?;
    let next = safe_next(next.as_deref());
    if signed.needs_code {
        let to = format!(
            "/login/code?next={}",
            crate::model::url::encode_component(&next)
        );
        leptos_axum::redirect(&to);
    } else {
        leptos_axum::redirect(&next);
    }
    Ok(())
}

/// Sets the session cookie of this answer to `token`.
#[cfg(feature = "ssr")]
pub(crate) fn set_session_cookie(token: &str) -> Result<(), AppError> {
    use crate::server::auth::{app_state, session_cookie};
    let state = app_state()?;
    let cookie = http::HeaderValue::from_str(&session_cookie(token, &state.sessions))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(http::header::SET_COOKIE, cookie);
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::{app_state, clear_cookie, request_token, sign_out};
    let state = app_state()?;
    if let Some(token) = request_token() {
        sign_out(&state.pool, &token).await?;
    }
    let cookie = http::HeaderValue::from_str(&clear_cookie(&state.sessions))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    expect_context::<leptos_axum::ResponseOptions>()
        .insert_header(http::header::SET_COOKIE, cookie);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None` for an anonymous visitor.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<CurrentUser>, AppError> {
    crate::server::auth::optional_user().await
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/cases?x=1")), "/cases?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/a\r\nSet-Cookie: x")), "/");
        assert_eq!(safe_next(Some("/caf\u{e9}")), "/");
    }
}
