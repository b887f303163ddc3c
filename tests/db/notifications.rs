//! Notifications on SQLite and PostgreSQL, delivered through a real SMTP conversation with a
//! sink this test starts on a loopback port: the right people hear of each event once, an SMTP
//! outage loses nothing and sends nothing twice, and two workers never send one message twice.
use crate::helpers::{self, user};

use chrono::{Duration, Utc};
use portal::model::case::NewCase;
use portal::model::notification::NotificationKind;
use portal::server::mailer::{MailConfig, Mailer};
use portal::server::outbox::{self, DeliveryConfig};
use portal::server::{cases, notifications};
use portal::sla::ProgramSet;
use sqlx::AnyPool;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";
const ALIAS: &str = "storage-team@acme.example";

// ---- A tiny SMTP server: accepts everything, remembers every message ----

#[derive(Debug, Clone)]
struct Received {
    rcpt: Vec<String>,
    message_id: String,
    data: String,
}

struct Sink {
    port: u16,
    mails: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    async fn start(port: u16) -> Sink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("sink port");
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = converse(stream, store).await;
                });
            }
        });
        Sink { port, mails, task }
    }

    fn received(&self) -> Vec<Received> {
        self.mails.lock().expect("mails").clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn converse(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut rcpt = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            rcpt.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let addr = line
                .split(['<', '>'])
                .nth(1)
                .unwrap_or_default()
                .to_string();
            rcpt.push(addr);
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 go on\r\n").await?;
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l).await? == 0 {
                    return Ok(());
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(&l);
            }
            let message_id = data
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .map(|l| l[11..].trim().to_string())
                .unwrap_or_default();
            store.lock().expect("mails").push(Received {
                rcpt: std::mem::take(&mut rcpt),
                message_id,
                data,
            });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"250 OK\r\n").await?;
        }
    }
}

/// A loopback port nobody listens on (yet).
async fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("port");
    l.local_addr().expect("addr").port()
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: port,
        from: "Support Portal <portal@vendor.example>".into(),
        base_url: "https://portal.example".into(),
        timeout: std::time::Duration::from_secs(5),
    })
    .expect("mailer")
}

fn worker(owner: &str) -> DeliveryConfig {
    DeliveryConfig {
        owner: owner.into(),
        lease_ms: 60_000,
        retry_base_ms: 10_000,
        retry_max_ms: 60_000,
        max_attempts: 10,
        batch: 500,
    }
}

// ---- Helpers ----

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn open_case(pool: &AnyPool, who: &str, subject: &str) -> String {
    let array: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
        .bind(BOSTON_ARRAY)
        .fetch_one(pool)
        .await
        .expect("array");
    let u = user(pool, who).await;
    cases::create_case(
        pool,
        &programs(),
        &u,
        &NewCase {
            site_id: String::new(),
            array_id: array,
            severity: 3,
            subject: subject.into(),
            description: "Latency spikes on the replication link.".into(),
            business_impact: String::new(),
            sev1_contact_name: String::new(),
            sev1_contact_phone: String::new(),
            conversation_id: String::new(),
        },
    )
    .await
    .expect("case opens")
    .id
}

/// Who gets an e-mail about the event of `kind` on `case_id`.
async fn emailed(pool: &AnyPool, case_id: &str, kind: NotificationKind) -> BTreeSet<String> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT o.recipient FROM outbox o JOIN notification_events e ON e.id = o.event_id \
         WHERE e.case_id = $1 AND e.kind = $2",
    )
    .bind(case_id)
    .bind(kind.as_str())
    .fetch_all(pool)
    .await
    .expect("outbox");
    rows.into_iter().collect()
}

async fn bell(pool: &AnyPool, email: &str) -> u32 {
    notifications::unread_count(pool, &user(pool, email).await)
        .await
        .expect("unread")
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

// ---- Tests ----

#[tokio::test]
async fn each_event_reaches_the_right_people_once() {
    let sink = Sink::start(0).await;
    let mail = mailer(sink.port);
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        // The demo's own history notified nobody by e-mail and left no unread entry.
        assert_eq!(count(pool, "SELECT COUNT(*) FROM outbox").await, 0, "{b}");
        assert_eq!(bell(pool, "caller@acme.example").await, 0, "{b}");

        // Dana wants no e-mail about support updates; an order bars Eli from every e-mail.
        let dana = user(pool, "dana@acme.example").await;
        notifications::set_preference(pool, &dana, "support_update", true, false)
            .await
            .expect("preference");
        let eli = user(pool, "eli@acme.example").await;
        let admin = user(pool, "admin@acme.example").await;
        notifications::add_no_contact(pool, &admin, &eli.id, "", "")
            .await
            .expect("order");
        // The backup contact turned support updates off altogether (bell and e-mail).
        let backup = user(pool, "backup@acme.example").await;
        notifications::set_preference(pool, &backup, "support_update", false, true)
            .await
            .expect("preference");

        let case = open_case(pool, "caller@acme.example", "Replication lag").await;
        // Opening: the other Boston contacts, the alias and support; not the opener.
        assert_eq!(
            emailed(pool, &case, NotificationKind::CaseOpened).await,
            set(&[
                "admin@acme.example",
                "backup@acme.example",
                "dana@acme.example",
                "engineer@support.example",
                ALIAS,
            ]),
            "{b}"
        );

        let engineer = user(pool, "engineer@support.example").await;
        let p = programs();
        cases::support_update(pool, &p, &engineer, &case, "We are looking at it.", true)
            .await
            .expect("update");
        cases::support_update(
            pool,
            &p,
            &engineer,
            &case,
            "Internal: check firmware.",
            false,
        )
        .await
        .expect("note");
        assert_eq!(
            emailed(pool, &case, NotificationKind::SupportUpdate).await,
            set(&["admin@acme.example", "caller@acme.example", ALIAS]),
            "{b}: Dana (e-mail off), Eli (no-contact), backup (off), the engineer (author) get none"
        );
        // The bell: Dana and Eli still see it in the portal; the backup contact does not.
        assert_eq!(bell(pool, "caller@acme.example").await, 1, "{b}");
        assert_eq!(bell(pool, "dana@acme.example").await, 2, "{b}");
        assert_eq!(bell(pool, "eli@acme.example").await, 2, "{b}");
        assert_eq!(bell(pool, "backup@acme.example").await, 1, "{b}");
        assert_eq!(bell(pool, "admin@globex.example").await, 0, "{b}");
        assert_eq!(bell(pool, "engineer@support.example").await, 1, "{b}");
        // The internal note told nobody.
        let updates: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_events WHERE kind = 'support_update' AND case_id = $1",
        )
        .bind(&case)
        .fetch_one(pool)
        .await
        .expect("count");
        assert_eq!(updates, 1, "{b}");

        // A customer's raise: the other contacts and support.
        let caller = user(pool, "caller@acme.example").await;
        cases::raise_severity(
            pool,
            &p,
            &caller,
            &case,
            2,
            "Now hurting production.",
            None,
            None,
        )
        .await
        .expect("raise");
        let raised = emailed(pool, &case, NotificationKind::SeverityChange).await;
        assert!(
            raised.contains("engineer@support.example") && !raised.contains("caller@acme.example"),
            "{b}: {raised:?}"
        );

        // Delivery: every queued message arrives once, to its address, with the case facts.
        let before = sink.received().len();
        let r = outbox::deliver_due(pool, &mail, &worker("w1"), Utc::now())
            .await
            .expect("delivery");
        let total = count(pool, "SELECT COUNT(*) FROM outbox").await;
        assert_eq!(i64::from(r.sent), total, "{b}: {r:?}");
        let got: Vec<Received> = sink.received()[before..].to_vec();
        assert_eq!(got.len() as i64, total, "{b}");
        let ids: BTreeSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids.len(), got.len(), "{b}: a message arrived twice");
        let update = got
            .iter()
            .find(|m| {
                m.rcpt == vec!["caller@acme.example".to_string()]
                    && m.data.contains("Support posted an update")
            })
            .expect("the caller's update e-mail");
        assert!(
            update.data.contains("Severity 3") || update.data.contains("Severity 2"),
            "{}",
            update.data
        );
        assert!(update.data.contains("America/New_York"), "{}", update.data);
        assert!(
            update.data.contains("https://portal.example/cases/"),
            "{}",
            update.data
        );
        assert!(update.data.contains("text/html"), "{}", update.data);
        // Nothing is left to send.
        let again = outbox::deliver_due(pool, &mail, &worker("w1"), Utc::now())
            .await
            .expect("delivery");
        assert_eq!(again.sent, 0, "{b}");
        assert_eq!(
            count(pool, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'").await,
            total,
            "{b}"
        );

        // Marking read empties the bell.
        notifications::mark_read(pool, &caller, None)
            .await
            .expect("read");
        assert_eq!(bell(pool, "caller@acme.example").await, 0, "{b}");
        // Someone else's notification is not found.
        let danas: String =
            sqlx::query_scalar("SELECT id FROM notifications WHERE user_id = $1 LIMIT 1")
                .bind(&dana.id)
                .fetch_one(pool)
                .await
                .expect("dana's");
        assert!(
            notifications::mark_read(pool, &caller, Some(&danas))
                .await
                .is_err(),
            "{b}"
        );
    }
}

#[tokio::test]
async fn smtp_outage_loses_nothing_and_sends_nothing_twice() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let port = free_port().await;
        let mail = mailer(port);
        let w = worker("w1");
        open_case(pool, "caller@acme.example", "Outage one").await;
        open_case(pool, "admin@acme.example", "Outage two").await;
        let total = count(pool, "SELECT COUNT(*) FROM outbox").await;
        assert!(total >= 8, "{b}: {total}");

        // The SMTP server is down: every attempt fails and is rescheduled.
        let t0 = Utc::now();
        let r = outbox::deliver_due(pool, &mail, &w, t0).await.expect("run");
        assert_eq!((r.sent, i64::from(r.retried)), (0, total), "{b}: {r:?}");
        // Not due again before the back-off.
        let r = outbox::deliver_due(pool, &mail, &w, t0 + Duration::seconds(5))
            .await
            .expect("run");
        assert_eq!((r.sent, r.retried), (0, 0), "{b}: {r:?}");
        let r = outbox::deliver_due(pool, &mail, &w, t0 + Duration::seconds(11))
            .await
            .expect("run");
        assert_eq!(i64::from(r.retried), total, "{b}: second failure {r:?}");
        // The second back-off is twice as long.
        let next: i64 = count(pool, "SELECT MIN(next_attempt_at) FROM outbox").await;
        assert!(
            next >= (t0 + Duration::seconds(31)).timestamp_millis(),
            "{b}"
        );

        // The server comes back: everything goes out once.
        let sink = Sink::start(port).await;
        let r = outbox::deliver_due(pool, &mail, &w, t0 + Duration::seconds(40))
            .await
            .expect("run");
        assert_eq!(i64::from(r.sent), total, "{b}: {r:?}");
        let r = outbox::deliver_due(pool, &mail, &w, t0 + Duration::seconds(600))
            .await
            .expect("run");
        assert_eq!(r.sent, 0, "{b}");
        let got = sink.received();
        let ids: BTreeSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!((got.len() as i64, ids.len() as i64), (total, total), "{b}");
        assert_eq!(
            count(pool, "SELECT MAX(attempts) FROM outbox").await,
            3,
            "{b}"
        );
    }
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_but_a_live_one_is_not() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let sink = Sink::start(0).await;
        let mail = mailer(sink.port);
        open_case(pool, "caller@acme.example", "Lease").await;
        let total = count(pool, "SELECT COUNT(*) FROM outbox").await;
        let t0 = Utc::now();
        // An instance claimed everything and died before sending.
        sqlx::query("UPDATE outbox SET lease_owner = 'dead', lease_until = $1, attempts = 1")
            .bind((t0 + Duration::seconds(60)).timestamp_millis())
            .execute(pool)
            .await
            .expect("claim");
        let r = outbox::deliver_due(pool, &mail, &worker("w2"), t0)
            .await
            .expect("run");
        assert_eq!(r.sent, 0, "{b}: a live lease is respected");
        let r = outbox::deliver_due(pool, &mail, &worker("w2"), t0 + Duration::seconds(61))
            .await
            .expect("run");
        assert_eq!(i64::from(r.sent), total, "{b}");
        assert_eq!(sink.received().len() as i64, total, "{b}");
    }
}

#[tokio::test]
async fn two_workers_never_send_one_message_twice() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let sink = Sink::start(0).await;
        for i in 0..6 {
            open_case(pool, "caller@acme.example", &format!("Race {i}")).await;
        }
        let total = count(pool, "SELECT COUNT(*) FROM outbox").await;
        let now = Utc::now();
        // Two instances, each with its own pool, racing over the same rows.
        let other = portal::server::db::connect(&db.url, 4)
            .await
            .expect("second pool");
        let (m1, m2) = (mailer(sink.port), mailer(sink.port));
        let (c1, c2) = (worker("a"), worker("b"));
        let (r1, r2) = tokio::join!(
            outbox::deliver_due(pool, &m1, &c1, now),
            outbox::deliver_due(&other, &m2, &c2, now)
        );
        let (r1, r2) = (r1.expect("a"), r2.expect("b"));
        assert_eq!(i64::from(r1.sent + r2.sent), total, "{b}: {r1:?} {r2:?}");
        let got = sink.received();
        let mut per_id: HashMap<&str, usize> = HashMap::new();
        for m in &got {
            *per_id.entry(m.message_id.as_str()).or_default() += 1;
        }
        assert_eq!(per_id.len() as i64, total, "{b}");
        assert!(per_id.values().all(|n| *n == 1), "{b}: {per_id:?}");
        other.close().await;
    }
}

#[tokio::test]
async fn deadline_warnings_reach_support_once() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let case = open_case(pool, "caller@acme.example", "Deadline").await;
        let due: i64 = sqlx::query_scalar("SELECT next_deadline_at FROM cases WHERE id = $1")
            .bind(&case)
            .fetch_one(pool)
            .await
            .expect("deadline");
        let at = chrono::DateTime::from_timestamp_millis(due - 10 * 60_000).expect("instant");
        let first = notifications::warn_deadlines(pool, at).await.expect("warn");
        assert!(first >= 1, "{b}");
        let again = notifications::warn_deadlines(pool, at).await.expect("warn");
        assert_eq!(again, 0, "{b}: once per case and deadline");
        let to = emailed(pool, &case, NotificationKind::DeadlineSoon).await;
        assert_eq!(to, set(&["engineer@support.example"]), "{b}");
    }
}

#[tokio::test]
async fn replacement_moves_and_lateness_reach_the_site_contacts() {
    use portal::server::replacements::{self as repl, NewReplacement};
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = db.backend;
        let case = open_case(pool, "caller@acme.example", "Failed drive").await;
        let engineer = user(pool, "engineer@support.example").await;
        let p = programs();
        let id = repl::create(
            pool,
            &p,
            &engineer,
            &NewReplacement {
                case_id: case.clone(),
                part_type: "drive".into(),
                part_number: "DRV-1".into(),
                quantity: 1,
                ..NewReplacement::default()
            },
        )
        .await
        .expect("replacement");
        repl::dispatch(pool, &p, &engineer, &id)
            .await
            .expect("dispatch");
        repl::ship(pool, &engineer, &id, "UPS", "1Z999")
            .await
            .expect("ship");
        let to = emailed(pool, &case, NotificationKind::ReplacementDispatched).await;
        assert!(
            to.contains("caller@acme.example") && to.contains(ALIAS),
            "{b}: {to:?}"
        );
        assert!(!emailed(pool, &case, NotificationKind::ReplacementShipped)
            .await
            .is_empty());
        // Past its delivery due time and still on its way: late, once.
        let due: Option<i64> =
            sqlx::query_scalar("SELECT delivery_due_at FROM replacements WHERE id = $1")
                .bind(&id)
                .fetch_one(pool)
                .await
                .expect("due");
        if let Some(due) = due {
            let after = chrono::DateTime::from_timestamp_millis(due + 60_000).expect("instant");
            assert!(
                notifications::warn_late_replacements(pool, after)
                    .await
                    .expect("late")
                    >= 1,
                "{b}"
            );
            assert_eq!(
                notifications::warn_late_replacements(pool, after)
                    .await
                    .expect("late"),
                0,
                "{b}"
            );
            let late = emailed(pool, &case, NotificationKind::ReplacementLate).await;
            assert!(
                late.contains("engineer@support.example") && late.contains(ALIAS),
                "{b}: {late:?}"
            );
        }
    }
}

/// The viewer's unread notifications about one case.
async fn unread_about(pool: &AnyPool, email: &str, case_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
         JOIN notification_events e ON e.id = n.event_id \
         WHERE u.email = $1 AND e.case_id = $2 AND n.read_at IS NULL",
    )
    .bind(email)
    .bind(case_id)
    .fetch_one(pool)
    .await
    .expect("unread about a case")
}

#[tokio::test]
async fn opening_a_case_reads_its_notifications_for_the_viewer_only_and_the_list_shows_severity() {
    const CALLER: &str = "caller@acme.example";
    const ADMIN: &str = "admin@acme.example";
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let p = programs();
        let staff = user(pool, "engineer@support.example").await;
        let seen = open_case(pool, CALLER, "Opened and read").await;
        let other = open_case(pool, CALLER, "Not opened").await;
        for id in [&seen, &other] {
            cases::support_update(pool, &p, &staff, id, "We are on it.", true)
                .await
                .unwrap();
        }
        assert!(unread_about(pool, CALLER, &seen).await > 0, "{b}");
        let admin_before = unread_about(pool, ADMIN, &seen).await;
        assert!(admin_before > 0, "{b}: the site's admin hears of it too");

        // The list names each case's severity.
        let caller = user(pool, CALLER).await;
        let page = notifications::page(pool, &caller).await.unwrap();
        let about = page
            .items
            .iter()
            .find(|n| n.link == format!("/cases/{seen}"))
            .expect("a notification about the case");
        assert_eq!(about.severity, Some(3), "{b}");

        // Another organization's attempt reads nothing; the caller opening the case reads hers.
        let globex = user(pool, "admin@globex.example").await;
        assert!(cases::case_detail(pool, &p, &globex, &seen).await.is_err());
        assert!(unread_about(pool, CALLER, &seen).await > 0, "{b}");
        cases::case_detail(pool, &p, &caller, &seen).await.unwrap();
        assert_eq!(unread_about(pool, CALLER, &seen).await, 0, "{b}");
        assert!(
            unread_about(pool, CALLER, &other).await > 0,
            "{b}: another case's stay unread"
        );
        assert_eq!(
            unread_about(pool, ADMIN, &seen).await,
            admin_before,
            "{b}: another person's stay unread"
        );
        // Opening it again writes nothing more.
        cases::case_detail(pool, &p, &caller, &seen).await.unwrap();
        let read_at: Vec<Option<i64>> = sqlx::query_scalar(
            "SELECT n.read_at FROM notifications n JOIN notification_events e ON e.id = n.event_id \
             WHERE n.user_id = $1 AND e.case_id = $2",
        )
        .bind(&caller.id)
        .bind(&seen)
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(read_at.iter().all(Option::is_some), "{b}: {read_at:?}");
    }
}
