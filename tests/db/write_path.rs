//! The write path: the per-file write gate of SQLite (`db::begin_write`), the multi-row
//! notification fan-out, and the deadlines of a new case computed without reading it back.
use crate::helpers::{self, user};

use portal::model::case::NewCase;
use portal::model::notification::NotificationKind;
use portal::server::notifications::{self, Notice};
use portal::server::{cases, db};
use portal::sla::ProgramSet;
use sqlx::AnyPool;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn scalar(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

// ---- The gate ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_gate_serializes_writers_of_one_file_and_not_of_two() {
    let a = helpers::sqlite().await;
    // A second pool on the same file (as the tests and the CLI open them) shares the gate.
    let a2 = db::connect(&a.url, 4).await.expect("second pool");
    let b = helpers::sqlite().await;

    let first = db::begin_write(&a.pool).await.expect("first writer");
    assert!(first.is_gated());
    // Another file's writer is not held up.
    let other = tokio::time::timeout(Duration::from_secs(2), db::begin_write(&b.pool))
        .await
        .expect("another file's writer starts at once")
        .expect("begin");
    drop(other);
    // The same file's writer waits, through either pool, until the first one commits.
    let waiting = tokio::spawn({
        let a2 = a2.clone();
        async move {
            let mut tx = db::begin_write(&a2).await.expect("second writer");
            sqlx::query("UPDATE case_counter SET value = value * 2 WHERE id = 1")
                .execute(&mut *tx)
                .await
                .expect("update");
            tx.commit().await.expect("commit");
            Instant::now()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the second writer waited");
    let mut first = first;
    sqlx::query("UPDATE case_counter SET value = value + 1 WHERE id = 1")
        .execute(&mut *first)
        .await
        .expect("update");
    let committed = Instant::now();
    first.commit().await.expect("commit");
    let started = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the second writer runs once the first committed")
        .expect("task");
    assert!(started >= committed);
    // In that order: (1000 + 1) * 2.
    assert_eq!(
        scalar(&a.pool, "SELECT value FROM case_counter WHERE id = 1").await,
        2002
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_abandoned_write_rolls_back_before_the_next_writer_starts() {
    for d in helpers::backends().await {
        let pool = &d.pool;
        let b = d.backend;
        let before = scalar(pool, "SELECT value FROM case_counter WHERE id = 1").await;
        {
            let mut tx = db::begin_write(pool).await.expect("begin");
            assert_eq!(tx.is_gated(), b == "sqlite", "{b}");
            sqlx::query("UPDATE case_counter SET value = value + 100 WHERE id = 1")
                .execute(&mut *tx)
                .await
                .expect("update");
            // Dropped without commit (an error, a cancelled request).
        }
        // The next writer gets the write lock at once: no sleeping in SQLite's busy handler.
        let started = Instant::now();
        let mut tx = db::begin_write(pool).await.expect("begin");
        sqlx::query("UPDATE case_counter SET value = value + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .expect("update");
        tx.commit().await.expect("commit");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{b}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            scalar(pool, "SELECT value FROM case_counter WHERE id = 1").await,
            before + 1,
            "{b}: the abandoned update was rolled back"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_writer_waits_for_the_gate_no_longer_than_for_a_connection() {
    let d = helpers::sqlite().await;
    let pool = db::connect_with_timeout(&d.url, 4, Duration::from_millis(300))
        .await
        .expect("pool");
    let held = db::begin_write(&pool).await.expect("begin");
    let started = Instant::now();
    let waited = db::begin_write(&pool).await;
    assert!(matches!(waited, Err(sqlx::Error::PoolTimedOut)));
    assert!(started.elapsed() < Duration::from_secs(2));
    held.commit().await.expect("commit");
    db::begin_write(&pool)
        .await
        .expect("free again")
        .commit()
        .await
        .expect("commit");
}

/// Many concurrent openings on few connections: every one succeeds (no pool deadlock, no
/// busy error), with consecutive numbers and one 'opened' notification each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_openings_on_a_small_pool_all_succeed() {
    for d in helpers::seeded().await {
        let b = d.backend;
        let pool = db::connect_with_timeout(&d.url, 3, Duration::from_secs(20))
            .await
            .expect("pool");
        let caller = user(&pool, "caller@acme.example").await;
        let array = boston_array(&pool).await;
        let before = scalar(&pool, "SELECT COUNT(*) FROM cases").await;
        let p = std::sync::Arc::new(programs());
        let mut tasks = Vec::new();
        for i in 0..48 {
            let (pool, caller, array, p) = (pool.clone(), caller.clone(), array.clone(), p.clone());
            tasks.push(tokio::spawn(async move {
                // Readers hold connections too, as pages do while writers queue.
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
                    .fetch_one(&pool)
                    .await
                    .expect("read");
                cases::create_case(
                    &pool,
                    &p,
                    &caller,
                    &new_case(&array, 3, &format!("Load {i}")),
                )
                .await
                .expect("opens")
            }));
        }
        let mut labels = BTreeSet::new();
        for t in tasks {
            labels.insert(t.await.expect("task").number_label);
        }
        assert_eq!(labels.len(), 48, "{b}");
        assert_eq!(
            scalar(&pool, "SELECT COUNT(*) FROM cases").await,
            before + 48,
            "{b}"
        );
        let opened: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_events e JOIN cases c ON c.id = e.case_id \
             WHERE e.kind = 'case_opened' AND c.subject LIKE 'Load %'",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        assert_eq!(opened, 48, "{b}");
    }
}

// ---- The fan-out ----

/// An event's bell entries and e-mails, without their random ids.
type EventRows = (BTreeSet<String>, BTreeSet<String>);

/// The rows of one event, without their random ids.
async fn rows_of(pool: &AnyPool, event_id: &str) -> EventRows {
    let bell: Vec<(String, i64)> =
        sqlx::query_as("SELECT user_id, created_at FROM notifications WHERE event_id = $1")
            .bind(event_id)
            .fetch_all(pool)
            .await
            .expect("notifications");
    let mail: Vec<(String, Option<String>, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT recipient, user_id, state, attempts, next_attempt_at, created_at \
         FROM outbox WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await
    .expect("outbox");
    (
        bell.into_iter().map(|r| format!("{r:?}")).collect(),
        mail.into_iter().map(|r| format!("{r:?}")).collect(),
    )
}

#[tokio::test]
async fn the_multi_row_fan_out_writes_the_rows_one_row_statements_did() {
    for d in helpers::seeded().await {
        let pool = &d.pool;
        let b = d.backend;
        // A mix: the alias is also a person's address (one e-mail), one person wants no
        // e-mail, one has the bell off, an order bars another from e-mail.
        let admin = user(pool, "admin@acme.example").await;
        sqlx::query(
            "UPDATE organization_contact_settings SET team_email = ' Dana@Acme.example ' \
             WHERE organization_id = $1",
        )
        .bind(admin.organization_id.as_deref())
        .execute(pool)
        .await
        .expect("alias");
        let caller = user(pool, "caller@acme.example").await;
        notifications::set_preference(pool, &caller, "case_opened", true, false)
            .await
            .expect("preference");
        let backup = user(pool, "backup@acme.example").await;
        notifications::set_preference(pool, &backup, "case_opened", false, true)
            .await
            .expect("preference");
        let eli = user(pool, "eli@acme.example").await;
        notifications::add_no_contact(pool, &admin, &eli.id, "", "")
            .await
            .expect("order");

        let mut seen: Vec<(usize, EventRows)> = Vec::new();
        for chunk in [1, 2, 3, 500] {
            let notice = Notice {
                kind: NotificationKind::CaseOpened,
                organization_id: admin.organization_id.as_deref(),
                site_id: None,
                case_id: None,
                title: "Fan-out".into(),
                body: String::new(),
                link: "/cases".into(),
                actor: None,
                case_opener: None,
                dedupe_key: None,
                at: 1_700_000_000_000,
            };
            let mut tx = db::begin_write(pool).await.expect("begin");
            let id = notifications::enqueue_in_chunks(&mut tx, &notice, chunk)
                .await
                .expect("enqueue")
                .expect("new event");
            tx.commit().await.expect("commit");
            seen.push((chunk, rows_of(pool, &id).await));
        }
        let (_, one_row) = &seen[0];
        assert!(one_row.0.len() >= 5, "{b}: {:?}", one_row.0);
        assert!(
            one_row
                .1
                .iter()
                .filter(|r| r.contains("dana@acme.example"))
                .count()
                == 1,
            "{b}: one e-mail to an address that is also the alias: {:?}",
            one_row.1
        );
        assert!(
            !one_row.1.iter().any(|r| r.contains("eli@acme.example")),
            "{b}"
        );
        for (chunk, rows) in &seen[1..] {
            assert_eq!(rows, one_row, "{b}: {chunk} rows per statement");
        }
    }
}

// ---- A new case's deadlines ----

async fn boston_array(pool: &AnyPool) -> String {
    sqlx::query_scalar(
        "SELECT a.id FROM arrays a JOIN sites s ON s.id = a.site_id \
         JOIN users u ON u.organization_id = s.organization_id \
         WHERE u.email = 'caller@acme.example' ORDER BY a.name LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .expect("array")
}

fn new_case(array_id: &str, severity: u8, subject: &str) -> NewCase {
    NewCase {
        site_id: String::new(),
        array_id: array_id.to_string(),
        severity,
        subject: subject.into(),
        description: "Deadline check.".into(),
        business_impact: String::new(),
        sev1_contact_name: if severity == 1 {
            "Night desk".into()
        } else {
            String::new()
        },
        sev1_contact_phone: if severity == 1 {
            "+1 617 555 0100".into()
        } else {
            String::new()
        },
        conversation_id: String::new(),
    }
}

type Cached = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn cached(pool: &AnyPool, case_id: &str) -> Cached {
    sqlx::query_as(
        "SELECT initial_response_due_at, initial_response_met_at, next_update_due_at, \
                next_deadline_at, job_due_at FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_one(pool)
    .await
    .expect("cached deadlines")
}

#[tokio::test]
async fn a_new_case_gets_the_deadlines_a_rebuild_from_its_history_computes() {
    let p = programs();
    for d in helpers::seeded().await {
        let pool = &d.pool;
        let b = d.backend;
        // Every array a customer admin may open a case on, at every severity: programs,
        // product lines, business-critical sites and time zones differ among them.
        let admins: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.email, a.id FROM users u \
             JOIN sites s ON s.organization_id = u.organization_id \
             JOIN arrays a ON a.site_id = s.id \
             WHERE u.role = 'admin' ORDER BY u.email, a.name",
        )
        .fetch_all(pool)
        .await
        .expect("arrays");
        let mut opened = 0;
        for (email, array) in &admins {
            let who = user(pool, email).await;
            for severity in 1..=4 {
                let created =
                    match cases::create_case(pool, &p, &who, &new_case(array, severity, "Due"))
                        .await
                    {
                        Ok(c) => c,
                        // An array without active support opens no case.
                        Err(portal::model::AppError::Invalid { .. }) => continue,
                        Err(e) => panic!("{b}: {e}"),
                    };
                opened += 1;
                let fresh = cached(pool, &created.id).await;
                assert!(fresh.0.is_some(), "{b}: an initial response is due");
                cases::rebuild_cached_deadlines(pool, &p, &created.id)
                    .await
                    .expect("rebuild");
                assert_eq!(
                    cached(pool, &created.id).await,
                    fresh,
                    "{b}: array {array}, severity {severity}"
                );
            }
        }
        assert!(opened >= 8, "{b}: {opened} cases opened");
    }
}
