//! The account's server functions through the real router: what sign-in records of the client,
//! and the answers a browser's form gets (redirects, statuses), on SQLite and PostgreSQL.
use crate::helpers;

use axum::body::Body;
use http::{header, Request};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Answer {
    status: u16,
    location: String,
    cookie: Option<String>,
    body: String,
}

async fn post(
    app: &axum::Router,
    uri: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> Answer {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, "Matrix-Browser/1.0 (account test)");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let req = b
        .body(Body::from(helpers::form_body(fields)))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let header_of = |name: header::HeaderName| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header_of(header::LOCATION).unwrap_or_default();
    let cookie =
        header_of(header::SET_COOKIE).and_then(|c| c.split(';').next().map(str::to_string));
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[tokio::test]
async fn sign_in_records_the_client_and_the_account_forms_answer_as_forms() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = portal::router::build(helpers::state(db.pool.clone()));
        let login = [
            ("email", "caller@acme.example"),
            ("password", "acme-caller-demo"),
        ];
        let cookie = post(&app, "/api/login", &login, None)
            .await
            .cookie
            .expect("session cookie");
        let other = post(&app, "/api/login", &login, None)
            .await
            .cookie
            .expect("second session");

        let page = post(&app, "/api/account/page", &[], Some(&cookie)).await;
        assert_eq!(page.status, 200, "{b}: {}", page.body);
        let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON");
        let sessions = json["sessions"].as_array().expect("sessions");
        assert_eq!(sessions.len(), 2, "{b}: {json}");
        assert!(
            sessions
                .iter()
                .all(|s| s["user_agent"] == "Matrix-Browser/1.0 (account test)"),
            "{b}: the user agent is recorded at sign-in: {json}"
        );
        assert_eq!(
            sessions.iter().filter(|s| s["current"] == true).count(),
            1,
            "{b}"
        );

        let wrong = post(
            &app,
            "/api/account/password",
            &[
                ("current_password", "wrong-password"),
                ("password", "an-entirely-new-password"),
                ("password_confirm", "an-entirely-new-password"),
            ],
            Some(&cookie),
        )
        .await;
        assert_eq!(wrong.status, 422, "{b}: {}", wrong.body);
        assert!(
            wrong.body.contains("current_password"),
            "{b}: {}",
            wrong.body
        );

        let changed = post(
            &app,
            "/api/account/password",
            &[
                ("current_password", "acme-caller-demo"),
                ("password", "an-entirely-new-password"),
                ("password_confirm", "an-entirely-new-password"),
            ],
            Some(&cookie),
        )
        .await;
        assert!(
            (200..400).contains(&changed.status),
            "{b}: {}",
            changed.body
        );
        assert_eq!(changed.location, "/account?changed=password", "{b}");
        let gone = post(&app, "/api/account/page", &[], Some(&other)).await;
        assert_eq!(gone.status, 401, "{b}: the other session ended");
        let still = post(&app, "/api/account/page", &[], Some(&cookie)).await;
        assert_eq!(still.status, 200, "{b}: this one stays");

        // The reset request answers an unknown address exactly as a known one.
        let known = post(
            &app,
            "/api/password-reset/request",
            &[("email", "caller@acme.example")],
            None,
        )
        .await;
        let unknown = post(
            &app,
            "/api/password-reset/request",
            &[("email", "nobody@acme.example")],
            None,
        )
        .await;
        assert_eq!(
            (known.status, &known.location, &known.body),
            (unknown.status, &unknown.location, &unknown.body),
            "{b}"
        );
        assert_eq!(known.location, "/forgot-password?sent=1", "{b}");
    }
}
