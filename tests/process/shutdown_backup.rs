//! Graceful shutdown and `portal backup`, on the real binary.
//!
//! - SIGTERM while a request is in flight: the server stops accepting connections, finishes that
//!   request (its answer arrives whole) and exits with status 0.
//! - `portal backup PATH` while the server writes: the copy is a consistent SQLite database that
//!   the portal serves as it is, with every case acknowledged before the backup started; an
//!   existing PATH and a PostgreSQL URL are refused with exit code 2.

use crate::helpers::{
    self, form_body, login, open_case_array, post_form, read_response, request_head, Portal,
    TempDir,
};
use sqlx::Row;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const CALLER: (&str, &str) = ("caller@acme.example", "acme-caller-demo");

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_the_request_in_flight_and_exits_0() {
    let started = Instant::now();
    let dir = TempDir::new("portal-term");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    let mut portal = Portal::start(&url, dir.path(), &[]).await;
    let port = portal.port;
    let cookie = login(port, CALLER.0, CALLER.1).await;
    let array_id = open_case_array(port, &cookie).await;

    // A slow client: the request's head now, its body after the signal.
    let body = form_body(&[
        ("array_id", &array_id),
        ("severity", "3"),
        ("subject", "Opened across a SIGTERM"),
        ("description", "The body arrives after the signal."),
    ]);
    let head = request_head(
        port,
        "POST",
        "/api/cases/open",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
            ("Cookie", &cookie),
        ],
        body.len(),
    );
    let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    slow.write_all(head.as_bytes()).await.expect("head");
    slow.write_all(&body.as_bytes()[..10]).await.expect("start");
    tokio::time::sleep(Duration::from_millis(300)).await;

    portal.signal("TERM");
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No new connections once shutting down...
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "still accepting after SIGTERM"
    );
    assert!(
        portal.child.try_wait().expect("status").is_none(),
        "exited with a request in flight"
    );
    // ...but the one in flight is finished.
    slow.write_all(&body.as_bytes()[10..]).await.expect("rest");
    let r = read_response(&mut slow).await.expect("answer");
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_string();
    let status = portal
        .wait_exit(Duration::from_secs(15))
        .await
        .expect("the server exits after its last request");
    assert!(
        status.success(),
        "exit status {status:?}: {}",
        portal.log_text()
    );
    let exit_after = signalled.elapsed();

    // The case it answered for was committed.
    let pool = portal::server::db::connect(&url, 1).await.expect("pool");
    let subject: String = sqlx::query_scalar("SELECT subject FROM cases WHERE id = $1")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .expect("the case is stored");
    assert_eq!(subject, "Opened across a SIGTERM");
    pool.close().await;
    eprintln!(
        "exit 0 {exit_after:?} after SIGTERM; total {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn backup(database_url: &str, path: &std::path::Path) -> std::process::Output {
    Command::new(helpers::BIN)
        .arg("backup")
        .arg(path)
        .env("DATABASE_URL", database_url)
        .env("PORTAL_LOG", "warn")
        .output()
        .expect("run portal backup")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_copies_a_live_sqlite_database_that_the_portal_serves() {
    let started = Instant::now();
    let dir = TempDir::new("portal-backup");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    let portal = Portal::start(&url, dir.path(), &[]).await;
    let port = portal.port;
    let cookie = login(port, CALLER.0, CALLER.1).await;
    let array_id = open_case_array(port, &cookie).await;

    // Two writers keep opening cases during the backup.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        let (cookie, array_id, acked, stop) = (
            cookie.clone(),
            array_id.clone(),
            acked.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let subject = format!("Backup test {w}-{n}");
                let r = post_form(
                    port,
                    "/api/cases/open",
                    Some(&cookie),
                    &[
                        ("array_id", &array_id),
                        ("severity", "3"),
                        ("subject", &subject),
                        ("description", "Written while the backup runs."),
                    ],
                )
                .await
                .expect("open");
                assert_eq!(r.status, 200, "{}", r.body);
                let id = r.json()["id"].as_str().expect("id").to_string();
                acked.lock().expect("acked").push(id);
            }
        }));
    }
    while acked.lock().expect("acked").len() < 10 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acked.lock().expect("acked").clone();
    let copy = dir.path().join("copies").join("portal-copy.db");
    let out = {
        let (url, copy) = (url.clone(), copy.clone());
        tokio::task::spawn_blocking(move || backup(&url, &copy))
            .await
            .expect("backup task")
    };
    let during = acked.lock().expect("acked").len() - before.len();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written"));
    drop(portal);

    // The copy is a whole database: integrity, and no case without its event and audit entry.
    let copy_url = format!("sqlite://{}", copy.display());
    let pool = portal::server::db::connect(&copy_url, 1)
        .await
        .expect("open the copy");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("integrity check");
    assert_eq!(check, "ok");
    for id in &before {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("case");
        assert_eq!(
            n, 1,
            "case {id}, acknowledged before the backup, is in the copy"
        );
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS cases, SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM case_events e \
           WHERE e.case_id = c.id AND e.kind = 'opened') OR NOT EXISTS (SELECT 1 FROM audit_log a \
           WHERE a.entity_id = c.id AND a.action = 'case.open') THEN 1 ELSE 0 END) AS half \
         FROM cases c WHERE c.subject LIKE 'Backup test %'",
    )
    .fetch_one(&pool)
    .await
    .expect("totals");
    let (in_copy, half): (i64, i64) = (row.get("cases"), row.get("half"));
    assert_eq!(half, 0, "half-written cases in the copy");
    pool.close().await;

    // Restored: the portal serves the copy as it is, sessions and cases included.
    let restored_dir = TempDir::new("portal-restored");
    let restored = Portal::start(&copy_url, restored_dir.path(), &[]).await;
    let r = post_form(restored.port, "/api/cases/list", Some(&cookie), &[])
        .await
        .expect("list on the copy");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["total"].as_i64().expect("total") >= in_copy);
    let fresh = login(restored.port, CALLER.0, CALLER.1).await;
    let r = post_form(
        restored.port,
        "/api/cases/detail",
        Some(&fresh),
        &[("id", &before[0])],
    )
    .await
    .expect("detail on the copy");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Backup test"), "{}", r.body);
    drop(restored);

    // Refusals are usage errors (exit code 2), before anything is touched.
    let again = backup(&url, &copy);
    assert_eq!(
        again.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let pg_url = std::env::var("PORTAL_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:1/portal".into());
    let pg = backup(&pg_url, &dir.path().join("pg-copy.db"));
    assert_eq!(
        pg.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&pg.stderr)
    );
    assert!(String::from_utf8_lossy(&pg.stderr).contains("pg_dump"));
    assert!(!dir.path().join("pg-copy.db").exists());
    eprintln!(
        "backup of {in_copy} test cases ({} written during it); total {:.1} s",
        during,
        started.elapsed().as_secs_f64()
    );
}
