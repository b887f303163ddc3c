//! The case page, filtered for the viewer: the live deadlines, the timeline the viewer may read,
//! the survey, related cases, the files, and what the viewer may do next.
use super::convert::{not_found, opt_dt};
use super::deadlines::{compute, Computed};
use super::list::summary;
use super::queries::{self, CaseRow};
use super::reads::{self, LinkRow};
use super::support::update_as_agreed;
use crate::model::case::{
    case_number_label, CaseDetail, CaseEvent, CaseEventKind, CaseLink, CaseOwnership, CaseStatus,
    CaseSummary, CaseSurvey, Sev1Contact, StatusNote, DUE_SOON_MINUTES,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{can_see, customer_org, staff};
use crate::server::site_access::{may_act_at, refusal};
use crate::sla::{self, ProgramSet};
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// The case page, filtered for the viewer. Unknown and foreign ids are both "not found".
pub async fn case_detail(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
) -> Result<CaseDetail, AppError> {
    let mut conn = pool.acquire().await?;
    let Some(row) = queries::load_case(&mut conn, case_id).await? else {
        return Err(not_found());
    };
    if !can_see(user, &row) {
        return Err(not_found());
    }
    let c = compute(&mut conn, programs, case_id).await?;
    let row = c.row.clone();
    let now = Utc::now();
    let summary = live_summary(&c, now)?;
    let is_staff = staff(user);
    let timeline: Vec<CaseEvent> = c
        .events
        .iter()
        .map(|e| e.event.clone())
        .filter(|e| is_staff || e.public)
        .collect();
    let survey = reads::survey(&mut conn, case_id)
        .await?
        .map(|r| CaseSurvey {
            rating: u8::try_from(r.rating).unwrap_or(0),
            comment: r.comment,
            at: r.at.into(),
        });
    let rca_parent = match &row.rca_parent_case_id {
        Some(p) => reads::rca_parent(&mut conn, p).await?.map(link),
        None => None,
    };
    let rca_follow_up = reads::rca_follow_up(&mut conn, case_id).await?.map(link);
    let attachments = reads::attachments(&mut conn, case_id).await?;
    // A contact of another site follows the case but is offered nothing to do on it.
    let elsewhere = match customer_org(user) {
        Ok(_) if !may_act_at(&mut conn, user, &row.site_id).await? => {
            Some(refusal(&mut conn, &row.site_id).await?.to_string())
        }
        _ => None,
    };
    let may = Permissions::of(user, &row, survey.is_some(), elsewhere.is_none());
    let call_now = call_now(programs, &c, is_staff);
    let ownership = if is_staff {
        Some(CaseOwnership {
            owner_id: row.owner_id.clone(),
            mine: row.owner_id.as_deref() == Some(user.id.as_str()),
            engineers: super::owner::engineers(&mut conn).await?,
        })
    } else {
        None
    };
    let escalation = super::escalation::case_escalation(&mut conn, user, &row).await?;
    // The write below queues behind the write gate, which is never taken holding a connection.
    drop(conn);
    crate::server::notifications::mark_case_read(pool, user, case_id).await?;
    Ok(CaseDetail {
        description: row.description.clone(),
        business_impact: row.business_impact.clone(),
        sev1_contact: sev1_contact(&row),
        conversation_id: row.conversation_id.clone(),
        agreed_update_due: opt_dt(row.agreed_update_due)?,
        close_reason: row.close_reason.clone(),
        status_note: status_note(row.status, &timeline),
        update_as_agreed: update_as_agreed(programs, &row)?,
        call_now,
        facts: c.facts,
        deadlines: c.deadlines,
        timeline,
        attachments,
        can_comment: may.comment,
        can_raise: may.raise,
        can_confirm: may.confirm,
        can_reopen: may.reopen,
        can_survey: may.survey,
        can_attach: may.attach,
        not_designated: elsewhere,
        survey,
        rca_parent,
        rca_follow_up,
        is_staff,
        allowed_statuses: if is_staff {
            row.status.support_transitions().to_vec()
        } else {
            Vec::new()
        },
        ownership,
        escalation,
        summary,
        now,
    })
}

/// A web-opened case of a severity its program takes by phone only: the customer is told to call
/// until support has responded (the README's SLA section).
fn call_now(programs: &ProgramSet, c: &Computed, is_staff: bool) -> Option<sla::SeverityReach> {
    if is_staff || !c.row.status.is_open() || c.deadlines.initial_response_met_at.is_some() {
        return None;
    }
    let severity = sla::Severity::new(u8::try_from(c.row.severity).ok()?).ok()?;
    let reach = programs
        .get(&c.facts.program_id)?
        .contact
        .as_ref()?
        .for_severity(severity);
    reach.call_only.then_some(reach)
}

/// The header, with the live computation winning over the cache (e.g. programs changed since
/// the last write).
fn live_summary(c: &Computed, now: DateTime<Utc>) -> Result<CaseSummary, AppError> {
    let mut summary = summary(&c.row, now)?;
    summary.initial_response_due = c.deadlines.initial_response_due;
    summary.initial_response_met_at = c.deadlines.initial_response_met_at;
    summary.next_update_due = c.deadlines.next_update_due;
    summary.next_deadline = c.next_deadline();
    summary.breach = summary
        .next_deadline
        .filter(|_| c.row.status.is_open())
        .map(|d| sla::breach_state(d, now, chrono::Duration::minutes(DUE_SOON_MINUTES)));
    Ok(summary)
}

/// What support wrote when it set the current status, if the customer must act on that status:
/// the text of the last status-setting entry, when it is support's change to this status.
fn status_note(status: CaseStatus, timeline: &[CaseEvent]) -> Option<StatusNote> {
    if !matches!(
        status,
        CaseStatus::ResolutionProposed | CaseStatus::WaitingOnCustomer
    ) {
        return None;
    }
    let last = timeline.iter().rev().find(|e| e.kind.sets_status())?;
    (last.kind == CaseEventKind::StatusChange
        && last.new_value.as_deref() == Some(status.as_str())
        && !last.body.trim().is_empty())
    .then(|| StatusNote {
        status,
        body: last.body.clone(),
        by: last.actor_name.clone(),
        at: last.at,
    })
}

fn link(r: LinkRow) -> CaseLink {
    CaseLink {
        id: r.id,
        number_label: case_number_label(r.number),
        subject: r.subject,
        status: r.status,
    }
}

fn sev1_contact(row: &CaseRow) -> Option<Sev1Contact> {
    match (&row.sev1_contact_name, &row.sev1_contact_phone) {
        (Some(name), Some(phone)) => Some(Sev1Contact {
            name: name.clone(),
            phone: phone.clone(),
        }),
        _ => None,
    }
}

/// What the page offers: a customer's contact acts only at a site where designated (or as an
/// admin); staff act through the workflow instead, and attach files too.
struct Permissions {
    comment: bool,
    raise: bool,
    confirm: bool,
    reopen: bool,
    survey: bool,
    attach: bool,
}

impl Permissions {
    fn of(user: &CurrentUser, row: &CaseRow, surveyed: bool, acts_here: bool) -> Permissions {
        let customer = !staff(user) && customer_org(user).is_ok() && acts_here;
        let open = row.status.is_open();
        let proposed = row.status == CaseStatus::ResolutionProposed;
        Permissions {
            comment: customer && open,
            raise: customer && open && row.severity > 1,
            confirm: customer && proposed,
            reopen: customer && proposed,
            survey: customer && !open && !surveyed,
            attach: open && (customer || staff(user)),
        }
    }
}
