//! Row counts of every table, to check that a refused or malformed request stores nothing.
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

/// One query that counts the rows of every table of `backend` ("sqlite" or "postgres") but
/// sqlx's own and the ones in `except`: what a refused request may legitimately touch, which
/// differs by test (sign-in bookkeeping always; the alert API's per-minute counter only where
/// a valid token is refused).
pub async fn counting_query(pool: &AnyPool, backend: &str, except: &[&str]) -> String {
    let list = if backend == "postgres" {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name"
    };
    let names: Vec<String> = sqlx::query(list)
        .fetch_all(pool)
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .filter(|n| !n.starts_with("_sqlx") && !except.contains(&n.as_str()))
        .collect();
    assert!(names.len() > 20, "{backend} tables: {names:?}");
    names
        .iter()
        .map(|n| format!("SELECT '{n}' AS name, CAST(COUNT(*) AS BIGINT) AS n FROM {n}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Runs a query of [`counting_query`]: rows by table.
pub async fn table_counts(pool: &AnyPool, query: &str) -> BTreeMap<String, i64> {
    sqlx::query(query)
        .fetch_all(pool)
        .await
        .expect("counts")
        .iter()
        .map(|r| (r.get::<String, _>("name"), r.get::<i64, _>("n")))
        .collect()
}
