//! The installed base: an organization's arrays by site, with each plan's package, the site's
//! delivery determination, the contract's status on the site's date and what is open on each
//! array. Admins (and vendor staff, who choose the organization) see every site; authorized
//! callers and backup contacts only the sites where they are designated.
mod queries;

use crate::model::installed_base::{BaseArray, BaseSession, BaseSite, InstalledBase, SiteScope};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{admin_of, contact_of, staff};
use crate::server::db::ms_to_dt;
use crate::server::orgs::{chosen_org, ChosenOrg};
use crate::sla::explain::fmt_local;
use crate::sla::{contract_status, DeliveryKind, Entitlement, Plan, ProgramSet};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use queries::{ArrayRow, CountRow, SessionRow, SiteRow};
use sqlx::AnyPool;
use std::collections::HashMap;

/// The installed base as `user` may see it on `now`; `org_id` is vendor staff's choice (a
/// customer naming another organization gets "not found").
pub async fn installed_base(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    org_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<InstalledBase, AppError> {
    let mut conn = pool.acquire().await?;
    let ChosenOrg { org, organizations } = chosen_org(&mut conn, user, org_id).await?;
    let Some(org) = org else {
        return Ok(InstalledBase {
            organization: None,
            organizations,
            scope: SiteScope::Every,
            sites: Vec::new(),
        });
    };
    let scope = if staff(user) || admin_of(user, &org.id) {
        SiteScope::Every
    } else {
        SiteScope::Designated
    };
    let designated_for = match scope {
        SiteScope::Every => "",
        SiteScope::Designated => user.id.as_str(),
    };
    let site_rows = queries::sites(&mut conn, &org.id, designated_for).await?;
    let array_rows = queries::arrays(&mut conn, &org.id).await?;
    let open = OpenWork {
        cases: by_array(queries::open_cases(&mut conn, &org.id).await?),
        replacements: by_array(queries::open_replacements(&mut conn, &org.id).await?),
        sessions: queries::live_sessions(&mut conn, &org.id, now.timestamp_millis())
            .await?
            .into_iter()
            .map(|s| (s.array_id.clone(), s))
            .collect(),
    };
    let viewer = Viewer {
        programs,
        now,
        // Only a designated contact opens cases through the form; staff never as a customer.
        opens_cases: contact_of(user, &org.id),
    };
    let mut sites = Vec::with_capacity(site_rows.len());
    for site in site_rows {
        let site_id = site.id.clone();
        let arrays = array_rows.iter().filter(|a| a.site_id == site_id);
        sites.push(viewer.site(site, arrays, &open)?);
    }
    Ok(InstalledBase {
        organization: Some(org),
        organizations,
        scope,
        sites,
    })
}

/// What is open on the organization's arrays, by array id.
struct OpenWork {
    cases: HashMap<String, i64>,
    replacements: HashMap<String, i64>,
    sessions: HashMap<String, SessionRow>,
}

fn by_array(rows: Vec<CountRow>) -> HashMap<String, i64> {
    rows.into_iter().map(|r| (r.array_id, r.n)).collect()
}

struct Viewer<'a> {
    programs: &'a ProgramSet,
    now: DateTime<Utc>,
    opens_cases: bool,
}

impl Viewer<'_> {
    fn site<'r>(
        &self,
        site: SiteRow,
        arrays: impl Iterator<Item = &'r ArrayRow>,
        open: &OpenWork,
    ) -> Result<BaseSite, AppError> {
        let tz: Tz = site
            .time_zone
            .parse()
            .map_err(|_| AppError::Internal(format!("unknown time zone {:?}", site.time_zone)))?;
        let mut out = BaseSite {
            id: site.id,
            name: site.name,
            time_zone: site.time_zone,
            address: site.address,
            bcs: site.bcs.into(),
            six_hour_radius: site.six_hour_radius.into(),
            arrays: Vec::new(),
        };
        for a in arrays {
            out.arrays.push(self.array(a, tz, &out, open)?);
        }
        Ok(out)
    }

    /// One array, its contract judged on today's date in its site's zone.
    fn array(
        &self,
        a: &ArrayRow,
        tz: Tz,
        site: &BaseSite,
        open: &OpenWork,
    ) -> Result<BaseArray, AppError> {
        let program = self.programs.program(&a.program_id).map_err(sla_error)?;
        let plan = program.plan(&a.plan_id).map_err(sla_error)?;
        let today = self.now.with_timezone(&tz).date_naive();
        let contract_end = stored_date("contract end", &a.contract_end)?
            .ok_or_else(|| AppError::Internal("array without a contract end".into()))?;
        let contract = contract_status(program, contract_end, today);
        let remote_assist = match open.sessions.get(&a.id) {
            Some(s) => Some(BaseSession {
                state: s.state,
                until_local: fmt_local(ms_to_dt(s.deadline_at)?, tz),
            }),
            None => None,
        };
        Ok(BaseArray {
            id: a.id.clone(),
            name: a.name.clone(),
            model: a.model.clone(),
            serial: a.serial.clone(),
            product_line: a.product_line.clone(),
            program_name: program.name.clone(),
            plan_name: plan.name.clone(),
            package: plan.package.clone(),
            bcs_applies: program.column(plan, site.bcs) == Some(Entitlement::Bcs),
            delivery_at_site: delivery_at_site(plan, site.six_hour_radius),
            contract_start: stored_date("contract start", &a.contract_start)?,
            contract_end,
            contract,
            software_version: a.software_version.clone(),
            connected: a.connected.into(),
            open_cases: open.cases.get(&a.id).copied().unwrap_or(0),
            open_replacements: open.replacements.get(&a.id).copied().unwrap_or(0),
            remote_assist,
            can_open_case: self.opens_cases && contract.is_active(),
        })
    }
}

/// What a six-hour site means for this plan's hardware commitment, from the plan's delivery
/// rule: the six-hour window where the plan has one, and the four-hour commitment kept where it
/// has none ("Existing customers with a four (4) hour commitment shall remain unaffected").
fn delivery_at_site(plan: &Plan, six_hour_site: bool) -> Option<String> {
    let rule = plan.delivery.as_ref().filter(|_| six_hour_site)?;
    if rule.kind != DeliveryKind::Hours {
        return None;
    }
    Some(match (rule.six_hour_radius_hours, rule.hours) {
        (Some(h), _) => format!("At this site: delivery within {h} hours of dispatch."),
        (None, Some(h)) => format!(
            "At this site: still {h} hours of dispatch (this plan's commitment is unaffected by \
             the six-hour window)."
        ),
        (None, None) => return None,
    })
}

/// A stored `YYYY-MM-DD` date; empty text means not recorded.
fn stored_date(what: &str, d: &str) -> Result<Option<NaiveDate>, AppError> {
    if d.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Internal(format!("stored {what} {d:?}")))
}

/// A stored program or plan the loaded programs do not know: the server's fault.
fn sla_error(e: crate::sla::SlaError) -> AppError {
    tracing::error!(error = %e, "installed base: unknown program or plan");
    AppError::Internal(format!("installed base: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_six_hour_site_changes_only_plans_with_the_six_hour_rule() {
        let programs = ProgramSet::builtin().unwrap();
        let plan = |p: &str, id: &str| programs.get(p).unwrap().plan(id).unwrap().clone();
        let premium = plan("storage-7.1.3", "premium");
        assert_eq!(
            delivery_at_site(&premium, true).as_deref(),
            Some("At this site: delivery within 6 hours of dispatch.")
        );
        assert_eq!(delivery_at_site(&premium, false), None);
        let classic = plan("storage-classic", "four-hour");
        assert!(delivery_at_site(&classic, true)
            .is_some_and(|s| s.starts_with("At this site: still 4 hours")));
        assert_eq!(
            delivery_at_site(&plan("storage-7.1.3", "advanced"), true),
            None
        );
    }

    #[test]
    fn stored_dates_empty_means_not_recorded() {
        assert_eq!(stored_date("x", ""), Ok(None));
        assert!(stored_date("x", "2027-02-30").is_err());
    }
}
