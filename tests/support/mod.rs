//! The real `portal` binary as a child process, a minimal HTTP/1.1 client over a TCP socket,
//! and throw-away PostgreSQL clusters and databases: what the fault tests (crash, database
//! outage, shutdown, backup) and the soak need to treat the portal as a black box.
#![allow(dead_code)]
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const BIN: &str = env!("CARGO_BIN_EXE_portal");

/// A fresh, unique temporary folder (removed by its guard).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}",
            portal::server::ids::new_id().to_lowercase()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback port nobody listens on (yet).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    l.local_addr().expect("addr").port()
}

/// A pseudo-random number from the clock and the process: enough to vary the kill moment.
pub fn random_below(n: u64) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let mut x = t ^ (u64::from(std::process::id()) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x % n.max(1)
}

/// One running `portal serve`; killed (SIGKILL) when dropped, if still running.
pub struct Portal {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Portal {
    /// Starts the server on `database_url` with the test settings and waits until `/readyz`
    /// answers 200 (migrations applied, demo data seeded).
    pub async fn start(database_url: &str, dir: &Path, extra_env: &[(&str, &str)]) -> Portal {
        let portal = Portal::spawn(database_url, dir, extra_env);
        portal.wait_ready(Duration::from_secs(60)).await;
        portal
    }

    /// Starts the server without waiting for it.
    pub fn spawn(database_url: &str, dir: &Path, extra_env: &[(&str, &str)]) -> Portal {
        let port = free_port();
        let site = dir.join("site");
        let attachments = dir.join("attachments");
        std::fs::create_dir_all(&site).expect("site dir");
        let log = dir.join(format!("portal-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("LEPTOS_OUTPUT_NAME", "portal")
            .env("PORTAL_ATTACHMENTS_DIR", &attachments)
            .env("PORTAL_LOG", "warn")
            .env_remove("PORTAL_LISTEN")
            .env_remove("PORTAL_NO_DEMO")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start portal");
        Portal { child, port, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn wait_ready(&self, within: Duration) {
        let started = Instant::now();
        loop {
            if let Ok(r) = get(self.port, "/readyz", None).await {
                if r.status == 200 {
                    return;
                }
            }
            assert!(
                started.elapsed() < within,
                "portal on port {} not ready after {within:?}; log:\n{}",
                self.port,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, and reap the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends `signal` (e.g. "TERM") with the `kill` command.
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill command")
            .success();
        assert!(ok, "kill -{signal} {}", self.pid());
    }

    /// Waits for the process to exit on its own, at most `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if started.elapsed() > within {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// An HTTP response as the tests read it.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

/// `application/x-www-form-urlencoded` of `fields`.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One request on its own connection (`Connection: close`).
pub async fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let head = request_head(port, method, path, headers, body.len());
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    stream.write_all(&bytes).await?;
    read_response(&mut stream).await
}

/// The request line and headers, ending with the blank line.
pub fn request_head(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    content_length: usize,
) -> String {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nUser-Agent: portal-fault-test\r\n"
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Length: {content_length}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Reads a whole response from a `Connection: close` stream (plain or chunked body).
pub async fn read_response(stream: &mut TcpStream) -> std::io::Result<Response> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!(
                "incomplete HTTP response ({} bytes): {:?}",
                raw.len(),
                String::from_utf8_lossy(&raw[..raw.len().min(200)])
            ),
        )
    })
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        let mut out = Vec::new();
        let mut at = 0;
        loop {
            let line_end = at + rest[at..].windows(2).position(|w| w == b"\r\n")?;
            let size_text = std::str::from_utf8(&rest[at..line_end]).ok()?;
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            at = line_end + 2;
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(at..at + size)?);
            at += size + 2;
        }
        out
    } else {
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok());
        match len {
            Some(n) => rest.get(..n)?.to_vec(),
            None => rest.to_vec(),
        }
    };
    Some(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

pub async fn get(port: u16, path: &str, cookie: Option<&str>) -> std::io::Result<Response> {
    let mut headers = vec![("Accept", "text/html")];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    request(port, "GET", path, &headers, "").await
}

/// A server function called as a script does: form fields in, JSON out.
pub async fn post_form(
    port: u16,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> std::io::Result<Response> {
    let mut headers = vec![
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Accept", "application/json"),
    ];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    request(port, "POST", path, &headers, &form_body(fields)).await
}

/// Signs in and returns the `name=value` of the session cookie.
pub async fn login(port: u16, email: &str, password: &str) -> String {
    let r = post_form(
        port,
        "/api/login",
        None,
        &[("email", email), ("password", password), ("next", "/")],
    )
    .await
    .expect("login request");
    assert!(r.status < 400, "login {email}: {} {}", r.status, r.body);
    session_cookie(&r).unwrap_or_else(|| panic!("no session cookie for {email}: {r:?}"))
}

pub fn session_cookie(r: &Response) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next())
        .find(|kv| kv.split_once('=').is_some_and(|(_, v)| !v.is_empty()))
        .map(str::to_string)
}

/// The first array of the signed-in customer on which cases may be opened.
pub async fn open_case_array(port: u16, cookie: &str) -> String {
    let r = post_form(port, "/api/cases/form", Some(cookie), &[])
        .await
        .expect("case form");
    assert_eq!(r.status, 200, "{}", r.body);
    let form = r.json();
    form["sites"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["arrays"].as_array().cloned().unwrap_or_default())
        .find(|a| a["support_active"].as_bool() == Some(true))
        .and_then(|a| a["id"].as_str().map(str::to_string))
        .expect("an array with active support")
}

/// Counters of a `/metrics` text, by full series name (`name{labels}`).
pub async fn metrics(port: u16) -> HashMap<String, f64> {
    let r = get(port, "/metrics", None).await.expect("metrics");
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

pub const CASE_JOBS_OK: &str = r#"portal_job_runs_total{job="case_jobs",outcome="ok"}"#;
pub const CASE_JOBS_ERROR: &str = r#"portal_job_runs_total{job="case_jobs",outcome="error"}"#;

/// A throw-away PostgreSQL cluster of `.ci/pg-temp`; stopped and wiped when dropped.
pub struct PgCluster {
    pub dir: PathBuf,
    pub url: String,
}

fn pg_temp(args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pg-temp");
    Command::new(script)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .expect("run .ci/pg-temp")
}

impl PgCluster {
    pub fn start(dir: &Path) -> PgCluster {
        let d = dir.to_str().expect("utf-8 path");
        let out = pg_temp(&["start", d]);
        assert!(
            out.status.success(),
            "pg-temp start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        PgCluster {
            dir: dir.to_path_buf(),
            url,
        }
    }

    /// Stops the server (fast shutdown: open connections are cut), keeping its data and port.
    pub fn halt(&self) {
        let out = pg_temp(&["halt", self.dir.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "pg-temp halt: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the halted server again on the same port and data.
    pub fn resume(&self) {
        let out = pg_temp(&["resume", self.dir.to_str().expect("utf-8")]);
        assert!(
            out.status.success(),
            "pg-temp resume: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = pg_temp(&["stop", self.dir.to_str().unwrap_or_default()]);
    }
}

/// A fresh database on the PostgreSQL server at `admin_url`; returns its URL.
pub async fn fresh_postgres_db(admin_url: &str) -> String {
    let admin = portal::server::db::connect(admin_url, 1)
        .await
        .expect("postgres admin pool");
    let name = format!("fault_{}", portal::server::ids::new_id().to_lowercase());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// The shared PostgreSQL server of `make test`, or `None` outside CI when it is not set.
/// In CI a missing PostgreSQL is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("PORTAL_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the fault tests on PostgreSQL too (set PORTAL_TEST_POSTGRES_URL)"
            );
            eprintln!(
                "PORTAL_TEST_POSTGRES_URL not set: PostgreSQL part not run (make test sets it)"
            );
            None
        }
    }
}
