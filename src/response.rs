//! What a page being rendered on the server says about its own response: its status and its
//! Content Security Policy. Views call these (under `#[cfg(feature = "ssr")]`) instead of
//! reaching into `server::`.
use axum::http::{header, HeaderValue, StatusCode};
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Sets this response's status (pages rendering an error, e.g. a 404 or a form error).
pub fn set_status(code: u16) {
    if let (Some(opts), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(code))
    {
        opts.set_status(status);
    }
}

/// Sets the header on the response being rendered. Called from the HTML shell, where the
/// request's nonce is in context.
pub fn set_content_security_policy() {
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&crate::server::security::policy(&nonce.to_string())) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The theme the person chose with the header's toggle (`portal_theme` cookie), so the page is
/// drawn in it from its first paint; `None` follows the system's preference.
pub fn chosen_theme() -> Option<&'static str> {
    let parts = use_context::<http::request::Parts>()?;
    let cookies = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == crate::model::THEME_COOKIE)
        .and_then(|(_, value)| match value {
            "dark" => Some("dark"),
            "light" => Some("light"),
            _ => None,
        })
}
