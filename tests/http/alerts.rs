//! The alert ingest API through the real router, on SQLite and PostgreSQL: a critical alert opens
//! one case, a repeat is added to it, and every refusal is the documented JSON 4xx that stores
//! nothing.
use crate::helpers::{self, user};

use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portal::model::alert::{MAX_BODY_BYTES, REQUESTS_PER_MINUTE};
use portal::server::alerts;
use serde_json::{json, Value};
use sqlx::AnyPool;
use tower::ServiceExt;

const BOSTON_SERIAL: &str = "PSX70-BOS-0001";
const DARK_SERIAL: &str = "PSC60-FRA-0003";
const GLOBEX_SERIAL: &str = "PSX50-TYO-0001";

async fn post(app: &axum::Router, token: Option<&str>, body: String) -> (StatusCode, Value) {
    let mut b = Request::post("/api/v1/alerts").header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{status}: not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, v)
}

fn alert(serial: &str, alert_id: &str, severity: &str, code: &str) -> String {
    json!({
        "array_serial": serial,
        "alert_id": alert_id,
        "code": code,
        "severity": severity,
        "summary": "Controller CT1 stopped responding",
        "started_at": "2026-11-20T10:00:00Z",
    })
    .to_string()
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

async fn stored(pool: &AnyPool) -> (i64, i64) {
    (
        count(pool, "SELECT COUNT(*) FROM monitoring_alerts").await,
        count(pool, "SELECT COUNT(*) FROM cases").await,
    )
}

#[tokio::test]
async fn critical_alerts_open_one_case_and_repeats_append() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let app = portal::router::build(helpers::state(pool.clone()));
        let admin = user(pool, "admin@acme.example").await;
        let token = alerts::create_token(pool, &admin, "Pure1 bridge")
            .await
            .expect("token");
        let stored_hash: String =
            sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE id = $1")
                .bind(&token.id)
                .fetch_one(pool)
                .await
                .expect("hash");
        assert_ne!(stored_hash, token.token, "{b}: only the hash is stored");
        let (_, cases_before) = stored(pool).await;

        let (status, v) = post(
            &app,
            Some(&token.token),
            alert(BOSTON_SERIAL, "A-1", "critical", "controller_fault"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{b}: {v}");
        assert_eq!(v["status"], "case_opened", "{b}");
        assert_eq!(v["case_severity"], 1, "{b}");
        let case_id = v["case_id"].as_str().expect("case id").to_string();

        let (status, v) = post(
            &app,
            Some(&token.token),
            alert(BOSTON_SERIAL, "A-1", "critical", "controller_fault"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{b}: {v}");
        assert_eq!(
            (v["status"].as_str(), v["case_id"].as_str()),
            (Some("appended"), Some(case_id.as_str())),
            "{b}"
        );

        assert_eq!(stored(pool).await, (2, cases_before + 1), "{b}: one case");
        let entries: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'alert'",
        )
        .bind(&case_id)
        .fetch_one(pool)
        .await
        .expect("entries");
        assert_eq!(entries, 2, "{b}: two alert entries on the timeline");
        let (flag, severity, opened_by): (i64, i64, Option<String>) = sqlx::query_as(
            "SELECT CASE WHEN opened_from_alert THEN 1 ELSE 0 END, severity, opened_by FROM cases WHERE id = $1",
        )
        .bind(&case_id)
        .fetch_one(pool)
        .await
        .expect("case");
        assert_eq!((flag, severity, opened_by), (1, 1, None), "{b}");
        // The site's contacts and support were told, once per alert entry.
        let told: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_events WHERE case_id = $1 AND kind = 'alert'",
        )
        .bind(&case_id)
        .fetch_one(pool)
        .await
        .expect("events");
        assert_eq!(told, 2, "{b}");

        // A different alert id opens a different case; a non-critical one is only stored.
        let (status, _) = post(
            &app,
            Some(&token.token),
            alert(BOSTON_SERIAL, "A-2", "critical", "ssd_loss"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        let (status, v) = post(
            &app,
            Some(&token.token),
            alert(BOSTON_SERIAL, "W-1", "warning", "capacity_limit"),
        )
        .await;
        assert_eq!(
            (status, v["status"].as_str()),
            (StatusCode::ACCEPTED, Some("stored")),
            "{b}"
        );
        assert_eq!(stored(pool).await, (4, cases_before + 2), "{b}");

        // The token shows when it was last used; the alerts page lists the array's alerts.
        let page = alerts::page(pool, &admin).await.expect("page");
        let tokens = page.tokens.expect("admin sees tokens");
        assert!(tokens[0].last_used_at.is_some(), "{b}");
        let boston = page
            .arrays
            .iter()
            .find(|a| a.serial == BOSTON_SERIAL)
            .expect("array listed");
        assert_eq!(boston.alerts.len(), 4, "{b}");
        let caller = user(pool, "caller@acme.example").await;
        assert!(
            alerts::page(pool, &caller)
                .await
                .expect("page")
                .tokens
                .is_none(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn refusals_are_json_4xx_and_store_nothing() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let app = portal::router::build(helpers::state(pool.clone()));
        let admin = user(pool, "admin@acme.example").await;
        let token = alerts::create_token(pool, &admin, "monitoring")
            .await
            .expect("token");
        let t = Some(token.token.as_str());
        let before = stored(pool).await;
        let ok = alert(BOSTON_SERIAL, "X-1", "critical", "controller_fault");

        let cases: Vec<(Option<&str>, String, StatusCode, &str)> = vec![
            (None, ok.clone(), StatusCode::UNAUTHORIZED, "unauthorized"),
            (
                Some("pat_forged"),
                ok.clone(),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            ),
            (
                t,
                alert(GLOBEX_SERIAL, "X-1", "critical", "controller_fault"),
                StatusCode::NOT_FOUND,
                "unknown_array",
            ),
            (
                t,
                alert("NO-SUCH-SERIAL", "X-1", "critical", "controller_fault"),
                StatusCode::NOT_FOUND,
                "unknown_array",
            ),
            (
                t,
                alert(DARK_SERIAL, "X-1", "critical", "controller_fault"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "dark_site",
            ),
            (
                t,
                "{\"array_serial\": ".to_string(),
                StatusCode::BAD_REQUEST,
                "malformed_json",
            ),
            (
                t,
                "not json".to_string(),
                StatusCode::BAD_REQUEST,
                "malformed_json",
            ),
            (
                t,
                json!({"array_serial": BOSTON_SERIAL}).to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_alert",
            ),
            (
                t,
                alert(BOSTON_SERIAL, "X-1", "urgent", "controller_fault"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_alert",
            ),
            (
                t,
                alert(BOSTON_SERIAL, "", "critical", "controller_fault"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_alert",
            ),
            (
                t,
                " ".repeat(MAX_BODY_BYTES + 1),
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
            ),
        ];
        for (token, body, status, code) in cases {
            let (got, v) = post(&app, token, body).await;
            assert_eq!((got, v["error"].as_str()), (status, Some(code)), "{b}: {v}");
            assert!(
                v["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{b}: {v}"
            );
        }
        assert_eq!(stored(pool).await, before, "{b}: nothing stored");

        // A revoked token stops working at once.
        alerts::revoke_token(pool, &admin, &token.id)
            .await
            .expect("revoke");
        let (status, _) = post(&app, t, ok.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");
        // Only the organization's admins manage tokens.
        let globex = user(pool, "admin@globex.example").await;
        assert!(
            alerts::revoke_token(pool, &globex, &token.id)
                .await
                .is_err(),
            "{b}"
        );
        let caller = user(pool, "caller@acme.example").await;
        assert!(
            alerts::create_token(pool, &caller, "x").await.is_err(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn each_token_is_rate_limited() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let app = portal::router::build(helpers::state(pool.clone()));
        let admin = user(pool, "admin@acme.example").await;
        let token = alerts::create_token(pool, &admin, "chatty")
            .await
            .expect("token");
        let other = alerts::create_token(pool, &admin, "quiet")
            .await
            .expect("token");
        // Malformed bodies still count: the limit is per request, before the body is read.
        let mut limited = 0;
        for _ in 0..=REQUESTS_PER_MINUTE {
            let (status, v) = post(&app, Some(&token.token), "{".into()).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(v["error"], "rate_limited", "{b}");
                limited += 1;
            }
        }
        // One request over the limit (two if the minute turned during the loop: then none).
        assert!(limited <= 1, "{b}: {limited}");
        let (status, v) = post(&app, Some(&token.token), "{".into()).await;
        assert!(
            status == StatusCode::TOO_MANY_REQUESTS || limited == 0,
            "{b}: {status} {v}"
        );
        // Another token has its own budget.
        let (status, _) = post(&app, Some(&other.token), "{".into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    }
}
