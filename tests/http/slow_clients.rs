//! Slow clients against the real server stack: `portal::router::build` served by
//! `server::transport::serve` on a loopback port, as `portal serve` runs it, with raw TCP
//! connections that send part of a request and stop.
use crate::helpers;
use portal::server::transport::{self, HttpLimits};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER: Duration = Duration::from_secs(1);
const BODY: Duration = Duration::from_secs(1);
const REQUEST: Duration = Duration::from_secs(3);
const CAP: usize = 8;
/// Scheduling slack on a busy machine.
const SLACK: Duration = Duration::from_secs(2);

fn limits() -> HttpLimits {
    HttpLimits {
        header_read_timeout: HEADER,
        body_timeout: BODY,
        request_timeout: REQUEST,
        upload_timeout: REQUEST,
        max_connections: CAP,
    }
}

/// The portal on a free loopback port (SQLite: the connection loop is the same on both
/// backends). The database lives as long as the test: its file is the portal's.
async fn start() -> (u16, helpers::TestDb) {
    let db = helpers::sqlite().await;
    portal::server::demo::seed(&db.pool).await.expect("seed");
    let mut state = helpers::state(db.pool.clone());
    state.http = limits();
    let app = portal::router::build(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        transport::serve(listener, app, &limits(), std::future::pending()).await;
    });
    (port, db)
}

/// A connection that sent `bytes` and nothing more.
async fn half_sent(port: u16, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    s.write_all(bytes).await.expect("write");
    s
}

/// Everything the server writes until it closes, or `None` if it still has not after `within`.
async fn until_closed(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut out = Vec::new();
    match tokio::time::timeout(within, s.read_to_end(&mut out)).await {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_heads_are_closed_and_the_cap_keeps_the_rest_waiting() {
    let (port, _db) = start().await;
    let r = helpers::get(port, "/healthz", None).await.expect("healthz");
    assert_eq!(r.status, 200, "below the cap a request is served at once");

    let opened = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..CAP {
        slow.push(
            half_sent(
                port,
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
            )
            .await,
        );
    }
    // A normal client behind the cap's worth of slow ones.
    let normal = tokio::spawn(async move {
        let r = helpers::get(port, "/healthz", None).await;
        (r, opened.elapsed())
    });
    for s in &mut slow {
        let answer = until_closed(s, HEADER + SLACK)
            .await
            .expect("a half-sent head is closed within the header timeout");
        assert!(!answer.contains(" 200 "), "{answer}");
    }
    let closed_after = opened.elapsed();
    assert!(
        closed_after >= HEADER - Duration::from_millis(100),
        "closed before the timeout: {closed_after:?}"
    );
    let (r, served_after) = tokio::time::timeout(HEADER + SLACK, normal)
        .await
        .expect("the normal client is served once the slow ones are gone")
        .expect("task");
    assert_eq!(r.expect("normal request").status, 200);
    assert!(
        served_after >= HEADER - Duration::from_millis(100),
        "served while {CAP} slow clients held every slot ({served_after:?}): no cap"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let (port, _db) = start().await;
    let mut s = half_sent(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    let mut buf = Vec::new();
    while !String::from_utf8_lossy(&buf).ends_with("\r\n\r\nok") {
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(SLACK, s.read(&mut chunk))
            .await
            .expect("answer")
            .expect("read");
        assert!(
            n > 0,
            "closed before answering: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
    let idle_since = Instant::now();
    let rest = until_closed(&mut s, HEADER + SLACK)
        .await
        .expect("an idle keep-alive connection is closed");
    assert!(rest.is_empty(), "{rest}");
    assert!(idle_since.elapsed() >= HEADER - Duration::from_millis(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_answered_and_closed() {
    let (port, _db) = start().await;
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Content-Length: 100\r\n\r\nemail=a"
    );
    let started = Instant::now();
    let mut s = half_sent(port, head.as_bytes()).await;
    let answer = until_closed(&mut s, BODY + SLACK)
        .await
        .expect("a stalled body ends the request within the body timeout");
    assert!(
        started.elapsed() < REQUEST,
        "the body timeout, not the request timeout"
    );
    let status = answer.split(' ').nth(1).unwrap_or_default();
    assert!(
        status.starts_with('4'),
        "the client's fault, answered as such: {answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_meets_the_request_timeout() {
    let (port, _db) = start().await;
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
    );
    let started = Instant::now();
    let mut s = half_sent(port, head.as_bytes()).await;
    // One byte at a time, each well within the body timeout.
    let mut answer = Vec::new();
    let deadline = started + REQUEST + SLACK;
    loop {
        assert!(
            Instant::now() < deadline,
            "still open after the request timeout"
        );
        if s.write_all(b"a").await.is_err() {
            break;
        }
        let mut chunk = [0u8; 1024];
        match tokio::time::timeout(BODY / 3, s.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
        if !answer.is_empty() {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() >= REQUEST - Duration::from_millis(100));
}
