//! Support logs a case on a customer's behalf, on SQLite and PostgreSQL.
//!
//! The guide: "When a customer brings the issue to Pure Storage Support's attention over the
//! phone, a Customer Support Specialist (CSS) fields the call, performs basic analysis, and
//! creates a case in our management and tracking system." (000; 001 says the same of Everpure
//! Technical Services). And who may be the caller: "Only these designated contacts can call and
//! receive assistance from Pure Storage Support." (000, Authorized Callers).
//!
//! Covered: support logs a phone case whose initial-response clock starts when the customer
//! reported it, the customer's timeline reads "Opened by phone by Sam Support for Carl Caller",
//! customers cannot log cases (403), a reporter who is not designated at the array's site (nor
//! an admin of its organization) is refused by the field with the guides' reason and nothing is
//! written, a report in the future, too old or before the contract is refused by the field, and
//! another organization's array is "not found".
use crate::helpers::{self, array_id, counting_query, table_counts, user};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use portal::model::case::{LoggedCase, NewCase};
use portal::model::{AppError, CurrentUser};
use portal::server::cases;
use portal::sla::ProgramSet;
use sqlx::AnyPool;

const CARL: &str = "caller@acme.example";
const ALICE: &str = "admin@acme.example";
const GINA: &str = "admin@globex.example";
const SAM: &str = "engineer@support.example";
const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";
const FRANKFURT_ARRAY: &str = "FlashArray//C60 fra-backup-01";
const TOKYO_ARRAY: &str = "FlashArray//X50 tokyo-prod-01";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn org_id(pool: &AnyPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("demo organization")
}

/// A whole-second instant `ago` before now, as RFC 3339.
fn rfc3339_ago(ago: Duration) -> (DateTime<Utc>, String) {
    let at = Utc::now() - ago;
    let at = DateTime::from_timestamp(at.timestamp(), 0).expect("instant");
    (at, at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A phone report of Acme's `array` by `reporter`, Severity `severity`, reported at `at`.
async fn report(
    pool: &AnyPool,
    array: &str,
    reporter: &CurrentUser,
    severity: u8,
    at: &str,
) -> LoggedCase {
    LoggedCase {
        organization_id: org_id(pool, "Acme Corp").await,
        reporter_id: reporter.id.clone(),
        channel: "phone".into(),
        reported_at: at.into(),
        case: NewCase {
            array_id: array_id(pool, array).await,
            severity,
            subject: "Controller failover during the night".into(),
            description: "Carl called: controller 1 failed over at 02:10; hosts kept running."
                .into(),
            ..NewCase::default()
        },
    }
}

fn field_of(r: &Result<impl std::fmt::Debug, AppError>) -> Option<&str> {
    match r {
        Err(e) => e.field(),
        Ok(_) => None,
    }
}

/// "a Customer Support Specialist (CSS) fields the call, performs basic analysis, and creates a
/// case in our management and tracking system"
#[tokio::test]
async fn support_logs_a_phone_case_whose_clock_starts_when_it_was_reported() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let carl = user(pool, CARL).await;
        let sam = user(pool, SAM).await;
        let (reported, text) = rfc3339_ago(Duration::hours(2));
        // Severity 1 with no contact given: the reporter, who is on the phone, is the contact.
        let input = report(pool, BOSTON_ARRAY, &carl, 1, &text).await;
        let created = cases::log_case(pool, &p, &sam, &input)
            .await
            .expect("logged");

        let d = cases::case_detail(pool, &p, &carl, &created.id)
            .await
            .expect("the caller sees their case");
        assert_eq!(d.summary.opened_at, reported, "{b}");
        assert_eq!(d.facts.opened_at, reported, "{b}");
        // Premium, Severity 1: "15 Minutes", round the clock, counted from the report.
        assert_eq!(
            d.summary.initial_response_due,
            Some(reported + Duration::minutes(15)),
            "{b}"
        );
        let contact = d.sev1_contact.expect("Severity 1 contact");
        assert_eq!(
            (contact.name.as_str(), contact.phone.as_str()),
            ("Carl Caller", "+1 555 0100"),
            "{b}"
        );

        let opened = &d.timeline[0];
        assert_eq!(
            opened.body, "Opened by phone by Sam Support for Carl Caller",
            "{b}"
        );
        assert_eq!(opened.actor_name.as_deref(), Some("Sam Support"), "{b}");
        assert_eq!(opened.at, reported, "{b}");

        let (channel, opened_by, logged_by): (String, String, String) =
            sqlx::query_as("SELECT channel, opened_by, logged_by FROM cases WHERE id = $1")
                .bind(&created.id)
                .fetch_one(pool)
                .await
                .expect("row");
        assert_eq!(
            (channel.as_str(), opened_by, logged_by),
            ("phone", carl.id.clone(), sam.id.clone()),
            "{b}"
        );
        let audits: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 AND action = 'case.log' AND actor_user_id = $2",
        )
        .bind(&created.id)
        .bind(&sam.id)
        .fetch_one(pool)
        .await
        .expect("audit");
        assert_eq!(audits, 1, "{b}");
    }
}

/// The reported time as the form's `datetime-local` posts it: the site's local time (Boston).
#[tokio::test]
async fn a_local_report_time_is_read_in_the_sites_zone_and_the_words_follow_the_channel() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let alice = user(pool, ALICE).await;
        let sam = user(pool, SAM).await;
        let at = Utc::now() - Duration::minutes(90);
        let at = DateTime::from_timestamp(at.timestamp() - at.timestamp() % 60, 0).unwrap();
        let local = at
            .with_timezone(&chrono_tz::America::New_York)
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let mut input = report(pool, BOSTON_ARRAY, &alice, 3, &local).await;
        input.channel = "email".into();
        let created = cases::log_case(pool, &p, &sam, &input)
            .await
            .expect("logged");
        let d = cases::case_detail(pool, &p, &alice, &created.id)
            .await
            .unwrap();
        assert_eq!(d.summary.opened_at, at, "{b}");
        assert_eq!(
            d.timeline[0].body, "Opened by e-mail by Sam Support for Alice Admin",
            "{b}"
        );
    }
}

#[tokio::test]
async fn a_customer_logging_a_case_is_forbidden() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let carl = user(pool, CARL).await;
        let counts = counting_query(pool, b, &[]).await;
        let before = table_counts(pool, &counts).await;
        for who in [CARL, ALICE, GINA] {
            let customer = user(pool, who).await;
            let input = report(pool, BOSTON_ARRAY, &carl, 3, "").await;
            let r = cases::log_case(pool, &p, &customer, &input).await;
            assert!(matches!(r, Err(AppError::Forbidden)), "{b} {who}: {r:?}");
            let form = cases::log_case_form(pool, &p, &customer, None, Utc::now()).await;
            assert!(
                matches!(form, Err(AppError::Forbidden)),
                "{b} {who}: {form:?}"
            );
        }
        assert_eq!(
            table_counts(pool, &counts).await,
            before,
            "{b}: nothing written"
        );
    }
}

/// "Only these designated contacts can call and receive assistance from Pure Storage Support."
#[tokio::test]
async fn only_a_designated_contact_may_be_the_reporter() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let sam = user(pool, SAM).await;
        // Fay is an authorized caller at Acme Frankfurt only; Olga was Boston's, now deactivated.
        sqlx::query(
            "INSERT INTO users (id, organization_id, email, name, role, active, created_at) \
             SELECT 'fay-id', organization_id, 'fay@acme.example', 'Fay Frankfurt', \
                    'authorized_caller', TRUE, 0 FROM sites WHERE name = 'Acme Frankfurt DC'",
        )
        .execute(pool)
        .await
        .expect("Fay");
        sqlx::query(
            "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) \
             SELECT 'fay-contact', id, 'fay-id', 'authorized_caller', 0 FROM sites \
             WHERE name = 'Acme Frankfurt DC'",
        )
        .execute(pool)
        .await
        .expect("Fay's designation");
        sqlx::query("UPDATE users SET active = FALSE WHERE email = 'eli@acme.example'")
            .execute(pool)
            .await
            .expect("Eli deactivated");
        let counts = counting_query(pool, b, &[]).await;
        let before = table_counts(pool, &counts).await;
        for who in ["fay@acme.example", "eli@acme.example", GINA, SAM] {
            let reporter = user(pool, who).await;
            let input = report(pool, BOSTON_ARRAY, &reporter, 3, "").await;
            let r = cases::log_case(pool, &p, &sam, &input).await;
            assert_eq!(field_of(&r), Some("reporter_id"), "{b} {who}: {r:?}");
            let Err(e) = r else { unreachable!() };
            assert_eq!(e.to_string(), cases::NOT_DESIGNATED, "{b}");
            assert!(
                e.to_string()
                    .contains("Only designated contacts can call and receive assistance"),
                "{b}"
            );
        }
        // A Boston caller cannot call for Frankfurt's array either.
        let carl = user(pool, CARL).await;
        let input = report(pool, FRANKFURT_ARRAY, &carl, 3, "").await;
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert_eq!(field_of(&r), Some("reporter_id"), "{b}: {r:?}");
        assert_eq!(
            table_counts(pool, &counts).await,
            before,
            "{b}: nothing written"
        );

        // Fay may call for Frankfurt, and the organization's admin (designated in Boston) for
        // any of its sites.
        let fay = user(pool, "fay@acme.example").await;
        let alice = user(pool, ALICE).await;
        for reporter in [&fay, &alice] {
            let input = report(pool, FRANKFURT_ARRAY, reporter, 3, "").await;
            cases::log_case(pool, &p, &sam, &input)
                .await
                .expect("designated reporter");
        }
        // The form offers Fay under Frankfurt and Carl under Boston.
        let acme = org_id(pool, "Acme Corp").await;
        let form = cases::log_case_form(pool, &p, &sam, Some(&acme), Utc::now())
            .await
            .expect("form");
        let at = |site: &str| {
            form.sites
                .iter()
                .find(|s| s.name == site)
                .map(|s| {
                    s.reporters
                        .iter()
                        .map(|r| r.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert!(
            at("Acme Frankfurt DC").contains(&"Fay Frankfurt".to_string()),
            "{b}"
        );
        assert!(
            at("Acme Boston DC").contains(&"Carl Caller".to_string()),
            "{b}"
        );
        assert!(
            !at("Acme Boston DC").contains(&"Eli Evening".to_string()),
            "{b}: deactivated"
        );
    }
}

#[tokio::test]
async fn a_report_in_the_future_too_old_or_before_the_contract_is_refused_by_the_field() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let carl = user(pool, CARL).await;
        let sam = user(pool, SAM).await;
        let counts = counting_query(pool, b, &[]).await;
        let before = table_counts(pool, &counts).await;
        let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
        let old = (Utc::now() - Duration::days(8)).to_rfc3339();
        for at in [future.as_str(), old.as_str(), "yesterday at noon"] {
            let input = report(pool, BOSTON_ARRAY, &carl, 3, at).await;
            let r = cases::log_case(pool, &p, &sam, &input).await;
            assert_eq!(field_of(&r), Some("reported_at"), "{b} {at}: {r:?}");
        }
        // The contract starts today at the site: a report from yesterday predates it.
        let today = Utc::now()
            .with_timezone(&chrono_tz::America::New_York)
            .date_naive()
            .to_string();
        sqlx::query("UPDATE arrays SET contract_start = $1 WHERE name = $2")
            .bind(&today)
            .bind(BOSTON_ARRAY)
            .execute(pool)
            .await
            .expect("contract start");
        let (_, yesterday) = rfc3339_ago(Duration::hours(30));
        let input = report(pool, BOSTON_ARRAY, &carl, 3, &yesterday).await;
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert_eq!(field_of(&r), Some("reported_at"), "{b}: {r:?}");
        // A lapsed array is refused as for the customer, by the array.
        let input = report(
            pool,
            "FlashArray//X20 fra-lab-02",
            &user(pool, ALICE).await,
            3,
            "",
        )
        .await;
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert_eq!(field_of(&r), Some("array_id"), "{b}: {r:?}");
        assert_eq!(
            table_counts(pool, &counts).await,
            before,
            "{b}: nothing written"
        );
    }
}

#[tokio::test]
async fn another_organizations_array_is_not_found() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let carl = user(pool, CARL).await;
        let gina = user(pool, GINA).await;
        let sam = user(pool, SAM).await;
        let counts = counting_query(pool, b, &[]).await;
        let before = table_counts(pool, &counts).await;
        // Acme chosen, Globex's array.
        let input = report(pool, TOKYO_ARRAY, &carl, 3, "").await;
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        // Globex chosen, Acme's array and caller.
        let mut input = report(pool, BOSTON_ARRAY, &carl, 3, "").await;
        input.organization_id = org_id(pool, "Globex").await;
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        // An unknown array, and an unknown organization for the form.
        input.case.array_id = "no-such-array".into();
        let r = cases::log_case(pool, &p, &sam, &input).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        let form = cases::log_case_form(pool, &p, &sam, Some("no-such-org"), Utc::now()).await;
        assert!(matches!(form, Err(AppError::NotFound(_))), "{b}: {form:?}");
        assert_eq!(
            table_counts(pool, &counts).await,
            before,
            "{b}: nothing written"
        );
        // Globex's own array with its own admin is fine.
        let mut input = report(pool, TOKYO_ARRAY, &gina, 3, "").await;
        input.organization_id = org_id(pool, "Globex").await;
        cases::log_case(pool, &p, &sam, &input)
            .await
            .expect("Globex's case");
    }
}
