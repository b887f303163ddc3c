//! Who owns a case, on SQLite and PostgreSQL: support takes and reassigns (each change a
//! timeline entry in words with its audit entry), two engineers taking at once leave one owner
//! and one entry, customers never assign, a foreign case looks unknown, a made-up engineer is
//! refused by the field, the queue filters "mine" and "unassigned", and support's notices about
//! an owned case go to its owner alone.
//!
//! The guide: "The original TSE, however, remains as the point of contact for the customer."
//! (000, "The CSS then puts the case in the hands of a qualified TSE"): the customer's case
//! page names the owner (`customer_reads_the_owner…`, and over HTTP in
//! `tests/http/case_owner.rs`).
use crate::helpers::{self, user};

use portal::model::case::{CaseEventKind, CaseListQuery, NewCase, OwnerFilter, StatusFilter};
use portal::model::{AppError, CurrentUser};
use portal::server::cases;
use portal::sla::ProgramSet;
use sqlx::AnyPool;

const ACME_CALLER: &str = "caller@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";
const RITA: &str = "rita@support.example";
const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

/// A second support engineer, Rita Reassign.
async fn second_engineer(pool: &AnyPool) -> CurrentUser {
    sqlx::query(
        "INSERT INTO users (id, email, name, role, active, created_at) \
         VALUES ('rita-id', $1, 'Rita Reassign', 'support_engineer', TRUE, 0)",
    )
    .bind(RITA)
    .execute(pool)
    .await
    .expect("second engineer");
    user(pool, RITA).await
}

async fn open_case(pool: &AnyPool, who: &CurrentUser, subject: &str) -> String {
    let array: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
        .bind(BOSTON_ARRAY)
        .fetch_one(pool)
        .await
        .expect("demo array");
    let input = NewCase {
        array_id: array,
        severity: 3,
        subject: subject.into(),
        description: "Replication lags behind since the upgrade.".into(),
        ..NewCase::default()
    };
    cases::create_case(pool, &programs(), who, &input)
        .await
        .expect("case opens")
        .id
}

/// The case's owner-change entries, in words, oldest first.
async fn owner_changes(pool: &AnyPool, who: &CurrentUser, case_id: &str) -> Vec<String> {
    let d = cases::case_detail(pool, &programs(), who, case_id)
        .await
        .expect("detail");
    d.timeline
        .iter()
        .filter(|e| e.kind == CaseEventKind::OwnerChange)
        .filter_map(|e| {
            e.kind
                .change_text(e.old_value.as_deref(), e.new_value.as_deref())
        })
        .collect()
}

async fn count(pool: &AnyPool, sql: &str, case_id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(case_id)
        .fetch_one(pool)
        .await
        .expect(sql)
}

const AUDITS: &str =
    "SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 AND action IN ('case.take', 'case.assign')";

async fn queue(pool: &AnyPool, who: &CurrentUser, owner: OwnerFilter) -> Vec<String> {
    let q = CaseListQuery {
        status: StatusFilter::All,
        owner,
        page_size: 100,
        ..CaseListQuery::default()
    };
    let list = cases::list_cases(pool, who, &q).await.expect("queue");
    list.rows.into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn support_takes_and_reassigns_in_words_with_the_audit() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let rita = second_engineer(pool).await;
        let case = open_case(pool, &caller, "Replication lag").await;
        assert!(
            queue(pool, &sam, OwnerFilter::Unassigned)
                .await
                .contains(&case),
            "{b}"
        );

        cases::take_case(pool, &p, &sam, &case).await.expect("take");
        assert_eq!(
            owner_changes(pool, &sam, &case).await,
            ["Owner: — → Sam Support"],
            "{b}"
        );
        assert_eq!(count(pool, AUDITS, &case).await, 1, "{b}");
        let again = cases::take_case(pool, &p, &rita, &case).await;
        assert!(
            matches!(again, Err(AppError::Conflict(_))),
            "{b}: {again:?}"
        );

        cases::assign_case(pool, &p, &sam, &case, &rita.id)
            .await
            .expect("reassign");
        assert_eq!(
            owner_changes(pool, &sam, &case).await,
            [
                "Owner: — → Sam Support",
                "Owner: Sam Support → Rita Reassign"
            ],
            "{b}"
        );
        assert_eq!(count(pool, AUDITS, &case).await, 2, "{b}");
        assert!(
            queue(pool, &rita, OwnerFilter::Mine).await.contains(&case),
            "{b}"
        );
        assert!(
            !queue(pool, &sam, OwnerFilter::Mine).await.contains(&case),
            "{b}"
        );
        assert!(
            !queue(pool, &sam, OwnerFilter::Unassigned)
                .await
                .contains(&case),
            "{b}"
        );

        // Assigning to nobody puts it back in the unassigned queue.
        cases::assign_case(pool, &p, &rita, &case, "")
            .await
            .expect("unassign");
        assert!(
            queue(pool, &sam, OwnerFilter::Unassigned)
                .await
                .contains(&case),
            "{b}"
        );
        assert_eq!(count(pool, AUDITS, &case).await, 3, "{b}");
    }
}

/// "The original TSE, however, remains as the point of contact for the customer."
#[tokio::test]
async fn customer_reads_the_owner_as_their_point_of_contact() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, "Who is on it").await;
        let before = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        assert_eq!(before.summary.owner_name, None, "{b}");
        assert!(
            before.ownership.is_none(),
            "{b}: customers get no assign form"
        );
        cases::take_case(pool, &p, &sam, &case).await.expect("take");
        let after = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        assert_eq!(
            after.summary.owner_name.as_deref(),
            Some("Sam Support"),
            "{b}"
        );
        // The change is on the customer's timeline too, in words.
        assert_eq!(
            owner_changes(pool, &caller, &case).await,
            ["Owner: — → Sam Support"],
            "{b}"
        );
        let staff = cases::case_detail(pool, &p, &sam, &case).await.unwrap();
        let o = staff.ownership.expect("support's ownership");
        assert!(
            o.mine && o.engineers.iter().any(|e| e.name == "Sam Support"),
            "{b}"
        );
    }
}

#[tokio::test]
async fn two_engineers_taking_at_once_leave_one_owner_and_one_entry() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let rita = second_engineer(pool).await;
        for round in 0..5 {
            let case = open_case(pool, &caller, &format!("Race {round}")).await;
            let (a, r) = tokio::join!(
                cases::take_case(pool, &p, &sam, &case),
                cases::take_case(pool, &p, &rita, &case)
            );
            let won = [a.is_ok(), r.is_ok()];
            assert_eq!(won.iter().filter(|w| **w).count(), 1, "{b}: {a:?} {r:?}");
            let lost = if a.is_ok() { r } else { a };
            assert!(matches!(lost, Err(AppError::Conflict(_))), "{b}: {lost:?}");
            let owners = count(
                pool,
                "SELECT COUNT(*) FROM cases WHERE id = $1 AND owner_id IS NOT NULL",
                &case,
            )
            .await;
            assert_eq!(owners, 1, "{b}");
            let entries = count(
                pool,
                "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'owner_change'",
                &case,
            )
            .await;
            assert_eq!(entries, 1, "{b}");
            assert_eq!(count(pool, AUDITS, &case).await, 1, "{b}");
        }
    }
}

#[tokio::test]
async fn customers_never_assign_and_a_foreign_case_looks_unknown() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let globex = user(pool, GLOBEX_ADMIN).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, "Hands off").await;
        for who in [&caller, &globex] {
            let t = cases::take_case(pool, &p, who, &case).await;
            assert!(matches!(t, Err(AppError::Forbidden)), "{b}: {t:?}");
            let a = cases::assign_case(pool, &p, who, &case, &sam.id).await;
            assert!(matches!(a, Err(AppError::Forbidden)), "{b}: {a:?}");
        }
        // The other organization cannot even read it, nor filter a queue by engineer.
        let d = cases::case_detail(pool, &p, &globex, &case).await;
        assert!(matches!(d, Err(AppError::NotFound(_))), "{b}: {d:?}");
        let q = CaseListQuery {
            owner: OwnerFilter::Mine,
            ..CaseListQuery::default()
        };
        let l = cases::list_cases(pool, &caller, &q).await;
        assert!(
            matches!(&l, Err(AppError::Invalid { field, .. }) if field == "owner"),
            "{b}"
        );
        assert_eq!(count(pool, AUDITS, &case).await, 0, "{b}");
        let owned = count(
            pool,
            "SELECT COUNT(*) FROM cases WHERE id = $1 AND owner_id IS NOT NULL",
            &case,
        )
        .await;
        assert_eq!(owned, 0, "{b}: nothing written");
    }
}

#[tokio::test]
async fn an_unknown_engineer_is_refused_by_the_field() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let case = open_case(pool, &caller, "Who?").await;
        // A made-up id, a customer's person, and the current owner: each refused by the field.
        for id in ["no-such-engineer", caller.id.as_str()] {
            let r = cases::assign_case(pool, &p, &sam, &case, id).await;
            assert!(
                matches!(&r, Err(AppError::Invalid { field, .. }) if field == "engineer_id"),
                "{b}: {r:?}"
            );
        }
        cases::assign_case(pool, &p, &sam, &case, &sam.id)
            .await
            .expect("assign");
        let r = cases::assign_case(pool, &p, &sam, &case, &sam.id).await;
        assert!(
            matches!(&r, Err(AppError::Invalid { field, .. }) if field == "engineer_id"),
            "{b}"
        );
        let missing = cases::take_case(pool, &p, &sam, "no-such-case").await;
        assert!(matches!(missing, Err(AppError::NotFound(_))), "{b}");
        assert_eq!(
            count(pool, AUDITS, &case).await,
            1,
            "{b}: only the valid assignment"
        );
    }
}

/// Support's notices about a case: to its owner alone while an active engineer owns it, to
/// everyone in support while nobody does.
#[tokio::test]
async fn support_notices_go_to_the_owner_when_there_is_one() {
    for db in helpers::seeded().await {
        let (b, pool, p) = (db.backend, &db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let sam = user(pool, ENGINEER).await;
        let rita = second_engineer(pool).await;
        let told = |who: &'static str, case: String| async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM notifications n JOIN notification_events e ON e.id = n.event_id \
                 JOIN users u ON u.id = n.user_id \
                 WHERE e.case_id = $1 AND u.email = $2 AND e.kind = 'severity_change'",
            )
            .bind(case)
            .bind(who)
            .fetch_one(pool)
            .await
            .expect("notifications")
        };
        let unowned = open_case(pool, &caller, "Nobody's yet").await;
        cases::raise_severity(pool, &p, &caller, &unowned, 2, "Worse", None, None)
            .await
            .expect("raise");
        assert_eq!(told(ENGINEER, unowned.clone()).await, 1, "{b}");
        assert_eq!(told(RITA, unowned.clone()).await, 1, "{b}");

        let owned = open_case(pool, &caller, "Rita's").await;
        cases::assign_case(pool, &p, &sam, &owned, &rita.id)
            .await
            .expect("assign");
        cases::raise_severity(pool, &p, &caller, &owned, 2, "Worse", None, None)
            .await
            .expect("raise");
        assert_eq!(told(RITA, owned.clone()).await, 1, "{b}: the owner");
        assert_eq!(
            told(ENGINEER, owned.clone()).await,
            0,
            "{b}: not the rest of support"
        );
    }
}
