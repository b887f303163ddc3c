//! The demo logins: the README and the tests sign in with these.
use super::world::{Names, SITES};
use super::DemoError;
use crate::server::ids::new_id;
use crate::server::password;
use sqlx::AnyConnection;

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

/// The demo passwords' hashes, in `DEMO_LOGINS` order. Hashed before the seeding transaction
/// opens: argon2 is slow and must not hold the write lock.
pub(super) async fn hash_passwords() -> Result<Vec<String>, DemoError> {
    let mut hashes = Vec::new();
    for login in DEMO_LOGINS {
        let pw = login.password.to_string();
        let h = tokio::task::spawn_blocking(move || password::hash(&pw))
            .await
            .map_err(|e| DemoError::Join(e.to_string()))??;
        hashes.push(h);
    }
    Ok(hashes)
}

/// Each login's user and, for customers, its designation at its site.
pub(super) async fn insert_users(
    conn: &mut AnyConnection,
    orgs: &Names,
    sites: &Names,
    hashes: Vec<String>,
    now: i64,
) -> Result<(), DemoError> {
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
        .bind(login.organization.map(|o| orgs.id(o)))
        .bind(login.email)
        .bind(login.name)
        .bind("+1 555 0100")
        .bind(tz)
        .bind(hash)
        .bind(login.role)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if let Some(site) = login.site {
            sqlx::query(
                "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(sites.id(site))
            .bind(&user_id)
            .bind(login.role)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
