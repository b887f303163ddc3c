//! The real router, driven request by request: cookies, redirects, status codes and isolation
//! as a browser or a script sees them.
use crate::helpers;

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn form(uri: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_string())).expect("request")
}

async fn login(app: &axum::Router, email: &str, password: &str) -> String {
    let body = format!("email={email}&password={password}&next=%2F");
    let (status, headers, text) = send(app, form("/api/login", &body, None)).await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status}: {text}"
    );
    let set_cookie = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("session cookie set");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn server_functions_authenticate_and_isolate_organizations() {
    for db in helpers::seeded().await {
        let app = portal::router::build(helpers::state(db.pool.clone()));

        let (status, _, _) = send(&app, form("/api/dashboard", "", None)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{}: anonymous",
            db.backend
        );

        let acme = login(&app, "admin%40acme.example", "acme-admin-demo").await;
        let (status, _, body) = send(&app, form("/api/dashboard", "", Some(&acme))).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", db.backend);
        assert!(
            body.contains("Acme Boston DC") && !body.contains("Globex"),
            "{body}"
        );

        let (status, _, body) = send(&app, form("/api/me", "", Some(&acme))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("admin@acme.example"));

        // A forged cookie is nobody.
        let (status, _, _) = send(
            &app,
            form("/api/dashboard", "", Some("portal_session=forged")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Signing out ends the session on the server, not only in the browser.
        let (status, headers, _) = send(&app, form("/api/logout", "", Some(&acme))).await;
        assert!(status.is_success() || status.is_redirection());
        let cleared = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        let (status, _, _) = send(&app, form("/api/dashboard", "", Some(&acme))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", db.backend);
    }
}

#[tokio::test]
async fn bad_input_gets_4xx_never_5xx() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let cases = [
        ("/api/login", "".to_string()),
        ("/api/login", "email=admin%40acme.example".to_string()),
        ("/api/login", "password=x".to_string()),
        (
            "/api/login",
            format!("email={}&password=x", "a".repeat(100_000)),
        ),
        (
            "/api/login",
            "email=admin%40acme.example&password=wrong".to_string(),
        ),
        ("/api/login", "email=%FF%FE&password=%FF".to_string()),
        ("/api/nope", "x=1".to_string()),
    ];
    for (uri, body) in cases {
        let (status, _, text) = send(&app, form(uri, &body, None)).await;
        assert!(
            status.is_client_error(),
            "{uri} {body:.60}: {status} {text:.200}"
        );
    }
}

#[tokio::test]
async fn pages_redirect_anonymous_visitors_and_404_unknown_paths() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));

    // A browser's navigation: `Accept: text/html` is what makes the redirect a real 302.
    let page = Request::get("/")
        .header(header::ACCEPT, "text/html")
        .body(Body::empty());
    let (status, headers, _) = send(&app, page.unwrap()).await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/login?next=/");

    let (status, _, body) = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<label for=\"email\">"), "{body:.400}");

    let (status, _, _) = send(
        &app,
        Request::get("/definitely/not/here")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, headers, body) =
        send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(
        headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
        "nosniff"
    );
    let (status, _, _) = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

/// The dashboard as `email` sees it, rendered on the server.
async fn dashboard_of(app: &axum::Router, email: &str, password: &str) -> String {
    let cookie = login(app, email, password).await;
    let req = Request::get("/")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(app, req).await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test]
async fn signed_in_dashboard_renders_on_the_server() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let body = dashboard_of(&app, "caller%40acme.example", "acme-caller-demo").await;
    assert!(
        body.contains("Acme Frankfurt DC") && body.contains("Europe/Berlin"),
        "{body:.300}"
    );
    assert!(!body.contains("Globex Tokyo DC"));
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_pages_carry_a_nonce_policy() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let cookie = login(&app, "admin%40acme.example", "acme-admin-demo").await;

    // A foreign page posting a case with the victim's cookie: refused, nothing written.
    let count = || async {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) AS n FROM cases")
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .get::<i64, _>("n")
    };
    let before = count().await;
    let mut req = form(
        "/api/cases/open",
        "title=x&description=y&severity=3",
        Some(&cookie),
    );
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    req.headers_mut()
        .insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(count().await, before);

    // The same request from the portal's own origin gets past the check.
    let mut req = form("/api/dashboard", "", Some(&cookie));
    req.headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
    req.headers_mut()
        .insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Every inline script of a rendered page carries the nonce the policy names.
    let (status, headers, body) =
        send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .expect("CSP header");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in policy");
    let scripts = body.matches("<script").count();
    assert!(scripts > 0, "{body:.500}");
    assert_eq!(
        body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script has the nonce: {body}"
    );
}

/// Session fixation: a session id planted in the browser before sign-in is never adopted;
/// each sign-in gets a fresh id, and signing out ends it on the server.
#[tokio::test]
async fn sign_in_issues_a_fresh_session_id_and_sign_out_ends_it() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let planted = "portal_session=attacker-chosen-value";
    let body = "email=caller%40acme.example&password=acme-caller-demo&next=%2F";
    let (status, headers, text) = send(&app, form("/api/login", body, Some(planted))).await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status}: {text}"
    );
    let first = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("new session cookie")
        .to_string();
    assert_ne!(first, planted);
    let (status, _, _) = send(&app, form("/api/dashboard", "", Some(planted))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the planted id is not a session"
    );

    let second = login(&app, "caller%40acme.example", "acme-caller-demo").await;
    assert_ne!(first, second, "every sign-in gets its own id");

    let (status, _, _) = send(&app, form("/api/logout", "", Some(&first))).await;
    assert!(status.is_success() || status.is_redirection());
    let (status, _, _) = send(&app, form("/api/dashboard", "", Some(&first))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out on the server");
    let (status, _, _) = send(&app, form("/api/dashboard", "", Some(&second))).await;
    assert_eq!(status, StatusCode::OK, "the other session is untouched");
}

/// The dashboard answers "what needs me now": a case support waits on the customer for is
/// listed under "Waiting on you", with the open cases by nearest deadline, and only the
/// viewer's organization's cases.
#[tokio::test]
async fn the_dashboard_lists_what_waits_on_the_customer() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let state = helpers::state(db.pool.clone());
    let programs = state.programs.clone();
    let app = portal::router::build(state);
    let case_id: String = sqlx::query_scalar(
        "SELECT id FROM cases WHERE subject = 'Portworx volume attach timeouts'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let engineer = helpers::user(&db.pool, "engineer@support.example").await;
    portal::server::cases::set_status(
        &db.pool,
        &programs,
        &engineer,
        &case_id,
        "waiting_on_customer",
        "Please attach pxctl status from the three nodes.",
    )
    .await
    .unwrap();
    let body = dashboard_of(&app, "caller%40acme.example", "acme-caller-demo").await;
    let waiting = body.find("Waiting on you").expect("the list");
    let open = body
        .find("Your open cases, nearest deadline first")
        .expect("the open list");
    let case = body
        .find("Portworx volume attach timeouts")
        .expect("the case");
    assert!(waiting < case && case < open, "listed under Waiting on you");
    assert!(body.contains(&format!("/cases/{case_id}")));
    let globex = dashboard_of(&app, "admin%40globex.example", "globex-admin-demo").await;
    assert!(globex.contains("What needs you"));
    assert!(
        !globex.contains("Portworx volume attach timeouts"),
        "another organization's case"
    );
    let staff = dashboard_of(&app, "engineer%40support.example", "support-demo").await;
    assert!(staff.contains("Open cases, nearest deadline first"));
}

/// The `href` of the link whose text is `text` on a rendered page, unescaped.
fn link_href(body: &str, text: &str) -> Option<String> {
    let end = body.find(&format!(">{text}</a>"))?;
    let start = body[..end].rfind("href=\"")? + 6;
    let len = body[start..].find('"')?;
    Some(body[start..start + len].replace("&amp;", "&"))
}

/// Paging by position on the rendered page, with JavaScript off: "Next page" continues after
/// the page's last case, "Previous page" comes back to the same first page.
#[tokio::test]
async fn the_case_list_pages_by_links_that_carry_a_position() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.unwrap();
    let programs = portal::sla::ProgramSet::builtin().unwrap();
    portal::server::demo::bench::seed_cases(&db.pool, &programs, "Acme Corp", 60, 5)
        .await
        .unwrap();
    let app = portal::router::build(helpers::state(db.pool.clone()));
    let cookie = login(&app, "admin%40acme.example", "acme-admin-demo").await;
    let get = |uri: String| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            let req = Request::get(uri)
                .header(header::COOKIE, &cookie)
                .body(Body::empty());
            let (status, _, body) = send(&app, req.unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{body:.300}");
            body
        }
    };
    let first = get("/cases?status=all&sort=opened_desc".into()).await;
    assert!(first.contains("Page 1 of "), "{first:.300}");
    assert!(link_href(&first, "Previous page").is_none());
    let next = link_href(&first, "Next page").expect("a next page");
    assert!(
        next.contains("status=all") && next.contains("sort=opened_desc"),
        "{next}"
    );
    assert!(next.contains("after=") && next.contains("page=2"), "{next}");
    let second = get(next).await;
    assert!(second.contains("Page 2 of "));
    let back = link_href(&second, "Previous page").expect("a previous page");
    assert!(
        back.contains("before=") && back.contains("page=1"),
        "{back}"
    );
    let again = get(back).await;
    let rows = |b: &str| b.matches("href=\"/cases/").count();
    assert_eq!(rows(&again), rows(&first), "the same first page");
    assert!(again.contains("Page 1 of ") && link_href(&again, "Previous page").is_none());
    // A made-up position is a clear error by the field, not a 500.
    let req = form("/api/cases/list", "after=nonsense", Some(&cookie));
    let (status, _, body) = send(&app, req).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(body.contains("after"), "{body}");
}
