//! A replacement as stored, with the names around it (organization, case, array, site, people)
//! and its site's logistics: what every service and view here starts from.
use super::not_found;
use crate::model::replacement::{LogisticsFields, PartType, ReturnMethod, Stage};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{contact_of, viewer_org};
use crate::server::rows::Flag;
use sqlx::{AnyConnection, AnyPool};

/// A site's logistics; a site without any reads as empty fields (`COALESCE`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LogisticsRow {
    datacenter_address: String,
    grid_coordinates: String,
    access_instructions: String,
    delivery_contact_name: String,
    delivery_contact_phone: String,
}

impl From<LogisticsRow> for LogisticsFields {
    fn from(r: LogisticsRow) -> Self {
        LogisticsFields {
            datacenter_address: r.datacenter_address,
            grid_coordinates: r.grid_coordinates,
            access_instructions: r.access_instructions,
            delivery_contact_name: r.delivery_contact_name,
            delivery_contact_phone: r.delivery_contact_phone,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ReplacementRow {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub case_id: String,
    pub case_number: i64,
    pub case_subject: String,
    pub array_name: String,
    pub site_id: String,
    pub site_name: String,
    pub time_zone: String,
    #[sqlx(try_from = "String")]
    pub part_type: PartType,
    pub part_number: String,
    pub quantity: i64,
    pub description: String,
    #[sqlx(try_from = "i64")]
    technician_required: Flag,
    #[sqlx(try_from = "String")]
    pub return_method: ReturnMethod,
    #[sqlx(try_from = "i64")]
    drive_retention: Flag,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub created_by_name: String,
    pub diagnosed_at: i64,
    pub dispatched_at: Option<i64>,
    pub delivery_json: Option<String>,
    pub delivery_due_at: Option<i64>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    proposed_window_start: Option<i64>,
    proposed_window_end: Option<i64>,
    window_start: Option<i64>,
    window_end: Option<i64>,
    pub scheduled_at: Option<i64>,
    pub installed_at: Option<i64>,
    pub access_confirmed_at: Option<i64>,
    pub access_confirmed_by: Option<String>,
    pub return_due_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    #[sqlx(flatten, try_from = "LogisticsRow")]
    pub logistics: LogisticsFields,
}

impl ReplacementRow {
    pub fn title(&self) -> String {
        let mut t = format!("{} {}", self.part_type.label(), self.part_number);
        if self.quantity > 1 {
            t.push_str(&format!(" × {}", self.quantity));
        }
        t
    }

    /// A field technician replaces the part at the site.
    pub fn technician(&self) -> bool {
        self.technician_required.0
    }

    /// The customer keeps the replaced drives (the drive-retention option).
    pub fn retention(&self) -> bool {
        self.drive_retention.0
    }

    /// The window the customer proposed for the technician.
    pub fn proposed(&self) -> Option<(i64, i64)> {
        self.proposed_window_start.zip(self.proposed_window_end)
    }

    /// The technician's scheduled window.
    pub fn window(&self) -> Option<(i64, i64)> {
        self.window_start.zip(self.window_end)
    }
}

const SELECT: &str = "SELECT r.id, r.organization_id, o.name AS organization_name, r.case_id, \
        c.number AS case_number, c.subject AS case_subject, a.name AS array_name, r.site_id, \
        s.name AS site_name, s.time_zone, r.part_type, r.part_number, r.quantity, r.description, \
        CASE WHEN r.technician_required THEN 1 ELSE 0 END AS technician_required, \
        r.return_method, CASE WHEN r.drive_retention THEN 1 ELSE 0 END AS drive_retention, \
        r.stage, u.name AS created_by_name, r.diagnosed_at, r.dispatched_at, r.delivery_json, \
        r.delivery_due_at, r.carrier, r.tracking_number, r.shipped_at, r.delivered_at, \
        r.proposed_window_start, r.proposed_window_end, r.window_start, r.window_end, \
        r.scheduled_at, r.installed_at, r.access_confirmed_at, ac.name AS access_confirmed_by, \
        r.return_due_at, r.closed_at, r.cancelled_at, r.cancel_reason, \
        COALESCE(l.datacenter_address, '') AS datacenter_address, \
        COALESCE(l.grid_coordinates, '') AS grid_coordinates, \
        COALESCE(l.access_instructions, '') AS access_instructions, \
        COALESCE(l.delivery_contact_name, '') AS delivery_contact_name, \
        COALESCE(l.delivery_contact_phone, '') AS delivery_contact_phone \
     FROM replacements r \
     JOIN organizations o ON o.id = r.organization_id \
     JOIN cases c ON c.id = r.case_id \
     JOIN arrays a ON a.id = r.array_id \
     JOIN sites s ON s.id = r.site_id \
     JOIN users u ON u.id = r.created_by \
     LEFT JOIN users ac ON ac.id = r.access_confirmed_by \
     LEFT JOIN site_logistics l ON l.site_id = r.site_id";

pub(crate) async fn load(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ReplacementRow>, AppError> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Rows matching `filter`, whose `$1` is `key` (an organization or case id) and `$2`, if used,
/// `instant`.
pub(crate) async fn load_where(
    pool: &AnyPool,
    filter: &str,
    key: &str,
    instant: Option<i64>,
) -> Result<Vec<ReplacementRow>, AppError> {
    let sql = format!("{SELECT} WHERE {filter}");
    let mut q = sqlx::query_as(&sql).bind(key);
    if let Some(t) = instant {
        q = q.bind(t);
    }
    Ok(q.fetch_all(pool).await?)
}

/// The replacement if the user may see it; unknown and foreign ids are both "not found".
pub(crate) async fn visible(
    pool: &AnyPool,
    user: &CurrentUser,
    id: &str,
) -> Result<ReplacementRow, AppError> {
    viewer_org(user)?;
    let mut conn = pool.acquire().await?;
    let row = load(&mut conn, id.trim()).await?.ok_or_else(not_found)?;
    if !(user.role.is_staff() || contact_of(user, &row.organization_id)) {
        return Err(not_found());
    }
    Ok(row)
}
