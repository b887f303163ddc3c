//! A minimal HTTP/1.1 client over a TCP socket: how the process tests talk to a running portal.
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

/// The bearer token the process tests start the portal with, to read `/metrics`.
pub const METRICS_TOKEN: &str = "process-test-metrics-token";

/// Counters of a `/metrics` text, by full series name (`name{labels}`).
pub async fn metrics(port: u16) -> HashMap<String, f64> {
    let auth = format!("Bearer {METRICS_TOKEN}");
    let r = request(port, "GET", "/metrics", &[("Authorization", &auth)], "")
        .await
        .expect("metrics");
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
