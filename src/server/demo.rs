//! Fixed demo data: the README and the tests rely on these names, logins and ids.
use crate::server::ids::{new_id, now_ms};
use crate::server::password;
use sqlx::AnyPool;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error("background task failed: {0}")]
    Join(String),
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
    let mut tx = pool.begin().await?;
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
    tx.commit().await?;
    Ok(true)
}
