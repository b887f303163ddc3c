//! The installed base's statements: the visible sites, their arrays, and what is open on each.
use crate::model::remote_assist::SessionState;
use crate::model::AppError;
use crate::server::rows::Flag;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub(super) struct SiteRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub address: String,
    #[sqlx(try_from = "i64")]
    pub bcs: Flag,
    #[sqlx(try_from = "i64")]
    pub six_hour_radius: Flag,
}

/// The organization's sites, all of them (`designated_for` empty) or only those where that
/// person holds a designation.
pub(super) async fn sites(
    conn: &mut AnyConnection,
    org: &str,
    designated_for: &str,
) -> Result<Vec<SiteRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.name, s.time_zone, s.address, \
                CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
                CASE WHEN s.six_hour_radius THEN 1 ELSE 0 END AS six_hour_radius \
         FROM sites s \
         WHERE s.organization_id = $1 AND ($2 = '' OR EXISTS ( \
             SELECT 1 FROM site_contacts c WHERE c.site_id = s.id AND c.user_id = $2)) \
         ORDER BY s.name, s.id",
    )
    .bind(org)
    .bind(designated_for)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub(super) struct ArrayRow {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub model: String,
    pub serial: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub software_version: String,
    pub contract_start: String,
    pub contract_end: String,
    #[sqlx(try_from = "i64")]
    pub connected: Flag,
}

/// Every array of the organization, by site and name.
pub(super) async fn arrays(conn: &mut AnyConnection, org: &str) -> Result<Vec<ArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.site_id, a.name, a.model, a.serial, a.product_line, a.program_id, \
                a.plan_id, a.software_version, a.contract_start, a.contract_end, \
                CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM arrays a JOIN sites s ON s.id = a.site_id \
         WHERE s.organization_id = $1 \
         ORDER BY s.name, a.name, a.id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub(super) struct CountRow {
    pub array_id: String,
    pub n: i64,
}

/// Open cases per array. Grouped over the organization's open cases, which the case list's
/// (organization_id, status, …) index finds, instead of one count per array.
pub(super) async fn open_cases(
    conn: &mut AnyConnection,
    org: &str,
) -> Result<Vec<CountRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT array_id, COUNT(*) AS n FROM cases \
         WHERE organization_id = $1 AND status <> 'closed' GROUP BY array_id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

/// Replacements per array that have not reached a final stage (returned, retained, cancelled).
pub(super) async fn open_replacements(
    conn: &mut AnyConnection,
    org: &str,
) -> Result<Vec<CountRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT array_id, COUNT(*) AS n FROM replacements \
         WHERE organization_id = $1 AND stage NOT IN ('returned', 'retained', 'cancelled') \
         GROUP BY array_id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub array_id: String,
    #[sqlx(try_from = "String")]
    pub state: SessionState,
    pub deadline_at: i64,
}

/// The Remote Assist sessions that are still live at `now` (at most one per array, which the
/// database's partial unique index holds). One past its deadline counts as over even before the
/// job has ended it, as on the Remote Assist page.
pub(super) async fn live_sessions(
    conn: &mut AnyConnection,
    org: &str,
    now: i64,
) -> Result<Vec<SessionRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT array_id, state, deadline_at FROM remote_assist_sessions \
         WHERE organization_id = $1 AND state <> 'ended' AND deadline_at > $2",
    )
    .bind(org)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?)
}
