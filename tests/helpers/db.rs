//! Test databases on both backends: a fresh SQLite file, and (when `PORTAL_TEST_POSTGRES_URL`
//! points at a server, as `make test` arranges) a fresh PostgreSQL database per test.
use portal::server::state::{AppState, SessionConfig};
use portal::server::{db, demo};
use sqlx::AnyPool;

pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    pub pool: AnyPool,
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", portal::server::ids::new_id())
}

/// Every backend the tests must pass on. In CI a missing PostgreSQL is a failure, not a skip.
pub async fn backends() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    if let Some(url) = postgres_admin_url() {
        out.push(postgres(&url).await);
    }
    out
}

/// The shared PostgreSQL server of `make test`, or `None` outside CI when it is not set.
/// In CI a missing PostgreSQL is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("PORTAL_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the tests on PostgreSQL too (set PORTAL_TEST_POSTGRES_URL)"
            );
            eprintln!(
                "PORTAL_TEST_POSTGRES_URL not set: PostgreSQL tests not run (make test sets it)"
            );
            None
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(unique("portal-test"));
    let url = format!("sqlite://{}/portal.db", dir.display());
    let pool = db::connect(&url, 8).await.expect("sqlite pool");
    db::migrate(&pool).await.expect("migrate sqlite");
    TestDb {
        backend: "sqlite",
        url,
        pool,
    }
}

/// A fresh, migrated database on the PostgreSQL server at `admin_url`.
pub async fn postgres(admin_url: &str) -> TestDb {
    let url = fresh_postgres_db(admin_url).await;
    let pool = db::connect(&url, 8).await.expect("postgres pool");
    db::migrate(&pool).await.expect("migrate postgres");
    TestDb {
        backend: "postgres",
        url,
        pool,
    }
}

/// A fresh, empty database on the PostgreSQL server at `admin_url`; returns its URL.
pub async fn fresh_postgres_db(admin_url: &str) -> String {
    let admin = db::connect(admin_url, 1)
        .await
        .expect("postgres admin pool");
    let name = unique("t");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

pub async fn seeded() -> Vec<TestDb> {
    let dbs = backends().await;
    for d in &dbs {
        demo::seed(&d.pool).await.expect("seed demo");
    }
    dbs
}

pub fn state(pool: AnyPool) -> AppState {
    let leptos_options = leptos::config::LeptosOptions::builder()
        .output_name("portal")
        .build();
    AppState {
        leptos_options,
        pool,
        // The demo's world as `--demo` serves it: its engineer signs in with the published
        // password alone. `tests/db/second_factor.rs` checks the required path.
        sessions: SessionConfig {
            staff_second_factor: false,
            ..SessionConfig::default()
        },
        attachments: portal::server::attachments::AttachmentConfig {
            dir: std::env::temp_dir().join(unique("portal-attachments")),
            ..Default::default()
        },
        programs: std::sync::Arc::new(
            portal::sla::ProgramSet::builtin().expect("built-in programs are valid"),
        ),
        trusted_proxies: Default::default(),
        http: Default::default(),
        metrics_token: None,
    }
}

/// The id of a demo array, by its name.
pub async fn array_id(pool: &AnyPool, name: &str) -> String {
    sqlx::query_scalar("SELECT id FROM arrays WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("demo array")
}

/// A demo person as the server would see them once signed in.
pub async fn user(pool: &AnyPool, email: &str) -> portal::model::CurrentUser {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role, u.organization_id, o.name AS org_name \
         FROM users u LEFT JOIN organizations o ON o.id = u.organization_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .expect("demo user");
    let role: String = row.get("role");
    portal::model::CurrentUser {
        id: row.get("id"),
        email: row.get("email"),
        name: row.get("name"),
        role: role.parse().expect("role"),
        organization_id: row.get("organization_id"),
        organization_name: row.get("org_name"),
        second_factor_missing: false,
    }
}
