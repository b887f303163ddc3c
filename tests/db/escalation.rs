//! Escalation, on SQLite and PostgreSQL. The guides (000 and 001): "occasionally the case may
//! need to be escalated, especially when the problem has a high level of severity. At that
//! point, team members with higher levels of expertise or specialization join the effort. The
//! original TSE, however, remains as the point of contact for the customer." Support escalates
//! (the owner stays); a designated contact may ask for escalation on an open case, support
//! acknowledges by the program's `escalation_ack` target (the SLA engine's computation; the
//! guides set no such time, the default is the portal's choice) and closes it, or it closes with
//! the case; one open request per case, also when two arrive at once.
use crate::helpers::{self, user};

use chrono::NaiveDate;
use portal::model::case::{CaseEventKind, EscalationState, NewCase};
use portal::model::{AppError, CurrentUser};
use portal::server::cases;
use portal::sla::{self, ProgramSet, Severity};
use sqlx::AnyPool;

const ACME_CALLER: &str = "caller@acme.example";
const ACME_ADMIN: &str = "admin@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";
const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn open_case(pool: &AnyPool, who: &CurrentUser, severity: u8, subject: &str) -> String {
    let array: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
        .bind(BOSTON_ARRAY)
        .fetch_one(pool)
        .await
        .expect("demo array");
    let input = NewCase {
        array_id: array,
        severity,
        subject: subject.into(),
        description: "Latency spikes on every volume since this morning.".into(),
        business_impact: "Orders are slow.".into(),
        ..NewCase::default()
    };
    cases::create_case(pool, &programs(), who, &input)
        .await
        .expect("case opens")
        .id
}

async fn count(pool: &AnyPool, sql: &str, case_id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(case_id)
        .fetch_one(pool)
        .await
        .expect(sql)
}

const REQUESTS: &str = "SELECT COUNT(*) FROM escalation_requests WHERE case_id = $1";
const OPEN_REQUESTS: &str =
    "SELECT COUNT(*) FROM escalation_requests WHERE case_id = $1 AND state <> 'closed'";
const ESCALATION_AUDITS: &str =
    "SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 AND action LIKE 'case.escalat%'";
const ESCALATION_EVENTS: &str = "SELECT COUNT(*) FROM case_events WHERE case_id = $1 \
     AND kind IN ('escalation', 'escalation_request')";

fn is_conflict(r: &Result<(), AppError>) -> bool {
    matches!(r, Err(AppError::Conflict(_)))
}

/// "At that point, team members with higher levels of expertise or specialization join the
/// effort. The original TSE, however, remains as the point of contact for the customer."
#[tokio::test]
async fn support_escalates_and_the_owner_remains_the_point_of_contact() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, 2, "Escalate me").await;
        cases::take_case(pool, &p, &sam, &case).await.expect("take");
        cases::escalate_case(pool, &p, &sam, &case, "Needs the performance team.")
            .await
            .expect("escalate");
        let d = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        assert!(d.escalation.escalated_at.is_some(), "{b}");
        assert_eq!(
            d.summary.owner_name.as_deref(),
            Some("Sam Support"),
            "{b}: owner unchanged"
        );
        let owner: Option<String> = sqlx::query_scalar("SELECT owner_id FROM cases WHERE id = $1")
            .bind(&case)
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(owner.as_deref(), Some(sam.id.as_str()), "{b}");
        let entry = d
            .timeline
            .iter()
            .find(|e| e.kind == CaseEventKind::Escalation)
            .expect("escalation entry on the customer's timeline");
        assert_eq!(
            entry
                .kind
                .change_text(entry.old_value.as_deref(), entry.new_value.as_deref())
                .as_deref(),
            Some("Escalated to specialists; Sam Support remains your point of contact."),
            "{b}"
        );
        assert_eq!(entry.body, "Needs the performance team.", "{b}");
        assert!(!d.escalation.can_escalate, "{b}: customers do not escalate");
        let again = cases::escalate_case(pool, &p, &sam, &case, "Again").await;
        assert!(is_conflict(&again), "{b}: {again:?}");
        assert_eq!(count(pool, ESCALATION_AUDITS, &case).await, 1, "{b}");
    }
}

#[tokio::test]
async fn escalating_wants_a_reason_support_and_an_open_case() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, 3, "Not like that").await;
        let blank = cases::escalate_case(pool, &p, &sam, &case, "  ").await;
        assert!(
            matches!(&blank, Err(AppError::Invalid { field, .. }) if field == "reason"),
            "{b}"
        );
        let long = "x".repeat(portal::model::case::ESCALATION_REASON_MAX + 1);
        let r = cases::escalate_case(pool, &p, &sam, &case, &long).await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field, .. }) if field == "reason"),
            "{b}"
        );
        let by_customer = cases::escalate_case(pool, &p, &caller, &case, "Please").await;
        assert!(matches!(by_customer, Err(AppError::Forbidden)), "{b}");
        let missing = cases::escalate_case(pool, &p, &sam, "no-such-case", "Why").await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{b}");
        assert_eq!(
            count(pool, ESCALATION_EVENTS, &case).await,
            0,
            "{b}: nothing written"
        );
        let escalated = count(
            pool,
            "SELECT COUNT(*) FROM cases WHERE id = $1 AND escalated_at IS NOT NULL",
            &case,
        )
        .await;
        assert_eq!(escalated, 0, "{b}");
    }
}

/// The site's calendar for the case's program, as the engine reads it.
async fn calendar_of(pool: &AnyPool, p: &ProgramSet, case: &str) -> (sla::Program, sla::Calendar) {
    let program_id: String = sqlx::query_scalar(
        "SELECT a.program_id FROM cases c JOIN arrays a ON a.id = c.array_id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(pool)
    .await
    .unwrap();
    let tz: String = sqlx::query_scalar(
        "SELECT s.time_zone FROM cases c JOIN sites s ON s.id = c.site_id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(pool)
    .await
    .unwrap();
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT h.day FROM cases c JOIN site_holidays h ON h.site_id = c.site_id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_all(pool)
    .await
    .unwrap();
    let holidays: Vec<NaiveDate> = days.iter().map(|d| d.parse().unwrap()).collect();
    let program = p.program(&program_id).unwrap().clone();
    let cal = program.calendar(&tz, holidays).unwrap();
    (program, cal)
}

#[tokio::test]
async fn a_contact_requests_and_the_ack_deadline_is_the_engines() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        for severity in [2u8, 3] {
            let case = open_case(pool, &caller, severity, "Please escalate").await;
            cases::request_escalation(pool, &p, &caller, &case, "Production is at risk.")
                .await
                .expect("request");
            let d = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
            let r = d.escalation.request.clone().expect("the request");
            assert_eq!(r.state, EscalationState::Requested, "{b}");
            assert_eq!(r.requested_by, "Carl Caller", "{b}");
            assert!(!d.escalation.can_request, "{b}: one open request per case");
            let (program, cal) = calendar_of(pool, &p, &case).await;
            let want = sla::escalation_ack_due(
                &program,
                &cal,
                Severity::new(severity).unwrap(),
                r.requested_at,
            )
            .unwrap();
            assert_eq!(r.ack_due, want, "{b}: Severity {severity}");
            // Support sees it too, and was told.
            let s = cases::case_detail(pool, &p, &sam, &case).await.unwrap();
            assert_eq!(s.escalation.request.map(|r| r.ack_due), Some(want), "{b}");
            let told: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications n JOIN notification_events e ON e.id = n.event_id \
                 WHERE e.case_id = $1 AND n.user_id = $2 AND e.kind = 'escalation_requested'",
            )
            .bind(&case)
            .bind(&sam.id)
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(told, 1, "{b}: support notified");
            let caller_told: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications n JOIN notification_events e ON e.id = n.event_id \
                 WHERE e.case_id = $1 AND n.user_id = $2 AND e.kind = 'escalation_requested'",
            )
            .bind(&case)
            .bind(&caller.id)
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(caller_told, 0, "{b}: support's notice only");
        }
    }
}

#[tokio::test]
async fn requested_then_acknowledged_then_closed_visible_to_both_sides() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, 3, "States").await;
        let early = cases::acknowledge_escalation(pool, &p, &sam, &case, "").await;
        assert!(is_conflict(&early), "{b}: nothing to acknowledge");
        cases::request_escalation(pool, &p, &caller, &case, "Slow progress.")
            .await
            .unwrap();
        cases::acknowledge_escalation(pool, &p, &sam, &case, "Specialists are looking.")
            .await
            .expect("ack");
        let d = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        let r = d.escalation.request.clone().unwrap();
        assert_eq!(r.state, EscalationState::Acknowledged, "{b}");
        assert_eq!(r.acknowledged_by.as_deref(), Some("Sam Support"), "{b}");
        assert_eq!(r.ack_note, "Specialists are looking.", "{b}");
        let twice = cases::acknowledge_escalation(pool, &p, &sam, &case, "").await;
        assert!(is_conflict(&twice), "{b}");
        let second = cases::request_escalation(pool, &p, &caller, &case, "Again").await;
        assert!(is_conflict(&second), "{b}: still open while acknowledged");
        cases::close_escalation(pool, &p, &sam, &case, "")
            .await
            .expect("close");
        let d = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        assert_eq!(
            d.escalation.request.unwrap().state,
            EscalationState::Closed,
            "{b}"
        );
        assert!(
            d.escalation.can_request,
            "{b}: a new request may follow a closed one"
        );
        let words: Vec<String> = d
            .timeline
            .iter()
            .filter(|e| e.kind == CaseEventKind::EscalationRequest)
            .filter_map(|e| {
                e.kind
                    .change_text(e.old_value.as_deref(), e.new_value.as_deref())
            })
            .collect();
        assert_eq!(
            words,
            [
                "Escalation request: Requested",
                "Escalation request: Requested → Acknowledged",
                "Escalation request: Acknowledged → Closed"
            ],
            "{b}"
        );
        assert_eq!(count(pool, ESCALATION_AUDITS, &case).await, 3, "{b}");
    }
}

#[tokio::test]
async fn a_request_closes_with_its_case_and_closed_cases_take_none() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, 3, "Closing").await;
        cases::request_escalation(pool, &p, &caller, &case, "Hurry.")
            .await
            .unwrap();
        cases::set_status(pool, &p, &sam, &case, "closed", "Fixed by the upgrade.")
            .await
            .expect("close the case");
        assert_eq!(
            count(pool, OPEN_REQUESTS, &case).await,
            0,
            "{b}: closed with the case"
        );
        let late = cases::request_escalation(pool, &p, &caller, &case, "Too late").await;
        assert!(is_conflict(&late), "{b}: {late:?}");
        let esc = cases::escalate_case(pool, &p, &sam, &case, "Too late").await;
        assert!(is_conflict(&esc), "{b}: {esc:?}");
        assert_eq!(count(pool, REQUESTS, &case).await, 1, "{b}");
    }
}

#[tokio::test]
async fn staff_cannot_request_and_support_acts_alone_on_requests() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let admin = user(pool, ACME_ADMIN).await;
        let globex = user(pool, GLOBEX_ADMIN).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, 3, "Roles").await;
        let by_staff = cases::request_escalation(pool, &p, &sam, &case, "I would").await;
        assert!(
            matches!(by_staff, Err(AppError::Forbidden)),
            "{b}: staff escalate instead"
        );
        let foreign = cases::request_escalation(pool, &p, &globex, &case, "Mine?").await;
        assert!(
            matches!(foreign, Err(AppError::NotFound(_))),
            "{b}: {foreign:?}"
        );
        let missing = cases::request_escalation(pool, &p, &caller, "no-such-case", "Why").await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{b}");
        let blank = cases::request_escalation(pool, &p, &caller, &case, " ").await;
        assert!(
            matches!(&blank, Err(AppError::Invalid { field, .. }) if field == "reason"),
            "{b}"
        );
        let long = "x".repeat(portal::model::case::ESCALATION_REASON_MAX + 1);
        let r = cases::request_escalation(pool, &p, &caller, &case, &long).await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field, .. }) if field == "reason"),
            "{b}"
        );
        assert_eq!(
            count(pool, REQUESTS, &case).await,
            0,
            "{b}: nothing written"
        );
        // Any designated contact of the organization may ask (here its admin).
        cases::request_escalation(pool, &p, &admin, &case, "Ours")
            .await
            .expect("admin asks");
        for who in [&caller, &admin, &globex] {
            let a = cases::acknowledge_escalation(pool, &p, who, &case, "").await;
            assert!(matches!(a, Err(AppError::Forbidden)), "{b}: {a:?}");
            let c = cases::close_escalation(pool, &p, who, &case, "").await;
            assert!(matches!(c, Err(AppError::Forbidden)), "{b}: {c:?}");
        }
        assert_eq!(count(pool, OPEN_REQUESTS, &case).await, 1, "{b}");
        assert_eq!(count(pool, ESCALATION_AUDITS, &case).await, 1, "{b}");
    }
}

#[tokio::test]
async fn two_requests_at_once_leave_one() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let admin = user(pool, ACME_ADMIN).await;
        for round in 0..5 {
            let case = open_case(pool, &caller, 3, &format!("Race {round}")).await;
            let (x, y) = tokio::join!(
                cases::request_escalation(pool, &p, &caller, &case, "First"),
                cases::request_escalation(pool, &p, &admin, &case, "Second")
            );
            assert_eq!(
                [x.is_ok(), y.is_ok()].iter().filter(|w| **w).count(),
                1,
                "{b}: {x:?} {y:?}"
            );
            let lost = if x.is_ok() { y } else { x };
            assert!(is_conflict(&lost), "{b}: {lost:?}");
            assert_eq!(count(pool, REQUESTS, &case).await, 1, "{b}");
            let entries = count(
                pool,
                "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'escalation_request'",
                &case,
            )
            .await;
            assert_eq!(entries, 1, "{b}");
        }
    }
}
