//! The Remote Assist page: the arrays, their open sessions, the recent history, and what the
//! viewer may do with each.
use super::queries::{self, ArrayRow, ParticipantRow, SessionRow};
use crate::model::case::case_number_label;
use crate::model::remote_assist::{
    CaseChoice, LinkedCase, Participant, RaArray, RaSession, RemoteAssistOverview, SessionState,
    HISTORY_LIMIT,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{admin_of, local_admin_of, viewer_org};
use crate::server::db::ms_to_dt;
use crate::server::ids::now_ms;
use crate::server::site_access::{acting_sites, is_local_admin};
use chrono::Utc;
use sqlx::AnyPool;

/// The Remote Assist page: the viewer's organization's arrays (every organization's for staff)
/// with their open session, the recent history, and what the request form offers.
pub async fn overview(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<RemoteAssistOverview, AppError> {
    let org = viewer_org(user)?;
    // Staff see everything: an empty filter value means "no filter".
    let filter = org.unwrap_or_default();
    let arrays = queries::arrays(pool, filter).await?;
    let open = queries::open_sessions(pool, filter).await?;
    let history = queries::ended_sessions(pool, filter, HISTORY_LIMIT).await?;
    let (open_views, history_views) = session_views(pool, user, &open, &history).await?;
    // The request form offers the arrays of the sites where the viewer is local administrator.
    let local: Vec<String> = acting_sites(&mut *pool.acquire().await?, user)
        .await?
        .into_iter()
        .filter(|s| is_local_admin(s.role))
        .map(|s| s.site_id)
        .collect();
    let arrays: Vec<RaArray> = arrays
        .into_iter()
        .map(|a| {
            let requestable = local.contains(&a.site_id);
            array_view(a, &open_views, requestable)
        })
        .collect();
    let can_request = org.is_some() && arrays.iter().any(|a| a.requestable);
    let cases = match org.filter(|_| can_request) {
        Some(o) => case_choices(pool, o).await?,
        None => Vec::new(),
    };
    Ok(RemoteAssistOverview {
        arrays,
        history: history_views,
        can_request,
        cases,
        is_staff: user.role.is_staff(),
        now: Utc::now(),
    })
}

/// The open sessions and the history as the viewer sees them, each with who joined it.
async fn session_views(
    pool: &AnyPool,
    user: &CurrentUser,
    open: &[SessionRow],
    history: &[SessionRow],
) -> Result<(Vec<RaSession>, Vec<RaSession>), AppError> {
    let ids: Vec<String> = open
        .iter()
        .chain(history.iter())
        .map(|r| r.id.clone())
        .collect();
    let mut who: Vec<ParticipantRow> = queries::participants_of(pool, &ids).await?;
    let now = now_ms();
    let mut take = |id: &str| -> Vec<(String, Participant)> {
        let (mine, rest): (Vec<_>, Vec<_>) = who.drain(..).partition(|p| p.session_id == id);
        who = rest;
        mine.into_iter()
            .map(|p| {
                (
                    p.user_id,
                    Participant {
                        name: p.name,
                        joined_at: p.joined_at.into(),
                    },
                )
            })
            .collect()
    };
    let mut open_views = Vec::with_capacity(open.len());
    for r in open {
        open_views.push(view(r, take(&r.id), user, now)?);
    }
    let mut history_views = Vec::with_capacity(history.len());
    for r in history {
        history_views.push(view(r, take(&r.id), user, now)?);
    }
    Ok((open_views, history_views))
}

fn view(
    row: &SessionRow,
    participants: Vec<(String, Participant)>,
    user: &CurrentUser,
    now: i64,
) -> Result<RaSession, AppError> {
    let live = row.state != SessionState::Ended && row.deadline_at > now;
    let active = live && row.state == SessionState::Active;
    let joined = participants.iter().any(|(id, _)| *id == user.id);
    let local_admin = local_admin_of(user, &row.organization_id);
    Ok(RaSession {
        id: row.id.clone(),
        array_id: row.array_id.clone(),
        array_name: row.array_name.clone(),
        organization_name: row.organization_name.clone(),
        site_tz: row.time_zone.clone(),
        case: match (&row.case_id, row.case_number) {
            (Some(id), Some(n)) => Some(LinkedCase {
                id: id.clone(),
                number_label: case_number_label(n),
                subject: row.case_subject.clone().unwrap_or_default(),
            }),
            _ => None,
        },
        requested_by: row.requested_by_name.clone(),
        reason: row.reason.clone(),
        state: row.state,
        requested_hours: row.requested_hours,
        requested_at: ms_to_dt(row.requested_at)?,
        started_at: row.started_at.map(ms_to_dt).transpose()?,
        deadline_at: ms_to_dt(row.deadline_at)?,
        ended_at: row.ended_at.map(ms_to_dt).transpose()?,
        ended_by: row.ended_by_name.clone(),
        end_reason: row.end_reason()?,
        extensions: row.extensions,
        participants: participants.into_iter().map(|(_, p)| p).collect(),
        can_start: live
            && row.state == SessionState::Requested
            && admin_of(user, &row.organization_id),
        can_join: active && user.role.is_staff() && !joined,
        can_end: row.state != SessionState::Ended && (user.role.is_staff() || local_admin),
        can_extend: active && local_admin,
        joined,
    })
}

fn array_view(a: ArrayRow, open: &[RaSession], requestable: bool) -> RaArray {
    RaArray {
        requestable,
        session: open.iter().find(|s| s.array_id == a.id).cloned(),
        id: a.id,
        name: a.name,
        serial: a.serial,
        organization_name: a.organization_name,
        site_name: a.site_name,
        site_tz: a.time_zone,
        connected: a.connected.into(),
    }
}

/// The organization's open cases a request may link to.
async fn case_choices(pool: &AnyPool, organization_id: &str) -> Result<Vec<CaseChoice>, AppError> {
    Ok(queries::open_cases(pool, organization_id)
        .await?
        .into_iter()
        .map(|r| CaseChoice {
            id: r.id,
            label: format!(
                "{} · {} ({})",
                case_number_label(r.number),
                r.subject.chars().take(80).collect::<String>(),
                r.array_name
            ),
        })
        .collect())
}
