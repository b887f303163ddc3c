//! Attachment limits under concurrency and partial uploads, through a real socket (the router
//! served in process), so the test decides when each part of a body arrives: quotas that hold
//! when uploads race, no file left by a refused or abandoned upload, and content sniffed across
//! chunks.
use crate::helpers;

use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const BOUNDARY: &str = "XportalLimits";
const KB: usize = 1024;

/// A router on a free loopback port, served as `main` serves it; returns the port.
async fn serve(app: axum::Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        let make = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, make).await;
    });
    port
}

/// An upload whose body has been sent up to `first`; `finish` sends the rest.
struct Sending {
    stream: TcpStream,
    rest: Vec<u8>,
}

async fn begin(
    port: u16,
    case_id: &str,
    cookie: &str,
    name: &str,
    first: &[u8],
    rest: &[u8],
) -> Sending {
    let part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let mut tail = rest.to_vec();
    tail.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let length = part.len() + first.len() + tail.len();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let head = helpers::request_head(
        port,
        "POST",
        &format!("/cases/{case_id}/attachments"),
        &[("Cookie", cookie), ("Content-Type", &content_type)],
        length,
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut sent = head.into_bytes();
    sent.extend_from_slice(part.as_bytes());
    sent.extend_from_slice(first);
    stream.write_all(&sent).await.expect("send the start");
    Sending { stream, rest: tail }
}

impl Sending {
    /// Sends the rest of the body; the redirect's target (`?attached=` or `?upload_error=`).
    async fn finish(mut self) -> String {
        self.stream
            .write_all(&self.rest)
            .await
            .expect("send the rest");
        let r = helpers::read_response(&mut self.stream)
            .await
            .expect("response");
        assert_eq!(r.status, 303, "{r:?}");
        r.header("location").unwrap_or_default().to_string()
    }
}

/// Every file under `dir`, with its size.
fn files_under(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        match e.metadata() {
            Ok(m) if m.is_dir() => out.extend(files_under(&path)),
            Ok(m) => out.push((path, m.len())),
            Err(_) => {}
        }
    }
    out
}

/// Waits until `n` files under `dir` hold bytes: each of their uploads passed every check made
/// before streaming and is writing to disk.
async fn wait_for_files(dir: &Path, n: usize) {
    for _ in 0..1000 {
        if files_under(dir).iter().filter(|(_, len)| *len > 0).count() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{n} uploads never started writing: {:?}", files_under(dir));
}

async fn open_acme_cases(pool: &sqlx::AnyPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN organizations o ON o.id = c.organization_id \
         WHERE o.name = 'Acme Corp' AND c.status <> 'closed' ORDER BY c.number LIMIT 3",
    )
    .fetch_all(pool)
    .await
    .expect("open Acme cases in the demo")
}

/// The attachment rows: how many, and their bytes.
async fn rows(pool: &sqlx::AnyPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM case_attachments",
    )
    .fetch_one(pool)
    .await
    .expect("attachment rows")
}

/// What is stored matches what is recorded, file for file and byte for byte.
fn assert_disk_matches(dir: &Path, (count, bytes): (i64, i64), backend: &str) {
    let on_disk = files_under(dir);
    assert_eq!(
        on_disk.len() as i64,
        count,
        "{backend}: files on disk {on_disk:?}"
    );
    let disk_bytes: u64 = on_disk.iter().map(|(_, len)| len).sum();
    assert_eq!(disk_bytes as i64, bytes, "{backend}: bytes on disk");
}

/// Starts one 40 KB upload per case in `cases`, lets every one of them pass the checks made
/// before streaming, then lets them all finish at once; returns where each was redirected.
async fn race(port: u16, dir: &Path, cookie: &str, cases: &[&str]) -> Vec<String> {
    let mut started = Vec::new();
    for (i, case_id) in cases.iter().enumerate() {
        let name = format!("race-{i}.log");
        started.push(begin(port, case_id, cookie, &name, &[b'a'; KB], &[b'b'; 39 * KB]).await);
    }
    wait_for_files(dir, cases.len()).await;
    let tasks: Vec<_> = started
        .into_iter()
        .map(|s| tokio::spawn(s.finish()))
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.expect("upload task"));
    }
    outcomes
}

#[tokio::test]
async fn concurrent_uploads_never_pass_the_case_limit() {
    for db in helpers::seeded().await {
        let mut state = helpers::state(db.pool.clone());
        state.attachments.max_file_bytes = 64 * KB as u64;
        state.attachments.max_case_bytes = 100 * KB as u64;
        let dir = state.attachments.dir.clone();
        let port = serve(portal::router::build(state)).await;
        let cookie = helpers::login(port, "caller@acme.example", "acme-caller-demo").await;
        let case_id = open_acme_cases(&db.pool).await.remove(0);

        // Four uploads of 40 KB on a case that holds 100 KB: two fit, whatever the timing.
        let outcomes = race(port, &dir, &cookie, &[case_id.as_str(); 4]).await;
        let attached = outcomes
            .iter()
            .filter(|o| o.ends_with("?attached=1"))
            .count();
        assert_eq!(attached, 2, "{}: {outcomes:?}", db.backend);
        assert!(outcomes
            .iter()
            .all(|o| o.contains("attached=1") || o.contains("upload_error=")));
        let recorded = rows(&db.pool).await;
        assert_eq!(recorded, (2, 80 * KB as i64), "{}", db.backend);
        assert_disk_matches(&dir, recorded, db.backend);
        let total: i64 = sqlx::query_scalar("SELECT attachment_bytes FROM cases WHERE id = $1")
            .bind(&case_id)
            .fetch_one(&db.pool)
            .await
            .expect("case total");
        assert_eq!(total, recorded.1, "{}: the running total", db.backend);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn the_organization_quota_holds_across_cases() {
    for db in helpers::seeded().await {
        let mut state = helpers::state(db.pool.clone());
        state.attachments.max_file_bytes = 64 * KB as u64;
        state.attachments.max_org_bytes = 60 * KB as u64;
        let dir = state.attachments.dir.clone();
        let port = serve(portal::router::build(state)).await;
        let cookie = helpers::login(port, "caller@acme.example", "acme-caller-demo").await;
        let cases = open_acme_cases(&db.pool).await;
        assert!(cases.len() >= 3, "the demo has three open Acme cases");

        // Two cases of one organization at once: each case has room, the organization for one.
        let outcomes = race(port, &dir, &cookie, &[cases[0].as_str(), cases[1].as_str()]).await;
        let attached = outcomes
            .iter()
            .filter(|o| o.ends_with("?attached=1"))
            .count();
        assert_eq!(attached, 1, "{}: {outcomes:?}", db.backend);
        assert_eq!(rows(&db.pool).await, (1, 40 * KB as i64), "{}", db.backend);

        // Later, on a third case: refused with the organization's limit named, nothing kept.
        let to = begin(port, &cases[2], &cookie, "more.log", b"x", &[b'y'; 30 * KB])
            .await
            .finish()
            .await;
        assert!(
            to.contains("upload_error=") && to.contains("organization"),
            "{to}"
        );
        let recorded = rows(&db.pool).await;
        assert_eq!(recorded, (1, 40 * KB as i64), "{}", db.backend);
        assert_disk_matches(&dir, recorded, db.backend);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn an_abandoned_upload_leaves_no_file() {
    for db in helpers::seeded().await {
        let state = helpers::state(db.pool.clone());
        let dir = state.attachments.dir.clone();
        let port = serve(portal::router::build(state)).await;
        let cookie = helpers::login(port, "caller@acme.example", "acme-caller-demo").await;
        let case_id = open_acme_cases(&db.pool).await.remove(0);

        // The client goes away in the middle of the file.
        let half = begin(
            port,
            &case_id,
            &cookie,
            "cut.log",
            &[b'a'; 8 * KB],
            &[b'b'; 8 * KB],
        )
        .await;
        wait_for_files(&dir, 1).await;
        drop(half);
        let mut left = files_under(&dir);
        for _ in 0..500 {
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            left = files_under(&dir);
        }
        assert!(
            left.is_empty(),
            "{}: an abandoned upload left {left:?}",
            db.backend
        );
        assert_eq!(rows(&db.pool).await, (0, 0), "{}", db.backend);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_binary_behind_a_text_start_is_refused() {
    for db in helpers::seeded().await {
        let state = helpers::state(db.pool.clone());
        let dir = state.attachments.dir.clone();
        let port = serve(portal::router::build(state)).await;
        let cookie = helpers::login(port, "caller@acme.example", "acme-caller-demo").await;
        let case_id = open_acme_cases(&db.pool).await.remove(0);

        // A text file whose first chunk is a few ASCII bytes and the rest an executable.
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
        exe.extend_from_slice(&[0u8; 256]);
        let disguised = begin(port, &case_id, &cookie, "notes.txt", b"hello", &exe).await;
        wait_for_files(&dir, 1).await;
        let to = disguised.finish().await;
        assert!(to.contains("upload_error="), "{}: {to}", db.backend);
        assert!(
            to.contains("does%20not%20match") || to.contains("does+not+match"),
            "{to}"
        );

        assert_eq!(rows(&db.pool).await, (0, 0), "{}", db.backend);
        assert!(
            files_under(&dir).is_empty(),
            "{}: {:?}",
            db.backend,
            files_under(&dir)
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
