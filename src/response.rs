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
