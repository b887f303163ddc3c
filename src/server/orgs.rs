//! Organizations, their sites and arrays, always read within what the caller may see.
use crate::model::{AppError, ArraySummary, CurrentUser, Dashboard, OrgSummary, SiteSummary};
use crate::server::auth::map_db;
use sqlx::{AnyPool, Row};

/// The organizations a user may see: their own, or all of them for vendor staff.
pub async fn dashboard(pool: &AnyPool, user: &CurrentUser) -> Result<Dashboard, AppError> {
    let orgs = if user.role.is_staff() {
        sqlx::query("SELECT id, name FROM organizations ORDER BY name")
            .fetch_all(pool)
            .await
    } else {
        let Some(org_id) = &user.organization_id else {
            return Err(AppError::Forbidden);
        };
        sqlx::query("SELECT id, name FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_all(pool)
            .await
    }
    .map_err(map_db)?;

    let mut organizations = Vec::with_capacity(orgs.len());
    for row in orgs {
        let id: String = row.try_get("id").map_err(map_db)?;
        let name: String = row.try_get("name").map_err(map_db)?;
        let sites = sites_of(pool, &id).await?;
        organizations.push(OrgSummary { id, name, sites });
    }
    Ok(Dashboard { organizations })
}

async fn sites_of(pool: &AnyPool, organization_id: &str) -> Result<Vec<SiteSummary>, AppError> {
    // One query for the organization's arrays instead of one per site.
    let rows = sqlx::query(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone, s.address, \
                a.id AS array_id, a.name AS array_name, a.serial, a.product_line, a.program_id, \
                a.plan_id, a.contract_end, CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM sites s LEFT JOIN arrays a ON a.site_id = s.id \
         WHERE s.organization_id = $1 \
         ORDER BY s.name, a.name",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;

    let mut sites: Vec<SiteSummary> = Vec::new();
    for row in rows {
        let site_id: String = row.try_get("site_id").map_err(map_db)?;
        if sites.last().map(|s| s.id != site_id).unwrap_or(true) {
            sites.push(SiteSummary {
                id: site_id,
                name: row.try_get("site_name").map_err(map_db)?,
                time_zone: row.try_get("time_zone").map_err(map_db)?,
                address: row.try_get("address").map_err(map_db)?,
                arrays: Vec::new(),
            });
        }
        let array_id: Option<String> = row.try_get("array_id").map_err(map_db)?;
        if let (Some(id), Some(site)) = (array_id, sites.last_mut()) {
            site.arrays.push(ArraySummary {
                id,
                name: row.try_get("array_name").map_err(map_db)?,
                serial: row.try_get("serial").map_err(map_db)?,
                product_line: row.try_get("product_line").map_err(map_db)?,
                program_id: row.try_get("program_id").map_err(map_db)?,
                plan_id: row.try_get("plan_id").map_err(map_db)?,
                contract_end: row.try_get("contract_end").map_err(map_db)?,
                connected: row.try_get::<i64, _>("connected").map_err(map_db)? != 0,
            });
        }
    }
    Ok(sites)
}
