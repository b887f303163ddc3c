//! Behind the reverse proxy that production needs, every request's TCP peer is the proxy. The
//! sign-in limits count the client the proxy names in `X-Forwarded-For`/`Forwarded`, believed only
//! from `PORTAL_TRUSTED_PROXIES`, taking the rightmost hop that is not a trusted proxy.
use crate::helpers;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, Request, StatusCode};
use portal::server::auth::MAX_FAILURES_PER_ADDRESS;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

const PROXY: &str = "10.0.0.1";

/// A sign-in posted from TCP peer `peer` with these extra headers; its status.
async fn login(
    app: &axum::Router,
    peer: &str,
    headers: &[(&str, &str)],
    email: &str,
    password: &str,
) -> StatusCode {
    let body = helpers::form_body(&[("email", email), ("password", password), ("next", "/")]);
    let mut req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(Body::from(body)).expect("request");
    let peer: SocketAddr = format!("{peer}:40000").parse().expect("peer");
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = app.clone().oneshot(req).await.expect("response");
    res.status()
}

fn signed_in(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

/// `MAX_FAILURES_PER_ADDRESS` wrong passwords over as many accounts, as `headers` from `peer`.
async fn spray(app: &axum::Router, peer: &str, headers: &[(&str, &str)]) {
    for i in 0..MAX_FAILURES_PER_ADDRESS {
        let status = login(app, peer, headers, &format!("u{i}@x.example"), "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

fn app_behind_proxy(pool: sqlx::AnyPool) -> axum::Router {
    let mut state = helpers::state(pool);
    state.trusted_proxies = Arc::new("10.0.0.0/8".parse().expect("CIDR"));
    portal::router::build(state)
}

/// The probe: thirty failures from one user made every other user's right password answer 429,
/// because all of them reached the portal from the proxy's address.
#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = app_behind_proxy(db.pool.clone());
        let sprayer = [("x-forwarded-for", "203.0.113.66")];
        spray(&app, PROXY, &sprayer).await;
        let status = login(
            &app,
            PROXY,
            &sprayer,
            "admin@acme.example",
            "acme-admin-demo",
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{b}: the sprayer");
        let other = [("x-forwarded-for", "198.51.100.20")];
        let status = login(&app, PROXY, &other, "admin@acme.example", "acme-admin-demo").await;
        assert!(
            signed_in(status),
            "{b}: another user behind the proxy: {status}"
        );
        // `Forwarded` (RFC 7239) names a client as well.
        let other = [("forwarded", "for=198.51.100.21;proto=https")];
        let status = login(
            &app,
            PROXY,
            &other,
            "caller@acme.example",
            "acme-caller-demo",
        )
        .await;
        assert!(signed_in(status), "{b}: Forwarded: {status}");
    }
}

/// Each proxy appends the address it saw, so only the rightmost untrusted hop is known to be true:
/// a client cannot escape its limit by writing another address in front of its own.
#[tokio::test]
async fn the_rightmost_untrusted_hop_is_the_client() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = app_behind_proxy(db.pool.clone());
        // The sprayer, seen by the proxy at 203.0.113.66 behind a second proxy of ours.
        spray(
            &app,
            PROXY,
            &[("x-forwarded-for", "203.0.113.66, 10.0.0.2")],
        )
        .await;
        let forged = [("x-forwarded-for", "198.51.100.20, 203.0.113.66, 10.0.0.2")];
        let status = login(
            &app,
            PROXY,
            &forged,
            "admin@acme.example",
            "acme-admin-demo",
        )
        .await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{b}: forged first hop"
        );
        let real = [("x-forwarded-for", "203.0.113.66, 198.51.100.20")];
        let status = login(&app, PROXY, &real, "admin@acme.example", "acme-admin-demo").await;
        assert!(
            signed_in(status),
            "{b}: 198.51.100.20 is its own client: {status}"
        );
    }
}

/// From a peer that is not a trusted proxy the headers are the client's own say and are ignored:
/// spoofing the victim's address neither spends the victim's limit nor escapes one's own.
#[tokio::test]
async fn forwarding_headers_from_anyone_else_are_ignored() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let app = app_behind_proxy(db.pool.clone());
        let attacker = "192.0.2.50";
        spray(&app, attacker, &[("x-forwarded-for", "198.51.100.20")]).await;
        let victim = [("x-forwarded-for", "198.51.100.20")];
        let status = login(
            &app,
            PROXY,
            &victim,
            "admin@acme.example",
            "acme-admin-demo",
        )
        .await;
        assert!(
            signed_in(status),
            "{b}: the victim's limit was not spent: {status}"
        );
        let escape = [("x-forwarded-for", "198.51.100.99")];
        let status = login(
            &app,
            attacker,
            &escape,
            "admin@acme.example",
            "acme-admin-demo",
        )
        .await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{b}: the header did not help"
        );
        // Without any trusted proxy configured, even a private peer's headers are ignored.
        let app = portal::router::build(helpers::state(db.pool.clone()));
        spray(&app, "10.0.0.9", &[("x-forwarded-for", "198.51.100.30")]).await;
        let escape = [("x-forwarded-for", "198.51.100.31")];
        let status = login(
            &app,
            "10.0.0.9",
            &escape,
            "admin@acme.example",
            "acme-admin-demo",
        )
        .await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{b}: no proxies trusted"
        );
    }
}
