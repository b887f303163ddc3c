//! Malformed requests by the thousand against every server function and the alert API: wrong
//! types, missing and unknown fields, huge strings, invalid UTF-8, oversized bodies, wrong
//! content types and methods. The server must answer each with a 4xx (or a 2xx/3xx where the
//! garbage happens to be a valid call with no arguments), never a 5xx, must keep serving, and
//! must store nothing.
use crate::helpers;

use axum::body::Body;
use http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// At least this many requests in one run (the floor).
const REQUESTS: usize = 10_000;

/// xorshift64*: a fixed seed makes every failure reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Field names the portal's forms use, so garbage often lands on a real argument.
const FIELDS: &[&str] = &[
    "id",
    "case_id",
    "title",
    "description",
    "severity",
    "site_id",
    "array_id",
    "product",
    "body",
    "comment",
    "email",
    "password",
    "name",
    "phone",
    "role",
    "token",
    "hours",
    "reason",
    "session_id",
    "contact_id",
    "rating",
    "answer",
    "next",
    "date",
    "part_type",
    "quantity",
    "carrier",
    "tracking_number",
    "stage",
    "replacement_id",
    "label",
    "kind",
    "user_id",
    "program",
    "plan",
    "opened",
    "tz",
    "value",
    "enabled",
    "events",
];

/// Values of the wrong type, shape or size, in their percent-encoded form.
fn value(rng: &mut Rng) -> String {
    match rng.below(14) {
        0 => String::new(),
        1 => "-1".into(),
        2 => "99999999999999999999999".into(),
        3 => "%FF%FE%FD".into(),                 // invalid UTF-8
        4 => "%00%01%02".into(),                 // control characters
        5 => "a".repeat(rng.below(200_000) + 1), // huge
        6 => "true".into(),
        7 => "1.5e308".into(),
        8 => "%5B%5D".into(), // []
        9 => "%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        10 => "'%3B DROP TABLE cases%3B--".into(),
        11 => "00000000000000000000000000000000".into(),
        12 => "2026-13-45T99:99:99Z".into(),
        _ => format!("{}", rng.next()),
    }
}

fn form_body(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(6);
    let mut parts = Vec::new();
    for _ in 0..n {
        let key = match rng.below(6) {
            0 => format!("{}[x][y]", rng.pick(FIELDS)), // nested
            1 => "%FF".to_string(),
            _ => rng.pick(FIELDS).to_string(),
        };
        parts.push(format!("{key}={}", value(rng)));
    }
    if rng.below(8) == 0 {
        parts.push("&&&==&=".into());
    }
    parts.join("&").into_bytes()
}

fn raw_body(rng: &mut Rng) -> (Vec<u8>, &'static str) {
    match rng.below(7) {
        0 => (
            vec![0xff, 0xfe, 0x00, 0x80],
            "application/x-www-form-urlencoded",
        ),
        1 => (
            b"{\"title\": 5, \"severity\": [\"x\"]".to_vec(),
            "application/json",
        ),
        2 => (b"{}".to_vec(), "application/json"),
        3 => (
            b"--x\r\nContent-Disposition: form-data\r\n\r\n".to_vec(),
            "multipart/form-data; boundary=x",
        ),
        4 => (b"title=x".to_vec(), "text/plain"),
        5 => (
            vec![b'a'; 3 * 1024 * 1024],
            "application/x-www-form-urlencoded",
        ), // oversized
        _ => (form_body(rng), "application/cbor"),
    }
}

fn alert_body(rng: &mut Rng) -> (Vec<u8>, &'static str) {
    match rng.below(6) {
        0 => (b"{".to_vec(), "application/json"),
        1 => (b"{\"array_serial\": 12, \"severity\": null}".to_vec(), "application/json"),
        2 => (
            format!(
                "{{\"array_serial\":\"PURE-BOS-01\",\"alert_id\":\"{}\",\"code\":\"x\",\"severity\":\"critical\",\"summary\":\"s\",\"started_at\":\"not a time\"}}",
                "z".repeat(rng.below(100_000))
            )
            .into_bytes(),
            "application/json",
        ),
        3 => (vec![b' '; 2 * 1024 * 1024], "application/json"),
        4 => (vec![0xc3, 0x28, 0xa0, 0xa1], "application/json"),
        _ => (form_body(rng), "application/x-www-form-urlencoded"),
    }
}

/// Tables a refused request may legitimately touch: sessions (a fuzzed sign-out ends the
/// fuzzer's own session) and the sign-in attempts the rate limiter counts.
const MAY_CHANGE: &[&str] = &["sessions", "login_attempts", "login_throttle"];

async fn sign_in(app: &axum::Router, email: &str, password: &str) -> String {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(format!("email={email}&password={password}")))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    res.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_malformed_requests_get_no_5xx_and_store_nothing() {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.expect("seed");
    let app = portal::router::build(helpers::state(db.pool.clone()));

    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    endpoints.sort();
    assert!(
        endpoints.len() >= 20,
        "server functions found: {endpoints:?}"
    );
    endpoints.push("/api/v1/alerts".into());

    let customer = sign_in(&app, "admin%40acme.example", "acme-admin-demo").await;
    let engineer = sign_in(&app, "engineer%40support.example", "support-demo").await;
    let counting = helpers::counting_query(&db.pool, db.backend, MAY_CHANGE).await;
    let mut before = helpers::table_counts(&db.pool, &counting).await;
    // Calls that take no required argument are valid whatever the body says: they may write.
    let mut accepted: BTreeMap<String, usize> = BTreeMap::new();

    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for i in 0..REQUESTS {
        let path = rng.pick(&endpoints).clone();
        let is_alerts = path == "/api/v1/alerts";
        // Never fuzz sign-out and sign-in with a real session: they are the fuzzer's own.
        let cookie = match rng.below(3) {
            _ if path.contains("logout") || path.contains("login") => None,
            0 => None,
            1 => Some(customer.clone()),
            _ => Some(engineer.clone()),
        };
        let (body, content_type) = if is_alerts {
            alert_body(&mut rng)
        } else if rng.below(3) == 0 {
            raw_body(&mut rng)
        } else {
            (form_body(&mut rng), "application/x-www-form-urlencoded")
        };
        let method = if rng.below(20) == 0 {
            Method::GET
        } else {
            Method::POST
        };
        let uri = if method == Method::GET {
            format!("{path}?{}", String::from_utf8_lossy(&form_body(&mut rng)))
        } else {
            path.clone()
        };
        let mut req = Request::builder()
            .method(method.clone())
            .uri(uri.as_str())
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json");
        if let Some(c) = &cookie {
            req = req.header(header::COOKIE, c);
        }
        if is_alerts {
            let token = match rng.below(3) {
                0 => "Bearer ".to_string(),
                1 => format!("Bearer {}", "x".repeat(rng.below(5000))),
                _ => "Basic Zm9vOmJhcg==".to_string(),
            };
            req = req.header(header::AUTHORIZATION, token);
        }
        let Ok(req) = req.body(Body::from(body)) else {
            continue; // an URI the http crate itself refuses never reaches a server
        };
        let res = app.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        *statuses.entry(status.as_u16()).or_default() += 1;
        let after = helpers::table_counts(&db.pool, &counting).await;
        if status.is_success() || status.is_redirection() {
            *accepted.entry(path.clone()).or_default() += 1;
            before = after;
        } else if after != before {
            failures.push(format!(
                "#{i} {method} {uri:.120} ({content_type}): refused with {status} but changed \
                 stored rows: {before:?} -> {after:?}"
            ));
            before = after;
        }
        if status.is_server_error() {
            let text = res
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            failures.push(format!(
                "#{i} {method} {uri:.120} ({content_type}): {status} {:.200}",
                String::from_utf8_lossy(&text)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} requests got a 5xx or wrote while refused (status counts {statuses:?}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("status counts over {REQUESTS} malformed requests: {statuses:?}");
    eprintln!("calls valid without arguments, accepted: {accepted:?}");

    // Still serving, and a well-formed call still works.
    let res = app
        .clone()
        .oneshot(
            Request::get("/readyz")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .clone()
        .oneshot(
            Request::post("/api/dashboard")
                .header(header::COOKIE, &customer)
                .header(header::ACCEPT, "application/json")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
}
