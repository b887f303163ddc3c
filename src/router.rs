//! The composition root: the whole HTTP surface, where the views (`App`) meet the server.
use crate::app::{shell, App};
use crate::model::AppError;
use crate::server::state::AppState;
use crate::server::{attachments, metrics, response_headers, security};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// The whole HTTP surface: pages, server functions under /api, static files, probes.
pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(crate::server::auth::RequestUser::default());
            provide_context(crate::server::shown_once::ShownOnce::<
                Vec<crate::model::contact::InvitationNotice>,
            >::default());
            provide_context(crate::server::shown_once::ShownOnce::<Vec<String>>::default());
        }
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let limits = &state.http;
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::guarded))
        .route("/attachments/{id}", get(attachments::download))
        // The alert ingest API: bearer token, JSON errors, its own body limit (server::alerts).
        .route(
            "/api/v1/alerts",
            axum::routing::post(crate::server::alerts::ingest),
        )
        .nest("/pkg", pkg_service(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, context.clone(), render)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .merge(upload_route(&state))
        // A body that stops arriving fails its read (the handler answers 4xx) instead of
        // holding the connection until the request timeout.
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(axum::middleware::from_fn(error_status))
        .layer(axum::middleware::from_fn(security::reject_cross_site))
        // Pages and JSON are compressed as they stream; the bundle already is (precompressed
        // files carry their Content-Encoding, which this layer leaves alone). Level 4: most of
        // brotli's gain on HTML at a fraction of its top level's CPU.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(response_headers::no_store))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    // Over TLS only: on the plain-HTTP demo a browser would remember to insist on HTTPS.
    let router = if state.sessions.secure_cookie {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(response_headers::HSTS),
        ))
    } else {
        router
    };
    router.with_state(state)
}

/// Attachment uploads: a larger body limit, and a longer time limit than other requests (a
/// case's files over a phone's line); the body timeout still ends one that stalls.
fn upload_route(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/attachments",
            axum::routing::post(attachments::upload).layer(DefaultBodyLimit::max(
                // Past the per-case limit plus the form's own overhead, refuse before reading.
                (state.attachments.max_case_bytes + 1024 * 1024) as usize,
            )),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.http.upload_timeout,
        ))
}

/// The client bundle: brotli or gzip files written at build time (`--precompress`), and, when
/// cargo-leptos puts a content hash in the names, cached by browsers for a year.
fn pkg_service(options: &LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}

/// Ready when the database answers: a load balancer stops sending traffic otherwise.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Gives every failed server function the status its `AppError` stands for. The framework
/// answers 500 for any error, including arguments it could not parse; a client mistake must be
/// a 4xx. Plain form posts are redirects (302) and pass untouched. Whatever the body, a 500
/// leaves with a reference id only, its detail in the log (`AppError::into_public`).
async fn error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let err = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(bytes) => serde_json::from_slice::<AppError>(&bytes).unwrap_or_else(|_| {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            AppError::Internal(format!("server function failed with the body {text:?}"))
        }),
        Err(e) => AppError::Internal(format!("server function error body unreadable: {e}")),
    };
    let err = err.into_public();
    if let Ok(status) = StatusCode::from_u16(err.status_code()) {
        parts.status = status;
    }
    let Ok(json) = serde_json::to_vec(&err) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json))
}
