//! A case that waits for the customer, on SQLite and PostgreSQL: support's proposed resolution
//! and what support asks for need their text (a 422 by the field, nothing written), the case page
//! gives the customer that text while the case is in that status, and the automatic closure the
//! engine computes from the guide's rule.
use crate::helpers::{self, user};

use chrono::Utc;
use portal::model::case::{CaseEventKind, CaseStatus, NewCase};
use portal::model::{AppError, CurrentUser};
use portal::server::cases;
use portal::sla::{Clock, ProgramSet};
use sqlx::AnyPool;

const ACME_CALLER: &str = "caller@acme.example";
const ENGINEER: &str = "engineer@support.example";
/// Storage-7.1.3: no automatic closure of a proposed resolution.
const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";
/// Contact-center program: stale-case and resolution-proposed closures.
const CONTACT_CENTER: &str = "Contact center org acme-cx";

/// The contact-center guide's rules, as the program quotes them.
const RESOLUTION_PROPOSED_RULE: &str = "Likewise, tickets that are in Resolution Proposed status, \
     with no reported issues, are closed at the end of the third business day.";
const STALE_CASE_RULE: &str = "Tickets that have not been adequately responded to in three \
     business days are subject to closure with advanced notice.";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn open(pool: &AnyPool, who: &CurrentUser, array: &str, subject: &str) -> String {
    let array_id: String = sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
        .bind(array)
        .fetch_one(pool)
        .await
        .expect("demo array");
    let input = NewCase {
        array_id,
        severity: 3,
        subject: subject.to_string(),
        description: "Replication lags behind since the upgrade.".into(),
        ..NewCase::default()
    };
    let id = cases::create_case(pool, &programs(), who, &input)
        .await
        .expect("case opens")
        .id;
    let staff = user(pool, ENGINEER).await;
    cases::support_update(pool, &programs(), &staff, &id, "Looking into it.", true)
        .await
        .expect("support answers");
    id
}

async fn status_events(pool: &AnyPool, case_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = $2")
        .bind(case_id)
        .bind(CaseEventKind::StatusChange.as_str())
        .fetch_one(pool)
        .await
        .expect("count")
}

fn field(r: Result<(), AppError>) -> String {
    match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_proposed_resolution_needs_its_text_and_the_customer_reads_it() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let (pool, p) = (&db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let staff = user(pool, ENGINEER).await;
        let id = open(pool, &caller, BOSTON_ARRAY, "Replication lag").await;
        let events = status_events(pool, &id).await;

        for empty in ["", "   \n "] {
            let r = cases::set_status(pool, &p, &staff, &id, "resolution_proposed", empty).await;
            assert_eq!(field(r), "message", "{b}: {empty:?}");
        }
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        assert_eq!(
            d.summary.status,
            CaseStatus::InProgress,
            "{b}: nothing written"
        );
        assert_eq!(status_events(pool, &id).await, events, "{b}");

        let text = "Firmware 6.5.2 fixes the replication lag.\nUpgrade both controllers.";
        cases::set_status(pool, &p, &staff, &id, "resolution_proposed", text)
            .await
            .unwrap();
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        let note = d.status_note.clone().expect("the resolution on the page");
        assert_eq!(note.status, CaseStatus::ResolutionProposed);
        assert_eq!(note.body, text, "{b}: line breaks kept");
        assert_eq!(note.by.as_deref(), Some("Sam Support"));
        assert!(d.can_confirm && d.can_reopen, "{b}");
        // The storage program closes nothing by itself.
        assert_eq!(d.deadlines.resolution_proposed_auto_close_due, None, "{b}");

        // Refused, the case is back in progress and the proposal no longer shows as current.
        cases::reopen_case(pool, &p, &caller, &id, "Still lagging after the upgrade.")
            .await
            .unwrap();
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        assert_eq!(d.status_note, None, "{b}");
        // Other moves take an optional message.
        cases::set_status(pool, &p, &staff, &id, "closed", "")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_page_gives_the_automatic_closure_of_a_proposal_and_of_a_stale_case() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let (pool, p) = (&db.pool, programs());
        let caller = user(pool, ACME_CALLER).await;
        let staff = user(pool, ENGINEER).await;
        let id = open(pool, &caller, CONTACT_CENTER, "Queue routing").await;

        // Waiting on the customer: what support needs, and the closure with advanced notice.
        let r = cases::set_status(pool, &p, &staff, &id, "waiting_on_customer", "").await;
        assert_eq!(field(r), "message", "{b}");
        let ask = "Please send the routing export of the Sales queue.";
        cases::set_status(pool, &p, &staff, &id, "waiting_on_customer", ask)
            .await
            .unwrap();
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        assert_eq!(
            d.status_note.as_ref().map(|n| n.body.as_str()),
            Some(ask),
            "{b}"
        );
        let (notice, close) = (d.deadlines.stale_notice_due, d.deadlines.auto_close_due);
        assert!(
            matches!((notice, close), (Some(n), Some(c)) if Utc::now() < n && n < c),
            "{b}: {notice:?} {close:?}"
        );
        assert!(
            d.deadlines
                .document_words
                .iter()
                .any(|w| w.clock == Clock::StaleNotice && w.document_words == STALE_CASE_RULE),
            "{b}: the guide's words come with the closure"
        );
        // The customer's comment answers it: back to support, nothing waits on them.
        cases::add_comment(pool, &p, &caller, &id, "Export attached.")
            .await
            .unwrap();
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        assert_eq!(d.summary.status, CaseStatus::InProgress, "{b}");
        assert_eq!(d.status_note, None, "{b}");

        // Proposed: "closed at the end of the third business day".
        cases::set_status(
            pool,
            &p,
            &staff,
            &id,
            "resolution_proposed",
            "Routing fixed.",
        )
        .await
        .unwrap();
        let d = cases::case_detail(pool, &p, &caller, &id).await.unwrap();
        let due = d
            .deadlines
            .resolution_proposed_auto_close_due
            .expect("the program closes a proposal");
        let days = (due - Utc::now()).num_hours() as f64 / 24.0;
        // Three business days after today, at the end of the day: at least two calendar days
        // away, at most three plus a weekend and a holiday or two.
        assert!(
            (2.0..=8.0).contains(&days),
            "{b}: {due} is {days:.1} days away"
        );
        assert_eq!(
            portal::sla::case_deadlines(&p, &d.facts)
                .unwrap()
                .resolution_proposed_auto_close_due,
            Some(due),
            "{b}: the page carries the engine's closure"
        );
        assert!(
            d.deadlines.document_words.iter().any(|w| {
                w.clock == Clock::ResolutionProposedAutoClose
                    && w.document_words == RESOLUTION_PROPOSED_RULE
            }),
            "{b}"
        );
        assert_eq!(
            d.status_note.map(|n| n.body),
            Some("Routing fixed.".to_string())
        );
    }
}
