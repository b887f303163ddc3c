//! Retention on SQLite and PostgreSQL: rows past their retention go, recent ones and the ones
//! still needed stay.
use crate::helpers;

use portal::server::retention::{
    run_retention, LOGIN_ATTEMPTS_DAYS, NOTIFICATIONS_DAYS, SENT_EMAILS_DAYS,
};
use portal::server::state::SessionConfig;
use sqlx::AnyPool;

const DAY: i64 = 24 * 3600 * 1000;
const HOUR: i64 = 3600 * 1000;

async fn exec(pool: &AnyPool, sql: &str, binds: &[i64]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The ids of `table` among those this test wrote (`ret-` ids).
async fn left(pool: &AnyPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE id LIKE 'ret-%' ORDER BY id"
    ))
    .fetch_all(pool)
    .await
    .expect("ids")
}

async fn write_rows(pool: &AnyPool, now: i64) {
    let user: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'caller@acme.example'")
            .fetch_one(pool)
            .await
            .expect("demo user");
    let old_login = now - (LOGIN_ATTEMPTS_DAYS + 1) * DAY;
    let sql = "INSERT INTO login_attempts (id, email, ip, succeeded, at) VALUES ";
    exec(
        pool,
        &format!("{sql} ('ret-old', 'x@y', '1.2.3.4', FALSE, $1)"),
        &[old_login],
    )
    .await;
    exec(
        pool,
        &format!("{sql} ('ret-new', 'x@y', '1.2.3.4', FALSE, $1)"),
        &[now - DAY],
    )
    .await;

    let sessions = [
        ("ret-expired", now - 2 * HOUR, now - HOUR, now - 1),
        ("ret-idle", now - 4 * HOUR, now - 3 * HOUR, now + 8 * HOUR),
        ("ret-live", now - HOUR, now - 60_000, now + 8 * HOUR),
    ];
    for (id, created, seen, expires) in sessions {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&user)
        .bind(created)
        .bind(seen)
        .bind(expires)
        .execute(pool)
        .await
        .expect("session");
    }

    let old = now - (NOTIFICATIONS_DAYS + 1) * DAY;
    let events = [
        ("ret-ev-old", None, old),
        ("ret-ev-keyed", Some("late:ret:1"), old),
        ("ret-ev-pending", None, old),
        ("ret-ev-new", None, now - DAY),
    ];
    for (id, key, at) in events {
        sqlx::query(
            "INSERT INTO notification_events (id, kind, title, dedupe_key, created_at) \
             VALUES ($1, 'support_update', 'an event', $2, $3)",
        )
        .bind(id)
        .bind(key)
        .bind(at)
        .execute(pool)
        .await
        .expect("event");
    }
    for (id, event, at) in [
        ("ret-n-old", "ret-ev-old", old),
        ("ret-n-new", "ret-ev-new", now - DAY),
    ] {
        sqlx::query(
            "INSERT INTO notifications (id, user_id, event_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&user)
        .bind(event)
        .bind(at)
        .execute(pool)
        .await
        .expect("notification");
    }
    let old_sent = now - (SENT_EMAILS_DAYS + 1) * DAY;
    let outbox = [
        (
            "ret-o-sent-old",
            "ret-ev-new",
            "a@x",
            "sent",
            Some(old_sent),
        ),
        (
            "ret-o-sent-new",
            "ret-ev-new",
            "b@x",
            "sent",
            Some(now - DAY),
        ),
        ("ret-o-pending", "ret-ev-pending", "c@x", "pending", None),
        ("ret-o-failed", "ret-ev-new", "d@x", "failed", None),
    ];
    for (id, event, to, state, sent_at) in outbox {
        sqlx::query(
            "INSERT INTO outbox (id, event_id, recipient, state, next_attempt_at, sent_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $5)",
        )
        .bind(id)
        .bind(event)
        .bind(to)
        .bind(state)
        .bind(old)
        .bind(sent_at)
        .execute(pool)
        .await
        .expect("outbox row");
    }
}

#[tokio::test]
async fn retention_deletes_old_rows_and_keeps_recent_ones() {
    for db in helpers::seeded().await {
        let now = chrono::Utc::now();
        write_rows(&db.pool, now.timestamp_millis()).await;
        let report = run_retention(&db.pool, &SessionConfig::default(), now)
            .await
            .expect("retention runs");
        let b = db.backend;
        assert_eq!(left(&db.pool, "login_attempts").await, ["ret-new"], "{b}");
        assert_eq!(left(&db.pool, "sessions").await, ["ret-live"], "{b}");
        assert_eq!(
            left(&db.pool, "outbox").await,
            ["ret-o-failed", "ret-o-pending", "ret-o-sent-new"],
            "{b}: only delivered e-mails past their time go"
        );
        assert_eq!(left(&db.pool, "notifications").await, ["ret-n-new"], "{b}");
        assert_eq!(
            left(&db.pool, "notification_events").await,
            ["ret-ev-keyed", "ret-ev-new", "ret-ev-pending"],
            "{b}: a dedupe key and a waiting e-mail keep their event"
        );
        assert!(report.deleted() >= 6, "{b}: {report:?}");

        // A second run finds nothing more of this test's rows.
        run_retention(&db.pool, &SessionConfig::default(), now)
            .await
            .expect("second run");
        assert_eq!(left(&db.pool, "sessions").await, ["ret-live"], "{b}");
    }
}
