//! Remote Assist on SQLite and PostgreSQL: one open session per array held by the database even
//! with 50 simultaneous requests from two app instances, who may open, start, join, extend and
//! end, and a time-out job that ends each expired session exactly once on two instances.
use crate::helpers::{self, array_id, user};

use chrono::{Duration, Utc};
use portal::model::case::NewCase;
use portal::model::remote_assist::SessionState;
use portal::model::{AppError, CurrentUser, Role};
use portal::server::remote_assist::{self as ra, NewSession, ALREADY_ACTIVE};
use portal::server::remote_assist_jobs::{run_remote_assist_jobs, RemoteAssistJobReport};
use portal::server::{cases, db};
use portal::sla::ProgramSet;
use sqlx::{AnyPool, Row};

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";

const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";
const DEV_1: &str = "FlashArray//X20 boston-dev-01";
const DEV_2: &str = "FlashArray//X20 boston-dev-02";
const DEV_3: &str = "FlashArray//X20 boston-dev-03";
/// Acme Frankfurt's dark site.
const DARK_ARRAY: &str = "FlashArray//C60 fra-backup-01";
const GLOBEX_ARRAY: &str = "FlashArray//X50 tokyo-prod-01";

/// A person the demo lacks: a second engineer, or an Acme backup contact.
async fn add_user(pool: &AnyPool, email: &str, name: &str, role: Role) -> CurrentUser {
    let org: Option<String> = if role.is_staff() {
        None
    } else {
        sqlx::query_scalar("SELECT id FROM organizations WHERE name = 'Acme Corp'")
            .fetch_one(pool)
            .await
            .ok()
    };
    sqlx::query(
        "INSERT INTO users (id, organization_id, email, name, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(portal::server::ids::new_id())
    .bind(org)
    .bind(email)
    .bind(name)
    .bind(role.as_str())
    .execute(pool)
    .await
    .expect("user added");
    if !role.is_staff() {
        // Designation is per site: the added contact holds the role at Acme Boston.
        sqlx::query(
            "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) \
             SELECT $1, s.id, u.id, $2, 0 FROM sites s, users u \
             WHERE s.name = 'Acme Boston DC' AND u.email = $3",
        )
        .bind(portal::server::ids::new_id())
        .bind(role.as_str())
        .bind(email)
        .execute(pool)
        .await
        .expect("designated");
    }
    user(pool, email).await
}

/// Puts a session back to requested, as backup contacts' requests were stored before a backup
/// contact at the array's site counted as its local administrator.
pub(crate) async fn stored_as_requested(pool: &AnyPool, id: &str) {
    sqlx::query(
        "UPDATE remote_assist_sessions SET state = 'requested', started_at = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .expect("stored as requested");
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// Timeline entries the sessions wrote on a case.
async fn ra_events(pool: &AnyPool, case_id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT new_value, body FROM case_events WHERE case_id = $1 AND kind = 'remote_assist' \
         ORDER BY seq",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await
    .expect("events")
}

async fn open_case(pool: &AnyPool, who: &CurrentUser, array: &str) -> String {
    let p = ProgramSet::builtin().expect("programs");
    let input = NewCase {
        site_id: String::new(),
        array_id: array_id(pool, array).await,
        severity: 3,
        subject: "Replication lag".into(),
        description: "Replication to the DR site lags by an hour.".into(),
        ..NewCase::default()
    };
    cases::create_case(pool, &p, who, &input)
        .await
        .expect("case opens")
        .id
}

fn request(array: &str, case_id: &str, hours: i64) -> NewSession {
    NewSession {
        array_id: array.to_string(),
        case_id: case_id.to_string(),
        reason: "Collect diagnostics from both controllers.".into(),
        hours,
    }
}

fn field<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn fifty_concurrent_requests_open_exactly_one_session() {
    for db in helpers::seeded().await {
        let b = db.backend;
        // Two pools on one database stand for two app instances behind a load balancer.
        let other = db::connect(&db.url, 8).await.expect("second pool");
        let admin = user(&db.pool, ACME_ADMIN).await;
        let case_id = open_case(&db.pool, &admin, BOSTON_ARRAY).await;
        let array = array_id(&db.pool, BOSTON_ARRAY).await;
        let mut tasks = Vec::new();
        for i in 0..50 {
            let pool = if i % 2 == 0 {
                db.pool.clone()
            } else {
                other.clone()
            };
            let admin = admin.clone();
            let input = request(&array, &case_id, 4);
            tasks.push(tokio::spawn(async move {
                ra::request_session(&pool, &admin, &input).await
            }));
        }
        let mut opened = Vec::new();
        for t in tasks {
            match t.await.expect("task") {
                Ok(id) => opened.push(id),
                Err(e) => assert_eq!(
                    e,
                    AppError::Conflict(ALREADY_ACTIVE.into()),
                    "{b}: every loser gets the clear message"
                ),
            }
        }
        assert_eq!(opened.len(), 1, "{b}: exactly one session");
        let sql = format!(
            "SELECT COUNT(*) FROM remote_assist_sessions WHERE array_id = '{array}' AND state = 'active'"
        );
        assert_eq!(count(&db.pool, &sql).await, 1, "{b}");
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM remote_assist_sessions").await,
            1,
            "{b}: the refused requests left nothing"
        );
        assert_eq!(
            count(
                &db.pool,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'remote_assist.request'"
            )
            .await,
            1,
            "{b}"
        );
        let events = ra_events(&db.pool, &case_id).await;
        assert_eq!(events.len(), 1, "{b}: one start on the case timeline");
        assert_eq!(events[0].0, "active");
        assert!(events[0].1.contains("started on FlashArray//X70"), "{b}");
        // The customer sees it active with its deadline four hours out.
        let o = ra::overview(&db.pool, &admin).await.expect("overview");
        let s = o
            .arrays
            .iter()
            .find(|a| a.id == array)
            .and_then(|a| a.session.clone())
            .expect("open session on the array");
        assert_eq!(s.state, SessionState::Active);
        let left = s.deadline_at - Utc::now();
        assert!(
            left > Duration::minutes(235) && left <= Duration::hours(4),
            "{b}"
        );
        assert!(s.can_end && s.can_extend && !s.can_join);
        assert_eq!(s.case.map(|c| c.id), Some(case_id));
        other.close().await;
    }
}

#[tokio::test]
async fn callers_foreign_admins_staff_and_dark_arrays_are_refused() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let caller = user(&db.pool, ACME_CALLER).await;
        let globex = user(&db.pool, GLOBEX_ADMIN).await;
        let staff = user(&db.pool, ENGINEER).await;
        let array = array_id(&db.pool, DEV_1).await;
        let ok = request(&array, "", 4);

        assert_eq!(
            ra::request_session(&db.pool, &caller, &ok).await,
            Err(AppError::Forbidden),
            "{b}: an authorized caller watches, never opens"
        );
        assert_eq!(
            ra::request_session(&db.pool, &staff, &ok).await,
            Err(AppError::Forbidden),
            "{b}: support does not open sessions for customers"
        );
        assert_eq!(
            ra::request_session(&db.pool, &globex, &ok).await,
            Err(AppError::NotFound("Array".into())),
            "{b}: another organization's array looks unknown"
        );
        assert_eq!(
            ra::request_session(&db.pool, &globex, &request("nope", "", 4)).await,
            Err(AppError::NotFound("Array".into()))
        );
        let foreign = array_id(&db.pool, GLOBEX_ARRAY).await;
        assert_eq!(
            ra::request_session(&db.pool, &admin, &request(&foreign, "", 4)).await,
            Err(AppError::NotFound("Array".into()))
        );
        let dark = array_id(&db.pool, DARK_ARRAY).await;
        let r = ra::request_session(&db.pool, &admin, &request(&dark, "", 4)).await;
        assert_eq!(field(r), "array_id", "{b}: a dark site cannot have one");
        assert_eq!(
            field(ra::request_session(&db.pool, &admin, &request(&array, "", 25)).await),
            "hours"
        );
        assert_eq!(
            field(ra::request_session(&db.pool, &admin, &request(&array, "", 0)).await),
            "hours"
        );
        let mut blank = ok.clone();
        blank.reason = "  ".into();
        assert_eq!(
            field(ra::request_session(&db.pool, &admin, &blank).await),
            "reason"
        );
        // A case of another organization cannot be linked.
        let globex_case = open_case(&db.pool, &globex, GLOBEX_ARRAY).await;
        assert_eq!(
            field(ra::request_session(&db.pool, &admin, &request(&array, &globex_case, 4)).await),
            "case_id"
        );
        assert_eq!(
            count(&db.pool, "SELECT COUNT(*) FROM remote_assist_sessions").await,
            0,
            "{b}: nothing stored"
        );
        // The caller sees arrays and sessions but gets no form; staff see every organization.
        let o = ra::overview(&db.pool, &caller).await.unwrap();
        assert!(!o.can_request && o.cases.is_empty());
        assert!(o.arrays.iter().all(|a| a.organization_name == "Acme Corp"));
        assert!(o.arrays.iter().any(|a| !a.connected), "{b}: dark shown");
        let o = ra::overview(&db.pool, &staff).await.unwrap();
        assert!(!o.can_request && o.is_staff);
        assert!(o.arrays.iter().any(|a| a.organization_name == "Globex"));
        let o = ra::overview(&db.pool, &admin).await.unwrap();
        assert!(o.can_request && !o.cases.is_empty(), "{b}: cases to link");
    }
}

/// The guides say both "Only a customer's local administrator can open a Remote Assist
/// session" and that backup contacts are "opening RA sessions when required". Read together:
/// the backup contact designated at the array's site is that site's local administrator, so
/// their request opens the session at once instead of waiting for an admin (who may be the one
/// out of reach when a backup is needed).
#[tokio::test]
async fn a_backup_contact_at_the_arrays_site_opens_the_session_at_once() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let caller = user(&db.pool, ACME_CALLER).await;
        let staff = user(&db.pool, ENGINEER).await;
        let backup = add_user(
            &db.pool,
            "ra-backup@acme.example",
            "Bea Backup",
            Role::BackupContact,
        )
        .await;
        let case_id = open_case(&db.pool, &admin, DEV_2).await;
        let array = array_id(&db.pool, DEV_2).await;
        let id = ra::request_session(&db.pool, &backup, &request(&array, &case_id, 2))
            .await
            .expect("the site's backup contact opens a session");
        let o = ra::overview(&db.pool, &admin).await.unwrap();
        let s = o.arrays.iter().find_map(|a| a.session.clone()).unwrap();
        assert_eq!(s.state, SessionState::Active, "{b}: open at once");
        assert!(!s.can_start && s.started_at.is_some(), "{b}");
        assert!(s.deadline_at - Utc::now() > Duration::minutes(115), "{b}");
        let events = ra_events(&db.pool, &case_id).await;
        assert_eq!(events.len(), 1, "{b}");
        assert!(events[0].1.contains("for 2 h"));
        // The session holds the array.
        assert_eq!(
            ra::request_session(&db.pool, &admin, &request(&array, "", 4)).await,
            Err(AppError::Conflict(ALREADY_ACTIVE.into()))
        );
        ra::join_session(&db.pool, &staff, &id)
            .await
            .expect("support joins at once");
        // The backup contact, a local administrator, ends it.
        ra::end_session(&db.pool, &backup, &id).await.expect("ends");
        let events = ra_events(&db.pool, &case_id).await;
        assert_eq!(events.len(), 2, "{b}");
        assert!(events[1].1.contains("ended by the customer"));

        // A session stored as requested before this rule still waits for an admin to start it.
        let waiting = ra::request_session(&db.pool, &backup, &request(&array, "", 2))
            .await
            .expect("second session");
        stored_as_requested(&db.pool, &waiting).await;
        assert!(matches!(
            ra::join_session(&db.pool, &staff, &waiting).await,
            Err(AppError::Conflict(m)) if m.contains("not been started")
        ));
        for who in [&backup, &caller, &staff] {
            assert_eq!(
                ra::start_session(&db.pool, who, &waiting).await,
                Err(AppError::Forbidden),
                "{b}: only the admin starts it"
            );
        }
        ra::start_session(&db.pool, &admin, &waiting)
            .await
            .expect("admin starts");
        assert!(matches!(
            ra::start_session(&db.pool, &admin, &waiting).await,
            Err(AppError::Conflict(_))
        ));
    }
}

#[tokio::test]
async fn engineers_join_and_end_and_ended_sessions_cannot_be_rejoined_or_extended() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let caller = user(&db.pool, ACME_CALLER).await;
        let globex = user(&db.pool, GLOBEX_ADMIN).await;
        let staff = user(&db.pool, ENGINEER).await;
        let second = add_user(
            &db.pool,
            "eve@support.example",
            "Eve Engineer",
            Role::SupportEngineer,
        )
        .await;
        let case_id = open_case(&db.pool, &caller, DEV_3).await;
        let array = array_id(&db.pool, DEV_3).await;
        let id = ra::request_session(&db.pool, &admin, &request(&array, &case_id, 4))
            .await
            .unwrap();

        // Several engineers share one session; joining twice is one participation.
        ra::join_session(&db.pool, &staff, &id).await.unwrap();
        ra::join_session(&db.pool, &staff, &id).await.unwrap();
        ra::join_session(&db.pool, &second, &id).await.unwrap();
        assert_eq!(
            ra::join_session(&db.pool, &admin, &id).await,
            Err(AppError::Forbidden)
        );
        let o = ra::overview(&db.pool, &staff).await.unwrap();
        let s = o.arrays.iter().find_map(|a| a.session.clone()).unwrap();
        // Both joined within the same millisecond here, so compare without order.
        let mut names: Vec<_> = s.participants.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["Eve Engineer", "Sam Support"], "{b}");
        assert!(s.joined && !s.can_join && s.can_end && !s.can_extend);

        // Other organizations cannot even see it; callers cannot end or extend it.
        let nf = AppError::NotFound("Remote Assist session".into());
        assert_eq!(
            ra::end_session(&db.pool, &globex, &id).await,
            Err(nf.clone())
        );
        assert_eq!(
            ra::extend_session(&db.pool, &globex, &id, 1).await,
            Err(nf.clone())
        );
        assert_eq!(ra::end_session(&db.pool, &admin, "nope").await, Err(nf));
        assert_eq!(
            ra::end_session(&db.pool, &caller, &id).await,
            Err(AppError::Forbidden)
        );
        assert_eq!(
            ra::extend_session(&db.pool, &caller, &id, 1).await,
            Err(AppError::Forbidden)
        );
        assert_eq!(
            ra::extend_session(&db.pool, &staff, &id, 1).await,
            Err(AppError::Forbidden),
            "{b}: extending needs the customer"
        );

        // The admin extends: the deadline moves, never beyond 24 h ahead.
        let deadline = |pool: AnyPool, id: String| async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT deadline_at FROM remote_assist_sessions WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        };
        let before = deadline(db.pool.clone(), id.clone()).await;
        ra::extend_session(&db.pool, &admin, &id, 2).await.unwrap();
        assert_eq!(
            deadline(db.pool.clone(), id.clone()).await,
            before + 2 * 3_600_000,
            "{b}"
        );
        assert_eq!(
            field(ra::extend_session(&db.pool, &admin, &id, 24).await),
            "hours",
            "{b}: at most 24 hours left"
        );

        // Support ends it; then nothing brings it back.
        ra::end_session(&db.pool, &staff, &id).await.unwrap();
        for r in [
            ra::join_session(&db.pool, &second, &id).await,
            ra::join_session(&db.pool, &staff, &id).await,
            ra::extend_session(&db.pool, &admin, &id, 1).await,
            ra::end_session(&db.pool, &admin, &id).await,
        ] {
            assert!(
                matches!(&r, Err(AppError::Conflict(m)) if m.contains("ended")),
                "{b}: {r:?}"
            );
        }
        let row = sqlx::query(
            "SELECT state, end_reason, ended_by_user, extensions FROM remote_assist_sessions WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(row.get::<String, _>("state"), "ended");
        assert_eq!(row.get::<String, _>("end_reason"), "engineer");
        assert_eq!(row.get::<String, _>("ended_by_user"), staff.id);
        assert_eq!(
            row.get::<i64, _>("extensions"),
            1,
            "{b}: the refused one rolled back"
        );
        let events = ra_events(&db.pool, &case_id).await;
        assert_eq!(
            events.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            ["active", "ended"],
            "{b}"
        );
        assert!(events[1].1.contains("ended by support"));
        let o = ra::overview(&db.pool, &admin).await.unwrap();
        assert!(o.arrays.iter().all(|a| a.session.is_none()));
        assert_eq!(o.history.len(), 1);
        assert_eq!(o.history[0].participants.len(), 2);
        // The array is free again.
        ra::request_session(&db.pool, &admin, &request(&array, "", 1))
            .await
            .expect("a new session after the end");
    }
}

#[tokio::test]
async fn the_job_ends_each_expired_session_once_on_two_instances() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let other = db::connect(&db.url, 8).await.expect("second pool");
        let admin = user(&db.pool, ACME_ADMIN).await;
        let backup = add_user(
            &db.pool,
            "ra-backup@acme.example",
            "Bea Backup",
            Role::BackupContact,
        )
        .await;
        let case_id = open_case(&db.pool, &admin, BOSTON_ARRAY).await;
        let mut ids = Vec::new();
        for (array, hours, case) in [
            (BOSTON_ARRAY, 1, case_id.as_str()),
            (DEV_1, 2, ""),
            (DEV_2, 4, ""),
        ] {
            let a = array_id(&db.pool, array).await;
            ids.push(
                ra::request_session(&db.pool, &admin, &request(&a, case, hours))
                    .await
                    .unwrap(),
            );
        }
        // An unstarted request lapses too.
        let a = array_id(&db.pool, DEV_3).await;
        let lapsing = ra::request_session(&db.pool, &backup, &request(&a, "", 1))
            .await
            .unwrap();
        stored_as_requested(&db.pool, &lapsing).await;

        let now = Utc::now();
        let r = run_remote_assist_jobs(&db.pool, now).await.unwrap();
        assert_eq!(r, RemoteAssistJobReport::default(), "{b}: nothing due yet");
        // 90 minutes on: only the one-hour session and the one-hour request are due.
        let r = run_remote_assist_jobs(&db.pool, now + Duration::minutes(90))
            .await
            .unwrap();
        assert_eq!(r.timed_out, 2, "{b}: {r:?}");

        let later = now + Duration::hours(5);
        let mut total = RemoteAssistJobReport::default();
        for _ in 0..3 {
            let (x, y) = tokio::join!(
                run_remote_assist_jobs(&db.pool, later),
                run_remote_assist_jobs(&other, later)
            );
            for r in [x.unwrap(), y.unwrap()] {
                assert_eq!(r.failed, 0, "{b}: {r:?}");
                total.timed_out += r.timed_out;
            }
        }
        assert_eq!(total.timed_out, 2, "{b}: each of the two left ended once");
        for id in ids.iter().chain([&lapsing]) {
            let row = sqlx::query(
                "SELECT state, end_reason, ended_at, deadline_at FROM remote_assist_sessions WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
            assert_eq!(row.get::<String, _>("state"), "ended", "{b}");
            assert_eq!(row.get::<String, _>("end_reason"), "timed_out");
            assert_eq!(
                row.get::<i64, _>("ended_at"),
                row.get::<i64, _>("deadline_at"),
                "{b}: it ended at its deadline"
            );
            let audits = count(
                &db.pool,
                &format!(
                    "SELECT COUNT(*) FROM audit_log WHERE entity_id = '{id}' AND action = 'remote_assist.timed_out'"
                ),
            )
            .await;
            assert_eq!(audits, 1, "{b}: exactly once");
        }
        let events = ra_events(&db.pool, &case_id).await;
        assert_eq!(
            events.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            ["active", "ended"],
            "{b}"
        );
        assert!(events[1].1.contains("timed out"));
        // Timed out means over: no joining or extending afterwards.
        let staff = user(&db.pool, ENGINEER).await;
        assert!(matches!(
            ra::join_session(&db.pool, &staff, &ids[2]).await,
            Err(AppError::Conflict(_))
        ));
        other.close().await;
    }
}

mod over_http {
    use super::*;
    use ::http::{header, Request, StatusCode};
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn send(
        app: &axum::Router,
        uri: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String, Option<String>) {
        let mut b = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let res = app
            .clone()
            .oneshot(b.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned(), cookie)
    }

    async fn login(app: &axum::Router, email: &str, pw: &str) -> String {
        let (status, body, cookie) = send(
            app,
            "/api/login",
            &format!("email={email}&password={pw}&next=%2F"),
            None,
        )
        .await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{status}: {body}"
        );
        cookie.expect("session cookie")
    }

    #[tokio::test]
    async fn server_functions_authorize_and_report_the_conflict() {
        for db in helpers::seeded().await {
            let b = db.backend;
            let app = portal::router::build(helpers::state(db.pool.clone()));
            let array = array_id(&db.pool, DEV_1).await;
            let form = format!("array_id={array}&reason=Diagnostics&hours=4&case_id=");
            let (status, _, _) = send(&app, "/api/remote-assist/request", &form, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");

            let caller = login(&app, "caller%40acme.example", "acme-caller-demo").await;
            let (status, _, _) =
                send(&app, "/api/remote-assist/request", &form, Some(&caller)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{b}");

            let admin = login(&app, "admin%40acme.example", "acme-admin-demo").await;
            let bad = format!("array_id={array}&reason=Diagnostics&hours=48");
            let (status, body, _) =
                send(&app, "/api/remote-assist/request", &bad, Some(&admin)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {body}");
            assert!(body.contains("hours"), "{body}");
            let (status, id, _) =
                send(&app, "/api/remote-assist/request", &form, Some(&admin)).await;
            assert_eq!(status, StatusCode::OK, "{b}: {id}");
            let (status, body, _) =
                send(&app, "/api/remote-assist/request", &form, Some(&admin)).await;
            assert_eq!(status, StatusCode::CONFLICT, "{b}");
            assert!(body.contains("already active on this array"), "{body}");

            let id = id.trim_matches('"').to_string();
            let globex = login(&app, "admin%40globex.example", "globex-admin-demo").await;
            let (status, _, _) = send(
                &app,
                "/api/remote-assist/end",
                &format!("session_id={id}"),
                Some(&globex),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{b}: foreign session");
            let (status, body, _) =
                send(&app, "/api/remote-assist/overview", "", Some(&globex)).await;
            assert_eq!(status, StatusCode::OK);
            assert!(!body.contains("boston-dev-01"), "{b}: isolation");

            let engineer = login(&app, "engineer%40support.example", "support-demo").await;
            for uri in ["/api/remote-assist/join", "/api/remote-assist/end"] {
                let (status, body, _) =
                    send(&app, uri, &format!("session_id={id}"), Some(&engineer)).await;
                assert_eq!(status, StatusCode::OK, "{b}: {uri} {body}");
            }
            let (status, _, _) = send(
                &app,
                "/api/remote-assist/join",
                &format!("session_id={id}"),
                Some(&engineer),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::CONFLICT,
                "{b}: ended cannot be rejoined"
            );
        }
    }
}
