//! The Content Security Policy of every rendered page.
//!
//! Scripts run only from this origin or with the nonce the framework puts on its own inline
//! hydration and resource scripts, so an injected `<script>` does nothing. WebAssembly needs
//! `'wasm-unsafe-eval'` to be compiled; nothing else is relaxed.
use axum::http::header;

/// The policy for a page whose inline scripts carry `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Refuses a state-changing request that a browser sent from another site (CSRF).
///
/// Browsers name the page that sent a request in `Origin` (and say `Sec-Fetch-Site` on top);
/// a form on a foreign page posting to our server functions is refused with 403 even though
/// the session cookie would come along (SameSite=Lax already keeps it off cross-site POSTs;
/// this holds for browsers and proxies that don't). Requests without either header come from
/// scripts and tools, not from a victim's browser, and are left to their credentials.
pub async fn reject_cross_site(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{Method, StatusCode};
    use axum::response::IntoResponse;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers()) {
        tracing::warn!(path = ?req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Cross-site request refused: submit the form from the portal's own pages.",
        )
            .into_response();
    }
    next.run(req).await
}

fn is_cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text("origin") {
        // "null" is what sandboxed frames and some redirects send: not our page either.
        let host = text("x-forwarded-host").or_else(|| text("host"));
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'));
        return match (origin_host, host) {
            (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
            _ => true,
        };
    }
    text("sec-fetch-site") == Some("cross-site")
}

#[cfg(test)]
mod tests {
    use super::is_cross_site;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().expect("header value"));
        }
        h
    }

    #[test]
    fn same_origin_and_tools_pass_foreign_pages_do_not() {
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!is_cross_site(&same));
        let proxied = headers(&[
            ("origin", "https://support.example.com"),
            ("host", "10.0.0.5:3000"),
            ("x-forwarded-host", "support.example.com"),
        ]);
        assert!(!is_cross_site(&proxied));
        let foreign = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(is_cross_site(&foreign));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "a")
        ])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_cross_site(&headers(&[])));
    }
}
