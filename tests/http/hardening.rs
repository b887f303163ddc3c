//! Response hardening through the real router: the session cookie and HSTS behind TLS, where
//! answers may be cached, who reads `/metrics`, and what a 500 tells the user.
use crate::helpers;
use axum::body::Body;
use http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::server_fn::error::ServerFnUrlError;
use portal::model::AppError;
use portal::server::state::AppState;
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post(uri: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).expect("request")
}

fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(k, *v);
    }
    b.body(Body::empty()).expect("request")
}

/// Signs the Acme admin in; returns the whole `Set-Cookie` value.
async fn sign_in(app: &axum::Router) -> String {
    let body = "email=admin%40acme.example&password=acme-admin-demo&next=%2F";
    let (status, headers, text) = send(app, post("/api/login", body, None)).await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status}: {text}"
    );
    headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("session cookie")
        .to_string()
}

fn name_value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap_or_default()
}

async fn seeded_state(db: &helpers::TestDb) -> AppState {
    portal::server::demo::seed(&db.pool).await.expect("seed");
    helpers::state(db.pool.clone())
}

#[tokio::test]
async fn behind_tls_the_cookie_is_host_prefixed_and_answers_carry_hsts() {
    for db in helpers::backends().await {
        let mut state = seeded_state(&db).await;
        state.sessions.secure_cookie = true;
        let app = portal::router::build(state);
        let set_cookie = sign_in(&app).await;
        assert!(
            set_cookie.starts_with("__Host-portal_session="),
            "{set_cookie}"
        );
        assert!(set_cookie.contains("; Secure") && set_cookie.contains("Path=/"));
        assert!(!set_cookie.contains("Domain"), "{set_cookie}");
        let cookie = name_value(&set_cookie).to_string();
        let (status, headers, body) = send(&app, post("/api/me", "", Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.backend);
        assert!(
            body.contains("admin@acme.example"),
            "{}: signed in: {body}",
            db.backend
        );
        assert_eq!(
            headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000")
        );
        // The same token under the unprefixed name (as plain HTTP could plant it) is nobody.
        let token = cookie.split_once('=').map(|(_, t)| t).unwrap_or_default();
        let planted = format!("portal_session={token}");
        // `me` answers everyone (anonymous: no user), so the body tells whether it was read.
        let (status, _, body) = send(&app, post("/api/me", "", Some(&planted))).await;
        assert_eq!(status, StatusCode::OK, "{}", db.backend);
        assert!(
            !body.contains("admin@acme.example"),
            "{}: {body}",
            db.backend
        );
        let (_, headers, _) = send(&app, get("/login", &[])).await;
        assert!(headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        let (_, headers, _) = send(&app, post("/api/logout", "", Some(&cookie))).await;
        let cleared = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(cleared.starts_with("__Host-portal_session=;"), "{cleared}");
    }
}

#[tokio::test]
async fn the_plain_http_demo_keeps_its_cookie_and_no_hsts() {
    let db = helpers::sqlite().await;
    let app = portal::router::build(seeded_state(&db).await);
    let set_cookie = sign_in(&app).await;
    assert!(set_cookie.starts_with("portal_session="), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let (status, headers, _) = send(&app, post("/api/me", "", Some(name_value(&set_cookie)))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

fn cache_control(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn personal_answers_are_no_store_and_static_files_keep_their_caching() {
    let db = helpers::sqlite().await;
    let mut state = seeded_state(&db).await;
    // A site root with the bundle and a root file, as cargo-leptos writes it.
    let site = std::env::temp_dir().join(format!("portal-site-{}", portal::server::ids::new_id()));
    std::fs::create_dir_all(site.join("pkg")).expect("site dir");
    std::fs::write(site.join("pkg/portal.css"), "body{}").expect("css");
    std::fs::write(site.join("favicon.svg"), "<svg/>").expect("icon");
    state.leptos_options.site_root = site.display().to_string().into();
    let app = portal::router::build(state);
    let cookie = name_value(&sign_in(&app).await).to_string();

    let page = get(
        "/",
        &[(header::COOKIE, &cookie), (header::ACCEPT, "text/html")],
    );
    let (status, headers, _) = send(&app, page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), Some("no-store"), "signed-in page");
    let (_, headers, _) = send(&app, post("/api/me", "", Some(&cookie))).await;
    assert_eq!(cache_control(&headers), Some("no-store"), "server function");
    let (_, headers, _) = send(&app, get("/login", &[])).await;
    assert_eq!(
        cache_control(&headers),
        Some("no-store"),
        "a page with a nonce"
    );

    let (status, headers, _) = send(&app, get("/pkg/portal.css", &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache_control(&headers),
        Some("no-cache"),
        "the bundle keeps its own"
    );
    let (status, headers, body) = send(&app, get("/favicon.svg", &[])).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "<svg/>"));
    assert_eq!(
        cache_control(&headers),
        None,
        "a root file keeps the browser's caching"
    );
    let _ = std::fs::remove_dir_all(site);
}

#[tokio::test]
async fn metrics_need_the_token_or_the_separate_listener() {
    let db = helpers::sqlite().await;
    let state = helpers::state(db.pool.clone());
    let open = portal::router::build(state.clone());
    let (status, _, body) = send(&open, get("/metrics", &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no token, not there: {body}");

    let guarded = portal::router::build(AppState {
        metrics_token: Some("scrape-me".into()),
        ..state
    });
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("scrape-me"),
        Some("Bearer scrape-mex"),
    ] {
        let headers: Vec<_> = auth
            .map(|a| (header::AUTHORIZATION, a))
            .into_iter()
            .collect();
        let (status, headers, _) = send(&guarded, get("/metrics", &headers)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(headers.contains_key(header::WWW_AUTHENTICATE));
    }
    let (status, _, body) = send(
        &guarded,
        get("/metrics", &[(header::AUTHORIZATION, "Bearer scrape-me")]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("# TYPE portal_http_requests_total counter"),
        "{body}"
    );

    // What `PORTAL_METRICS_ADDR` serves: the metrics alone, to whoever reaches that address.
    let internal = portal::server::metrics::router();
    let (status, _, body) = send(&internal, get("/metrics", &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("portal_http_request_duration_seconds"),
        "{body}"
    );
    let (status, _, _) = send(&internal, get("/", &[])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing else there");
}

/// A stored value the server cannot read is an internal error: the user gets "something went
/// wrong" and a reference, never the detail, as JSON, as a page and in a form's redirect.
#[tokio::test]
async fn a_500_names_a_reference_and_no_detail() {
    const DETAIL: &str = "Mars/Olympus_Mons";
    for db in helpers::backends().await {
        let app = portal::router::build(seeded_state(&db).await);
        let cookie = name_value(&sign_in(&app).await).to_string();
        sqlx::query("UPDATE sites SET time_zone = $1")
            .bind(DETAIL)
            .execute(&db.pool)
            .await
            .expect("break a time zone");

        let (status, _, body) = send(&app, post("/api/cases/form", "", Some(&cookie))).await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}: {body}",
            db.backend
        );
        assert!(
            !body.contains(DETAIL) && !body.contains("time zone"),
            "{body}"
        );
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
        let reference = json["Incident"].as_str().expect("a reference");
        assert_eq!(reference.len(), 8, "{body}");

        let page = get(
            "/cases/new",
            &[(header::COOKIE, &cookie), (header::ACCEPT, "text/html")],
        );
        let (status, _, html) = send(&app, page).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{}", db.backend);
        assert!(html.contains("Something went wrong on our side"), "{html}");
        assert!(html.contains("quote reference "), "{html}");
        assert!(!html.contains(DETAIL), "the page names the detail: {html}");

        // A plain form post comes back as a redirect with the error in its URL.
        let form = Request::post("/api/cases/form")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, "http://127.0.0.1:3000/cases/new")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request");
        let (status, headers, _) = send(&app, form).await;
        assert!(status.is_redirection(), "{status}");
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let encoded = location
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("__err="))
            .expect("the error in the URL")
            .replace("%3D", "=");
        let err = ServerFnUrlError::<AppError>::decode_err(&encoded);
        assert!(matches!(err, AppError::Incident(_)), "{err:?}");
    }
}
