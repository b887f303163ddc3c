//! Prometheus metrics at `/metrics`: request counts and latencies by kind of route and status
//! class, and background job runs. Counters live in this process; with several instances each
//! one is scraped on its own, as Prometheus expects.
//!
//! Not open on the public listener: served on a separate address (`router`, for
//! `PORTAL_METRICS_ADDR`), or on the public one only to a bearer token (`PORTAL_METRICS_TOKEN`).
//! The counts name no customer, but they tell an outsider how busy the portal is and when.
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
const KINDS: [&str; 5] = ["page", "server_fn", "static", "api", "other"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    /// Sum in microseconds, so it stays an integer.
    sum_us: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Self {
            buckets: [const { AtomicU64::new(0) }; BUCKETS.len()],
            count: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
        }
    }

    fn observe(&self, seconds: f64) {
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}

static REQUESTS: [[AtomicU64; CLASSES.len()]; KINDS.len()] =
    [const { [const { AtomicU64::new(0) }; CLASSES.len()] }; KINDS.len()];
static LATENCY: [Histogram; KINDS.len()] = [const { Histogram::new() }; KINDS.len()];
/// (job, outcome) → runs. Few distinct keys, written twice a minute.
static JOB_RUNS: Mutex<Vec<(String, &'static str, u64)>> = Mutex::new(Vec::new());

fn kind_of(path: &str) -> usize {
    if path.starts_with("/api/v1/") {
        3
    } else if path.starts_with("/api/") {
        1
    } else if path.starts_with("/pkg/") || path == "/favicon.svg" {
        2
    } else if path == "/metrics" || path == "/healthz" || path == "/readyz" {
        4
    } else {
        0
    }
}

/// Counts and times every request.
pub async fn track(req: Request, next: Next) -> Response {
    let kind = kind_of(req.uri().path());
    let started = Instant::now();
    let res = next.run(req).await;
    let class = usize::from(res.status().as_u16() / 100)
        .saturating_sub(1)
        .min(CLASSES.len() - 1);
    REQUESTS[kind][class].fetch_add(1, Ordering::Relaxed);
    LATENCY[kind].observe(started.elapsed().as_secs_f64());
    res
}

/// Records one run of a background job: `outcome` is "ok" or "error".
pub fn job_run(job: &str, outcome: &'static str) {
    let Ok(mut runs) = JOB_RUNS.lock() else {
        return;
    };
    match runs.iter_mut().find(|(j, o, _)| j == job && *o == outcome) {
        Some(entry) => entry.2 += 1,
        None => runs.push((job.to_string(), outcome, 1)),
    }
}

/// The exposition text.
pub fn render() -> String {
    let mut out = String::new();
    write_requests(&mut out);
    write_latency(&mut out);
    write_job_runs(&mut out);
    out
}

fn write_requests(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP portal_http_requests_total HTTP requests by kind of route and status class.\n\
         # TYPE portal_http_requests_total counter"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        for (c, class) in CLASSES.iter().enumerate() {
            let n = REQUESTS[k][c].load(Ordering::Relaxed);
            if n > 0 {
                let _ = writeln!(
                    out,
                    "portal_http_requests_total{{kind=\"{kind}\",status=\"{class}\"}} {n}"
                );
            }
        }
    }
}

fn write_latency(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP portal_http_request_duration_seconds Time to the response's headers.\n\
         # TYPE portal_http_request_duration_seconds histogram"
    );
    for (k, kind) in KINDS.iter().enumerate() {
        let h = &LATENCY[k];
        for (bound, bucket) in BUCKETS.iter().zip(&h.buckets) {
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_bucket{{kind=\"{kind}\",le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = h.count.load(Ordering::Relaxed);
        let sum = h.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "portal_http_request_duration_seconds_bucket{{kind=\"{kind}\",le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "portal_http_request_duration_seconds_sum{{kind=\"{kind}\"}} {sum}"
        );
        let _ = writeln!(
            out,
            "portal_http_request_duration_seconds_count{{kind=\"{kind}\"}} {count}"
        );
    }
}

fn write_job_runs(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP portal_job_runs_total Background job runs by job and outcome.\n\
         # TYPE portal_job_runs_total counter"
    );
    if let Ok(runs) = JOB_RUNS.lock() {
        for (job, outcome, n) in runs.iter() {
            let _ = writeln!(
                out,
                "portal_job_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {n}"
            );
        }
    }
}

/// What the separate metrics listener serves: `/metrics` and nothing else.
pub fn router() -> axum::Router {
    axum::Router::new().route("/metrics", axum::routing::get(handler))
}

/// `/metrics` on the public listener: 404 without a configured token (as if it were not there),
/// 401 to a request without that token.
pub async fn guarded(
    axum::extract::State(token): axum::extract::State<Option<String>>,
    headers: axum::http::HeaderMap,
) -> Response {
    use axum::http::{HeaderValue, StatusCode};
    let Some(token) = token else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    if !bearer_matches(&headers, &token) {
        let mut res = (StatusCode::UNAUTHORIZED, "Bearer token required").into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return res;
    }
    handler().await.into_response()
}

/// Compares digests, so the time taken says nothing about how much of the token was right.
fn bearer_matches(headers: &axum::http::HeaderMap, token: &str) -> bool {
    use sha2::{Digest, Sha256};
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    sent.is_some_and(|s| Sha256::digest(s.as_bytes()) == Sha256::digest(token.as_bytes()))
}

pub async fn handler() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::new();
        h.observe(0.003);
        h.observe(0.2);
        let counts: Vec<u64> = h
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts, vec![0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(h.count.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn routes_are_grouped_by_kind() {
        assert_eq!(KINDS[kind_of("/api/cases/open")], "server_fn");
        assert_eq!(KINDS[kind_of("/api/v1/alerts")], "api");
        assert_eq!(KINDS[kind_of("/pkg/portal.abc.wasm")], "static");
        assert_eq!(KINDS[kind_of("/cases/123")], "page");
        job_run("case_jobs", "ok");
        assert!(render().contains("portal_job_runs_total{job=\"case_jobs\",outcome=\"ok\"}"));
    }
}
