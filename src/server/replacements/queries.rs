//! The statements of the replacement services, one function each; the services call them in
//! their transactions' order.
use super::row::LogisticsRow;
use crate::model::replacement::{LogisticsFields, PartType, ReturnMethod, Stage};
use crate::model::AppError;
use crate::server::rows::Flag;
use sqlx::{AnyConnection, AnyPool};

// ---- Create ----

/// An array a part may be replaced in, with its site's organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ArrayRow {
    pub name: String,
    pub site_id: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub organization_id: String,
}

pub(crate) async fn array(
    conn: &mut AnyConnection,
    array_id: &str,
) -> Result<Option<ArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name, a.site_id, a.product_line, a.program_id, a.plan_id, \
                s.organization_id FROM arrays a JOIN sites s ON s.id = a.site_id WHERE a.id = $1",
    )
    .bind(array_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A replacement as support records it, at the diagnosed stage.
pub(crate) struct Diagnosed<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub case_id: &'a str,
    pub array_id: &'a str,
    pub site_id: &'a str,
    pub part_type: PartType,
    pub part_number: &'a str,
    pub quantity: i64,
    pub description: &'a str,
    pub technician_required: bool,
    pub return_method: ReturnMethod,
    pub drive_retention: bool,
    pub created_by: &'a str,
    pub at: i64,
}

pub(crate) async fn insert_diagnosed(
    conn: &mut AnyConnection,
    r: &Diagnosed<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO replacements (id, organization_id, case_id, array_id, site_id, part_type, \
             part_number, quantity, description, technician_required, return_method, \
             drive_retention, stage, created_by, diagnosed_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'diagnosed', $13, $14, $14)",
    )
    .bind(r.id)
    .bind(r.organization_id)
    .bind(r.case_id)
    .bind(r.array_id)
    .bind(r.site_id)
    .bind(r.part_type.as_str())
    .bind(r.part_number)
    .bind(r.quantity)
    .bind(r.description)
    .bind(r.technician_required)
    .bind(r.return_method.as_str())
    .bind(r.drive_retention)
    .bind(r.created_by)
    .bind(r.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Stage moves ----

/// Claims the replacement at the stage it was read at; 0 when it has moved since.
pub(crate) async fn claim_stage(
    conn: &mut AnyConnection,
    id: &str,
    stage: Stage,
) -> Result<u64, AppError> {
    Ok(
        sqlx::query("UPDATE replacements SET version = version + 1 WHERE id = $1 AND stage = $2")
            .bind(id)
            .bind(stage.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// What the delivery commitment of a replacement's array and site is computed from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DeliveryTerms {
    pub program_id: String,
    pub plan_id: String,
    #[sqlx(try_from = "i64")]
    pub six: Flag,
}

pub(crate) async fn delivery_terms(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<DeliveryTerms, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.program_id, a.plan_id, CASE WHEN s.six_hour_radius THEN 1 ELSE 0 END AS six \
         FROM replacements r JOIN arrays a ON a.id = r.array_id JOIN sites s ON s.id = r.site_id \
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

pub(crate) async fn set_dispatched(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    delivery_json: &str,
    due: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'dispatched', dispatched_at = $2, delivery_json = $3, \
             delivery_due_at = $4, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(delivery_json)
    .bind(due)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_shipped(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    carrier: &str,
    tracking: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'shipped', shipped_at = $2, carrier = $3, \
             tracking_number = $4, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(carrier)
    .bind(tracking)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_delivered(
    conn: &mut AnyConnection,
    id: &str,
    at: i64,
    return_due: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'delivered', delivered_at = $2, return_due_at = $3, \
             updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(return_due)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_scheduled(
    conn: &mut AnyConnection,
    id: &str,
    (start, end): (i64, i64),
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'technician_scheduled', window_start = $2, \
             window_end = $3, scheduled_at = $4, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_installed(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    return_due: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'installed', installed_at = $2, return_due_at = $3, \
             updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(return_due)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_closed(
    conn: &mut AnyConnection,
    id: &str,
    to: Stage,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = $2, closed_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(to.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_cancelled(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE replacements SET stage = 'cancelled', cancelled_at = $2, cancel_reason = $3, \
             updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Customer actions ----

/// Stages in which the technician has not been on site yet.
const BEFORE_VISIT: &str =
    "('diagnosed', 'dispatched', 'shipped', 'delivered', 'technician_scheduled')";

/// Records the confirmation unless one exists or the visit is over; the count of rows changed.
pub(crate) async fn set_access_confirmed(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
    by: &str,
) -> Result<u64, AppError> {
    Ok(sqlx::query(&format!(
        "UPDATE replacements SET access_confirmed_at = $2, access_confirmed_by = $3, \
             updated_at = $2, version = version + 1 \
         WHERE id = $1 AND access_confirmed_at IS NULL AND stage IN {BEFORE_VISIT}"
    ))
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Records the proposal unless the visit is scheduled or over; the count of rows changed.
pub(crate) async fn set_proposed_window(
    conn: &mut AnyConnection,
    id: &str,
    (start, end): (i64, i64),
    now: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE replacements SET proposed_window_start = $2, proposed_window_end = $3, \
             updated_at = $4, version = version + 1 \
         WHERE id = $1 AND stage IN ('diagnosed', 'dispatched', 'shipped', 'delivered')",
    )
    .bind(id)
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

// ---- Site logistics ----

pub(crate) async fn site_organization(
    pool: &AnyPool,
    site_id: &str,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT organization_id FROM sites WHERE id = $1")
            .bind(site_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The site's logistics as stored, if it has any.
pub(crate) async fn logistics(
    conn: &mut AnyConnection,
    site_id: &str,
) -> Result<Option<LogisticsFields>, AppError> {
    let row: Option<LogisticsRow> = sqlx::query_as(
        "SELECT datacenter_address, grid_coordinates, access_instructions, \
                delivery_contact_name, delivery_contact_phone FROM site_logistics WHERE site_id = $1",
    )
    .bind(site_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(LogisticsFields::from))
}

pub(crate) async fn upsert_logistics(
    conn: &mut AnyConnection,
    site_id: &str,
    f: &LogisticsFields,
    by: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO site_logistics (site_id, datacenter_address, grid_coordinates, \
             access_instructions, delivery_contact_name, delivery_contact_phone, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (site_id) DO UPDATE SET datacenter_address = excluded.datacenter_address, \
             grid_coordinates = excluded.grid_coordinates, \
             access_instructions = excluded.access_instructions, \
             delivery_contact_name = excluded.delivery_contact_name, \
             delivery_contact_phone = excluded.delivery_contact_phone, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(site_id)
    .bind(&f.datacenter_address)
    .bind(&f.grid_coordinates)
    .bind(&f.access_instructions)
    .bind(&f.delivery_contact_name)
    .bind(&f.delivery_contact_phone)
    .bind(by)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Pages ----

/// A site with its logistics, for the replacements page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SiteRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub organization_id: String,
    pub organization_name: String,
    #[sqlx(flatten, try_from = "LogisticsRow")]
    pub logistics: LogisticsFields,
    pub updated_at: Option<i64>,
    pub updated_by: Option<String>,
}

/// The sites of the organization (`""`: every organization's), by organization and name.
pub(crate) async fn sites(pool: &AnyPool, org: &str) -> Result<Vec<SiteRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.name, s.time_zone, s.organization_id, o.name AS organization_name, \
                COALESCE(l.datacenter_address, '') AS datacenter_address, \
                COALESCE(l.grid_coordinates, '') AS grid_coordinates, \
                COALESCE(l.access_instructions, '') AS access_instructions, \
                COALESCE(l.delivery_contact_name, '') AS delivery_contact_name, \
                COALESCE(l.delivery_contact_phone, '') AS delivery_contact_phone, \
                l.updated_at, u.name AS updated_by \
         FROM sites s JOIN organizations o ON o.id = s.organization_id \
         LEFT JOIN site_logistics l ON l.site_id = s.id \
         LEFT JOIN users u ON u.id = l.updated_by \
         WHERE ($1 = '' OR s.organization_id = $1) ORDER BY o.name, s.name",
    )
    .bind(org)
    .fetch_all(pool)
    .await?)
}

/// A hardware array of the organization, for the create form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ArrayChoiceRow {
    pub id: String,
    pub name: String,
    pub serial: String,
    pub site_name: String,
}

pub(crate) async fn hardware_arrays(
    pool: &AnyPool,
    organization_id: &str,
) -> Result<Vec<ArrayChoiceRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.name, a.serial, s.name AS site_name FROM arrays a \
         JOIN sites s ON s.id = a.site_id \
         WHERE s.organization_id = $1 AND a.product_line = 'array' ORDER BY s.name, a.name",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?)
}
