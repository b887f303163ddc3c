use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

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
            Err(DbError::UnsupportedUrl(redacted_url(url)))
        }
    }
}

/// The URL for messages and logs: a password in its user part or in a `password=` parameter is
/// replaced by `***`. Where the URL is ambiguous it hides more, never less.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return redacted_query(url);
    };
    // The last `@` ends the user part even when the password holds `@`, `/` or `?` unescaped.
    let rest = match rest.rfind('@') {
        Some(at) => {
            let (user_part, host_on) = rest.split_at(at);
            match user_part.split_once(':') {
                Some((user, _password)) => format!("{user}:***{host_on}"),
                None => rest.to_string(),
            }
        }
        None => rest.to_string(),
    };
    format!("{scheme}://{}", redacted_query(&rest))
}

fn redacted_query(url: &str) -> String {
    let Some((before, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.to_ascii_lowercase().contains("password") => {
                format!("{key}=***")
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{before}?{}", pairs.join("&"))
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

/// Keeps SQLite's planner statistics current (PostgreSQL's autovacuum does this itself).
/// Without them SQLite guesses, and guessed wrong where it matters: it counted a customer's
/// open cases by scanning every case of the organization (a full covering index) instead of the
/// open-only one, 46 ms instead of under 1 at 100,000 cases. `optimize` analyses only tables
/// whose statistics are missing or stale, a bounded sample each (`analysis_limit`), so running
/// it at start-up and from the periodic jobs costs little.
pub async fn refresh_statistics(pool: &AnyPool) -> Result<(), DbError> {
    let url = pool.connect_options().database_url.to_string();
    if Backend::of_url(&url)? == Backend::Sqlite {
        let mut conn = pool.acquire().await?;
        conn.execute("PRAGMA analysis_limit = 1000").await?;
        conn.execute("PRAGMA optimize = 0x10002").await?;
    }
    Ok(())
}

pub async fn migrate(pool: &AnyPool) -> Result<(), DbError> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

// ---- One writer at a time per SQLite file ----

/// The write gate of one SQLite database file: SQLite lets one transaction write at a time, and
/// a second writer sleeps in its busy handler (`busy_timeout` polls with sleeps of up to 100 ms),
/// which under load turns into long tail latencies. Writers of this process queue on this fair
/// async lock instead, each starting the moment the previous one committed.
type Gate = Arc<AsyncMutex<()>>;

#[derive(Default)]
struct Gates {
    /// By the pool's URL (the fast path) and by the file it names, so that every pool on one file
    /// shares one gate however its URL is spelt.
    by_url: HashMap<String, Gate>,
    by_file: HashMap<PathBuf, Gate>,
}

fn gates() -> &'static Mutex<Gates> {
    static GATES: OnceLock<Mutex<Gates>> = OnceLock::new();
    GATES.get_or_init(Default::default)
}

/// The file a SQLite URL names, as `sqlx` reads it (`sqlite:` or `sqlite://`, up to `?`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    let path = percent_decoded(path);
    let path = PathBuf::from(path);
    // After `connect` the file exists; the canonical path makes `a/../b.db` and `b.db` one file.
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The write gate of the pool's database: `None` on PostgreSQL, whose row locks let writers of
/// different rows run at once.
fn write_gate(pool: &AnyPool) -> Option<Gate> {
    let options = pool.connect_options();
    let url = options.database_url.as_str();
    if !url.starts_with("sqlite:") {
        return None;
    }
    let mut gates = gates().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(g) = gates.by_url.get(url) {
        return Some(g.clone());
    }
    let file = sqlite_file(url)?;
    let gate = gates.by_file.entry(file).or_default().clone();
    gates.by_url.insert(url.to_string(), gate.clone());
    Some(gate)
}

/// A write transaction, holding its database's write gate (SQLite) until it commits or is
/// dropped. Derefs to the connection, so `&mut *tx` and `&mut tx` work as with a `Transaction`.
///
/// Rules that keep the gate from deadlocking: the gate is always taken before a connection
/// (`begin_write` does both), so never call `begin_write` while holding a connection of the
/// same pool, and never inside another write transaction (the gate is not reentrant).
pub struct WriteTx {
    tx: Option<Transaction<'static, Any>>,
    gate: Option<OwnedMutexGuard<()>>,
}

/// Takes the write gate (SQLite only), then a connection, and begins a transaction. Waiting for
/// the gate counts against the pool's acquire timeout: a writer that waits longer gets
/// `PoolTimedOut` (503), as it would waiting for a connection.
pub async fn begin_write(pool: &AnyPool) -> Result<WriteTx, sqlx::Error> {
    let gate = acquire_gate(pool).await?;
    let tx = pool.begin().await?;
    Ok(WriteTx { tx: Some(tx), gate })
}

/// The pool's write gate, held (`None` on PostgreSQL), within the pool's acquire timeout.
async fn acquire_gate(pool: &AnyPool) -> Result<Option<OwnedMutexGuard<()>>, sqlx::Error> {
    let Some(gate) = write_gate(pool) else {
        return Ok(None);
    };
    let wait = pool.options().get_acquire_timeout();
    tokio::time::timeout(wait, gate.lock_owned())
        .await
        .map(Some)
        .map_err(|_| sqlx::Error::PoolTimedOut)
}

/// One write statement on its own (autocommit), queued behind the write gate like a write
/// transaction, for the small writes of read paths (a session's last-seen time, a sign-out).
pub async fn execute_gated<'q>(
    pool: &AnyPool,
    query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    let _gate = acquire_gate(pool).await?;
    query.execute(pool).await
}

impl WriteTx {
    /// Whether this transaction holds a write gate (it runs on SQLite).
    pub fn is_gated(&self) -> bool {
        self.gate.is_some()
    }

    /// Commits, then lets the next writer in.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let tx = self.tx.take().expect("a write transaction commits once");
        let result = tx.commit().await;
        drop(self.gate.take());
        result
    }

    fn tx(&self) -> &Transaction<'static, Any> {
        self.tx.as_ref().expect("an open write transaction")
    }

    fn tx_mut(&mut self) -> &mut Transaction<'static, Any> {
        self.tx.as_mut().expect("an open write transaction")
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.tx()
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.tx_mut()
    }
}

impl Drop for WriteTx {
    /// An abandoned transaction (an error, a cancelled request) rolls back. `sqlx` only queues
    /// that rollback on the connection; the gate is released once it has run, so the next writer
    /// never finds the write lock still held and sleeps in the busy handler.
    fn drop(&mut self) {
        let (Some(tx), Some(gate)) = (self.tx.take(), self.gate.take()) else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rollback of an abandoned write failed");
                    }
                    drop(gate);
                });
            }
            Err(_) => {
                drop(tx);
                drop(gate);
            }
        }
    }
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
        // The refusal is printed: not with the password.
        let e = Backend::of_url("mysql://app:s3cret@db:3306/portal").expect_err("refused");
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("app:***@db:3306/portal"), "{e}");
    }

    #[test]
    fn redacted_urls_keep_everything_but_the_password() {
        for (url, want) in [
            (
                "postgres://portal:s3cret@db.internal:5432/portal",
                "postgres://portal:***@db.internal:5432/portal",
            ),
            // Unescaped `@`, `/` and `?` in the password still end up hidden.
            ("postgres://u:s3@c/r?et@h/db", "postgres://u:***@h/db"),
            (
                "postgresql://u@h/db?sslmode=require&password=s3cret",
                "postgresql://u@h/db?sslmode=require&password=***",
            ),
            (
                "postgres://h/db?user=u&PASSWORD=s3cret&sslpassword=s3cret",
                "postgres://h/db?user=u&PASSWORD=***&sslpassword=***",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("sqlite://data/portal.db", "sqlite://data/portal.db"),
            (
                "sqlite://data/a@b.db?mode=rwc",
                "sqlite://data/a@b.db?mode=rwc",
            ),
        ] {
            let got = redacted_url(url);
            assert_eq!(got, want, "{url}");
            if url.contains("s3") && url.contains("://") {
                assert!(!got.contains("s3"), "{url} -> {got}");
            }
        }
    }
}
