//! Fixed demo data: the README and the tests rely on these names, logins and ids. The bench's
//! long history (`bench`) lives here too: demo and bench data, nowhere else.
use crate::server::ids::now_ms;
use crate::server::password;
use crate::sla::ProgramSet;
use sqlx::AnyPool;

pub mod bench;
mod case_data;
mod cases;
mod logins;
mod replacements;
mod world;

pub use logins::{DemoLogin, DEMO_LOGINS};

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
    #[error(
        "refusing to seed demo data: the database already holds {0} organization(s) of its own; \
         the demo needs a database of its own (unset PORTAL_DEMO / --demo, or point DATABASE_URL elsewhere)"
    )]
    NotADemoDatabase(i64),
}

/// True once the demo organizations exist, so start-up seeding runs only on a fresh database.
pub async fn is_seeded(pool: &AnyPool) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE name = 'Acme Corp'")
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// Inserts the demo data in one transaction; does nothing if it is already there, and refuses a
/// database that holds anyone else's organizations: demo logins (one of them sees every
/// organization, its password is in the README) must never land beside real customers.
pub async fn seed(pool: &AnyPool) -> Result<bool, DemoError> {
    if is_seeded(pool).await? {
        return Ok(false);
    }
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(pool)
        .await?;
    if others > 0 {
        return Err(DemoError::NotADemoDatabase(others));
    }
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let hashes = logins::hash_passwords().await?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    let orgs = world::insert_organizations(&mut tx, now).await?;
    let sites = world::insert_sites(&mut tx, &orgs, now).await?;
    world::insert_holidays(&mut tx, &sites).await?;
    world::insert_arrays(&mut tx, &sites, now).await?;
    logins::insert_users(&mut tx, &orgs, &sites, hashes, now).await?;
    world::insert_contact_settings(&mut tx, &orgs, now).await?;
    let programs = ProgramSet::builtin()?;
    cases::seed_cases(&mut tx, &programs, now).await?;
    // Site logistics for Acme Boston and a few replacements on the demo cases.
    replacements::seed_demo(&mut tx, &programs, now).await?;
    // The demo's history is not news: nobody is e-mailed about it and the bell starts at zero.
    sqlx::query("DELETE FROM outbox").execute(&mut *tx).await?;
    sqlx::query("UPDATE notifications SET read_at = created_at")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
