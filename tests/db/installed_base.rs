//! The installed base on SQLite and PostgreSQL: who sees which sites, that another
//! organization's arrays never appear, the counts of what is open on each array, the contract
//! status on the demo's dates, each plan's package and the site's delivery determination.
use crate::helpers::{self, user};

use chrono::{Months, NaiveDate, Utc};
use portal::model::case::NewCase;
use portal::model::installed_base::{BaseArray, InstalledBase, SiteScope};
use portal::model::remote_assist::SessionState;
use portal::model::AppError;
use portal::server::cases;
use portal::server::installed_base::installed_base;
use portal::server::remote_assist::{self as ra, NewSession};
use portal::server::replacements::{self, NewReplacement};
use portal::sla::{ContractStatus, PackageFeature, ProgramSet};
use sqlx::AnyPool;

const ACME_ADMIN: &str = "admin@acme.example";
const ACME_CALLER: &str = "caller@acme.example";
const ACME_BACKUP: &str = "backup@acme.example";
const GLOBEX_ADMIN: &str = "admin@globex.example";
const ENGINEER: &str = "engineer@support.example";

async fn page(pool: &AnyPool, email: &str, org: Option<&str>) -> Result<InstalledBase, AppError> {
    let programs = ProgramSet::builtin().expect("programs");
    installed_base(pool, &programs, &user(pool, email).await, org, Utc::now()).await
}

fn site_names(b: &InstalledBase) -> Vec<&str> {
    b.sites.iter().map(|s| s.name.as_str()).collect()
}

fn arrays(b: &InstalledBase) -> impl Iterator<Item = &BaseArray> {
    b.sites.iter().flat_map(|s| s.arrays.iter())
}

fn array<'a>(b: &'a InstalledBase, name: &str) -> &'a BaseArray {
    arrays(b)
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

async fn org_id(pool: &AnyPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("organization")
}

/// Every serial of the organization's arrays, straight from the table.
async fn serials_of(pool: &AnyPool, org: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.serial FROM arrays a JOIN sites s ON s.id = a.site_id \
         WHERE s.organization_id = $1 ORDER BY a.serial",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .expect("serials")
}

#[tokio::test]
async fn admins_see_every_site_other_contacts_only_theirs_and_no_other_organization() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let (acme, globex) = (
            org_id(pool, "Acme Corp").await,
            org_id(pool, "Globex").await,
        );
        let globex_serials = serials_of(pool, &globex).await;

        let admin = page(pool, ACME_ADMIN, None).await.expect("admin's page");
        assert_eq!(admin.scope, SiteScope::Every, "{}", db.backend);
        assert_eq!(site_names(&admin), ["Acme Boston DC", "Acme Frankfurt DC"]);
        let mut listed: Vec<String> = arrays(&admin).map(|a| a.serial.clone()).collect();
        listed.sort();
        assert_eq!(listed, serials_of(pool, &acme).await, "{}", db.backend);
        // Nothing of Globex anywhere in the answer, not only in the serials.
        let json = serde_json::to_string(&admin).expect("json");
        for marker in globex_serials
            .iter()
            .chain([&globex, &"Globex Tokyo DC".to_string()])
        {
            assert!(
                !json.contains(marker.as_str()),
                "{}: {marker} leaked",
                db.backend
            );
        }

        // Authorized callers and backup contacts: the sites where they are designated (Boston).
        for email in [ACME_CALLER, ACME_BACKUP] {
            let p = page(pool, email, None).await.expect("contact's page");
            assert_eq!(p.scope, SiteScope::Designated, "{email}");
            assert_eq!(
                site_names(&p),
                ["Acme Boston DC"],
                "{}: {email}",
                db.backend
            );
            assert!(arrays(&p).all(|a| !a.serial.contains("FRA")), "{email}");
        }
        // Designated at Frankfurt too, the caller sees it as well.
        sqlx::query(
            "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) \
             SELECT $1, s.id, u.id, 'authorized_caller', 0 FROM sites s, users u \
             WHERE s.name = 'Acme Frankfurt DC' AND u.email = $2",
        )
        .bind(portal::server::ids::new_id())
        .bind(ACME_CALLER)
        .execute(pool)
        .await
        .expect("designation");
        let caller = page(pool, ACME_CALLER, None).await.expect("caller's page");
        assert_eq!(site_names(&caller), ["Acme Boston DC", "Acme Frankfurt DC"]);

        // Another organization, named: "not found", like an unknown one.
        assert!(matches!(
            page(pool, ACME_ADMIN, Some(&globex)).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            page(pool, GLOBEX_ADMIN, Some(&acme)).await,
            Err(AppError::NotFound(_))
        ));
        let globex_page = page(pool, GLOBEX_ADMIN, None).await.expect("Globex");
        assert_eq!(site_names(&globex_page), ["Globex Tokyo DC"]);
        let mut listed: Vec<String> = arrays(&globex_page).map(|a| a.serial.clone()).collect();
        listed.sort();
        assert_eq!(listed, globex_serials);

        // Vendor staff choose an organization, then see every site of it but open no case.
        let unchosen = page(pool, ENGINEER, None).await.expect("engineer");
        assert!(unchosen.organization.is_none() && unchosen.sites.is_empty());
        assert_eq!(unchosen.organizations.len(), 2);
        let chosen = page(pool, ENGINEER, Some(&acme))
            .await
            .expect("engineer, Acme");
        assert_eq!(chosen.scope, SiteScope::Every);
        assert_eq!(site_names(&chosen), ["Acme Boston DC", "Acme Frankfurt DC"]);
        assert!(arrays(&chosen).all(|a| !a.can_open_case));
        assert!(matches!(
            page(pool, ENGINEER, Some("no-such-org")).await,
            Err(AppError::NotFound(_))
        ));
    }
}

async fn open_counts(pool: &AnyPool, array: &str) -> (i64, i64) {
    let cases: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c JOIN arrays a ON a.id = c.array_id \
         WHERE a.name = $1 AND c.status <> 'closed'",
    )
    .bind(array)
    .fetch_one(pool)
    .await
    .expect("cases");
    let replacements: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM replacements r JOIN arrays a ON a.id = r.array_id \
         WHERE a.name = $1 AND r.stage NOT IN ('returned', 'retained', 'cancelled')",
    )
    .bind(array)
    .fetch_one(pool)
    .await
    .expect("replacements");
    (cases, replacements)
}

#[tokio::test]
async fn counts_of_open_cases_replacements_and_remote_assist_are_right() {
    const DEV: &str = "FlashArray//X20 boston-dev-02";
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let programs = ProgramSet::builtin().expect("programs");
        let admin = user(pool, ACME_ADMIN).await;
        let engineer = user(pool, ENGINEER).await;

        // The demo's own history: every array's counts as the tables have them.
        let before = page(pool, ACME_ADMIN, None).await.expect("page");
        for a in arrays(&before) {
            assert_eq!(
                (a.open_cases, a.open_replacements),
                open_counts(pool, &a.name).await,
                "{}: {}",
                db.backend,
                a.name
            );
        }
        assert!(arrays(&before).any(|a| a.open_cases > 0 && a.open_replacements > 0));
        let dev = array(&before, DEV);
        assert_eq!((dev.open_cases, dev.open_replacements), (0, 0));
        assert!(dev.remote_assist.is_none());

        // Two cases (one closed again), a replacement and a Remote Assist session on it.
        let open = |subject: &str| NewCase {
            array_id: dev.id.clone(),
            severity: 3,
            subject: subject.into(),
            description: "Installed base count.".into(),
            ..NewCase::default()
        };
        let first = cases::create_case(pool, &programs, &admin, &open("First"))
            .await
            .expect("case")
            .id;
        let second = cases::create_case(pool, &programs, &admin, &open("Second"))
            .await
            .expect("case")
            .id;
        cases::set_status(pool, &programs, &engineer, &second, "closed", "")
            .await
            .expect("closed");
        replacements::create(
            pool,
            &programs,
            &engineer,
            &NewReplacement {
                case_id: first.clone(),
                part_type: "drive".into(),
                part_number: "IB-1".into(),
                quantity: 1,
                ..NewReplacement::default()
            },
        )
        .await
        .expect("replacement");
        let session = ra::request_session(
            pool,
            &admin,
            &NewSession {
                array_id: dev.id.clone(),
                case_id: String::new(),
                reason: "Installed base".into(),
                hours: 2,
            },
        )
        .await
        .expect("session");

        let after = page(pool, ACME_ADMIN, None).await.expect("page");
        let dev = array(&after, DEV);
        assert_eq!(
            (dev.open_cases, dev.open_replacements),
            (1, 1),
            "{}",
            db.backend
        );
        let s = dev.remote_assist.as_ref().expect("the session shows");
        assert_eq!(s.state, SessionState::Active);
        // In the site's time (Boston).
        assert!(
            s.until_local.ends_with("EST") || s.until_local.ends_with("EDT"),
            "{}",
            s.until_local
        );
        // Nothing moved on the other arrays.
        for a in arrays(&after).filter(|a| a.name != DEV) {
            let b = array(&before, &a.name);
            assert_eq!(
                (a.open_cases, a.open_replacements),
                (b.open_cases, b.open_replacements)
            );
        }

        ra::end_session(pool, &admin, &session)
            .await
            .expect("ended");
        let ended = page(pool, ACME_ADMIN, None).await.expect("page");
        assert!(array(&ended, DEV).remote_assist.is_none(), "{}", db.backend);
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[tokio::test]
async fn demo_contracts_packages_and_the_delivery_determination() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = page(pool, ACME_ADMIN, None).await.expect("page");

        // Lapsing within six months: it ends 75 days after the seeding day in Boston, so today
        // and those 75 days are left (the CI once seeded at 01:00 UTC, 20:00 the day before in
        // Boston, and counted 77 when seeding used the UTC date).
        let k8s = array(&b, "Portworx cluster boston-k8s");
        assert!(
            matches!(k8s.contract, ContractStatus::Lapsing { days_left: 76 }),
            "{}: {:?}",
            db.backend,
            k8s.contract
        );
        assert!(k8s.can_open_case, "support still runs while it lapses");
        assert!(k8s.contract_start.is_some_and(|s| s < k8s.contract_end));

        // Lapsed 40 days ago on storage-7.1.3: reinstatable for six months after the end.
        let lab = array(&b, "FlashArray//X20 fra-lab-02");
        let until = lab.contract_end.checked_add_months(Months::new(6));
        assert_eq!(
            lab.contract,
            ContractStatus::Lapsed {
                reinstatable_until: until,
                fees_waivable_until: None
            },
            "{}",
            db.backend
        );
        assert!(!lab.can_open_case);

        // What the array is and runs, and what its plan includes (the guide's package table).
        let prod = array(&b, "FlashArray//X70 boston-prod-01");
        assert_eq!(prod.model, "FlashArray//X70R3");
        assert_eq!(prod.software_version, "Purity//FA 6.5.8");
        assert_eq!(prod.contract, ContractStatus::Active);
        assert_eq!(prod.contract_end, day("2029-12-31"));
        assert_eq!(prod.plan_name, "Premium");
        let included = |a: &BaseArray, f: PackageFeature| {
            a.package
                .iter()
                .find(|i| i.feature == f)
                .map(|i| i.included.clone())
        };
        assert_eq!(
            included(prod, PackageFeature::Hotline).as_deref(),
            Some("365 x 24 x 7")
        );
        assert_eq!(
            included(prod, PackageFeature::RemoteSoftwareUpgrade).as_deref(),
            Some("Unlimited")
        );
        assert_eq!(
            included(prod, PackageFeature::ControllerUpgrades).as_deref(),
            Some("Evergreen//Forever")
        );
        // Boston has BCS: the 7.1.3 plans read the BCS column there.
        assert!(prod.bcs_applies);
        assert!(!array(&b, "FlashArray//C60 fra-backup-01").connected);
        assert!(!k8s.bcs_applies, "storage-classic has no BCS column");
    }
}

/// "For new customers or new customer sites, Everpure shall determine, at its discretion and
/// using best efforts, whether a four (4) or six (6) hour delivery window applies, and shall
/// notify the customer of such determination upfront." (storage-7.1.3, note 4 of the package
/// table): every site of the installed base carries its determination, and a four-hour plan at a
/// six-hour site says what it gets there.
#[tokio::test]
async fn each_site_shows_its_delivery_determination_up_front() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        let b = page(pool, ACME_ADMIN, None).await.expect("page");
        let boston = &b.sites[0];
        let frankfurt = &b.sites[1];
        assert_eq!(frankfurt.name, "Acme Frankfurt DC");
        assert!(frankfurt.six_hour_radius && !boston.six_hour_radius);
        assert!(frankfurt
            .delivery_determination()
            .starts_with("Six-hour delivery window"));
        assert!(boston
            .delivery_determination()
            .starts_with("Four-hour delivery window"));

        // A Premium (four-hour) array at the six-hour site: six hours there.
        sqlx::query(
            "UPDATE arrays SET plan_id = 'premium' WHERE name = 'FlashArray//X20 fra-lab-02'",
        )
        .execute(pool)
        .await
        .expect("plan");
        let b = page(pool, ACME_ADMIN, None).await.expect("page");
        let lab = array(&b, "FlashArray//X20 fra-lab-02");
        assert_eq!(
            lab.delivery_at_site.as_deref(),
            Some("At this site: delivery within 6 hours of dispatch."),
            "{}",
            db.backend
        );
        // Boston's Premium arrays keep four hours: nothing to add.
        assert_eq!(
            array(&b, "FlashArray//X70 boston-prod-01").delivery_at_site,
            None
        );
    }
}

/// Arrays registered before migration 15 have no model, software or start: shown as not
/// recorded, never invented.
#[tokio::test]
async fn arrays_without_the_new_fields_still_list() {
    for db in helpers::seeded().await {
        let pool = &db.pool;
        sqlx::query(
            "UPDATE arrays SET model = '', software_version = '', contract_start = '' \
             WHERE name = 'FlashArray//X50 tokyo-prod-01'",
        )
        .execute(pool)
        .await
        .expect("blank");
        let b = page(pool, GLOBEX_ADMIN, None).await.expect("page");
        let a = array(&b, "FlashArray//X50 tokyo-prod-01");
        assert!(a.model.is_empty() && a.software_version.is_empty());
        assert_eq!(a.contract_start, None);
        assert_eq!(a.contract_end, day("2028-03-31"), "{}", db.backend);
    }
}
