//! The case list's statements: a capped count and one page, read in index order from a
//! position (keyset paging), for every filter and sort. Migration 0016 has an index in each
//! sort's order; keep `sort_columns` and those indexes in step. Support's "mine" and
//! "unassigned" views read migration 0017's indexes, which put the owner before those columns.
use crate::model::case::{
    parse_case_number, CaseListQuery, CaseSort, Cursor, OwnerFilter, StatusFilter, COUNT_CAP,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{customer_org, staff};
use sqlx::{Any, AnyPool, FromRow};

use super::queries::CASE_SELECT;

enum Arg {
    Text(String),
    Int(i64),
}

/// `%`, `_` and the escape character itself match literally.
fn like_pattern(search: &str) -> String {
    let mut p = String::with_capacity(search.len() + 2);
    p.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The sort keys of the row a page continues from.
#[derive(Debug, FromRow)]
pub(crate) struct KeyRow {
    number: i64,
    due_key: i64,
    opened_at: i64,
    severity: i64,
}

/// The row a cursor names, if the user may see it; a foreign or unknown number starts the
/// list from its beginning (nothing about the other case shows).
pub(crate) async fn cursor_row(
    pool: &AnyPool,
    user: &CurrentUser,
    cursor: Option<Cursor>,
) -> Result<Option<KeyRow>, AppError> {
    let Some(Cursor::After(n) | Cursor::Before(n)) = cursor else {
        return Ok(None);
    };
    let sql = "SELECT number, due_key, opened_at, severity FROM cases \
               WHERE number = $1 AND ($2 = '' OR organization_id = $2)";
    let org = if staff(user) { "" } else { customer_org(user)? };
    Ok(sqlx::query_as(sql)
        .bind(n)
        .bind(org)
        .fetch_optional(pool)
        .await?)
}

/// The columns of each sort, most significant first, and whether it runs newest first.
fn sort_columns(sort: CaseSort) -> (&'static [&'static str], bool) {
    match sort {
        // Cases without a pending deadline have the largest `due_key`: they come last.
        CaseSort::NextDeadline => (&["c.due_key", "c.number"], false),
        CaseSort::OpenedDesc => (&["c.opened_at", "c.number"], true),
        CaseSort::Severity => (&["c.severity", "c.due_key", "c.number"], false),
    }
}

fn key_values(sort: CaseSort, k: &KeyRow) -> Vec<i64> {
    match sort {
        CaseSort::NextDeadline => vec![k.due_key, k.number],
        CaseSort::OpenedDesc => vec![k.opened_at, k.number],
        CaseSort::Severity => vec![k.severity, k.due_key, k.number],
    }
}

/// The case list's two statements and their arguments: the filter's first (the count binds
/// only those), then the position's.
pub(crate) struct ListStatements {
    pub count_sql: String,
    pub list_sql: String,
    args: Vec<Arg>,
    filter_args: usize,
    /// A page before a position is read backwards; its rows come in reverse order.
    pub reversed: bool,
    /// Rows asked for: one more than a page, to know whether another follows.
    pub limit: usize,
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

impl ListStatements {
    pub(super) fn bind_all<'q>(&'q self, mut q: AnyQuery<'q>, list: bool) -> AnyQuery<'q> {
        let n = if list {
            self.args.len()
        } else {
            self.filter_args
        };
        for a in &self.args[..n] {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(n) => q.bind(*n),
            };
        }
        q
    }

    /// The database's plan for each statement (SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
    /// `EXPLAIN`), one line per step, for the benchmark report.
    pub async fn explain(&self, pool: &AnyPool, postgres: bool) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        for (sql, list) in [(&self.count_sql, false), (&self.list_sql, true)] {
            out.push(format!("-- {sql}"));
            let explain = if postgres {
                format!("EXPLAIN {sql}")
            } else {
                format!("EXPLAIN QUERY PLAN {sql}")
            };
            let rows = self
                .bind_all(sqlx::query(&explain), list)
                .fetch_all(pool)
                .await?;
            for r in rows {
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                use sqlx::Row;
                let line: String = r.try_get("detail").or_else(|_| r.try_get(0))?;
                out.push(line);
            }
        }
        Ok(out)
    }
}

/// The statements for this query, continuing from `from` (the cursor's row) when given.
pub(crate) fn list_statements(
    user: &CurrentUser,
    query: &CaseListQuery,
    from: Option<&Position<'_>>,
) -> Result<ListStatements, AppError> {
    let mut args: Vec<Arg> = Vec::new();
    let mut conds = conditions(user, query, &mut args)?;
    let filter_args = args.len();
    let where_filter = where_clause(&conds);
    let (columns, descending) = sort_columns(query.sort);
    let reversed = matches!(from, Some(Position { before: true, .. }));
    if let Some(k) = from {
        let placeholders: Vec<String> = key_values(query.sort, k.row)
            .into_iter()
            .map(|v| arg(&mut args, Arg::Int(v)))
            .collect();
        // Forward in an ascending order means greater; backwards or newest first flips it.
        let op = if descending != k.before { "<" } else { ">" };
        conds.push(format!(
            "({}) {op} ({})",
            columns.join(", "),
            placeholders.join(", ")
        ));
    }
    let ascending = descending == reversed;
    let dir = if ascending { "" } else { " DESC" };
    let order = columns
        .iter()
        .map(|c| format!("{c}{dir}"))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = query.page_size.clamp(1, 100) as usize + 1;
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM cases c{where_filter} LIMIT {}) n",
        COUNT_CAP + 1
    );
    let list_sql = format!(
        "{CASE_SELECT}{} ORDER BY {order} LIMIT {limit}",
        where_clause(&conds)
    );
    Ok(ListStatements {
        count_sql,
        list_sql,
        args,
        filter_args,
        reversed,
        limit,
    })
}

/// Where a page starts: the cursor's row, and whether the page comes before it.
pub(crate) struct Position<'a> {
    pub row: &'a KeyRow,
    pub before: bool,
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// Adds an argument; returns its placeholder.
fn arg(args: &mut Vec<Arg>, a: Arg) -> String {
    args.push(a);
    format!("${}", args.len())
}

/// The filter's conditions, their arguments added to `args` in placeholder order.
fn conditions(
    user: &CurrentUser,
    query: &CaseListQuery,
    args: &mut Vec<Arg>,
) -> Result<Vec<String>, AppError> {
    let mut conds: Vec<String> = Vec::new();
    if !staff(user) {
        let org = customer_org(user)?;
        let p = arg(args, Arg::Text(org.to_string()));
        conds.push(format!("c.organization_id = {p}"));
    }
    match query.status {
        // Exactly the partial indexes' predicate, so the planner may use them.
        StatusFilter::Open => conds.push("c.status <> 'closed'".into()),
        StatusFilter::Closed => conds.push("c.status = 'closed'".into()),
        StatusFilter::All => {}
        StatusFilter::Only(s) => {
            let p = arg(args, Arg::Text(s.as_str().into()));
            conds.push(format!("c.status = {p}"));
        }
    }
    owner_condition(user, query.owner, args, &mut conds)?;
    if let Some(sev) = query.severity {
        let p = arg(args, Arg::Int(i64::from(sev)));
        conds.push(format!("c.severity = {p}"));
    }
    if let Some(site) = &query.site_id {
        let p = arg(args, Arg::Text(site.clone()));
        conds.push(format!("c.site_id = {p}"));
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let p = arg(args, Arg::Text(like_pattern(search)));
        let mut cond = format!("LOWER(c.subject) LIKE {p} ESCAPE '\\'");
        if let Some(n) = parse_case_number(search) {
            let q = arg(args, Arg::Int(n));
            cond = format!("({cond} OR c.number = {q})");
        }
        conds.push(cond);
    }
    Ok(conds)
}

/// Support's queue by owner. An equality (or IS NULL) on the owner before the sort's columns
/// keeps the view in index order (migration 0017). Customers have no such filter.
fn owner_condition(
    user: &CurrentUser,
    owner: OwnerFilter,
    args: &mut Vec<Arg>,
    conds: &mut Vec<String>,
) -> Result<(), AppError> {
    if owner != OwnerFilter::Anyone && !staff(user) {
        return Err(AppError::invalid(
            "owner",
            "Only support filters cases by their engineer.",
        ));
    }
    match owner {
        OwnerFilter::Anyone => {}
        OwnerFilter::Mine => {
            let p = arg(args, Arg::Text(user.id.clone()));
            conds.push(format!("c.owner_id = {p}"));
        }
        OwnerFilter::Unassigned => conds.push("c.owner_id IS NULL".into()),
    }
    Ok(())
}
