//! The case list: the cases the user may see, filtered, sorted, a page at a time (the
//! statements are `list_sql`'s).
use super::convert::opt_dt;
use super::list_sql::{cursor_row, list_statements, Position};
use super::queries::CaseRow;
use crate::model::case::{
    case_number_label, CaseList, CaseListQuery, CaseSummary, Cursor, COUNT_CAP, DUE_SOON_MINUTES,
};
use crate::model::{AppError, CurrentUser};
use crate::server::db::ms_to_dt;
use crate::sla;
use chrono::{DateTime, Utc};
use sqlx::{AnyPool, FromRow};

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
        owner_name: row.owner_name.clone(),
    })
}

/// The cases the user may see, filtered, sorted, one page from the query's position.
pub async fn list_cases(
    pool: &AnyPool,
    user: &CurrentUser,
    query: &CaseListQuery,
) -> Result<CaseList, AppError> {
    let key = cursor_row(pool, user, query.cursor).await?;
    let before = matches!(query.cursor, Some(Cursor::Before(_)));
    let position = key.as_ref().map(|row| Position { row, before });
    let statements = list_statements(user, query, position.as_ref())?;
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
    let more = rows.len() >= statements.limit;
    let mut rows = rows
        .iter()
        .take(statements.limit - 1)
        .map(|r| summary(&CaseRow::from_row(r)?, now))
        .collect::<Result<Vec<_>, _>>()?;
    if statements.reversed {
        rows.reverse();
    }
    // Without a position (or with one the user may not see) the page is the first.
    let (has_previous, has_next) = match &position {
        None => (false, more),
        Some(Position { before: false, .. }) => (true, more),
        Some(Position { before: true, .. }) => (more, true),
    };
    let page = if has_previous { query.page.max(2) } else { 1 };
    Ok(CaseList {
        rows,
        now,
        total: total.min(COUNT_CAP),
        total_capped: total > COUNT_CAP,
        page,
        page_size: query.page_size.clamp(1, 100),
        has_previous,
        has_next,
    })
}
