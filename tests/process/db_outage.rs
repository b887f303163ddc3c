//! Database unavailable: the portal runs on its own throw-away PostgreSQL cluster, which is
//! stopped for a while and started again on the same port and data. While it is away, server
//! functions answer 503 with `AppError::Unavailable`, pages show the error (role="alert") with
//! status 503 and `/readyz` answers 503; when it is back the portal recovers by itself (no
//! restart): ready again, sign-in, the case list and a new case work, and the background jobs
//! run again (`portal_job_runs_total{job="case_jobs",outcome="ok"}` grows).

use crate::helpers::{
    get, login, metrics, open_case_array, post_form, PgCluster, Portal, TempDir, CASE_JOBS_ERROR,
    CASE_JOBS_OK,
};
use std::time::{Duration, Instant};

const ADMIN: (&str, &str) = ("admin@acme.example", "acme-admin-demo");
const UNAVAILABLE: &str = "temporarily unavailable";

/// Polls `check` every 100 ms until it holds, at most `within`; returns how long it took.
async fn until<F, Fut>(what: &str, within: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn counter(port: u16, name: &str) -> f64 {
    metrics(port).await.get(name).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_answers_503_and_the_portal_recovers_by_itself() {
    let started = Instant::now();
    let dir = TempDir::new("portal-outage");
    // Declared after `dir`, so it is stopped (on every path) before the folder goes.
    let pg = PgCluster::start(&dir.path().join("pg"));
    let portal = Portal::start(
        &pg.url,
        dir.path(),
        &[
            ("PORTAL_DB_ACQUIRE_TIMEOUT_SECS", "1"),
            ("PORTAL_JOB_INTERVAL_SECS", "1"),
        ],
    )
    .await;
    let port = portal.port;
    let cookie = login(port, ADMIN.0, ADMIN.1).await;
    let array_id = open_case_array(port, &cookie).await;
    let r = get(port, "/cases", Some(&cookie))
        .await
        .expect("cases page");
    assert_eq!(r.status, 200);
    until("the jobs run", Duration::from_secs(10), || async {
        counter(port, CASE_JOBS_OK).await >= 1.0
    })
    .await;

    // The outage.
    pg.halt();
    let halted = Instant::now();
    let to_503 = until("/readyz answers 503", Duration::from_secs(10), || async {
        get(port, "/readyz", None)
            .await
            .is_ok_and(|r| r.status == 503)
    })
    .await;

    let r = post_form(port, "/api/cases/list", Some(&cookie), &[])
        .await
        .expect("list during outage");
    assert_eq!(r.status, 503, "server function: {}", r.body);
    assert_eq!(r.json(), serde_json::json!("Unavailable"), "{}", r.body);

    let r = post_form(
        port,
        "/api/cases/open",
        Some(&cookie),
        &[
            ("array_id", &array_id),
            ("severity", "3"),
            ("subject", "During the outage"),
            ("description", "Must not be half-stored."),
        ],
    )
    .await
    .expect("open during outage");
    assert_eq!(r.status, 503, "open: {}", r.body);

    let r = post_form(
        port,
        "/api/login",
        None,
        &[("email", ADMIN.0), ("password", ADMIN.1), ("next", "/")],
    )
    .await
    .expect("login during outage");
    assert_eq!(r.status, 503, "login: {}", r.body);

    for path in ["/cases", "/"] {
        let r = get(port, path, Some(&cookie)).await.expect("page");
        assert_eq!(r.status, 503, "page {path}: {}", r.body);
        assert!(
            r.body.contains(r#"role="alert""#) && r.body.contains(UNAVAILABLE),
            "page {path} shows the error: {}",
            r.body
        );
    }
    let r = get(port, "/healthz", None).await.expect("healthz");
    assert_eq!(r.status, 200, "the process lives on");
    let errors = until(
        "a failed job run is counted",
        Duration::from_secs(10),
        || async { counter(port, CASE_JOBS_ERROR).await >= 1.0 },
    )
    .await;
    let outage = halted.elapsed();

    // The database returns: no restart of the portal.
    pg.resume();
    let resumed = Instant::now();
    let to_ready = until(
        "/readyz answers 200 again",
        Duration::from_secs(20),
        || async {
            get(port, "/readyz", None)
                .await
                .is_ok_and(|r| r.status == 200)
        },
    )
    .await;
    let r = post_form(port, "/api/cases/list", Some(&cookie), &[])
        .await
        .expect("list after");
    assert_eq!(r.status, 200, "the old session works: {}", r.body);
    let fresh = login(port, ADMIN.0, ADMIN.1).await;
    let r = get(port, "/cases", Some(&fresh)).await.expect("cases page");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains(UNAVAILABLE));
    let r = post_form(
        port,
        "/api/cases/open",
        Some(&fresh),
        &[
            ("array_id", &array_id),
            ("severity", "3"),
            ("subject", "After the outage"),
            ("description", "The database is back."),
        ],
    )
    .await
    .expect("open after");
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post_form(port, "/api/cases/list", Some(&fresh), &[])
        .await
        .expect("list");
    let list = r.json();
    let subjects: Vec<&str> = list["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert!(subjects.contains(&"After the outage"), "{subjects:?}");
    assert!(!subjects.contains(&"During the outage"), "{subjects:?}");

    // Background jobs resume on their own.
    let ok_before = counter(port, CASE_JOBS_OK).await;
    let jobs_back = until(
        "case jobs run ok again",
        Duration::from_secs(10),
        || async { counter(port, CASE_JOBS_OK).await > ok_before },
    )
    .await;
    eprintln!(
        "readyz 503 {to_503:?} after the stop, first failed job run counted {errors:?} into it, \
         outage {outage:?}; ready {to_ready:?} after the restart, jobs ok again {jobs_back:?} \
         later (since resume {:?}); total {:.1} s",
        resumed.elapsed(),
        started.elapsed().as_secs_f64()
    );
    drop(portal);
}
