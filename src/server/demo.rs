//! Fixed demo data: the README and the tests rely on these names, logins and ids.
use crate::model::case::{case_number_label, CaseEventKind, CaseStatus};
use crate::server::cases;
use crate::server::ids::{new_id, now_ms};
use crate::server::password;
use crate::sla::ProgramSet;
use sqlx::{AnyConnection, AnyPool, Row};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error("background task failed: {0}")]
    Join(String),
    #[error(transparent)]
    Programs(#[from] crate::sla::SlaError),
    #[error("demo cases: {0}")]
    Cases(#[from] crate::model::AppError),
}

pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub organization: Option<&'static str>,
    /// Site at which the contact is designated (customers only).
    pub site: Option<&'static str>,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        email: "admin@acme.example",
        password: "acme-admin-demo",
        name: "Alice Admin",
        role: "admin",
        organization: Some("Acme Corp"),
        site: Some("Acme Boston DC"),
    },
    DemoLogin {
        email: "caller@acme.example",
        password: "acme-caller-demo",
        name: "Carl Caller",
        role: "authorized_caller",
        organization: Some("Acme Corp"),
        site: Some("Acme Boston DC"),
    },
    // With Carl, three of Acme Boston's five authorized callers; the backup contact is at the
    // admin's site, as the support guides require.
    DemoLogin {
        email: "dana@acme.example",
        password: "acme-dana-demo",
        name: "Dana Dispatch",
        role: "authorized_caller",
        organization: Some("Acme Corp"),
        site: Some("Acme Boston DC"),
    },
    DemoLogin {
        email: "eli@acme.example",
        password: "acme-eli-demo",
        name: "Eli Evening",
        role: "authorized_caller",
        organization: Some("Acme Corp"),
        site: Some("Acme Boston DC"),
    },
    DemoLogin {
        email: "backup@acme.example",
        password: "acme-backup-demo",
        name: "Bea Backup",
        role: "backup_contact",
        organization: Some("Acme Corp"),
        site: Some("Acme Boston DC"),
    },
    DemoLogin {
        email: "admin@globex.example",
        password: "globex-admin-demo",
        name: "Gina Globex",
        role: "admin",
        organization: Some("Globex"),
        site: Some("Globex Tokyo DC"),
    },
    DemoLogin {
        email: "engineer@support.example",
        password: "support-demo",
        name: "Sam Support",
        role: "support_engineer",
        organization: None,
        site: None,
    },
];

struct DemoSite {
    organization: &'static str,
    name: &'static str,
    time_zone: &'static str,
    address: &'static str,
    bcs: bool,
    six_hour_radius: bool,
}

const SITES: &[DemoSite] = &[
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

struct DemoArray {
    site: &'static str,
    name: &'static str,
    product_line: &'static str,
    serial: &'static str,
    program: &'static str,
    plan: &'static str,
    contract_end: &'static str,
    connected: bool,
}

const ARRAYS: &[DemoArray] = &[
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X70 boston-prod-01",
        product_line: "array",
        serial: "PSX70-BOS-0001",
        program: "storage-7.1.3",
        plan: "premium",
        contract_end: "2029-12-31",
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "Portworx cluster boston-k8s",
        product_line: "portworx",
        serial: "PX-BOS-0002",
        program: "storage-classic",
        plan: "four-hour",
        contract_end: "2029-12-31",
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "Contact center org acme-cx",
        product_line: "cloud_service",
        serial: "CX-ACME-0001",
        program: "contact-center",
        plan: "standard",
        contract_end: "2029-12-31",
        connected: true,
    },
    DemoArray {
        site: "Acme Frankfurt DC",
        name: "FlashArray//C60 fra-backup-01",
        product_line: "array",
        serial: "PSC60-FRA-0003",
        program: "storage-classic",
        plan: "next-business-day",
        contract_end: "2029-06-30",
        connected: false,
    },
    DemoArray {
        site: "Acme Frankfurt DC",
        name: "FlashArray//X20 fra-lab-02",
        product_line: "array",
        serial: "PSX20-FRA-0004",
        program: "storage-7.1.3",
        plan: "advanced",
        contract_end: "2026-06-30",
        connected: true,
    },
    DemoArray {
        site: "Globex Tokyo DC",
        name: "FlashArray//X50 tokyo-prod-01",
        product_line: "array",
        serial: "PSX50-TYO-0001",
        program: "storage-classic",
        plan: "basic",
        contract_end: "2028-03-31",
        connected: true,
    },
    // Test-bed arrays: the Remote Assist browser tests take one each (desktop, phone, no-JS), so
    // their sessions never collide when the projects run side by side on one database.
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-01",
        product_line: "array",
        serial: "PSX20-BOS-0011",
        program: "storage-7.1.3",
        plan: "premium",
        contract_end: "2029-12-31",
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-02",
        product_line: "array",
        serial: "PSX20-BOS-0012",
        program: "storage-7.1.3",
        plan: "premium",
        contract_end: "2029-12-31",
        connected: true,
    },
    DemoArray {
        site: "Acme Boston DC",
        name: "FlashArray//X20 boston-dev-03",
        product_line: "array",
        serial: "PSX20-BOS-0013",
        program: "storage-7.1.3",
        plan: "premium",
        contract_end: "2029-12-31",
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

/// True once the demo organizations exist, so start-up seeding runs only on a fresh database.
pub async fn is_seeded(pool: &AnyPool) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE name = 'Acme Corp'")
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// Inserts the demo data in one transaction; does nothing if it is already there.
pub async fn seed(pool: &AnyPool) -> Result<bool, DemoError> {
    if is_seeded(pool).await? {
        return Ok(false);
    }
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let mut hashes = Vec::new();
    for login in DEMO_LOGINS {
        let pw = login.password.to_string();
        let h = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await
            .map_err(|e| DemoError::Join(e.to_string()))??;
        hashes.push(h);
    }
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    let mut org_ids: Vec<(&str, String)> = Vec::new();
    for org in ["Acme Corp", "Globex"] {
        let id = new_id();
        sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(org)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        org_ids.push((org, id));
    }
    let org_id = |name: &str| {
        org_ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let mut site_ids: Vec<(&str, String)> = Vec::new();
    for s in SITES {
        let id = new_id();
        sqlx::query(
            "INSERT INTO sites (id, organization_id, name, time_zone, address, bcs, six_hour_radius, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(org_id(s.organization))
        .bind(s.name)
        .bind(s.time_zone)
        .bind(s.address)
        .bind(s.bcs)
        .bind(s.six_hour_radius)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        site_ids.push((s.name, id));
    }
    let site_id = |name: &str| {
        site_ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    for (site, day, name) in HOLIDAYS {
        sqlx::query("INSERT INTO site_holidays (site_id, day, name) VALUES ($1, $2, $3)")
            .bind(site_id(site))
            .bind(*day)
            .bind(*name)
            .execute(&mut *tx)
            .await?;
    }
    for a in ARRAYS {
        sqlx::query(
            "INSERT INTO arrays (id, site_id, name, product_line, serial, program_id, plan_id, contract_end, connected, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id())
        .bind(site_id(a.site))
        .bind(a.name)
        .bind(a.product_line)
        .bind(a.serial)
        .bind(a.program)
        .bind(a.plan)
        .bind(a.contract_end)
        .bind(a.connected)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for (login, hash) in DEMO_LOGINS.iter().zip(hashes) {
        let user_id = new_id();
        let tz = login
            .site
            .and_then(|s| SITES.iter().find(|d| d.name == s))
            .map(|d| d.time_zone)
            .unwrap_or("UTC");
        sqlx::query(
            "INSERT INTO users (id, organization_id, email, name, phone, time_zone, password_hash, role, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9)",
        )
        .bind(&user_id)
        .bind(login.organization.map(org_id))
        .bind(login.email)
        .bind(login.name)
        .bind("+1 555 0100")
        .bind(tz)
        .bind(hash)
        .bind(login.role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(site) = login.site {
            sqlx::query(
                "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(site_id(site))
            .bind(&user_id)
            .bind(login.role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    // The team alias and pager the support guides recommend, so the contacts page shows them.
    sqlx::query(
        "INSERT INTO organization_contact_settings (organization_id, team_email, team_phone, preferred_hours, updated_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org_id("Acme Corp"))
    .bind("storage-team@acme.example")
    .bind("+1 617 555 0142")
    .bind("Mon-Fri 08:00-18:00 Eastern")
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let programs = ProgramSet::builtin()?;
    seed_cases(&mut tx, &programs, now).await?;
    // Site logistics for Acme Boston and a few replacements on the demo cases.
    crate::server::replacements::seed_demo(&mut tx, &programs, now).await?;
    // The demo's history is not news: nobody is e-mailed about it and the bell starts at zero.
    sqlx::query("DELETE FROM outbox").execute(&mut *tx).await?;
    sqlx::query("UPDATE notifications SET read_at = created_at")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Who wrote a demo timeline entry.
#[derive(Clone, Copy)]
enum By {
    /// The person who opened the case.
    Opener,
    Engineer,
}

/// One timeline entry, `minutes` before now.
struct DemoEvent {
    minutes_ago: i64,
    kind: CaseEventKind,
    by: By,
    body: &'static str,
    /// New status or severity for changes; rating for surveys.
    value: Option<&'static str>,
}

const fn ev(
    minutes_ago: i64,
    kind: CaseEventKind,
    by: By,
    body: &'static str,
    value: Option<&'static str>,
) -> DemoEvent {
    DemoEvent {
        minutes_ago,
        kind,
        by,
        body,
        value,
    }
}

struct DemoCase {
    opener: &'static str,
    array: &'static str,
    severity: u8,
    subject: &'static str,
    description: &'static str,
    business_impact: &'static str,
    minutes_ago: i64,
    events: &'static [DemoEvent],
    /// Creates the root-cause-analysis follow-up, as the job would have.
    rca: bool,
}

use CaseEventKind as K;
const H: i64 = 60;
const D: i64 = 24 * 60;

/// About a dozen cases in every state, opened relative to now so the deadlines are live.
const CASES: &[DemoCase] = &[
    DemoCase {
        opener: "caller@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 2,
        subject: "Latency spikes on production volumes during backups",
        description: "Write latency rises above 20 ms every night between 01:00 and 03:00 while the backup jobs run.",
        business_impact: "Nightly batch jobs overrun into business hours.",
        minutes_ago: 12,
        events: &[],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Controller failover alert after maintenance",
        description: "An alert reported a controller failover at 06:10. The array is serving data but we want to understand why.",
        business_impact: "None so far; redundancy may be reduced.",
        minutes_ago: 3 * H,
        events: &[ev(2 * H, K::SeverityChange, By::Opener, "A second failover happened; we are running without redundancy.", Some("2"))],
        rca: false,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Replication lag to the DR site",
        description: "The replication lag to the DR array grows to 40 minutes during the day.",
        business_impact: "The recovery point objective of 15 minutes is not met.",
        minutes_ago: 2 * D,
        events: &[
            ev(2 * D - 40, K::SupportUpdate, By::Engineer, "Thanks, we are reviewing the replication statistics from the cloud connection.", None),
            ev(3 * H, K::InternalNote, By::Engineer, "Looks like WAN saturation; check with networking.", None),
            ev(3 * H, K::SupportUpdate, By::Engineer, "The link is saturated at peak hours. We suggest enabling replication throttling windows; details to follow.", None),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Portworx cluster boston-k8s",
        severity: 2,
        subject: "Portworx volume attach timeouts",
        description: "Pods stay in ContainerCreating: volume attach times out after 2 minutes on three nodes.",
        business_impact: "Two customer-facing services cannot scale out.",
        minutes_ago: 5 * H,
        events: &[ev(4 * H + 30, K::SupportUpdate, By::Engineer, "Please run pxctl status on the three nodes and attach the output.", None)],
        rca: false,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//C60 fra-backup-01",
        severity: 3,
        subject: "Backup window exceeded after firmware upgrade",
        description: "Since the upgrade last weekend the nightly backup takes 30% longer.",
        business_impact: "Backups end after 07:00.",
        minutes_ago: 3 * D,
        events: &[
            ev(3 * D - 90, K::SupportUpdate, By::Engineer, "We need the array's diagnostic bundle to compare before and after the upgrade.", None),
            ev(D, K::StatusChange, By::Engineer, "Waiting for the diagnostic bundle.", Some("waiting_on_customer")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 4,
        subject: "Question about call recording retention",
        description: "How long are call recordings kept by default, and can we change it per queue?",
        business_impact: "",
        minutes_ago: D + 3 * H,
        events: &[
            ev(D, K::SupportUpdate, By::Engineer, "Recordings are kept 90 days by default; retention can be set per queue under Quality > Policies.", None),
            ev(2 * H, K::StatusChange, By::Engineer, "Answered; please confirm.", Some("resolution_proposed")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 4,
        subject: "Agent dashboard shows the wrong time zone",
        description: "Agents in Boston see times in UTC on the dashboard.",
        business_impact: "",
        minutes_ago: 6 * D,
        events: &[
            ev(6 * D - 60, K::SupportUpdate, By::Engineer, "Could you send a screenshot of the user profile settings of an affected agent?", None),
            ev(6 * D - 59, K::StatusChange, By::Engineer, "", Some("waiting_on_customer")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 1,
        subject: "Inbound calls failing for all agents",
        description: "Since 14:05 every inbound call ends with a busy tone. Outbound calls work.",
        business_impact: "The customer service line is down for all customers.",
        minutes_ago: 3 * D,
        events: &[
            ev(3 * D - 6, K::SupportUpdate, By::Engineer, "Engineer assigned; we are on the bridge and looking at the trunk configuration.", None),
            ev(3 * D - 60, K::SupportUpdate, By::Engineer, "A carrier routing change caused the failure; it has been rolled back. Calls are flowing again.", None),
            ev(3 * D - 61, K::StatusChange, By::Engineer, "Service restored.", Some("resolution_proposed")),
            ev(2 * D, K::ResolutionConfirmed, By::Opener, "", Some("closed")),
            ev(2 * D - 5, K::Survey, By::Opener, "Fast response on the bridge, thank you.", Some("5")),
        ],
        rca: true,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Upgrade planning for the next Purity release",
        description: "We would like a recommended upgrade path and a maintenance window estimate.",
        business_impact: "",
        minutes_ago: 10 * D,
        events: &[
            ev(10 * D - 50, K::SupportUpdate, By::Engineer, "The recommended path and a checklist are attached to the knowledge article we sent.", None),
            ev(8 * D, K::StatusChange, By::Engineer, "", Some("resolution_proposed")),
            ev(7 * D, K::ResolutionConfirmed, By::Opener, "", Some("closed")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 2,
        subject: "Host connectivity lost on one iSCSI path",
        description: "Two ESXi hosts lost one of their two iSCSI paths to the array.",
        business_impact: "Running without path redundancy.",
        minutes_ago: 40,
        events: &[ev(10, K::SupportUpdate, By::Engineer, "We see the port flapping on CT1.ETH4; please check the switch port.", None)],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 3,
        subject: "Request for a performance report",
        description: "Please send the monthly performance report for the last quarter.",
        business_impact: "",
        minutes_ago: 5 * D,
        events: &[
            ev(5 * D - 100, K::SupportUpdate, By::Engineer, "The report is attached to this case.", None),
            ev(2 * D, K::StatusChange, By::Engineer, "Report delivered.", Some("closed")),
            ev(2 * D - 30, K::Survey, By::Opener, "", Some("4")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 4,
        subject: "Documentation request: SNMP MIB files",
        description: "Where can we download the SNMP MIB files for our monitoring system?",
        business_impact: "",
        minutes_ago: 60,
        events: &[],
        rca: false,
    },
];

async fn id_of(conn: &mut AnyConnection, sql: &str, key: &str) -> Result<String, DemoError> {
    Ok(sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(&mut *conn)
        .await?)
}

async fn seed_cases(
    conn: &mut AnyConnection,
    programs: &ProgramSet,
    now: i64,
) -> Result<(), DemoError> {
    let engineer = id_of(
        conn,
        "SELECT id FROM users WHERE email = $1",
        "engineer@support.example",
    )
    .await?;
    for c in CASES {
        let opener = id_of(conn, "SELECT id FROM users WHERE email = $1", c.opener).await?;
        let row = sqlx::query(
            "SELECT a.id, a.site_id, s.organization_id FROM arrays a JOIN sites s ON s.id = a.site_id \
             WHERE a.name = $1",
        )
        .bind(c.array)
        .fetch_one(&mut *conn)
        .await?;
        let array_id: String = row.try_get("id")?;
        let site_id: String = row.try_get("site_id")?;
        let org_id: String = row.try_get("organization_id")?;
        let id = new_id();
        let opened_at = now - c.minutes_ago * 60_000;
        let number = cases::next_case_number(conn).await?;
        let sev1 = c.severity == 1
            || c.events
                .iter()
                .any(|e| e.kind == K::SeverityChange && e.value == Some("1"));
        cases::insert_case(
            conn,
            &cases::CaseInsert {
                id: &id,
                number,
                organization_id: &org_id,
                site_id: &site_id,
                array_id: &array_id,
                opened_by: Some(&opener),
                subject: c.subject,
                description: c.description,
                business_impact: c.business_impact,
                severity: c.severity,
                sev1_contact_name: sev1.then_some("Nina Night"),
                sev1_contact_phone: sev1.then_some("+1 617 555 0199"),
                opened_at,
                opened_from_alert: false,
                rca_parent_case_id: None,
            },
        )
        .await?;
        let mut status = CaseStatus::New;
        let mut severity = c.severity.to_string();
        let mut closed_at = None;
        let mut close_reason = None;
        let mut last_at = opened_at;
        for e in c.events {
            let at = now - e.minutes_ago * 60_000;
            last_at = last_at.max(at);
            let actor = match e.by {
                By::Opener => Some(opener.as_str()),
                By::Engineer => Some(engineer.as_str()),
            };
            let mut new = cases::NewEvent::new(e.kind, actor, e.body);
            if e.kind.sets_status() {
                let to: CaseStatus = e.value.unwrap_or("new").parse()?;
                new = new.change(status.as_str(), to.as_str());
                status = to;
                closed_at = (to == CaseStatus::Closed).then_some(at);
                close_reason = match e.kind {
                    K::ResolutionConfirmed => Some("Resolution confirmed by the customer."),
                    _ => closed_at.map(|_| "Closed by support."),
                };
            } else if e.kind == K::SeverityChange {
                let to = e.value.unwrap_or("4").to_string();
                new = new.change(severity.clone(), to.clone());
                severity = to;
            } else {
                new.new_value = e.value.map(str::to_string);
            }
            if e.kind == K::SupportUpdate && status == CaseStatus::New {
                status = CaseStatus::InProgress;
            }
            if e.kind == K::Survey {
                sqlx::query(
                    "INSERT INTO case_surveys (case_id, rating, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&id)
                .bind(e.value.and_then(|v| v.parse::<i64>().ok()).unwrap_or(5))
                .bind(e.body)
                .bind(&opener)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            }
            cases::insert_event(conn, &id, at, new).await?;
        }
        sqlx::query(
            "UPDATE cases SET status = $2, severity = $3, closed_at = $4, close_reason = $5, \
                    updated_at = $6 WHERE id = $1",
        )
        .bind(&id)
        .bind(status.as_str())
        .bind(severity.parse::<i64>().unwrap_or(4))
        .bind(closed_at)
        .bind(close_reason)
        .bind(last_at)
        .execute(&mut *conn)
        .await?;
        let computed = cases::refresh(conn, programs, &id).await?;
        if c.rca {
            let at = computed
                .deadlines
                .restored_at
                .map(|t| t.timestamp_millis() + 30_000)
                .unwrap_or(now);
            let child = new_id();
            let child_number = cases::next_case_number(conn).await?;
            let subject = format!("Root cause analysis: {}", c.subject);
            let description = format!(
                "Follow-up of {} (Severity 1, resolved). Support delivers the root cause analysis here.",
                case_number_label(number)
            );
            cases::insert_case(
                conn,
                &cases::CaseInsert {
                    id: &child,
                    number: child_number,
                    organization_id: &org_id,
                    site_id: &site_id,
                    array_id: &array_id,
                    opened_by: None,
                    subject: &subject,
                    description: &description,
                    business_impact: "",
                    severity: computed
                        .deadlines
                        .rca_follow_up_severity
                        .map(|s| s.get())
                        .unwrap_or(3),
                    sev1_contact_name: None,
                    sev1_contact_phone: None,
                    opened_at: at,
                    opened_from_alert: false,
                    rca_parent_case_id: Some(&id),
                },
            )
            .await?;
            let mut e = cases::NewEvent::new(K::RcaCreated, None, "Root cause analysis follow-up.");
            e.new_value = Some(case_number_label(child_number));
            cases::insert_event(conn, &id, at, e).await?;
            let mut e = cases::NewEvent::new(K::RcaCreated, None, "Root cause analysis follow-up.");
            e.new_value = Some(case_number_label(number));
            cases::insert_event(conn, &child, at, e).await?;
            cases::refresh(conn, programs, &child).await?;
            cases::refresh(conn, programs, &id).await?;
        }
    }
    Ok(())
}
