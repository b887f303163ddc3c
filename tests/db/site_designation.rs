//! Designation is per site (issue 20), on SQLite and PostgreSQL. The guides: "A customer can
//! designate up to five individuals as authorized callers for each site. Only these designated
//! contacts can call and receive assistance from Pure Storage Support." So a contact acts
//! (opens, comments, raises, confirms, requests Remote Assist) only for the arrays of the sites
//! where designated; the organization's admins for all of its sites. A contact still reads
//! every case of the organization (see the README), and is told why they cannot act on one.
use crate::helpers::{self, user};

use portal::model::case::NewCase;
use portal::model::{AppError, CurrentUser};
use portal::server::remote_assist::{self as ra, NewSession};
use portal::server::{cases, site_access};
use portal::sla::ProgramSet;
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const ACME_BACKUP: &str = "backup@acme.example";
const FRANKFURT: &str = "Acme Frankfurt DC";
/// Acme Frankfurt's arrays: the dark one with an open case, and a connected one.
const FRA_BACKUP: &str = "FlashArray//C60 fra-backup-01";
const FRA_LAB: &str = "FlashArray//X20 fra-lab-02";
const BOSTON_PROD: &str = "FlashArray//X70 boston-prod-01";
/// The demo's open case at Acme Frankfurt (waiting on the customer).
const FRANKFURT_CASE: &str = "Backup window exceeded after firmware upgrade";

async fn id_of(pool: &AnyPool, sql: &str, key: &str) -> String {
    sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql} [{key}]: {e}"))
}

async fn array_id(pool: &AnyPool, name: &str) -> String {
    id_of(pool, "SELECT id FROM arrays WHERE name = $1", name).await
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// Designates the person at Acme Frankfurt in this role.
async fn designate_at_frankfurt(pool: &AnyPool, email: &str, role: &str) {
    sqlx::query(
        "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) \
         SELECT $1, s.id, u.id, $2, 0 FROM sites s, users u WHERE s.name = $3 AND u.email = $4",
    )
    .bind(portal::server::ids::new_id())
    .bind(role)
    .bind(FRANKFURT)
    .bind(email)
    .execute(pool)
    .await
    .expect("designated");
}

/// The refusal names the site where the contact is not designated.
fn refused_at_frankfurt<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    match r {
        Err(AppError::NotAllowedHere(m)) => assert!(m.contains(FRANKFURT), "{what}: {m}"),
        other => panic!("{what}: expected the site's refusal, got {other:?}"),
    }
}

fn new_case(array_id: String) -> NewCase {
    NewCase {
        array_id,
        severity: 3,
        subject: "Slow snapshots".into(),
        description: "Snapshots take twice as long since Monday.".into(),
        ..NewCase::default()
    }
}

/// What the refusals must leave as it was: the timeline, the audit log, the cases.
async fn written(pool: &AnyPool) -> [i64; 3] {
    [
        count(pool, "SELECT COUNT(*) FROM case_events").await,
        count(pool, "SELECT COUNT(*) FROM audit_log").await,
        count(pool, "SELECT COUNT(*) FROM cases").await,
    ]
}

async fn every_case_action_refused(pool: &AnyPool, p: &ProgramSet, who: &CurrentUser, case: &str) {
    refused_at_frankfurt(
        cases::add_comment(pool, p, who, case, "Bundle attached.").await,
        "comment",
    );
    refused_at_frankfurt(
        cases::raise_severity(pool, p, who, case, 2, "Now urgent.", None, None).await,
        "raise",
    );
    refused_at_frankfurt(
        cases::confirm_resolution(pool, p, who, case).await,
        "confirm",
    );
    refused_at_frankfurt(
        cases::reopen_case(pool, p, who, case, "Not fixed.").await,
        "reopen",
    );
    refused_at_frankfurt(
        cases::submit_survey(pool, p, who, case, 5, "").await,
        "survey",
    );
}

#[tokio::test]
async fn a_caller_acts_only_for_the_arrays_of_the_sites_where_designated() {
    let p = ProgramSet::builtin().expect("programs");
    for db in helpers::seeded().await {
        let b = db.backend;
        let (pool, caller) = (&db.pool, user(&db.pool, ACME_CALLER).await);
        let admin = user(pool, ACME_ADMIN).await;
        let case = id_of(
            pool,
            "SELECT id FROM cases WHERE subject = $1",
            FRANKFURT_CASE,
        )
        .await;

        // The open-case form offers Carl his site's arrays only; the admin every site's.
        let form = cases::open_case_form(pool, &p, &caller).await.unwrap();
        let names: Vec<&str> = form.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Acme Boston DC"], "{b}");
        let form = cases::open_case_form(pool, &p, &admin).await.unwrap();
        assert_eq!(form.sites.len(), 2, "{b}: the admin's form has both sites");

        // Carl follows the Frankfurt case, is offered nothing, and is told why.
        let d = cases::case_detail(pool, &p, &caller, &case)
            .await
            .expect("reads it");
        assert!(!d.timeline.is_empty(), "{b}");
        assert!(
            !(d.can_comment || d.can_raise || d.can_confirm || d.can_attach),
            "{b}"
        );
        assert!(d
            .not_designated
            .as_deref()
            .is_some_and(|m| m.contains(FRANKFURT)));

        // Every action on it, and opening a case for a Frankfurt array, is refused by name and
        // writes nothing.
        let before = written(pool).await;
        every_case_action_refused(pool, &p, &caller, &case).await;
        let fra = new_case(array_id(pool, FRA_BACKUP).await);
        refused_at_frankfurt(cases::create_case(pool, &p, &caller, &fra).await, "open");
        assert_eq!(written(pool).await, before, "{b}: refusals store nothing");
        assert_eq!(
            AppError::NotAllowedHere(String::new()).status_code(),
            403,
            "a refusal is a 403"
        );

        // At his own site he acts as before; the admin acts at both.
        let bos = new_case(array_id(pool, BOSTON_PROD).await);
        cases::create_case(pool, &p, &caller, &bos)
            .await
            .expect("Boston case");
        cases::create_case(pool, &p, &admin, &fra)
            .await
            .expect("admin opens at Frankfurt");
        cases::add_comment(pool, &p, &admin, &case, "Bundle on its way.")
            .await
            .expect("admin comments at Frankfurt");
        let d = cases::case_detail(pool, &p, &admin, &case).await.unwrap();
        assert!(
            d.can_comment && d.can_attach && d.not_designated.is_none(),
            "{b}"
        );

        // Designated at Frankfurt too, Carl acts there on his next request.
        designate_at_frankfurt(pool, ACME_CALLER, "authorized_caller").await;
        cases::add_comment(pool, &p, &caller, &case, "Uploading it now.")
            .await
            .expect("designated now");
        let d = cases::case_detail(pool, &p, &caller, &case).await.unwrap();
        assert!(d.can_comment && d.not_designated.is_none(), "{b}");
        let form = cases::open_case_form(pool, &p, &caller).await.unwrap();
        assert_eq!(form.sites.len(), 2, "{b}");
    }
}

#[tokio::test]
async fn acting_sites_are_the_designated_ones_or_all_for_an_admin() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let mut conn = pool.acquire().await.unwrap();
        let boston = id_of(
            pool,
            "SELECT id FROM sites WHERE name = $1",
            "Acme Boston DC",
        )
        .await;
        let frankfurt = id_of(pool, "SELECT id FROM sites WHERE name = $1", FRANKFURT).await;
        let caller = user(pool, ACME_CALLER).await;
        let admin = user(pool, ACME_ADMIN).await;
        let engineer = user(pool, "engineer@support.example").await;
        let sites = |v: Vec<site_access::ActingSite>| -> Vec<String> {
            v.into_iter().map(|s| s.site_id).collect()
        };
        let of_caller = site_access::acting_sites(&mut conn, &caller).await.unwrap();
        assert_eq!(sites(of_caller), std::slice::from_ref(&boston), "{b}");
        let of_admin = site_access::acting_sites(&mut conn, &admin).await.unwrap();
        assert_eq!(sites(of_admin), [boston.clone(), frankfurt.clone()], "{b}");
        assert!(site_access::acting_sites(&mut conn, &engineer)
            .await
            .unwrap()
            .is_empty());
        assert!(site_access::may_act_at(&mut conn, &caller, &boston)
            .await
            .unwrap());
        assert!(!site_access::may_act_at(&mut conn, &caller, &frankfurt)
            .await
            .unwrap());
        refused_at_frankfurt(
            site_access::require_act_at(&mut conn, &caller, &frankfurt).await,
            "require",
        );
        // An admin of another organization acts at none of Acme's sites.
        let globex = user(pool, "admin@globex.example").await;
        assert!(!site_access::may_act_at(&mut conn, &globex, &boston)
            .await
            .unwrap());
    }
}

fn session(array_id: String) -> NewSession {
    NewSession {
        array_id,
        case_id: String::new(),
        reason: "Collect diagnostics.".into(),
        hours: 2,
    }
}

/// "Only a customer's local administrator can open a Remote Assist session", and backup
/// contacts are "opening RA sessions when required": the local administrator of an array is an
/// admin of its organization or a backup contact designated at the array's site.
#[tokio::test]
async fn a_backup_contact_opens_remote_assist_only_at_their_own_site() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let pool = &db.pool;
        let backup = user(pool, ACME_BACKUP).await;
        let lab = array_id(pool, FRA_LAB).await;
        let before = count(pool, "SELECT COUNT(*) FROM remote_assist_sessions").await;
        refused_at_frankfurt(
            ra::request_session(pool, &backup, &session(lab.clone())).await,
            "Remote Assist at another site",
        );
        assert_eq!(
            count(pool, "SELECT COUNT(*) FROM remote_assist_sessions").await,
            before,
            "{b}"
        );
        // The form offers Bea her site's arrays only, the admin every site's.
        let o = ra::overview(pool, &backup).await.unwrap();
        let requestable = |o: &portal::model::remote_assist::RemoteAssistOverview, name: &str| {
            o.arrays.iter().any(|a| a.name == name && a.requestable)
        };
        assert!(o.can_request && requestable(&o, BOSTON_PROD), "{b}");
        assert!(!requestable(&o, FRA_LAB), "{b}");
        let admin = user(pool, ACME_ADMIN).await;
        let o = ra::overview(pool, &admin).await.unwrap();
        assert!(
            requestable(&o, FRA_LAB) && requestable(&o, BOSTON_PROD),
            "{b}"
        );

        // Designated as Frankfurt's backup contact, she is its local administrator: her
        // request opens the session at once.
        designate_at_frankfurt(pool, ACME_BACKUP, "backup_contact").await;
        ra::request_session(pool, &backup, &session(lab))
            .await
            .expect("opens at her site");
        let o = ra::overview(pool, &backup).await.unwrap();
        let s = o
            .arrays
            .iter()
            .find(|a| a.name == FRA_LAB)
            .and_then(|a| a.session.clone())
            .expect("session");
        assert_eq!(
            s.state,
            portal::model::remote_assist::SessionState::Active,
            "{b}"
        );
        // An authorized caller designated there is no local administrator.
        designate_at_frankfurt(pool, ACME_CALLER, "authorized_caller").await;
        let caller = user(pool, ACME_CALLER).await;
        let prod = array_id(pool, BOSTON_PROD).await;
        assert_eq!(
            ra::request_session(pool, &caller, &session(prod)).await,
            Err(AppError::Forbidden),
            "{b}"
        );
    }
}
