//! What the open-case form offers the caller: the sites where they may act and their arrays,
//! each array with its program, plan, entitlement and severity definitions.
use super::convert::{contract_end, parse_tz, product_of, sla_error};
use super::deadlines::site_holidays;
use super::open::reinstatement_message;
use super::reads::{self, FormArray};
use crate::model::case::{OpenCaseArray, OpenCaseForm, OpenCaseSite, SeverityOption};
use crate::model::{AppError, CurrentUser};
use crate::server::access::customer_org;
use crate::server::site_access::acting_sites;
use crate::sla::{self, EntitlementState, ProgramSet};
use chrono::Utc;
use sqlx::AnyPool;

/// What the open-case form offers the caller: their organization's sites and arrays.
pub async fn open_case_form(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
) -> Result<OpenCaseForm, AppError> {
    let org = customer_org(user)?;
    let mut conn = pool.acquire().await?;
    // Only the arrays of the sites where the person may act (every site for an admin).
    let acting: Vec<String> = acting_sites(&mut conn, user)
        .await?
        .into_iter()
        .map(|s| s.site_id)
        .collect();
    let rows = reads::form_arrays(&mut conn, org)
        .await?
        .into_iter()
        .filter(|r| acting.contains(&r.site_id));
    let mut sites: Vec<OpenCaseSite> = Vec::new();
    for r in rows {
        if sites.last().is_none_or(|s| s.id != r.site_id) {
            let holidays = site_holidays(&mut conn, &r.site_id).await?;
            sites.push(OpenCaseSite {
                id: r.site_id.clone(),
                name: r.site_name.clone(),
                time_zone: r.time_zone.clone(),
                bcs: r.bcs.into(),
                holidays,
                arrays: Vec::new(),
            });
        }
        let Some(site) = sites.last_mut() else {
            continue;
        };
        let array = form_array(programs, &site.time_zone, r)?;
        site.arrays.push(array);
    }
    Ok(OpenCaseForm {
        sites,
        programs: programs.clone(),
        now: Utc::now(),
    })
}

/// One array as the form shows it, with support checked on today's date at its site.
fn form_array(
    programs: &ProgramSet,
    time_zone: &str,
    r: FormArray,
) -> Result<OpenCaseArray, AppError> {
    let tz = parse_tz(time_zone)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let product = product_of(&r.product_line);
    let contract_end = contract_end(&r.contract_end)?;
    let program = programs.program(&r.program_id).map_err(sla_error)?;
    let plan = program.plan(&r.plan_id).map_err(sla_error)?;
    let entitlement = sla::entitlement_on(program, contract_end, today);
    let mut severities: Vec<SeverityOption> = program
        .table_for(product)
        .map_err(sla_error)?
        .rows
        .iter()
        .map(|row| SeverityOption {
            severity: row.severity.get(),
            name: row.name.clone(),
            definition: row.definition.clone(),
        })
        .collect();
    severities.sort_by_key(|s| s.severity);
    Ok(OpenCaseArray {
        id: r.array_id,
        name: r.array_name,
        serial: r.serial,
        product_line: r.product_line,
        product,
        program_id: r.program_id,
        program_name: program.name.clone(),
        plan_id: r.plan_id,
        plan_name: plan.name.clone(),
        contract_end,
        support_active: entitlement == EntitlementState::Active,
        reinstatement_message: reinstatement_message(contract_end, &entitlement),
        entitlement,
        severities,
    })
}
