//! The demo organizations, their sites (with public holidays) and arrays.
use super::DemoError;
use crate::server::db::ms_to_dt;
use crate::server::ids::new_id;
use chrono::{Duration, NaiveDate};
use sqlx::AnyConnection;

pub(super) struct DemoSite {
    organization: &'static str,
    pub name: &'static str,
    pub time_zone: &'static str,
    address: &'static str,
    bcs: bool,
    six_hour_radius: bool,
}

pub(super) const SITES: &[DemoSite] = &[
    DemoSite {
        organization: "Acme Corp",
        name: "Acme Boston DC",
        time_zone: "America/New_York",
        address: "1 Summer Street, Boston, MA 02110, USA",
        bcs: true,
        six_hour_radius: false,
    },
    DemoSite {
        organization: "Acme Corp",
        name: "Acme Frankfurt DC",
        time_zone: "Europe/Berlin",
        address: "Hanauer Landstraße 300, 60314 Frankfurt am Main, Germany",
        bcs: false,
        six_hour_radius: true,
    },
    DemoSite {
        organization: "Globex",
        name: "Globex Tokyo DC",
        time_zone: "Asia/Tokyo",
        address: "1-1 Otemachi, Chiyoda-ku, Tokyo 100-0004, Japan",
        bcs: false,
        six_hour_radius: false,
    },
];

/// A contract date: fixed, or counted in days from the day the demo is seeded, so that the
/// contract lapsing soon and the lapsed one stay so whenever the demo is started.
#[derive(Clone, Copy)]
enum Day {
    On(&'static str),
    FromSeeding(i64),
}

impl Day {
    fn date(self, today: NaiveDate) -> String {
        match self {
            Day::On(d) => d.to_string(),
            Day::FromSeeding(n) => (today + Duration::days(n)).format("%Y-%m-%d").to_string(),
        }
    }
}

struct DemoArray {
    site: &'static str,
    name: &'static str,
    model: &'static str,
    product_line: &'static str,
    serial: &'static str,
    program: &'static str,
    plan: &'static str,
    software_version: &'static str,
    contract_start: Day,
    contract_end: Day,
    connected: bool,
}

const ARRAYS: &[DemoArray] = &[
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X70 boston-prod-01",
        model: "FlashArray//X70R3",
        product_line: "array",
        serial: "PSX70-BOS-0001",
        program: "storage-7.1.3",
        plan: "premium",
        software_version: "Purity//FA 6.5.8",
        contract_start: Day::On("2024-01-01"),
        contract_end: Day::On("2029-12-31"),
        connected: true,
    },
    // Its contract lapses in 75 days: the installed base shows it lapsing, with the days left.
    DemoArray {
        site: "Acme Boston DC",
        name: "Portworx cluster boston-k8s",
        model: "Portworx Enterprise",
        product_line: "portworx",
        serial: "PX-BOS-0002",
        program: "storage-classic",
        plan: "four-hour",
        software_version: "Portworx 3.1.6",
        contract_start: Day::FromSeeding(75 - 3 * 365),
        contract_end: Day::FromSeeding(75),
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "Contact center org acme-cx",
        model: "PureCloud Engage",
        product_line: "cloud_service",
        serial: "CX-ACME-0001",
        program: "contact-center",
        plan: "standard",
        software_version: "Cloud service (updated by the vendor)",
        contract_start: Day::On("2025-01-01"),
        contract_end: Day::On("2029-12-31"),
        connected: true,
    },
    DemoArray {
        site: "Acme Frankfurt DC",
        name: "FlashArray//C60 fra-backup-01",
        model: "FlashArray//C60R3",
        product_line: "array",
        serial: "PSC60-FRA-0003",
        program: "storage-classic",
        plan: "next-business-day",
        software_version: "Purity//FA 6.4.10",
        contract_start: Day::On("2023-07-01"),
        contract_end: Day::On("2029-06-30"),
        connected: false,
    },
    // Lapsed 40 days ago: still reinstatable (storage-7.1.3 allows six months), and the open-case
    // form offers no case for it.
    DemoArray {
        site: "Acme Frankfurt DC",
        name: "FlashArray//X20 fra-lab-02",
        model: "FlashArray//X20R4",
        product_line: "array",
        serial: "PSX20-FRA-0004",
        program: "storage-7.1.3",
        plan: "advanced",
        software_version: "Purity//FA 6.6.2",
        contract_start: Day::FromSeeding(-40 - 365),
        contract_end: Day::FromSeeding(-40),
        connected: true,
    },
    DemoArray {
        site: "Globex Tokyo DC",
        name: "FlashArray//X50 tokyo-prod-01",
        model: "FlashArray//X50R3",
        product_line: "array",
        serial: "PSX50-TYO-0001",
        program: "storage-classic",
        plan: "basic",
        software_version: "Purity//FA 6.5.6",
        contract_start: Day::On("2025-04-01"),
        contract_end: Day::On("2028-03-31"),
        connected: true,
    },
    // Test-bed arrays: the Remote Assist browser tests take one each (desktop, phone, no-JS), so
    // their sessions never collide when the projects run side by side on one database.
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-01",
        model: "FlashArray//X20R4",
        product_line: "array",
        serial: "PSX20-BOS-0011",
        program: "storage-7.1.3",
        plan: "premium",
        software_version: "Purity//FA 6.7.1",
        contract_start: Day::On("2025-01-01"),
        contract_end: Day::On("2029-12-31"),
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-02",
        model: "FlashArray//X20R4",
        product_line: "array",
        serial: "PSX20-BOS-0012",
        program: "storage-7.1.3",
        plan: "premium",
        software_version: "Purity//FA 6.7.1",
        contract_start: Day::On("2025-01-01"),
        contract_end: Day::On("2029-12-31"),
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-03",
        model: "FlashArray//X20R4",
        product_line: "array",
        serial: "PSX20-BOS-0013",
        program: "storage-7.1.3",
        plan: "premium",
        software_version: "Purity//FA 6.7.1",
        contract_start: Day::On("2025-01-01"),
        contract_end: Day::On("2029-12-31"),
        connected: true,
    },
];

/// Public holidays of the demo sites in the coming year (site-local dates).
const HOLIDAYS: &[(&str, &str, &str)] = &[
    ("Acme Boston DC", "2026-11-26", "Thanksgiving Day"),
    ("Acme Boston DC", "2026-12-25", "Christmas Day"),
    ("Acme Boston DC", "2027-01-01", "New Year's Day"),
    ("Acme Frankfurt DC", "2026-12-25", "Erster Weihnachtstag"),
    ("Acme Frankfurt DC", "2026-12-26", "Zweiter Weihnachtstag"),
    ("Acme Frankfurt DC", "2027-01-01", "Neujahr"),
    ("Globex Tokyo DC", "2027-01-01", "元日 (New Year's Day)"),
    (
        "Globex Tokyo DC",
        "2027-01-11",
        "成人の日 (Coming of Age Day)",
    ),
];

const ORGANIZATIONS: [&str; 2] = ["Acme Corp", "Globex"];

/// The ids given to named rows, in insert order.
#[derive(Default)]
pub(super) struct Names(Vec<(&'static str, String)>);

impl Names {
    /// The id of the named row; empty if there is none.
    pub fn id(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    }
}

pub(super) async fn insert_organizations(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<Names, DemoError> {
    let mut org_ids = Names::default();
    for org in ORGANIZATIONS {
        let id = new_id();
        sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(org)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        org_ids.0.push((org, id));
    }
    Ok(org_ids)
}

pub(super) async fn insert_sites(
    conn: &mut AnyConnection,
    orgs: &Names,
    now: i64,
) -> Result<Names, DemoError> {
    let mut site_ids = Names::default();
    for s in SITES {
        let id = new_id();
        sqlx::query(
            "INSERT INTO sites (id, organization_id, name, time_zone, address, bcs, six_hour_radius, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(orgs.id(s.organization))
        .bind(s.name)
        .bind(s.time_zone)
        .bind(s.address)
        .bind(s.bcs)
        .bind(s.six_hour_radius)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        site_ids.0.push((s.name, id));
    }
    Ok(site_ids)
}

pub(super) async fn insert_holidays(
    conn: &mut AnyConnection,
    sites: &Names,
) -> Result<(), DemoError> {
    for (site, day, name) in HOLIDAYS {
        sqlx::query("INSERT INTO site_holidays (site_id, day, name) VALUES ($1, $2, $3)")
            .bind(sites.id(site))
            .bind(*day)
            .bind(*name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn insert_arrays(
    conn: &mut AnyConnection,
    sites: &Names,
    now: i64,
) -> Result<(), DemoError> {
    let utc = ms_to_dt(now)?;
    for a in ARRAYS {
        // Counted from the site's own date: the page reads a contract in the site's zone, so
        // 'lapses in 75 days' must hold there whatever the UTC hour of seeding.
        let today = SITES
            .iter()
            .find(|s| s.name == a.site)
            .and_then(|s| s.time_zone.parse::<chrono_tz::Tz>().ok())
            .map_or(utc.date_naive(), |tz| utc.with_timezone(&tz).date_naive());
        sqlx::query(
            "INSERT INTO arrays (id, site_id, name, model, product_line, serial, program_id, plan_id, \
                                 software_version, contract_start, contract_end, connected, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(new_id())
        .bind(sites.id(a.site))
        .bind(a.name)
        .bind(a.model)
        .bind(a.product_line)
        .bind(a.serial)
        .bind(a.program)
        .bind(a.plan)
        .bind(a.software_version)
        .bind(a.contract_start.date(today))
        .bind(a.contract_end.date(today))
        .bind(a.connected)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The team alias and pager the support guides recommend, so the contacts page shows them.
pub(super) async fn insert_contact_settings(
    conn: &mut AnyConnection,
    orgs: &Names,
    now: i64,
) -> Result<(), DemoError> {
    sqlx::query(
        "INSERT INTO organization_contact_settings (organization_id, team_email, team_phone, preferred_hours, updated_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(orgs.id("Acme Corp"))
    .bind("storage-team@acme.example")
    .bind("+1 617 555 0142")
    .bind("Mon-Fri 08:00-18:00 Eastern")
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
