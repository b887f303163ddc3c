//! Headers about where an answer may be kept: `Cache-Control: no-store` on everything personal,
//! and `Strict-Transport-Security` when the portal is served over TLS.
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// One year, the value browsers' preload lists ask for; no `includeSubDomains`, which would
/// bind sites the portal does not know about.
pub const HSTS: &str = "max-age=31536000";

/// Marks an answer `no-store` unless it may be cached (see `may_be_stored`): pages carry the
/// signed-in person's data and a one-time CSP nonce, server functions and attachments their
/// data, and a shared computer's back button or a proxy must not show them to the next person.
pub async fn no_store(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if !may_be_stored(&path, res.headers()) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Whether a response may keep its (or the browser's default) caching: one that already says
/// how (the bundle under `/pkg` does), or a static file of the site root (`/favicon.svg`), as
/// long as it is neither a page nor JSON.
fn may_be_stored(path: &str, headers: &HeaderMap) -> bool {
    if headers.contains_key(header::CACHE_CONTROL) {
        return true;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let personal = content_type.starts_with("text/html") || content_type.contains("json");
    let names_a_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    !personal && names_a_file && !path.starts_with("/api/") && !path.starts_with("/attachments/")
}

#[cfg(test)]
mod tests {
    use super::may_be_stored;
    use axum::http::{header, HeaderMap, HeaderValue};

    fn typed(content_type: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h
    }

    #[test]
    fn only_static_files_keep_their_caching() {
        assert!(may_be_stored("/favicon.svg", &typed("image/svg+xml")));
        let mut bundle = typed("application/wasm");
        bundle.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        assert!(may_be_stored("/pkg/portal.abc.wasm", &bundle));
        assert!(!may_be_stored("/", &typed("text/html; charset=utf-8")));
        assert!(!may_be_stored("/cases/42", &typed("text/html")));
        // A page at a file-like address (a 404 for /x.png) is still a page.
        assert!(!may_be_stored("/x.png", &typed("text/html")));
        assert!(!may_be_stored("/api/me", &typed("application/json")));
        assert!(!may_be_stored("/api/cases/form", &typed("text/plain")));
        assert!(!may_be_stored(
            "/attachments/01ABC",
            &typed("application/pdf")
        ));
        assert!(!may_be_stored(
            "/attachments/report.pdf",
            &typed("application/pdf")
        ));
        assert!(!may_be_stored("/metrics", &typed("text/plain")));
    }
}
