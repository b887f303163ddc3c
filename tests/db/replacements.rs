//! Hardware replacements on SQLite and PostgreSQL: the stage order held by the server (no
//! "delivered" before "shipped", even with concurrent engineers on two app instances), customers
//! never moving a stage, foreign organizations seeing nothing, the technician dispatch refused
//! while the site's logistics are missing, and late deliveries flagged.
use crate::helpers::{self, user};

use chrono::{Duration, Utc};
use portal::model::replacement::{DeliveryState, LogisticsFields, Stage};
use portal::model::{AppError, CurrentUser};
use portal::server::db;
use portal::server::replacements::{self as repl, NewReplacement};
use portal::sla::{DeliveryKind, ProgramSet};
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";

/// Acme Boston, FlashArray//X70 on storage-7.1.3 premium: four-hour delivery.
const BOSTON_CASE: &str = "Latency spikes on production volumes during backups";
/// Acme Frankfurt (no site logistics in the demo), storage-classic next-business-day.
const FRANKFURT_CASE: &str = "Backup window exceeded after firmware upgrade";
const GLOBEX_CASE: &str = "Host connectivity lost on one iSCSI path";

fn programs() -> ProgramSet {
    ProgramSet::builtin().expect("programs")
}

async fn case_id(pool: &AnyPool, subject: &str) -> String {
    sqlx::query_scalar("SELECT id FROM cases WHERE subject = $1")
        .bind(subject)
        .fetch_one(pool)
        .await
        .expect("demo case")
}

async fn count(pool: &AnyPool, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .expect(sql)
}

fn drive(case_id: &str, part_number: &str) -> NewReplacement {
    NewReplacement {
        case_id: case_id.to_string(),
        part_type: "drive".into(),
        part_number: part_number.into(),
        quantity: 1,
        ..NewReplacement::default()
    }
}

async fn create(pool: &AnyPool, who: &CurrentUser, input: &NewReplacement) -> String {
    repl::create(pool, &programs(), who, input)
        .await
        .expect("replacement created")
}

/// The replacement as `who` sees it on the replacements page.
async fn seen(
    pool: &AnyPool,
    who: &CurrentUser,
    id: &str,
) -> Option<portal::model::replacement::Replacement> {
    repl::overview(pool, who)
        .await
        .expect("overview")
        .replacements
        .into_iter()
        .find(|r| r.id == id)
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, AppError>) -> bool {
    matches!(r, Err(AppError::Conflict(_)))
}

fn field<T: std::fmt::Debug>(r: Result<T, AppError>) -> (String, String) {
    match r {
        Err(AppError::Invalid { field, message }) => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn stage_order_is_enforced_and_each_move_is_recorded() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let p = programs();
        let eng = user(pool, ENGINEER).await;
        let case = case_id(pool, BOSTON_CASE).await;
        let id = create(pool, &eng, &drive(&case, "DFM-ORDER-1")).await;

        // Nothing moves ahead of its turn.
        assert!(
            is_conflict(repl::ship(pool, &eng, &id, "UPS", "1Z1").await),
            "{b}"
        );
        assert!(is_conflict(repl::deliver(pool, &eng, &id, "").await), "{b}");
        repl::dispatch(pool, &p, &eng, &id).await.expect("dispatch");
        let r = seen(pool, &eng, &id).await.expect("listed");
        assert_eq!(r.stage, Stage::Dispatched);
        // Premium at a site with a warehouse nearby: four hours from dispatch.
        let due = r.delivery_due.expect("a committed delivery time");
        let dispatched = r.dispatched_at.expect("dispatched at");
        assert_eq!(due - dispatched, Duration::hours(4), "{b}");
        assert_eq!(
            r.delivery.as_ref().map(|d| d.kind),
            Some(DeliveryKind::Hours)
        );
        assert_eq!(r.delivery_state, DeliveryState::OnTime);

        // No "delivered" before "shipped", and the message says why.
        match repl::deliver(pool, &eng, &id, "").await {
            Err(AppError::Conflict(m)) => {
                assert!(m.contains("“Shipped”"), "{b}: {m}")
            }
            other => panic!("{b}: delivered before shipped: {other:?}"),
        }
        assert!(
            is_conflict(repl::dispatch(pool, &p, &eng, &id).await),
            "{b}"
        );
        assert_eq!(
            field(repl::ship(pool, &eng, &id, "UPS", " ").await).0,
            "tracking_number"
        );
        repl::ship(pool, &eng, &id, "UPS", "1Z999AA10123456784")
            .await
            .expect("ship");
        // Without a technician there is nothing to schedule or install.
        assert!(is_conflict(
            repl::schedule_technician(pool, &eng, &id, "2030-01-01T09:00", "2030-01-01T12:00")
                .await
        ));
        repl::deliver(pool, &eng, &id, "").await.expect("deliver");
        let r = seen(pool, &eng, &id).await.expect("listed");
        assert_eq!(r.stage, Stage::Delivered);
        assert_eq!(r.delivery_state, DeliveryState::DeliveredOnTime, "{b}");
        let return_due = r.return_due.expect("return due");
        assert_eq!(
            return_due - r.delivered_at.expect("delivered"),
            Duration::days(10)
        );
        assert!(
            r.next_step
                .as_deref()
                .unwrap_or_default()
                .starts_with("Return the defective part by"),
            "{b}: {:?}",
            r.next_step
        );
        // Delivered parts cannot be cancelled; retention needs the option.
        assert!(is_conflict(
            repl::cancel(pool, &eng, &id, "changed our mind").await
        ));
        assert!(is_conflict(
            repl::close(pool, &eng, &id, Stage::Retained).await
        ));
        repl::close(pool, &eng, &id, Stage::Returned)
            .await
            .expect("returned");
        assert!(is_conflict(
            repl::close(pool, &eng, &id, Stage::Returned).await
        ));
        assert_eq!(
            seen(pool, &eng, &id).await.map(|r| r.stage),
            Some(Stage::Returned)
        );

        // Each step is on the case's timeline and in the audit log.
        let timeline = count(
            pool,
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'replacement'",
            &case,
        )
        .await;
        assert_eq!(
            timeline, 5,
            "{b}: created, dispatched, shipped, delivered, returned"
        );
        let audit = count(
            pool,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'replacement' AND entity_id = $1",
            &id,
        )
        .await;
        assert_eq!(audit, 5, "{b}");
    }
}

#[tokio::test]
async fn concurrent_engineers_move_a_stage_once() {
    for db in helpers::seeded().await {
        let b = db.backend;
        // Two pools on one database stand for two app instances.
        let other = db::connect(&db.url, 8).await.expect("second pool");
        let eng = user(&db.pool, ENGINEER).await;
        let case = case_id(&db.pool, BOSTON_CASE).await;
        let id = create(&db.pool, &eng, &drive(&case, "DFM-RACE-1")).await;
        repl::dispatch(&db.pool, &programs(), &eng, &id)
            .await
            .expect("dispatch");
        let mut tasks = Vec::new();
        for i in 0..10 {
            let pool = if i % 2 == 0 {
                db.pool.clone()
            } else {
                other.clone()
            };
            let (eng, id) = (eng.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                repl::ship(&pool, &eng, &id, "UPS", &format!("1Z-{i}")).await
            }));
        }
        let mut shipped = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(()) => shipped += 1,
                Err(AppError::Conflict(_)) => {}
                Err(e) => panic!("{b}: unexpected {e:?}"),
            }
        }
        assert_eq!(shipped, 1, "{b}: exactly one engineer ships it");
        let events = count(
            &db.pool,
            "SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'replacement' \
             AND new_value = 'shipped'",
            &case,
        )
        .await;
        assert_eq!(events, 1, "{b}");
    }
}

#[tokio::test]
async fn customers_cannot_change_stages() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let p = programs();
        let eng = user(pool, ENGINEER).await;
        let case = case_id(pool, BOSTON_CASE).await;
        let id = create(pool, &eng, &drive(&case, "DFM-CUST-1")).await;
        for email in [ACME_ADMIN, ACME_CALLER] {
            let who = user(pool, email).await;
            let forbidden = |r: Result<_, AppError>| matches!(r, Err(AppError::Forbidden));
            assert!(
                forbidden(
                    repl::create(pool, &p, &who, &drive(&case, "X"))
                        .await
                        .map(|_| ())
                ),
                "{b} {email}"
            );
            assert!(
                forbidden(repl::dispatch(pool, &p, &who, &id).await),
                "{b} {email}"
            );
            assert!(
                forbidden(repl::ship(pool, &who, &id, "UPS", "1").await),
                "{b}"
            );
            assert!(forbidden(repl::deliver(pool, &who, &id, "").await), "{b}");
            assert!(forbidden(repl::install(pool, &who, &id).await), "{b}");
            assert!(
                forbidden(repl::close(pool, &who, &id, Stage::Returned).await),
                "{b}"
            );
            assert!(forbidden(repl::cancel(pool, &who, &id, "no").await), "{b}");
            // They see it, with no stage moves offered.
            let r = seen(pool, &who, &id).await.expect("their own replacement");
            assert!(r.next_stages.is_empty() && !r.can_cancel, "{b}");
        }
        assert_eq!(
            seen(pool, &eng, &id).await.map(|r| r.stage),
            Some(Stage::Diagnosed)
        );
        // Support cancels with a reason.
        assert_eq!(field(repl::cancel(pool, &eng, &id, "").await).0, "reason");
        repl::cancel(pool, &eng, &id, "Diagnosis revised: firmware issue")
            .await
            .expect("cancel");
        let r = seen(pool, &eng, &id).await.expect("listed");
        assert_eq!(r.stage, Stage::Cancelled);
        assert_eq!(
            r.cancel_reason.as_deref(),
            Some("Diagnosis revised: firmware issue")
        );
        assert!(
            is_conflict(repl::dispatch(pool, &p, &eng, &id).await),
            "{b}"
        );
    }
}

#[tokio::test]
async fn foreign_organizations_see_nothing() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let eng = user(pool, ENGINEER).await;
        let globex = user(pool, GLOBEX_ADMIN).await;
        let acme = user(pool, ACME_ADMIN).await;
        let case = case_id(pool, BOSTON_CASE).await;
        let mut input = drive(&case, "DFM-FOREIGN-1");
        input.technician_required = true;
        let id = create(pool, &eng, &input).await;

        let theirs = repl::overview(pool, &globex).await.expect("overview");
        assert!(
            theirs
                .replacements
                .iter()
                .all(|r| r.organization_name == "Globex"),
            "{b}"
        );
        assert!(
            theirs.sites.iter().all(|s| s.organization_name == "Globex"),
            "{b}"
        );
        let late = repl::late(pool, &globex).await.expect("late");
        assert!(late.replacements.is_empty(), "{b}");
        let not_found = |r: Result<(), AppError>| matches!(r, Err(AppError::NotFound(_)));
        assert!(
            not_found(repl::confirm_access(pool, &globex, &id).await),
            "{b}"
        );
        assert!(not_found(
            repl::propose_window(pool, &globex, &id, "2031-01-01T09:00", "2031-01-01T12:00").await
        ));
        assert!(matches!(
            repl::for_case(pool, &globex, &case).await,
            Err(AppError::NotFound(_))
        ));
        let acme_site: String =
            sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Boston DC'")
                .fetch_one(pool)
                .await
                .expect("site");
        assert!(not_found(
            repl::save_logistics(pool, &globex, &acme_site, &LogisticsFields::default()).await
        ));
        // Acme, on the other hand, sees it, and not Globex's case.
        assert!(seen(pool, &acme, &id).await.is_some(), "{b}");
        let globex_case = case_id(pool, GLOBEX_CASE).await;
        assert!(matches!(
            repl::for_case(pool, &acme, &globex_case).await,
            Err(AppError::NotFound(_))
        ));
        let acme_view = repl::overview(pool, &acme).await.expect("overview");
        assert!(acme_view
            .sites
            .iter()
            .all(|s| s.organization_name == "Acme Corp"));
        assert!(!acme_view
            .replacements
            .iter()
            .any(|r| r.organization_name == "Globex"));
    }
}

#[tokio::test]
async fn technician_dispatch_waits_for_the_site_logistics() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let p = programs();
        let eng = user(pool, ENGINEER).await;
        let admin = user(pool, ACME_ADMIN).await;
        let caller = user(pool, ACME_CALLER).await;
        let case = case_id(pool, FRANKFURT_CASE).await;
        let mut input = drive(&case, "DFM-TECH-1");
        input.part_type = "controller".into();
        input.technician_required = true;
        input.return_method = "kit".into();
        let id = create(pool, &eng, &input).await;

        let (f, message) = field(repl::dispatch(pool, &p, &eng, &id).await);
        assert_eq!(f, "site_logistics", "{b}");
        assert!(message.contains("Acme Frankfurt DC"), "{b}: {message}");
        for what in [
            "datacenter address",
            "grid coordinates",
            "access instructions",
            "site contact",
        ] {
            assert!(message.contains(what), "{b}: {message} lacks {what}");
        }
        assert_eq!(
            seen(pool, &eng, &id).await.map(|r| r.stage),
            Some(Stage::Diagnosed)
        );
        let r = seen(pool, &admin, &id).await.expect("listed");
        assert!(
            !r.logistics_missing.is_empty() && !r.can_confirm_access,
            "{b}"
        );

        // Only admins keep the logistics; what is still missing is named.
        let site: String =
            sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Frankfurt DC'")
                .fetch_one(pool)
                .await
                .expect("site");
        let mut fields = LogisticsFields {
            datacenter_address: "Hanauer Landstraße 300, Frankfurt".into(),
            grid_coordinates: "Hall B, row 4, rack 12".into(),
            ..LogisticsFields::default()
        };
        assert!(matches!(
            repl::save_logistics(pool, &caller, &site, &fields).await,
            Err(AppError::Forbidden)
        ));
        repl::save_logistics(pool, &admin, &site, &fields)
            .await
            .expect("partial save");
        let (_, message) = field(repl::dispatch(pool, &p, &eng, &id).await);
        assert!(
            !message.contains("datacenter address") && message.contains("access instructions"),
            "{b}: {message}"
        );
        fields.access_instructions = "ID at reception; escort required.".into();
        fields.delivery_contact_name = "Goods-in desk".into();
        fields.delivery_contact_phone = "+49 69 555 0100".into();
        repl::save_logistics(pool, &admin, &site, &fields)
            .await
            .expect("complete save");

        repl::dispatch(pool, &p, &eng, &id).await.expect("dispatch");
        let r = seen(pool, &caller, &id).await.expect("listed");
        assert_eq!(
            r.delivery.as_ref().map(|d| d.kind),
            Some(DeliveryKind::NextBusinessDay)
        );
        assert!(r.delivery_due.is_some_and(|d| d > Utc::now()), "{b}");
        assert_eq!(
            r.next_step.as_deref(),
            Some("Confirm the site access details for the field technician."),
            "{b}"
        );
        // The customer's part: confirm access, propose a window (not stages).
        // A Boston caller follows this Frankfurt replacement but does not act on it (designation
        // is per site: "authorized callers for each site"); the organization's admin does.
        assert!(matches!(
            repl::confirm_access(pool, &caller, &id).await,
            Err(AppError::NotAllowedHere(_))
        ));
        repl::confirm_access(pool, &admin, &id)
            .await
            .expect("confirm");
        assert!(
            is_conflict(repl::confirm_access(pool, &admin, &id).await),
            "{b}"
        );
        assert!(matches!(
            repl::confirm_access(pool, &eng, &id).await,
            Err(AppError::Forbidden)
        ));
        let start = (Utc::now() + Duration::days(3))
            .format("%Y-%m-%dT09:00")
            .to_string();
        let end = (Utc::now() + Duration::days(3))
            .format("%Y-%m-%dT12:00")
            .to_string();
        assert_eq!(
            field(repl::propose_window(pool, &admin, &id, &end, &start).await).0,
            "window_end"
        );
        repl::propose_window(pool, &admin, &id, &start, &end)
            .await
            .expect("window proposed");
        let r = seen(pool, &admin, &id).await.expect("listed");
        assert!(
            r.proposed_window.is_some() && r.stage == Stage::Dispatched,
            "{b}"
        );

        repl::ship(pool, &eng, &id, "DB Schenker", "DBS-1")
            .await
            .expect("ship");
        repl::deliver(pool, &eng, &id, "").await.expect("deliver");
        // With a technician the return waits for the installation.
        assert!(
            is_conflict(repl::close(pool, &eng, &id, Stage::Returned).await),
            "{b}"
        );
        assert!(is_conflict(repl::install(pool, &eng, &id).await), "{b}");
        repl::schedule_technician(pool, &eng, &id, &start, &end)
            .await
            .expect("schedule");
        let r = seen(pool, &admin, &id).await.expect("listed");
        assert!(r
            .next_step
            .as_deref()
            .unwrap_or_default()
            .starts_with("Give the field technician access"));
        repl::install(pool, &eng, &id).await.expect("install");
        let r = seen(pool, &admin, &id).await.expect("listed");
        let step = r.next_step.unwrap_or_default();
        assert!(step.contains("returns kit"), "{b}: {step}");
        repl::close(pool, &eng, &id, Stage::Returned)
            .await
            .expect("returned");
    }
}

#[tokio::test]
async fn drive_retention_and_input_checks() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let p = programs();
        let eng = user(pool, ENGINEER).await;
        let case = case_id(pool, BOSTON_CASE).await;
        let mut fan = drive(&case, "FAN-1");
        fan.part_type = "fan".into();
        fan.drive_retention = true;
        assert_eq!(
            field(repl::create(pool, &p, &eng, &fan).await).0,
            "drive_retention",
            "{b}"
        );
        let mut bad = drive(&case, "");
        assert_eq!(
            field(repl::create(pool, &p, &eng, &bad).await).0,
            "part_number"
        );
        bad = drive(&case, "X");
        bad.part_type = "toaster".into();
        assert_eq!(
            field(repl::create(pool, &p, &eng, &bad).await).0,
            "part_type"
        );
        bad = drive(&case, "X");
        bad.quantity = 0;
        assert_eq!(
            field(repl::create(pool, &p, &eng, &bad).await).0,
            "quantity"
        );
        // The contact-center "array" has no hardware.
        bad = drive(&case, "X");
        bad.array_id =
            sqlx::query_scalar("SELECT id FROM arrays WHERE name = 'Contact center org acme-cx'")
                .fetch_one(pool)
                .await
                .expect("array");
        assert_eq!(
            field(repl::create(pool, &p, &eng, &bad).await).0,
            "array_id"
        );
        // A Globex array on an Acme case is refused as unknown.
        bad.array_id = sqlx::query_scalar(
            "SELECT id FROM arrays WHERE name = 'FlashArray//X50 tokyo-prod-01'",
        )
        .fetch_one(pool)
        .await
        .expect("array");
        assert_eq!(
            field(repl::create(pool, &p, &eng, &bad).await).0,
            "array_id"
        );

        let mut keep = drive(&case, "DFM-KEEP-1");
        keep.drive_retention = true;
        keep.quantity = 3;
        let id = create(pool, &eng, &keep).await;
        repl::dispatch(pool, &p, &eng, &id).await.expect("dispatch");
        repl::ship(pool, &eng, &id, "UPS", "1Z2")
            .await
            .expect("ship");
        // A delivery recorded afterwards, in site time; never before it shipped.
        assert_eq!(
            field(repl::deliver(pool, &eng, &id, "2001-01-01T10:00").await).0,
            "delivered_at"
        );
        repl::deliver(pool, &eng, &id, "").await.expect("deliver");
        let r = seen(pool, &eng, &id).await.expect("listed");
        assert!(
            r.next_step.unwrap_or_default().contains("drive-retention"),
            "{b}"
        );
        assert!(is_conflict(
            repl::close(pool, &eng, &id, Stage::Returned).await
        ));
        repl::close(pool, &eng, &id, Stage::Retained)
            .await
            .expect("retained");
    }
}

#[tokio::test]
async fn late_deliveries_are_flagged() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let eng = user(pool, ENGINEER).await;
        let admin = user(pool, ACME_ADMIN).await;
        // The demo's next-business-day drives dispatched four days ago are still on their way.
        for who in [&eng, &admin] {
            let late = repl::late(pool, who).await.expect("late");
            assert_eq!(late.replacements.len(), 1, "{b}");
            let r = &late.replacements[0];
            assert_eq!(r.part_number, "DFM-18TB-C60");
            assert_eq!(r.delivery_state, DeliveryState::Late);
            assert!(r.delivery_due.is_some_and(|d| d < Utc::now()));
        }
        // A part made late by the clock: its due time moved into the past.
        let case = case_id(pool, BOSTON_CASE).await;
        let id = create(pool, &eng, &drive(&case, "DFM-LATE-1")).await;
        repl::dispatch(pool, &programs(), &eng, &id)
            .await
            .expect("dispatch");
        sqlx::query(
            "UPDATE replacements SET delivery_due_at = delivery_due_at - 18000000 WHERE id = $1",
        )
        .bind(&id)
        .execute(pool)
        .await
        .expect("moved");
        let late = repl::late(pool, &admin).await.expect("late");
        assert_eq!(late.replacements.len(), 2, "{b}");
        repl::ship(pool, &eng, &id, "UPS", "1Z3")
            .await
            .expect("ship");
        repl::deliver(pool, &eng, &id, "").await.expect("deliver");
        let r = seen(pool, &admin, &id).await.expect("listed");
        assert_eq!(r.delivery_state, DeliveryState::DeliveredLate, "{b}");
        assert_eq!(
            repl::late(pool, &admin)
                .await
                .expect("late")
                .replacements
                .len(),
            1
        );
    }
}
