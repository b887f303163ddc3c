use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres: (got {0:?})")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_string()))
        }
    }
}

/// Opens a pool on either backend. SQLite gets WAL (readers never block the writer), foreign
/// keys (off by default in SQLite) and a busy timeout so concurrent writers wait instead of failing.
pub async fn connect(url: &str, max_connections: u32) -> Result<AnyPool, DbError> {
    connect_with_timeout(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// How long a request waits for a connection (the database is down or the pool is busy) before
/// it fails with `Unavailable` (503).
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// `connect` with the time a request may wait for a connection.
pub async fn connect_with_timeout(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<AnyPool, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let url = if backend == Backend::Sqlite {
        prepare_sqlite_url(url)?
    } else {
        url.to_string()
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    if backend == Backend::Sqlite {
        pool.execute("PRAGMA journal_mode = WAL").await?;
    }
    Ok(pool)
}

/// Creates the file's folder and asks SQLite to create the file itself (`mode=rwc`), so that
/// `make run` works on a fresh clone with no set-up.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => format!("sqlite://{path}?{q}"),
        Some(q) => format!("sqlite://{path}?{q}&mode=rwc"),
        None => format!("sqlite://{path}?mode=rwc"),
    })
}

pub async fn migrate(pool: &AnyPool) -> Result<(), DbError> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// A column of a row, with the database error mapped for the user.
pub fn col<'r, T>(row: &'r sqlx::any::AnyRow, name: &str) -> Result<T, crate::model::AppError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get::<T, _>(name)
        .map_err(crate::server::auth::map_db)
}

/// A stored instant (milliseconds since the epoch, UTC).
pub fn ms_to_dt(ms: i64) -> Result<chrono::DateTime<chrono::Utc>, crate::model::AppError> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| crate::model::AppError::Internal(format!("instant out of range: {ms}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("portal-db-test-{}", std::process::id()));
        let url = format!("sqlite://{}/x/portal.db", dir.display());
        let out = prepare_sqlite_url(&url).expect("prepared");
        assert!(out.ends_with("/x/portal.db?mode=rwc"), "{out}");
        assert!(dir.join("x").is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn unknown_scheme_is_refused() {
        assert!(matches!(
            Backend::of_url("mysql://x"),
            Err(DbError::UnsupportedUrl(_))
        ));
    }
}
