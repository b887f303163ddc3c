//! `portal backup PATH`: an online, consistent copy of the SQLite database.
//!
//! `VACUUM INTO` reads the database inside one read transaction, so the copy is a snapshot
//! even while the portal writes (WAL mode lets the writer go on), and the result is a plain,
//! compacted database file that `DATABASE_URL=sqlite://PATH` opens as it is. PostgreSQL has
//! its own tools for this (pg_dump), which know about its roles and extensions.
use crate::server::db::Backend;
use sqlx::AnyPool;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file name")]
    Exists(String),
    #[error(
        "backup copies a SQLite database; for PostgreSQL run \
         `pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"` (restore with pg_restore)"
    )]
    Postgres,
    #[error("the backup path is not valid UTF-8")]
    Path,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Url(#[from] crate::server::db::DbError),
}

/// Copies the database at `database_url` (already opened as `pool`) to `target`.
pub async fn backup(pool: &AnyPool, database_url: &str, target: &Path) -> Result<u64, BackupError> {
    if Backend::of_url(database_url)? != Backend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if target.exists() {
        return Err(BackupError::Exists(target.display().to_string()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    let path = target.to_str().ok_or(BackupError::Path)?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(std::fs::metadata(target).map(|m| m.len()).unwrap_or(0))
}
