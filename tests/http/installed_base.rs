//! The installed base page as a browser without JavaScript gets it, through the real router:
//! the server-rendered table carries the package, the contract lapsing soon, the site's delivery
//! determination, and an "Open a case" link whose form comes back with that array chosen.
use crate::helpers;

use axum::body::Body;
use http::{header, Request};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn send(app: &axum::Router, req: Request<Body>) -> (u16, Option<String>, String) {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status().as_u16();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next().map(str::to_string));
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, cookie, String::from_utf8_lossy(&bytes).into_owned())
}

async fn sign_in(app: &axum::Router, email: &str, password: &str) -> String {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(helpers::form_body(&[
            ("email", email),
            ("password", password),
        ])))
        .expect("request");
    send(app, req).await.1.expect("session cookie")
}

async fn page(app: &axum::Router, cookie: &str, uri: &str) -> (u16, String) {
    let req = Request::get(uri)
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(app, req).await;
    (status, body)
}

/// The `<tr>` that names `text`.
fn row_with<'a>(html: &'a str, text: &str) -> &'a str {
    let at = html
        .find(text)
        .unwrap_or_else(|| panic!("{text} not on the page"));
    let start = html[..at].rfind("<tr").expect("inside a row");
    let end = at + html[at..].find("</tr>").expect("row ends");
    &html[start..end]
}

#[tokio::test]
async fn the_page_renders_its_facts_and_open_a_case_preselects_the_array_without_js() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        let cookie = sign_in(&app, "caller@acme.example", "acme-caller-demo").await;

        let (status, html) = page(&app, &cookie, "/installed-base").await;
        assert_eq!(status, 200, "{b}");
        assert!(html.contains("<h1>Installed base</h1>"), "{b}");
        assert!(
            html.contains(r#"href="/installed-base""#),
            "{b}: the nav entry"
        );
        // The caller's one site, with its delivery determination before its table.
        assert!(
            html.contains("Acme Boston DC") && !html.contains("Acme Frankfurt DC"),
            "{b}"
        );
        let window = html
            .find("Four-hour delivery window")
            .expect("determination");
        assert!(
            window < html.find("<table").expect("table"),
            "{b}: up front"
        );

        let prod = row_with(&html, "FlashArray//X70 boston-prod-01");
        for fact in [
            "FlashArray//X70R3",
            "PSX70-BOS-0001",
            "Purity//FA 6.5.8",
            "365 x 24 x 7",
            "Evergreen//Forever",
            "Unlimited",
        ] {
            assert!(prod.contains(fact), "{b}: {fact} missing from {prod}");
        }
        let k8s = row_with(&html, "Portworx cluster boston-k8s");
        assert!(k8s.contains("Lapsing"), "{b}: {k8s}");
        assert!(k8s.contains(" days left"), "{b}: the days left: {k8s}");

        // The link names the array; the form it opens has that array chosen, server-rendered.
        let array_id: String =
            sqlx::query_scalar("SELECT id FROM arrays WHERE name = 'Portworx cluster boston-k8s'")
                .fetch_one(&db.pool)
                .await
                .expect("array");
        let href = format!("/cases/new?array={array_id}");
        assert!(k8s.contains(&format!(r#"href="{href}""#)), "{b}: {k8s}");
        let (status, form) = page(&app, &cookie, &href).await;
        assert_eq!(status, 200, "{b}");
        let option = form
            .split("<option")
            .skip(1)
            .find(|o| o.contains("Portworx cluster boston-k8s"))
            .expect("the array is offered");
        assert!(option.contains("selected"), "{b}: {option}");
        // Without the parameter, the first active array is the one chosen.
        let (_, plain) = page(&app, &cookie, "/cases/new").await;
        let option = plain
            .split("<option")
            .skip(1)
            .find(|o| o.contains("Portworx cluster boston-k8s"))
            .expect("the array is offered");
        assert!(!option.contains("selected"), "{b}: {option}");
    }
}
