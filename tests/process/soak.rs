//! Soak (`make soak`, never part of `make test`): two `portal` instances on one PostgreSQL
//! database under load from both for `SOAK_SECONDS` (default 180).
//!
//! - Load: customers open cases, comment, list and read them, and load pages, on both
//!   instances (a session made on one instance is used on the other). No error response.
//! - Limits under concurrency, in rounds: four simultaneous attempts (two per instance) to add
//!   an authorized caller to a site that has room for fewer, and four simultaneous Remote Assist
//!   requests for one array. The five-caller limit and the one-session-per-array limit hold.
//! - Background jobs on both instances (every second): each Remote Assist session pushed past
//!   its deadline is ended by exactly one of them (one `remote_assist.timed_out` audit entry).
//!
//! Run: `make soak` (starts PostgreSQL, builds, prints the figures), or by hand:
//! `PORTAL_TEST_POSTGRES_URL=... SOAK_SECONDS=120 cargo test --release --features ssr --test process -- --ignored --nocapture soak::`

use crate::helpers::{self, get, login, metrics, post_form, Portal, Response, TempDir};
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADMIN: (&str, &str) = ("admin@acme.example", "acme-admin-demo");
const CALLERS: [(&str, &str); 3] = [
    ("caller@acme.example", "acme-caller-demo"),
    ("dana@acme.example", "acme-dana-demo"),
    ("eli@acme.example", "acme-eli-demo"),
];
const WORKERS_PER_INSTANCE: usize = 3;
const CALLER_LIMIT: i64 = 5;

#[derive(Default)]
struct Stats {
    /// (action, status) -> count
    statuses: BTreeMap<(String, u16), u64>,
    /// Responses that should not have happened: 5xx, or any status the action never answers.
    errors: Vec<String>,
    latencies_us: Vec<u64>,
}

impl Stats {
    fn record(&mut self, action: &str, r: &std::io::Result<Response>, ok: &[u16], took: Duration) {
        self.latencies_us.push(took.as_micros() as u64);
        match r {
            Ok(r) => {
                *self
                    .statuses
                    .entry((action.to_string(), r.status))
                    .or_default() += 1;
                if !ok.contains(&r.status) {
                    self.errors.push(format!(
                        "{action}: {} {}",
                        r.status,
                        r.body.chars().take(300).collect::<String>()
                    ));
                }
            }
            Err(e) => self.errors.push(format!("{action}: connection error {e}")),
        }
    }
}

type Shared = Arc<Mutex<Stats>>;

async fn call(
    stats: &Shared,
    action: &str,
    ok: &[u16],
    port: u16,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> Option<Response> {
    let t = Instant::now();
    let r = if fields.is_empty() && !path.starts_with("/api/") {
        get(port, path, Some(cookie)).await
    } else {
        post_form(port, path, Some(cookie), fields).await
    };
    stats
        .lock()
        .expect("stats")
        .record(action, &r, ok, t.elapsed());
    r.ok()
}

/// One customer's loop: open a case now and then, comment, list, read, load pages.
async fn worker(
    w: usize,
    ports: [u16; 2],
    cookie: String,
    array_id: String,
    stats: Shared,
    stop: Arc<AtomicBool>,
) {
    let mut mine: Vec<String> = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // Alternate instances request by request, as a round-robin balancer would.
        let port = ports[(n + w) % 2];
        match n % 6 {
            0 => {
                let subject = format!("Soak {w}-{n}: latency on volume");
                let r = call(
                    &stats,
                    "open case",
                    &[200],
                    port,
                    "/api/cases/open",
                    &cookie,
                    &[
                        ("array_id", &array_id),
                        ("severity", if n.is_multiple_of(5) { "2" } else { "3" }),
                        ("subject", &subject),
                        ("description", "Soak test load."),
                    ],
                )
                .await;
                if let Some(id) = r
                    .filter(|r| r.status == 200)
                    .and_then(|r| r.json()["id"].as_str().map(str::to_string))
                {
                    mine.push(id);
                }
            }
            1 if !mine.is_empty() => {
                let id = mine[n % mine.len()].clone();
                call(
                    &stats,
                    "comment",
                    &[200],
                    port,
                    "/api/cases/comment",
                    &cookie,
                    &[("case_id", &id), ("body", "Still seeing it.")],
                )
                .await;
            }
            2 if !mine.is_empty() => {
                let id = mine[n % mine.len()].clone();
                call(
                    &stats,
                    "case detail",
                    &[200],
                    port,
                    "/api/cases/detail",
                    &cookie,
                    &[("id", &id)],
                )
                .await;
            }
            4 => {
                call(
                    &stats,
                    "case list page",
                    &[200],
                    port,
                    "/cases",
                    &cookie,
                    &[],
                )
                .await;
            }
            5 => {
                call(&stats, "dashboard page", &[200], port, "/", &cookie, &[]).await;
            }
            _ => {
                call(
                    &stats,
                    "case list",
                    &[200],
                    port,
                    "/api/cases/list",
                    &cookie,
                    &[],
                )
                .await;
            }
        }
    }
}

#[derive(Default, Debug)]
struct Limits {
    caller_rounds: u32,
    caller_added: u32,
    caller_refused: u32,
    ra_rounds: u32,
    ra_granted: u32,
    ra_refused: u32,
    ra_timed_out: Vec<String>,
}

/// Rounds of simultaneous attempts on both instances against the two limits.
async fn limits(
    ports: [u16; 2],
    admin: String,
    site_id: String,
    ra_arrays: Vec<String>,
    pool: sqlx::AnyPool,
    stats: Shared,
    stop: Arc<AtomicBool>,
) -> Limits {
    let mut out = Limits::default();
    let mut round = 0usize;
    while !stop.load(Ordering::Relaxed) {
        round += 1;
        // Five authorized callers per site: fill the site up from both instances at once.
        let before: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM site_contacts WHERE site_id = $1 AND role = 'authorized_caller'",
        )
        .bind(&site_id)
        .fetch_one(&pool)
        .await
        .expect("count callers");
        let attempts = (0..4).map(|i| {
            let (admin, site_id, stats) = (admin.clone(), site_id.clone(), stats.clone());
            let email = format!("soak-{round}-{i}@acme.example");
            tokio::spawn(async move {
                call(
                    &stats,
                    "add caller",
                    &[200, 409, 422],
                    ports[i % 2],
                    "/api/contacts/add",
                    &admin,
                    &[
                        ("site_id", &site_id),
                        ("role", "authorized_caller"),
                        ("email", &email),
                        ("name", &format!("Soak Caller {round}-{i}")),
                    ],
                )
                .await
            })
        });
        let mut added = Vec::new();
        for a in attempts.collect::<Vec<_>>() {
            match a.await.expect("attempt") {
                Some(r) if r.status == 200 => {
                    added.push(r.json()["contact_id"].as_str().expect("id").to_string());
                }
                Some(_) => out.caller_refused += 1,
                None => {}
            }
        }
        let after: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM site_contacts WHERE site_id = $1 AND role = 'authorized_caller'",
        )
        .bind(&site_id)
        .fetch_one(&pool)
        .await
        .expect("count callers");
        assert!(
            after <= CALLER_LIMIT,
            "{after} authorized callers at one site"
        );
        assert_eq!(
            added.len() as i64,
            (CALLER_LIMIT - before).clamp(0, 4),
            "round {round}: {before} callers before, {} added",
            added.len()
        );
        out.caller_rounds += 1;
        out.caller_added += added.len() as u32;
        for (i, id) in added.iter().enumerate() {
            call(
                &stats,
                "remove caller",
                &[200, 302, 303],
                ports[i % 2],
                "/api/contacts/remove",
                &admin,
                &[("contact_id", id)],
            )
            .await;
        }

        // One live Remote Assist session per array: four simultaneous requests.
        let array = ra_arrays[round % ra_arrays.len()].clone();
        let attempts = (0..4).map(|i| {
            let (admin, array, stats) = (admin.clone(), array.clone(), stats.clone());
            tokio::spawn(async move {
                call(
                    &stats,
                    "request remote assist",
                    &[200, 409, 422],
                    ports[i % 2],
                    "/api/remote-assist/request",
                    &admin,
                    &[
                        ("array_id", &array),
                        ("reason", "Soak: concurrent requests"),
                        ("hours", "1"),
                    ],
                )
                .await
            })
        });
        let mut granted = Vec::new();
        for a in attempts.collect::<Vec<_>>() {
            match a.await.expect("attempt") {
                Some(r) if r.status == 200 => {
                    granted.push(r.json().as_str().expect("session id").to_string())
                }
                Some(_) => out.ra_refused += 1,
                None => {}
            }
        }
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM remote_assist_sessions WHERE array_id = $1 AND state <> 'ended'",
        )
        .bind(&array)
        .fetch_one(&pool)
        .await
        .expect("count sessions");
        assert_eq!(
            granted.len(),
            1,
            "round {round}: sessions granted {granted:?}"
        );
        assert_eq!(live, 1, "round {round}: live sessions on one array");
        out.ra_rounds += 1;
        out.ra_granted += 1;
        // Its time is up: the jobs of both instances race to end it; one must.
        let session = granted.remove(0);
        sqlx::query("UPDATE remote_assist_sessions SET deadline_at = $2 WHERE id = $1")
            .bind(&session)
            .bind(chrono::Utc::now().timestamp_millis() - 1)
            .execute(&pool)
            .await
            .expect("expire");
        let t = Instant::now();
        loop {
            let state: String =
                sqlx::query_scalar("SELECT state FROM remote_assist_sessions WHERE id = $1")
                    .bind(&session)
                    .fetch_one(&pool)
                    .await
                    .expect("state");
            if state == "ended" {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(15),
                "session never timed out"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        out.ra_timed_out.push(session);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    out
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long: run by `make soak`"]
async fn two_instances_on_one_postgres_under_load() {
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    let admin_url = std::env::var("PORTAL_TEST_POSTGRES_URL")
        .expect("the soak runs on PostgreSQL: set PORTAL_TEST_POSTGRES_URL (make soak does)");
    let url = helpers::fresh_postgres_db(&admin_url).await;
    let dir = TempDir::new("portal-soak");
    let env = [("PORTAL_JOB_INTERVAL_SECS", "1")];
    // One after the other: the first applies migrations and seeds, the second finds them.
    let a = Portal::start(&url, &dir.path().join("a"), &env).await;
    let b = Portal::start(&url, &dir.path().join("b"), &env).await;
    let ports = [a.port, b.port];
    let pool = portal::server::db::connect(&url, 4).await.expect("pool");

    let admin = login(a.port, ADMIN.0, ADMIN.1).await;
    let form = post_form(b.port, "/api/cases/form", Some(&admin), &[])
        .await
        .expect("form")
        .json();
    let boston = form["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .find(|s| s["name"] == "Acme Boston DC")
        .expect("Acme Boston DC");
    let site_id = boston["id"].as_str().expect("site id").to_string();
    let array_id = boston["arrays"]
        .as_array()
        .expect("arrays")
        .iter()
        .find(|a| a["support_active"] == true)
        .and_then(|a| a["id"].as_str())
        .expect("an active array")
        .to_string();
    let overview = post_form(a.port, "/api/remote-assist/overview", Some(&admin), &[])
        .await
        .expect("overview")
        .json();
    let ra_arrays: Vec<String> = overview["arrays"]
        .as_array()
        .expect("arrays")
        .iter()
        .filter(|a| a["connected"] == true && a["session"].is_null())
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ra_arrays.is_empty(), "a connected array for Remote Assist");
    let jobs_before = [metrics(a.port).await, metrics(b.port).await];

    let stats: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..WORKERS_PER_INSTANCE * 2 {
        let (email, password) = CALLERS[w % CALLERS.len()];
        let cookie = login(ports[w % 2], email, password).await;
        tasks.push(tokio::spawn(worker(
            w,
            ports,
            cookie,
            array_id.clone(),
            stats.clone(),
            stop.clone(),
        )));
    }
    let limit_task = tokio::spawn(limits(
        ports,
        admin.clone(),
        site_id.clone(),
        ra_arrays.clone(),
        pool.clone(),
        stats.clone(),
        stop.clone(),
    ));
    let started = Instant::now();
    let mut next_report = 30;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let e = started.elapsed().as_secs();
        if e >= next_report {
            let s = stats.lock().expect("stats");
            eprintln!(
                "soak: {e} s, {} requests, {} errors",
                s.latencies_us.len(),
                s.errors.len()
            );
            next_report += 30;
        }
        assert!(
            !limit_task.is_finished(),
            "the limit checks stopped early (see the panic above)"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("worker");
    }
    let limits = limit_task.await.expect("limit checks");
    let elapsed = started.elapsed().as_secs_f64();
    // Let the last job runs finish before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let jobs_after = [metrics(a.port).await, metrics(b.port).await];

    // Every session the jobs ended was ended once.
    let mut once = 0;
    for id in &limits.ra_timed_out {
        let row = sqlx::query(
            "SELECT end_reason, (SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 \
               AND action = 'remote_assist.timed_out') AS audits \
             FROM remote_assist_sessions WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("session");
        let reason: Option<String> = row.get("end_reason");
        let audits: i64 = row.get("audits");
        assert_eq!(reason.as_deref(), Some("timed_out"), "{id}");
        assert_eq!(audits, 1, "session {id} ended {audits} times");
        once += 1;
    }
    // Database-wide invariants after the run.
    let over: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT site_id FROM site_contacts WHERE role = 'authorized_caller' \
         GROUP BY site_id HAVING COUNT(*) > 5) x",
    )
    .fetch_one(&pool)
    .await
    .expect("callers");
    assert_eq!(over, 0, "a site with more than five authorized callers");
    let doubled: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT array_id FROM remote_assist_sessions WHERE state <> 'ended' \
         GROUP BY array_id HAVING COUNT(*) > 1) x",
    )
    .fetch_one(&pool)
    .await
    .expect("sessions");
    assert_eq!(doubled, 0, "an array with two live Remote Assist sessions");
    let row = sqlx::query(
        "SELECT COUNT(*) AS cases, COUNT(DISTINCT number) AS numbers FROM cases \
         WHERE subject LIKE 'Soak %'",
    )
    .fetch_one(&pool)
    .await
    .expect("cases");
    let (cases, numbers): (i64, i64) = (row.get("cases"), row.get("numbers"));
    assert_eq!(cases, numbers, "duplicate case numbers");

    let s = std::mem::take(&mut *stats.lock().expect("stats"));
    let mut lat = s.latencies_us.clone();
    lat.sort_unstable();
    let total = lat.len();
    println!("\n== soak: two instances on one PostgreSQL, {elapsed:.0} s ==");
    println!(
        "requests {total} ({:.0}/s), error responses {}",
        total as f64 / elapsed,
        s.errors.len()
    );
    println!(
        "latency ms: p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0)
    );
    for ((action, status), n) in &s.statuses {
        println!("  {action:<22} {status}  {n}");
    }
    println!("cases opened {cases} (numbers unique)");
    println!(
        "five-caller limit: {} rounds of 4 simultaneous adds, {} added, {} refused, never above 5",
        limits.caller_rounds, limits.caller_added, limits.caller_refused
    );
    println!(
        "one session per array: {} rounds of 4 simultaneous requests, {} granted, {} refused",
        limits.ra_rounds, limits.ra_granted, limits.ra_refused
    );
    println!("Remote Assist time-outs by the jobs: {once}, each exactly once");
    for (i, name) in ["a", "b"].iter().enumerate() {
        let runs = |m: &std::collections::HashMap<String, f64>, outcome: &str| {
            m.get(&format!(
                "portal_job_runs_total{{job=\"case_jobs\",outcome=\"{outcome}\"}}"
            ))
            .copied()
            .unwrap_or(0.0)
        };
        println!(
            "instance {name}: case job runs ok {} error {}",
            runs(&jobs_after[i], "ok") - runs(&jobs_before[i], "ok"),
            runs(&jobs_after[i], "error") - runs(&jobs_before[i], "error"),
        );
    }
    assert!(
        s.errors.is_empty(),
        "{} error responses, first: {:?}",
        s.errors.len(),
        &s.errors[..s.errors.len().min(10)]
    );
    assert!(once > 0 && limits.caller_rounds > 0);
    pool.close().await;
    drop((a, b));
}
