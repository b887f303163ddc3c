//! Organizations, their sites and arrays, always read within what the caller may see.
use crate::model::contact::OrgRef;
use crate::model::reach::ProgramReach;
use crate::model::{AppError, ArraySummary, CurrentUser, Dashboard, OrgSummary, SiteSummary};
use crate::server::access::customer_org;
use crate::server::rows::Flag;
use sqlx::{AnyConnection, AnyPool};

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
}

/// The organizations a user may see: their own, or all of them for vendor staff.
pub async fn dashboard(
    pool: &AnyPool,
    programs: &crate::sla::ProgramSet,
    user: &CurrentUser,
) -> Result<Dashboard, AppError> {
    let orgs: Vec<OrgRow> = if user.role.is_staff() {
        sqlx::query_as("SELECT id, name FROM organizations ORDER BY name")
            .fetch_all(pool)
            .await
    } else {
        let Some(org_id) = &user.organization_id else {
            return Err(AppError::Forbidden);
        };
        sqlx::query_as("SELECT id, name FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_all(pool)
            .await
    }?;

    let mut organizations = Vec::with_capacity(orgs.len());
    for OrgRow { id, name } in orgs {
        let sites = sites_of(pool, &id).await?;
        organizations.push(OrgSummary { id, name, sites });
    }
    // Support knows its own numbers; a customer sees those of the programs of their arrays.
    let reach = if user.role.is_staff() {
        Vec::new()
    } else {
        let ids = organizations
            .iter()
            .flat_map(|o| &o.sites)
            .flat_map(|s| &s.arrays)
            .map(|a| a.program_id.as_str());
        ProgramReach::of(programs, ids)
    };
    Ok(Dashboard {
        organizations,
        reach,
    })
}

/// A site with one of its arrays (`None` columns: a site without any).
#[derive(sqlx::FromRow)]
struct SiteArrayRow {
    site_id: String,
    site_name: String,
    time_zone: String,
    address: String,
    array_id: Option<String>,
    array_name: Option<String>,
    serial: Option<String>,
    product_line: Option<String>,
    program_id: Option<String>,
    plan_id: Option<String>,
    contract_end: Option<String>,
    #[sqlx(try_from = "i64")]
    connected: Flag,
}

async fn sites_of(pool: &AnyPool, organization_id: &str) -> Result<Vec<SiteSummary>, AppError> {
    // One query for the organization's arrays instead of one per site.
    let rows: Vec<SiteArrayRow> = sqlx::query_as(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone, s.address, \
                a.id AS array_id, a.name AS array_name, a.serial, a.product_line, a.program_id, \
                a.plan_id, a.contract_end, CASE WHEN a.connected THEN 1 ELSE 0 END AS connected \
         FROM sites s LEFT JOIN arrays a ON a.site_id = s.id \
         WHERE s.organization_id = $1 \
         ORDER BY s.name, a.name",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?;

    let mut sites: Vec<SiteSummary> = Vec::new();
    for row in rows {
        if sites.last().map(|s| s.id != row.site_id).unwrap_or(true) {
            sites.push(SiteSummary {
                id: row.site_id.clone(),
                name: row.site_name.clone(),
                time_zone: row.time_zone.clone(),
                address: row.address.clone(),
                arrays: Vec::new(),
            });
        }
        if let (Some(array), Some(site)) = (row.array()?, sites.last_mut()) {
            site.arrays.push(array);
        }
    }
    Ok(sites)
}

impl SiteArrayRow {
    /// The row's array, `None` for a site without any.
    fn array(self) -> Result<Option<ArraySummary>, AppError> {
        let Some(id) = self.array_id else {
            return Ok(None);
        };
        Ok(Some(ArraySummary {
            id,
            name: present(self.array_name)?,
            serial: present(self.serial)?,
            product_line: present(self.product_line)?,
            program_id: present(self.program_id)?,
            plan_id: present(self.plan_id)?,
            contract_end: present(self.contract_end)?,
            connected: self.connected.0,
        }))
    }
}

/// A column every array has (NOT NULL), read through the site's LEFT JOIN.
fn present<T>(v: Option<T>) -> Result<T, AppError> {
    v.ok_or_else(|| AppError::Internal("array without its details".into()))
}

/// The organization a page shows, and the ones vendor staff may choose from (`?org=`).
pub struct ChosenOrg {
    /// `None`: vendor staff have not chosen one yet.
    pub org: Option<OrgRef>,
    /// Every organization for vendor staff; empty for customers.
    pub organizations: Vec<OrgRef>,
}

/// Vendor staff see the organization they chose (`org_id`) and may choose any; a customer's
/// contact sees their own, and naming another answers "not found", like an unknown id.
pub async fn chosen_org(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    org_id: Option<&str>,
) -> Result<ChosenOrg, AppError> {
    let wanted = org_id.map(str::trim).filter(|s| !s.is_empty());
    if user.role.is_staff() {
        let organizations = all_orgs(conn).await?;
        let org = match wanted {
            None => None,
            Some(w) => Some(
                organizations
                    .iter()
                    .find(|o| o.id == w)
                    .cloned()
                    .ok_or_else(|| AppError::NotFound("Organization".into()))?,
            ),
        };
        return Ok(ChosenOrg { org, organizations });
    }
    let own = customer_org(user)?;
    if wanted.is_some_and(|w| w != own) {
        return Err(AppError::NotFound("Organization".into()));
    }
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(own)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(ChosenOrg {
        org: Some(OrgRef {
            id: own.to_string(),
            name: name.ok_or(AppError::Forbidden)?,
        }),
        organizations: Vec::new(),
    })
}

/// Every organization, for vendor staff to choose from.
async fn all_orgs(conn: &mut AnyConnection) -> Result<Vec<OrgRef>, AppError> {
    let rows: Vec<OrgRow> = sqlx::query_as("SELECT id, name FROM organizations ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| OrgRef {
            id: r.id,
            name: r.name,
        })
        .collect())
}
