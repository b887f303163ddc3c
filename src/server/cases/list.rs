//! The case list: the cases the user may see, filtered, sorted and paginated, in two statements
//! (count and page) built from the query.
use super::convert::opt_dt;
use super::queries::{CaseRow, CASE_SELECT};
use crate::model::case::{
    case_number_label, parse_case_number, CaseList, CaseListQuery, CaseSort, CaseSummary,
    StatusFilter, DUE_SOON_MINUTES,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{customer_org, staff};
use crate::server::db::ms_to_dt;
use crate::sla;
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyPool, FromRow};

/// A row of the list (and the header of the case page) from the cached deadlines.
pub(super) fn summary(row: &CaseRow, now: DateTime<Utc>) -> Result<CaseSummary, AppError> {
    let next_deadline = opt_dt(row.next_deadline_at)?;
    let breach = next_deadline
        .filter(|_| row.status.is_open())
        .map(|d| sla::breach_state(d, now, chrono::Duration::minutes(DUE_SOON_MINUTES)));
    Ok(CaseSummary {
        id: row.id.clone(),
        number: row.number,
        number_label: case_number_label(row.number),
        subject: row.subject.clone(),
        organization_id: row.organization_id.clone(),
        organization_name: row.organization_name.clone(),
        site_id: row.site_id.clone(),
        site_name: row.site_name.clone(),
        site_tz: row.time_zone.clone(),
        array_id: row.array_id.clone(),
        array_name: row.array_name.clone(),
        severity: u8::try_from(row.severity).unwrap_or(4),
        status: row.status,
        opened_at: ms_to_dt(row.opened_at)?,
        updated_at: ms_to_dt(row.updated_at)?,
        closed_at: opt_dt(row.closed_at)?,
        initial_response_due: opt_dt(row.initial_response_due_at)?,
        initial_response_met_at: opt_dt(row.initial_response_met_at)?,
        next_update_due: opt_dt(row.next_update_due_at)?,
        next_deadline,
        breach,
        is_rca: row.rca_parent_case_id.is_some(),
    })
}

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

/// The case list's two statements (count and page) and their arguments; the page's two
/// arguments (limit, offset) come last.
pub(crate) struct ListStatements {
    pub count_sql: String,
    pub list_sql: String,
    args: Vec<Arg>,
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

impl ListStatements {
    fn bind_all<'q>(&'q self, mut q: AnyQuery<'q>, with_page: bool) -> AnyQuery<'q> {
        let n = if with_page {
            self.args.len()
        } else {
            self.args.len() - 2
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
        for (sql, with_page) in [(&self.count_sql, false), (&self.list_sql, true)] {
            out.push(format!("-- {sql}"));
            let explain = if postgres {
                format!("EXPLAIN {sql}")
            } else {
                format!("EXPLAIN QUERY PLAN {sql}")
            };
            let rows = self
                .bind_all(sqlx::query(&explain), with_page)
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

/// The cases the user may see, filtered, sorted and paginated.
pub async fn list_cases(
    pool: &AnyPool,
    user: &CurrentUser,
    query: &CaseListQuery,
) -> Result<CaseList, AppError> {
    let statements = list_statements(user, query)?;
    let total: i64 = statements
        .bind_all(sqlx::query(&statements.count_sql), false)
        .fetch_one(pool)
        .await
        .and_then(|r| sqlx::Row::try_get(&r, 0))?;
    let rows = statements
        .bind_all(sqlx::query(&statements.list_sql), true)
        .fetch_all(pool)
        .await?;
    let now = Utc::now();
    let rows = rows
        .iter()
        .map(|r| summary(&CaseRow::from_row(r)?, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseList {
        rows,
        now,
        total,
        page: query.page.max(1),
        page_size: query.page_size.clamp(1, 100),
    })
}

pub(crate) fn list_statements(
    user: &CurrentUser,
    query: &CaseListQuery,
) -> Result<ListStatements, AppError> {
    let mut args: Vec<Arg> = Vec::new();
    let conds = conditions(user, query, &mut args)?;
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let order = order_by(query.sort);
    let page_size = query.page_size.clamp(1, 100);
    let page = query.page.max(1);
    let limit = arg(&mut args, Arg::Int(i64::from(page_size)));
    let offset = arg(
        &mut args,
        Arg::Int(i64::from(page - 1) * i64::from(page_size)),
    );

    let count_sql = format!("SELECT COUNT(*) FROM cases c{where_sql}");
    let list_sql =
        format!("{CASE_SELECT}{where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    Ok(ListStatements {
        count_sql,
        list_sql,
        args,
    })
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
        StatusFilter::Open => conds.push("c.status <> 'closed'".into()),
        StatusFilter::Closed => conds.push("c.status = 'closed'".into()),
        StatusFilter::All => {}
        StatusFilter::Only(s) => {
            let p = arg(args, Arg::Text(s.as_str().into()));
            conds.push(format!("c.status = {p}"));
        }
    }
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

fn order_by(sort: CaseSort) -> String {
    // Cases without a pending deadline sort after those with one, on both backends. The
    // partial indexes of migration 0009 are built on this very expression: keep them in step.
    let by_deadline =
        "CASE WHEN c.next_deadline_at IS NULL THEN 1 ELSE 0 END, c.next_deadline_at, c.number";
    match sort {
        CaseSort::NextDeadline => by_deadline.to_string(),
        CaseSort::OpenedDesc => "c.opened_at DESC, c.number DESC".to_string(),
        CaseSort::Severity => format!("c.severity, {by_deadline}"),
    }
}
