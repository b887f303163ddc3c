//! What the log-a-case form offers support: the organizations to choose from (`?org=`, as the
//! installed base and contacts pages), and the chosen one's sites, each with its arrays
//! (support active today at the site, or not) and the contacts designated there.
use super::convert::{contract_end, parse_tz, sla_error};
use crate::model::case::{LogCaseArray, LogCaseForm, LogCaseReporter, LogCaseSite};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::require_staff;
use crate::server::orgs::{chosen_org, ChosenOrg};
use crate::sla::{self, EntitlementState, ProgramSet};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool};

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: String,
    name: String,
    time_zone: String,
}

#[derive(sqlx::FromRow)]
struct ArrayRow {
    id: String,
    site_id: String,
    name: String,
    serial: String,
    program_id: String,
    contract_end: String,
}

/// A person who may call: `site_id` where designated (None: an admin designated nowhere).
#[derive(sqlx::FromRow)]
struct ReporterRow {
    site_id: Option<String>,
    user_id: String,
    name: String,
    email: String,
    role: String,
}

/// The form as support sees it on `now`; `org_id` is their choice (unknown: not found).
pub async fn log_case_form(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    org_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<LogCaseForm, AppError> {
    require_staff(user)?;
    let mut conn = pool.acquire().await?;
    let ChosenOrg { org, organizations } = chosen_org(&mut conn, user, org_id).await?;
    let mut form = LogCaseForm {
        organizations,
        organization: None,
        sites: Vec::new(),
        other_admins: Vec::new(),
    };
    let Some(org) = org else {
        return Ok(form);
    };
    let arrays = arrays(&mut conn, &org.id).await?;
    let reporters = reporters(&mut conn, &org.id).await?;
    for s in sites(&mut conn, &org.id).await? {
        let tz = parse_tz(&s.time_zone)?;
        let today = now.with_timezone(&tz).date_naive();
        let mut site_arrays = Vec::new();
        for a in arrays.iter().filter(|a| a.site_id == s.id) {
            let program = programs.program(&a.program_id).map_err(sla_error)?;
            let end = contract_end(&a.contract_end)?;
            site_arrays.push(LogCaseArray {
                id: a.id.clone(),
                name: a.name.clone(),
                serial: a.serial.clone(),
                support_active: sla::entitlement_on(program, end, today)
                    == EntitlementState::Active,
            });
        }
        let here = reporters
            .iter()
            .filter(|r| r.site_id.as_deref() == Some(&s.id));
        form.sites.push(LogCaseSite {
            reporters: here.map(reporter).collect(),
            id: s.id,
            name: s.name,
            time_zone: s.time_zone,
            arrays: site_arrays,
        });
    }
    form.other_admins = reporters
        .iter()
        .filter(|r| r.site_id.is_none())
        .map(reporter)
        .collect();
    form.organization = Some(org);
    Ok(form)
}

fn reporter(r: &ReporterRow) -> LogCaseReporter {
    LogCaseReporter {
        user_id: r.user_id.clone(),
        name: r.name.clone(),
        email: r.email.clone(),
        role: r
            .role
            .parse::<Role>()
            .map(|r| r.label().to_string())
            .unwrap_or_else(|_| r.role.clone()),
    }
}

async fn sites(conn: &mut AnyConnection, org_id: &str) -> Result<Vec<SiteRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, name, time_zone FROM sites WHERE organization_id = $1 ORDER BY name, id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?)
}

async fn arrays(conn: &mut AnyConnection, org_id: &str) -> Result<Vec<ArrayRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.site_id, a.name, a.serial, a.program_id, a.contract_end \
         FROM arrays a JOIN sites s ON s.id = a.site_id \
         WHERE s.organization_id = $1 ORDER BY a.name, a.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The active contacts designated at the organization's sites (with the role held there), then
/// its active admins designated at none.
async fn reporters(conn: &mut AnyConnection, org_id: &str) -> Result<Vec<ReporterRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.site_id, u.id AS user_id, u.name, u.email, c.role \
         FROM site_contacts c JOIN sites s ON s.id = c.site_id JOIN users u ON u.id = c.user_id \
         WHERE s.organization_id = $1 AND u.active \
         UNION ALL \
         SELECT NULL AS site_id, u.id AS user_id, u.name, u.email, u.role FROM users u \
         WHERE u.organization_id = $1 AND u.role = 'admin' AND u.active \
           AND NOT EXISTS (SELECT 1 FROM site_contacts c WHERE c.user_id = u.id) \
         ORDER BY name, user_id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?)
}
