//! Crash: four clients open cases in a loop against the real `portal` binary, which is killed
//! with SIGKILL at a random moment and started again on the same database. Every case whose
//! creation was acknowledged (2xx with an id) must be there, whole: its subject and description
//! as sent, its 'opened' event and its audit entry; numbers stay unique, and the restarted
//! server goes on opening cases. On SQLite and PostgreSQL.

use crate::helpers::{self, login, open_case_array, post_form, Portal, TempDir};
use sqlx::Row;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CLIENTS: [(&str, &str); 4] = [
    ("caller@acme.example", "acme-caller-demo"),
    ("dana@acme.example", "acme-dana-demo"),
    ("eli@acme.example", "acme-eli-demo"),
    ("admin@acme.example", "acme-admin-demo"),
];

/// What the server acknowledged: (id, number label, subject, description).
type Acked = Arc<Mutex<Vec<(String, String, String, String)>>>;

async fn crash_and_recover(backend: &str, database_url: &str) {
    let started = Instant::now();
    let dir = TempDir::new("portal-crash");
    let mut portal = Portal::start(database_url, dir.path(), &[]).await;
    let port = portal.port;
    let mut cookies = Vec::new();
    for (email, password) in CLIENTS {
        cookies.push(login(port, email, password).await);
    }
    let array_id = open_case_array(port, &cookies[0]).await;

    let acked: Acked = Arc::default();
    let refused = Arc::new(Mutex::new(Vec::<String>::new()));
    let (first_tx, mut first_rx) = tokio::sync::mpsc::channel::<()>(4);
    let mut clients = Vec::new();
    for (c, cookie) in cookies.iter().enumerate() {
        let (cookie, array_id, acked, refused, first_tx) = (
            cookie.clone(),
            array_id.clone(),
            acked.clone(),
            refused.clone(),
            first_tx.clone(),
        );
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let subject = format!("Crash test {c}-{n}: controller restarted");
                let description =
                    format!("Client {c}, case {n}.\nLine two with ünïcode and 'quotes' & more.");
                let sent = post_form(
                    port,
                    "/api/cases/open",
                    Some(&cookie),
                    &[
                        ("array_id", &array_id),
                        ("severity", "3"),
                        ("subject", &subject),
                        ("description", &description),
                    ],
                )
                .await;
                match sent {
                    Ok(r) if (200..300).contains(&r.status) => {
                        let v = r.json();
                        let id = v["id"].as_str().expect("id").to_string();
                        let label = v["number_label"].as_str().expect("label").to_string();
                        acked
                            .lock()
                            .expect("acked")
                            .push((id, label, subject, description));
                        let _ = first_tx.try_send(());
                    }
                    // The server died under this request: not acknowledged, so no promise.
                    Err(_) => return,
                    Ok(r) => refused
                        .lock()
                        .expect("refused")
                        .push(format!("{} {}", r.status, r.body)),
                }
            }
        }));
    }
    drop(first_tx);
    // The random moment counts from when the clients are really writing.
    tokio::time::timeout(Duration::from_secs(20), first_rx.recv())
        .await
        .expect("a first case opened")
        .expect("a client is running");
    let delay = Duration::from_millis(300 + helpers::random_below(1200));
    tokio::time::sleep(delay).await;
    portal.kill();
    for c in clients {
        tokio::time::timeout(Duration::from_secs(10), c)
            .await
            .expect("clients notice the crash")
            .expect("client task");
    }
    let refused = refused.lock().expect("refused").clone();
    assert!(
        refused.is_empty(),
        "{backend}: error responses before the crash: {refused:?}"
    );
    let acked = acked.lock().expect("acked").clone();
    assert!(!acked.is_empty(), "{backend}: no case acknowledged");

    // Same database, new process: recovery (WAL replay) and start-up on the crashed state.
    let portal = Portal::start(database_url, dir.path(), &[]).await;
    let pool = portal::server::db::connect(database_url, 2)
        .await
        .expect("pool");
    for (id, label, subject, description) in &acked {
        let row = sqlx::query("SELECT number, subject, description FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&pool)
            .await
            .expect("query case")
            .unwrap_or_else(|| panic!("{backend}: acknowledged case {label} ({id}) lost"));
        let number: i64 = row.get("number");
        assert_eq!(
            &portal::model::case::case_number_label(number),
            label,
            "{backend}"
        );
        assert_eq!(&row.get::<String, _>("subject"), subject, "{backend}");
        assert_eq!(
            &row.get::<String, _>("description"),
            description,
            "{backend}"
        );
        let opened: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'opened'",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("events");
        assert_eq!(opened, 1, "{backend}: {label} has no 'opened' event");
        let audit: Vec<String> = sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE entity = 'case' AND entity_id = $1 \
             AND action = 'case.open'",
        )
        .bind(id)
        .fetch_all(&pool)
        .await
        .expect("audit");
        assert_eq!(audit.len(), 1, "{backend}: {label} audit entries {audit:?}");
        let after: serde_json::Value = serde_json::from_str(&audit[0]).expect("audit json");
        assert_eq!(after["number"].as_str(), Some(label.as_str()), "{backend}");
        assert_eq!(
            after["subject"].as_str(),
            Some(subject.as_str()),
            "{backend}"
        );
    }
    // Whatever the crash cut short left no half-written case: every case has its event and
    // its audit entry, and numbers are unique.
    let (cases, numbers, half): (i64, i64, i64) = {
        let row = sqlx::query(
            "SELECT COUNT(*) AS cases, COUNT(DISTINCT number) AS numbers, \
             SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id \
                  AND e.kind = 'opened') \
                OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = c.id \
                  AND a.action = 'case.open') THEN 1 ELSE 0 END) AS half \
             FROM cases c WHERE c.subject LIKE 'Crash test %'",
        )
        .fetch_one(&pool)
        .await
        .expect("totals");
        (row.get("cases"), row.get("numbers"), row.get("half"))
    };
    assert_eq!(cases, numbers, "{backend}: duplicate case numbers");
    assert_eq!(half, 0, "{backend}: half-written cases");
    assert!(cases >= acked.len() as i64);

    // The restarted server serves the old sessions and opens the next case.
    let r = post_form(
        portal.port,
        "/api/cases/open",
        Some(&cookies[0]),
        &[
            ("array_id", &array_id),
            ("severity", "4"),
            ("subject", "After the crash"),
            ("description", "The server came back."),
        ],
    )
    .await
    .expect("open after restart");
    assert_eq!(r.status, 200, "{backend}: {}", r.body);
    let n: i64 = sqlx::query_scalar("SELECT number FROM cases WHERE id = $1")
        .bind(r.json()["id"].as_str().expect("id"))
        .fetch_one(&pool)
        .await
        .expect("new case");
    let max: i64 = sqlx::query_scalar("SELECT MAX(number) FROM cases")
        .fetch_one(&pool)
        .await
        .expect("max");
    assert_eq!(n, max, "{backend}: numbering goes on after the crash");
    pool.close().await;
    eprintln!(
        "{backend}: killed after {delay:?} of load, {} acknowledged cases all intact, {cases} \
         written; {:.1} s",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_cases_survive_sigkill_on_sqlite() {
    let dir = TempDir::new("portal-crash-db");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    crash_and_recover("sqlite", &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_cases_survive_sigkill_on_postgres() {
    let Some(admin) = helpers::postgres_admin_url() else {
        return;
    };
    let url = helpers::fresh_postgres_db(&admin).await;
    crash_and_recover("postgres", &url).await;
}
