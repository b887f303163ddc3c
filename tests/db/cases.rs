//! Support cases and their background jobs, on SQLite and PostgreSQL: isolation between
//! organizations, every customer and support rule, numbering under concurrency, and jobs that
//! are idempotent and act once even with two app instances.
use crate::helpers::{self, array_id, user};

use chrono::{Duration, Utc};
use portal::model::case::{
    CaseEventKind, CaseListQuery, CaseSort, CaseStatus, Cursor, NewCase, StatusFilter,
};
use portal::model::{AppError, CurrentUser};
use portal::server::{cases, db, jobs};
use portal::sla::ProgramSet;
use sqlx::AnyPool;

const ACME_CALLER: &str = "caller@acme.example";
const ACME_ADMIN: &str = "admin@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";

/// Storage-7.1.3 premium at Acme Boston (BCS): Severity 2 answers in 30 min, updates daily.
const BOSTON_ARRAY: &str = "FlashArray//X70 boston-prod-01";
/// Contact-center program: stale-case, resolution-proposed and RCA rules.
const CONTACT_CENTER: &str = "Contact center org acme-cx";
const GLOBEX_ARRAY: &str = "FlashArray//X50 tokyo-prod-01";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("built-in programs")
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

fn new_case(array_id: &str, severity: u8, subject: &str) -> NewCase {
    NewCase {
        site_id: String::new(),
        array_id: array_id.to_string(),
        severity,
        subject: subject.to_string(),
        description: "The array reports degraded performance since this morning.".into(),
        business_impact: "Reports are slow.".into(),
        sev1_contact_name: if severity == 1 {
            "Nina Night".into()
        } else {
            String::new()
        },
        sev1_contact_phone: if severity == 1 {
            "+1 617 555 0199".into()
        } else {
            String::new()
        },
        conversation_id: String::new(),
    }
}

async fn open(
    pool: &AnyPool,
    who: &CurrentUser,
    array: &str,
    severity: u8,
    subject: &str,
) -> String {
    let programs = programs();
    let array = array_id(pool, array).await;
    cases::create_case(pool, &programs, who, &new_case(&array, severity, subject))
        .await
        .expect("case opens")
        .id
}

fn field(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn organizations_see_only_their_own_cases() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let acme_admin = user(&db.pool, ACME_ADMIN).await;
        let globex = user(&db.pool, GLOBEX_ADMIN).await;
        let staff = user(&db.pool, ENGINEER).await;
        let id = open(&db.pool, &caller, BOSTON_ARRAY, 2, "Latency spikes on prod").await;

        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert!(d.summary.number_label.starts_with("CS-"), "{b}");
        assert_eq!(d.summary.status, CaseStatus::New);
        assert_eq!(d.summary.severity, 2);
        assert!(
            d.summary.initial_response_due.is_some(),
            "{b}: live deadline"
        );
        assert!(d.can_comment && d.can_raise && !d.is_staff);
        assert!(cases::case_detail(&db.pool, &p, &acme_admin, &id)
            .await
            .is_ok());
        assert!(
            cases::case_detail(&db.pool, &p, &staff, &id)
                .await
                .unwrap()
                .is_staff
        );

        // Another customer's case and an unknown id look exactly the same.
        let nf = AppError::NotFound("Case".into());
        assert_eq!(
            cases::case_detail(&db.pool, &p, &globex, &id)
                .await
                .unwrap_err(),
            nf,
            "{b}"
        );
        assert_eq!(
            cases::case_detail(&db.pool, &p, &globex, "nope")
                .await
                .unwrap_err(),
            nf
        );
        assert_eq!(
            cases::add_comment(&db.pool, &p, &globex, &id, "hello")
                .await
                .unwrap_err(),
            nf,
            "{b}"
        );
        assert_eq!(
            cases::raise_severity(&db.pool, &p, &globex, &id, 1, "now", None, None)
                .await
                .unwrap_err(),
            nf
        );
        assert_eq!(
            cases::confirm_resolution(&db.pool, &p, &globex, &id)
                .await
                .unwrap_err(),
            nf
        );
        let all = CaseListQuery {
            status: StatusFilter::All,
            ..CaseListQuery::default()
        };
        let gl = cases::list_cases(&db.pool, &globex, &all).await.unwrap();
        assert!(
            gl.rows.iter().all(|r| r.organization_name == "Globex"),
            "{b}"
        );
        assert!(!gl.rows.iter().any(|r| r.id == id));
        let sl = cases::list_cases(&db.pool, &staff, &all).await.unwrap();
        assert!(sl.rows.iter().any(|r| r.id == id) || sl.total > i64::from(sl.page_size));
        let orgs: std::collections::BTreeSet<_> = sl
            .rows
            .iter()
            .map(|r| r.organization_name.clone())
            .collect();
        assert!(
            orgs.len() >= 2 || sl.total <= 1,
            "{b}: staff see every organization"
        );

        // Nor can a customer open a case on another organization's array.
        let foreign = array_id(&db.pool, GLOBEX_ARRAY).await;
        let r = cases::create_case(&db.pool, &p, &caller, &new_case(&foreign, 3, "x")).await;
        assert_eq!(field(r), "array_id", "{b}");
        // Support actions are staff only; customer actions are customers only.
        assert_eq!(
            cases::support_update(&db.pool, &p, &caller, &id, "done", true)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            cases::set_status(&db.pool, &p, &acme_admin, &id, "closed", "")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            cases::add_comment(&db.pool, &p, &staff, &id, "hi")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
}

#[tokio::test]
async fn invalid_input_is_refused_by_field_and_leaves_nothing() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let array = array_id(&db.pool, BOSTON_ARRAY).await;
        let before = (
            count(&db.pool, "SELECT COUNT(*) FROM cases").await,
            count(&db.pool, "SELECT COUNT(*) FROM case_events").await,
            count(&db.pool, "SELECT COUNT(*) FROM audit_log").await,
            count(&db.pool, "SELECT value FROM case_counter").await,
        );
        let mut c = new_case(&array, 2, "   ");
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "subject",
            "{b}"
        );
        c.subject = "x".repeat(201);
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "subject"
        );
        c.subject = "Disk failure".into();
        c.severity = 7;
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "severity"
        );
        assert_eq!(field(cases::parse_severity("severity", "7")), "severity");
        assert_eq!(field(cases::parse_severity("severity", "two")), "severity");
        c.severity = 2;
        c.description = String::new();
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "description"
        );
        c.description = "y".repeat(20_001);
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "description"
        );
        c.description = "ok".into();
        c.severity = 1;
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "sev1_contact_name",
            "{b}: Severity 1 needs a contact"
        );
        c.sev1_contact_name = "Nina".into();
        c.sev1_contact_phone = "call me".into();
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "sev1_contact_phone"
        );
        c.array_id = String::new();
        assert_eq!(
            field(cases::create_case(&db.pool, &p, &caller, &c).await),
            "array_id"
        );
        // Staff do not open cases for customers.
        let staff = user(&db.pool, ENGINEER).await;
        assert_eq!(
            cases::create_case(&db.pool, &p, &staff, &new_case(&array, 3, "x"))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        // A lapsed array: the form explains reinstatement, and opening is refused.
        sqlx::query("UPDATE arrays SET contract_end = '2020-01-31' WHERE id = $1")
            .bind(&array)
            .execute(&db.pool)
            .await
            .unwrap();
        let r = cases::create_case(&db.pool, &p, &caller, &new_case(&array, 3, "x")).await;
        assert_eq!(field(r), "array_id", "{b}");
        let form = cases::open_case_form(&db.pool, &p, &caller).await.unwrap();
        let a = form
            .sites
            .iter()
            .flat_map(|s| &s.arrays)
            .find(|a| a.id == array)
            .unwrap();
        assert!(!a.support_active);
        assert!(
            a.reinstatement_message
                .as_deref()
                .unwrap()
                .contains("reinstate"),
            "{b}"
        );
        let after = (
            count(&db.pool, "SELECT COUNT(*) FROM cases").await,
            count(&db.pool, "SELECT COUNT(*) FROM case_events").await,
            count(&db.pool, "SELECT COUNT(*) FROM audit_log").await,
            count(&db.pool, "SELECT value FROM case_counter").await,
        );
        assert_eq!(before, after, "{b}: nothing half-stored");

        // Comments and reasons too.
        let id = open(&db.pool, &caller, CONTACT_CENTER, 3, "Calls drop").await;
        assert_eq!(
            field(cases::add_comment(&db.pool, &p, &caller, &id, " ").await),
            "body"
        );
        assert_eq!(
            field(cases::raise_severity(&db.pool, &p, &caller, &id, 2, "", None, None).await),
            "reason"
        );
    }
}

#[tokio::test]
async fn open_case_form_lists_own_arrays_with_severity_definitions() {
    for db in helpers::seeded().await {
        let p = programs();
        let caller = user(&db.pool, ACME_CALLER).await;
        let form = cases::open_case_form(&db.pool, &p, &caller).await.unwrap();
        let names: Vec<_> = form.sites.iter().map(|s| s.name.as_str()).collect();
        // "A customer can designate up to five individuals as authorized callers for each
        // site": the Boston caller opens cases for Boston's arrays only.
        assert_eq!(names, ["Acme Boston DC"], "{}", db.backend);
        let boston = &form.sites[0];
        assert!(boston.bcs && !boston.holidays.is_empty());
        let a = boston
            .arrays
            .iter()
            .find(|a| a.name == BOSTON_ARRAY)
            .unwrap();
        assert!(a.support_active && a.reinstatement_message.is_none());
        assert_eq!(a.severities.len(), 4);
        assert!(a.severities.iter().all(|s| !s.definition.is_empty()));
        assert!(form.programs.get(&a.program_id).is_some());
        let staff = user(&db.pool, ENGINEER).await;
        assert_eq!(
            cases::open_case_form(&db.pool, &p, &staff)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
}

#[tokio::test]
async fn a_raise_sticks_and_only_support_lowers() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let staff = user(&db.pool, ENGINEER).await;
        let id = open(&db.pool, &caller, BOSTON_ARRAY, 3, "Replication lag").await;
        let before = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        cases::raise_severity(
            &db.pool,
            &p,
            &caller,
            &id,
            2,
            "Production affected",
            None,
            None,
        )
        .await
        .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.summary.severity, 2, "{b}");
        assert_eq!(d.deadlines.severity.get(), 2);
        assert_eq!(d.facts.severity_history.len(), 2);
        assert!(
            d.summary.initial_response_due <= before.summary.initial_response_due,
            "{b}: a raise never moves a deadline later"
        );
        // Lowering (or "raising" to the same level) is refused to customers.
        for s in [3, 2, 4] {
            let r = cases::raise_severity(&db.pool, &p, &caller, &id, s, "better now", None, None)
                .await;
            assert_eq!(field(r), "severity", "{b}: customer to {s}");
        }
        // Severity 1 needs a round-the-clock contact.
        let r = cases::raise_severity(&db.pool, &p, &caller, &id, 1, "outage", None, None).await;
        assert_eq!(field(r), "sev1_contact_name", "{b}");
        cases::raise_severity(
            &db.pool,
            &p,
            &caller,
            &id,
            1,
            "outage",
            Some("Nina Night"),
            Some("+1 617 555 0199"),
        )
        .await
        .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.summary.severity, 1);
        assert_eq!(d.sev1_contact.as_ref().unwrap().name, "Nina Night");
        assert!(!d.can_raise);
        // Support has the final say.
        assert_eq!(
            field(cases::set_severity(&db.pool, &p, &staff, &id, 3, "").await),
            "reason"
        );
        cases::set_severity(&db.pool, &p, &staff, &id, 3, "Workaround in place")
            .await
            .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.summary.severity, 3, "{b}");
        let changes = d
            .timeline
            .iter()
            .filter(|e| e.kind == CaseEventKind::SeverityChange)
            .count();
        assert_eq!(changes, 3);
        let audits = count(
            &db.pool,
            &format!("SELECT COUNT(*) FROM audit_log WHERE entity_id = '{id}'"),
        )
        .await;
        assert_eq!(audits, 4, "{b}: open + 2 raises + 1 change, each audited");
    }
}

#[tokio::test]
async fn support_update_moves_next_update_due_and_notes_stay_internal() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let staff = user(&db.pool, ENGINEER).await;
        let id = open(&db.pool, &caller, BOSTON_ARRAY, 2, "Slow volume").await;
        let d0 = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        let ir = d0.summary.initial_response_due.unwrap();
        assert_eq!(
            d0.summary.next_update_due,
            Some(ir),
            "{b}: due with the first response"
        );
        assert_eq!(d0.summary.next_deadline, Some(ir));

        cases::support_update(&db.pool, &p, &staff, &id, "Looking into the logs.", false)
            .await
            .unwrap();
        let d1 = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(
            d1.summary.next_update_due, d0.summary.next_update_due,
            "{b}"
        );
        assert!(d1
            .timeline
            .iter()
            .all(|e| e.kind != CaseEventKind::InternalNote));
        let sd = cases::case_detail(&db.pool, &p, &staff, &id).await.unwrap();
        assert!(sd
            .timeline
            .iter()
            .any(|e| e.kind == CaseEventKind::InternalNote && !e.public));

        cases::support_update(&db.pool, &p, &staff, &id, "We found the cause.", true)
            .await
            .unwrap();
        let d2 = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert!(d2.summary.initial_response_met_at.is_some(), "{b}");
        assert_eq!(d2.summary.status, CaseStatus::InProgress, "{b}: picked up");
        let next = d2.summary.next_update_due.unwrap();
        assert!(
            next > ir + Duration::hours(12),
            "{b}: daily cadence from the update"
        );
        // The list shows the same cached deadline.
        let list = cases::list_cases(&db.pool, &caller, &CaseListQuery::default())
            .await
            .unwrap();
        let row = list.rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(row.next_update_due, Some(next), "{b}");
        assert_eq!(row.next_deadline, Some(next));
        // The engine in the browser agrees with the server on the same facts.
        let again = portal::sla::case_deadlines(&p, &d2.facts).unwrap();
        assert_eq!(again, d2.deadlines);
    }
}

#[tokio::test]
async fn confirm_closes_and_the_survey_is_answered_once() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let admin = user(&db.pool, ACME_ADMIN).await;
        let staff = user(&db.pool, ENGINEER).await;
        let id = open(&db.pool, &caller, BOSTON_ARRAY, 3, "Firmware question").await;
        let conflict = |r: Result<(), AppError>| matches!(r, Err(AppError::Conflict(_)));
        assert!(
            conflict(cases::confirm_resolution(&db.pool, &p, &caller, &id).await),
            "{b}"
        );
        assert!(conflict(
            cases::submit_survey(&db.pool, &p, &caller, &id, 5, "").await
        ));

        // Propose, refuse with a reason, propose again, confirm.
        cases::set_status(
            &db.pool,
            &p,
            &staff,
            &id,
            "resolution_proposed",
            "Firmware 6.5.2 fixes it.",
        )
        .await
        .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert!(d.can_confirm && d.can_reopen);
        assert_eq!(
            d.summary.next_update_due, None,
            "{b}: no update clock after resolution"
        );
        assert_eq!(
            field(cases::reopen_case(&db.pool, &p, &caller, &id, "").await),
            "reason"
        );
        cases::reopen_case(&db.pool, &p, &caller, &id, "Still failing")
            .await
            .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.summary.status, CaseStatus::InProgress);
        assert!(d.summary.next_update_due.is_some(), "{b}: clock runs again");
        assert_eq!(
            field(cases::set_status(&db.pool, &p, &staff, &id, "new", "").await),
            "status",
            "{b}: no way back to new"
        );
        cases::set_status(
            &db.pool,
            &p,
            &staff,
            &id,
            "resolution_proposed",
            "Firmware 6.5.2 fixes it.",
        )
        .await
        .unwrap();
        cases::confirm_resolution(&db.pool, &p, &admin, &id)
            .await
            .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.summary.status, CaseStatus::Closed, "{b}");
        assert!(d.summary.closed_at.is_some() && d.close_reason.is_some());
        assert!(d.can_survey && !d.can_comment);
        assert!(conflict(
            cases::add_comment(&db.pool, &p, &caller, &id, "thanks").await
        ));

        assert_eq!(
            field(cases::submit_survey(&db.pool, &p, &caller, &id, 0, "").await),
            "rating"
        );
        assert_eq!(
            field(cases::submit_survey(&db.pool, &p, &caller, &id, 6, "").await),
            "rating"
        );
        cases::submit_survey(&db.pool, &p, &caller, &id, 4, "Quick and clear.")
            .await
            .unwrap();
        assert!(
            conflict(cases::submit_survey(&db.pool, &p, &admin, &id, 1, "").await),
            "{b}"
        );
        let d = cases::case_detail(&db.pool, &p, &caller, &id)
            .await
            .unwrap();
        assert_eq!(d.survey.as_ref().unwrap().rating, 4);
        assert!(!d.can_survey);
        let surveys = count(
            &db.pool,
            &format!("SELECT COUNT(*) FROM case_surveys WHERE case_id = '{id}'"),
        )
        .await;
        assert_eq!(surveys, 1, "{b}");
    }
}

#[tokio::test]
async fn list_filters_searches_sorts_and_pages() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let p = programs();
        let caller = user(&db.pool, ACME_CALLER).await;
        let staff = user(&db.pool, ENGINEER).await;
        let a = open(
            &db.pool,
            &caller,
            BOSTON_ARRAY,
            4,
            "Capacity at 100% on pool_a",
        )
        .await;
        let c = open(&db.pool, &caller, BOSTON_ARRAY, 1, "Array down zzq").await;
        let q = |search: &str| CaseListQuery {
            status: StatusFilter::All,
            search: Some(search.into()),
            ..CaseListQuery::default()
        };
        // `%` and `_` match themselves, not anything.
        let r = cases::list_cases(&db.pool, &caller, &q("100%"))
            .await
            .unwrap();
        assert_eq!(
            r.rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
            [&a],
            "{b}"
        );
        let r = cases::list_cases(&db.pool, &caller, &q("pool_a"))
            .await
            .unwrap();
        assert_eq!(r.total, 1, "{b}");
        let r = cases::list_cases(&db.pool, &caller, &q("%")).await.unwrap();
        assert_eq!(r.total, 1, "{b}: only the subject with a literal %");
        let r = cases::list_cases(&db.pool, &caller, &q("ZZQ"))
            .await
            .unwrap();
        assert_eq!(r.rows[0].id, c, "{b}: case-insensitive");
        let label = r.rows[0].number_label.clone();
        let r = cases::list_cases(&db.pool, &caller, &q(&label))
            .await
            .unwrap();
        assert_eq!(r.rows[0].id, c, "{b}: by number");

        let sev1 = CaseListQuery {
            severity: Some(1),
            sort: CaseSort::Severity,
            ..CaseListQuery::default()
        };
        let r = cases::list_cases(&db.pool, &caller, &sev1).await.unwrap();
        assert!(r.rows.iter().all(|r| r.severity == 1 && r.status.is_open()));
        assert!(r.rows.iter().any(|r| r.id == c));

        // Sorted by the nearest deadline, cases without one last.
        let r = cases::list_cases(&db.pool, &staff, &CaseListQuery::default())
            .await
            .unwrap();
        let dues: Vec<_> = r.rows.iter().map(|r| r.next_deadline).collect();
        let with: Vec<_> = dues.iter().take_while(|d| d.is_some()).collect();
        assert!(with.windows(2).all(|w| w[0] <= w[1]), "{b}: {dues:?}");
        assert!(dues[with.len()..].iter().all(|d| d.is_none()));

        // Pages of 25 with a total over all pages.
        for i in 0..26 {
            open(
                &db.pool,
                &caller,
                BOSTON_ARRAY,
                4,
                &format!("Bulk question {i}"),
            )
            .await;
        }
        let first = CaseListQuery {
            search: Some("bulk question".into()),
            sort: CaseSort::OpenedDesc,
            ..CaseListQuery::default()
        };
        let p1 = cases::list_cases(&db.pool, &caller, &first).await.unwrap();
        let second = CaseListQuery {
            cursor: Some(Cursor::After(p1.last_number().unwrap())),
            page: 2,
            ..first.clone()
        };
        let p2 = cases::list_cases(&db.pool, &caller, &second).await.unwrap();
        assert_eq!((p1.total, p1.rows.len(), p2.rows.len()), (26, 25, 1), "{b}");
        assert_eq!(p1.page_count(), Some(2));
        assert_eq!((p1.has_previous, p1.has_next), (false, true), "{b}");
        assert_eq!(
            (p2.page, p2.has_previous, p2.has_next),
            (2, true, false),
            "{b}"
        );
        assert_eq!(p2.rows[0].subject, "Bulk question 0");
        let site = CaseListQuery {
            site_id: Some("no-such-site".into()),
            ..CaseListQuery::default()
        };
        assert_eq!(
            cases::list_cases(&db.pool, &caller, &site)
                .await
                .unwrap()
                .total,
            0
        );
        let _ = p;
    }
}

#[tokio::test]
async fn concurrent_creations_get_distinct_consecutive_numbers() {
    for db in helpers::seeded().await {
        let caller = user(&db.pool, ACME_CALLER).await;
        let array = array_id(&db.pool, BOSTON_ARRAY).await;
        let mut tasks = Vec::new();
        for i in 0..20 {
            let pool = db.pool.clone();
            let caller = caller.clone();
            let array = array.clone();
            tasks.push(tokio::spawn(async move {
                let p = programs();
                cases::create_case(
                    &pool,
                    &p,
                    &caller,
                    &new_case(&array, 3, &format!("Race {i}")),
                )
                .await
            }));
        }
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(
                t.await
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{}: {e}", db.backend))
                    .id,
            );
        }
        let mut numbers: Vec<i64> = Vec::new();
        for id in &ids {
            numbers.push(
                sqlx::query_scalar("SELECT number FROM cases WHERE id = $1")
                    .bind(id)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap(),
            );
        }
        numbers.sort();
        let first = numbers[0];
        assert_eq!(
            numbers,
            (first..first + 20).collect::<Vec<_>>(),
            "{}",
            db.backend
        );
    }
}

/// A contact-center case in the given state, with history as the jobs need it.
async fn contact_center_case(pool: &AnyPool, severity: u8, subject: &str, status: &str) -> String {
    let p = programs();
    let caller = user(pool, ACME_CALLER).await;
    let staff = user(pool, ENGINEER).await;
    let id = open(pool, &caller, CONTACT_CENTER, severity, subject).await;
    cases::support_update(pool, &p, &staff, &id, "On it.", true)
        .await
        .unwrap();
    cases::set_status(pool, &p, &staff, &id, status, "Please check and answer.")
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn jobs_close_stale_and_unanswered_cases_and_create_rca_once() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let caller = user(&db.pool, ACME_CALLER).await;
        let now = Utc::now();
        // Settle the demo cases first, so the counts below are about this test's cases.
        jobs::run_case_jobs(&db.pool, &p, now + Duration::days(30))
            .await
            .unwrap();
        jobs::run_case_jobs(&db.pool, &p, now + Duration::days(30))
            .await
            .unwrap();

        let outage =
            contact_center_case(&db.pool, 1, "Call center down", "resolution_proposed").await;
        let stale =
            contact_center_case(&db.pool, 3, "Need a log bundle", "waiting_on_customer").await;
        let answered =
            contact_center_case(&db.pool, 3, "Need a screenshot", "waiting_on_customer").await;
        cases::add_comment(&db.pool, &p, &caller, &answered, "Here it is.")
            .await
            .unwrap();
        let d = cases::case_detail(&db.pool, &p, &caller, &answered)
            .await
            .unwrap();
        assert_eq!(
            d.summary.status,
            CaseStatus::InProgress,
            "{b}: an answer ends the wait"
        );

        // Right away: only the RCA follow-up of the resolved Severity 1 case.
        let r = jobs::run_case_jobs(&db.pool, &p, now + Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(r.rca_created, 1, "{b}: {r:?}");
        assert_eq!(r.acted(), 1);
        let again = jobs::run_case_jobs(&db.pool, &p, now + Duration::minutes(1))
            .await
            .unwrap();
        assert_eq!(again.acted(), 0, "{b}: idempotent");
        let parent = cases::case_detail(&db.pool, &p, &caller, &outage)
            .await
            .unwrap();
        let child = parent.rca_follow_up.clone().expect("follow-up linked");
        let cd = cases::case_detail(&db.pool, &p, &caller, &child.id)
            .await
            .unwrap();
        assert_eq!(
            cd.rca_parent.as_ref().unwrap().id,
            outage,
            "{b}: linked both ways"
        );
        assert_eq!(cd.summary.severity, 3);
        assert!(cd.summary.is_rca);
        assert!(parent
            .timeline
            .iter()
            .any(|e| e.kind == CaseEventKind::RcaCreated));

        // Days later: the stale case gets its notice, then (next run) closes; the proposed
        // resolution closes.
        let later = now + Duration::days(14);
        let r = jobs::run_case_jobs(&db.pool, &p, later).await.unwrap();
        assert_eq!((r.stale_notices, r.resolution_closed), (1, 1), "{b}: {r:?}");
        assert_eq!(
            r.stale_closed, 0,
            "{b}: never closed in the run that gives notice"
        );
        let r = jobs::run_case_jobs(&db.pool, &p, later).await.unwrap();
        assert_eq!((r.stale_closed, r.acted()), (1, 1), "{b}: {r:?}");
        let r = jobs::run_case_jobs(&db.pool, &p, later).await.unwrap();
        assert_eq!(r.acted(), 0, "{b}: idempotent");
        for (id, status) in [
            (&outage, CaseStatus::Closed),
            (&stale, CaseStatus::Closed),
            (&answered, CaseStatus::InProgress),
        ] {
            let d = cases::case_detail(&db.pool, &p, &caller, id).await.unwrap();
            assert_eq!(d.summary.status, status, "{b}: {}", d.summary.subject);
        }
        let d = cases::case_detail(&db.pool, &p, &caller, &stale)
            .await
            .unwrap();
        assert!(d
            .timeline
            .iter()
            .any(|e| e.kind == CaseEventKind::StaleNotice));
        assert!(d.close_reason.unwrap().contains("automatically"));
        let children = count(
            &db.pool,
            &format!("SELECT COUNT(*) FROM cases WHERE rca_parent_case_id = '{outage}'"),
        )
        .await;
        assert_eq!(children, 1, "{b}");
    }
}

#[tokio::test]
async fn two_instances_never_act_twice() {
    for db in helpers::seeded().await {
        let p = programs();
        let b = db.backend;
        let now = Utc::now();
        let other = db::connect(&db.url, 8).await.expect("second pool");
        jobs::run_case_jobs(&db.pool, &p, now + Duration::days(30))
            .await
            .unwrap();
        jobs::run_case_jobs(&db.pool, &p, now + Duration::days(30))
            .await
            .unwrap();
        let events_before = count(&db.pool, "SELECT COUNT(*) FROM case_events").await;
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(
                contact_center_case(&db.pool, 1, &format!("Outage {i}"), "resolution_proposed")
                    .await,
            );
            ids.push(
                contact_center_case(&db.pool, 3, &format!("Waiting {i}"), "waiting_on_customer")
                    .await,
            );
        }
        let created = count(&db.pool, "SELECT COUNT(*) FROM case_events").await - events_before;
        let later = now + Duration::days(14);
        let mut total = jobs::JobReport::default();
        for _ in 0..3 {
            let (a, b2) = tokio::join!(
                jobs::run_case_jobs(&db.pool, &p, later),
                jobs::run_case_jobs(&other, &p, later)
            );
            for r in [a.unwrap(), b2.unwrap()] {
                assert_eq!(r.failed, 0, "{b}: {r:?}");
                total.rca_created += r.rca_created;
                total.stale_notices += r.stale_notices;
                total.stale_closed += r.stale_closed;
                total.resolution_closed += r.resolution_closed;
            }
        }
        // Two runs per round; whatever the interleaving, each thing happened exactly once.
        assert_eq!(total.rca_created, 4, "{b}: {total:?}");
        assert_eq!(total.resolution_closed, 4, "{b}");
        assert_eq!(total.stale_notices, 4, "{b}");
        assert_eq!(total.stale_closed, 4, "{b}");
        for id in &ids {
            let children = count(
                &db.pool,
                &format!("SELECT COUNT(*) FROM cases WHERE rca_parent_case_id = '{id}'"),
            )
            .await;
            let notices = count(
                &db.pool,
                &format!(
                    "SELECT COUNT(*) FROM case_events WHERE case_id = '{id}' AND kind = 'stale_notice'"
                ),
            )
            .await;
            assert!(
                children + notices == 1,
                "{b}: one follow-up or one notice per case"
            );
        }
        // 4 RCA cases (opened + rca_created on child, rca_created on parent) + 8 closures + 4 notices.
        let job_events =
            count(&db.pool, "SELECT COUNT(*) FROM case_events").await - events_before - created;
        assert_eq!(job_events, 4 * 3 + 8 + 4, "{b}");
        other.close().await;
    }
}

#[tokio::test]
async fn demo_has_cases_in_every_state() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let p = programs();
        let staff = user(&db.pool, ENGINEER).await;
        let all = CaseListQuery {
            status: StatusFilter::All,
            ..CaseListQuery::default()
        };
        let list = cases::list_cases(&db.pool, &staff, &all).await.unwrap();
        assert!(list.total >= 12, "{b}: {}", list.total);
        for s in CaseStatus::ALL {
            assert!(
                list.rows.iter().any(|r| r.status == s),
                "{b}: a demo case is {s}"
            );
        }
        assert!(list.rows.iter().any(|r| r.is_rca), "{b}: RCA follow-up");
        assert!(list.rows.iter().any(|r| r.organization_name == "Globex"));
        assert!(
            list.rows
                .iter()
                .any(|r| r.next_deadline.is_some_and(|d| d > Utc::now())),
            "{b}: live deadlines"
        );
        for r in &list.rows {
            let d = cases::case_detail(&db.pool, &p, &staff, &r.id)
                .await
                .unwrap();
            assert_eq!(
                portal::sla::case_deadlines(&p, &d.facts).unwrap(),
                d.deadlines
            );
        }
        let r = jobs::run_case_jobs(&db.pool, &p, Utc::now()).await.unwrap();
        assert_eq!((r.failed, r.rca_created), (0, 0), "{b}: {r:?}");
    }
}

mod over_http {
    use super::*;
    use ::http::{header, Request, StatusCode};
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn send(
        app: &axum::Router,
        uri: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String) {
        let mut b = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let res = app
            .clone()
            .oneshot(b.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let cookie = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or_default().to_string());
        (status, cookie.unwrap_or(text))
    }

    async fn login(app: &axum::Router, email: &str, pw: &str) -> String {
        let (status, cookie) = send(
            app,
            "/api/login",
            &format!("email={email}&password={pw}&next=%2F"),
            None,
        )
        .await;
        assert!(status.is_success() || status.is_redirection(), "{status}");
        cookie
    }

    #[tokio::test]
    async fn server_functions_validate_and_isolate() {
        for db in helpers::seeded().await {
            let b = db.backend;
            let app = portal::router::build(helpers::state(db.pool.clone()));
            let array = array_id(&db.pool, BOSTON_ARRAY).await;
            let (status, _) = send(&app, "/api/cases/list", "", None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{b}");

            let acme = login(&app, "caller%40acme.example", "acme-caller-demo").await;
            let form = |sev: &str| {
                format!(
                    "array_id={array}&severity={sev}&subject=Disk+errors&description=Errors+in+the+log"
                )
            };
            let (status, body) = send(&app, "/api/cases/open", &form("7"), Some(&acme)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {body}");
            assert!(body.contains("severity"), "{body}");
            let (status, body) = send(&app, "/api/cases/open", &form("3"), Some(&acme)).await;
            assert!(
                status.is_success() || status.is_redirection(),
                "{b}: {status} {body}"
            );
            let id: String =
                sqlx::query_scalar("SELECT id FROM cases WHERE subject = 'Disk errors'")
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
            let (status, body) =
                send(&app, "/api/cases/detail", &format!("id={id}"), Some(&acme)).await;
            assert_eq!(status, StatusCode::OK, "{b}: {body}");
            assert!(body.contains("Disk errors"));
            let (status, body) = send(&app, "/api/cases/list", "status=all", Some(&acme)).await;
            assert_eq!(status, StatusCode::OK, "{b}: {body}");
            assert!(body.contains("Disk errors") && !body.contains("Globex"));

            let globex = login(&app, "admin%40globex.example", "globex-admin-demo").await;
            let (status, _) = send(
                &app,
                "/api/cases/detail",
                &format!("id={id}"),
                Some(&globex),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{b}: foreign case");
            let (status, _) = send(
                &app,
                "/api/cases/comment",
                &format!("case_id={id}&body=hi"),
                Some(&globex),
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{b}");
            let (status, _) = send(
                &app,
                "/api/cases/support-update",
                &format!("case_id={id}&body=hi&public=on"),
                Some(&acme),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{b}");

            let staff = login(&app, "engineer%40support.example", "support-demo").await;
            let (status, body) = send(
                &app,
                "/api/cases/support-update",
                &format!("case_id={id}&body=Checking&public=on"),
                Some(&staff),
            )
            .await;
            assert!(status.is_success(), "{b}: {status} {body}");
            let (status, _) = send(
                &app,
                "/api/cases/agreed-update",
                &format!("case_id={id}&due=yesterday"),
                Some(&staff),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        }
    }
}

/// A case page read must never hold one connection while waiting for a second: with more
/// readers than connections, every connection ends up held by a reader waiting for another
/// (found by `make bench`: 64 concurrent case pages on 16 connections stalled until the
/// acquire timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_case_pages_on_a_small_pool_all_answer() {
    for db in helpers::seeded().await {
        let caller = user(&db.pool, ACME_CALLER).await;
        let id = open(&db.pool, &caller, BOSTON_ARRAY, 2, "Concurrent readers").await;
        let small = db::connect_with_timeout(&db.url, 2, std::time::Duration::from_secs(3))
            .await
            .expect("small pool");
        let mut readers = Vec::new();
        for _ in 0..16 {
            let (pool, caller, id) = (small.clone(), caller.clone(), id.clone());
            readers.push(tokio::spawn(async move {
                cases::case_detail(&pool, &programs(), &caller, &id).await
            }));
        }
        for r in readers {
            let detail = r.await.expect("reader task");
            assert!(detail.is_ok(), "{}: {detail:?}", db.backend);
        }
    }
}
