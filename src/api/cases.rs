//! Support cases. Every function takes the signed-in user from the session and hands it to
//! `server::cases`, which authorizes (organization and role) and validates. Arguments are plain
//! strings where a form posts them, so a bad value is a 422 with a message by the field instead
//! of a deserialization failure.
// A server function's arguments are the form's fields, one each; the generated client stub
// repeats them, so the lint cannot be silenced on the function alone.
#![allow(clippy::too_many_arguments)]

use crate::model::case::{CaseCreated, CaseDetail, CaseList, LogCaseForm, OpenCaseForm};
use crate::model::AppError;
use leptos::prelude::*;

/// The caller's sites and arrays (with support state and severity definitions) for the form.
// Named so the generated struct does not clash with the model type of the same name.
#[server(name = GetOpenCaseForm, endpoint = "cases/form")]
pub async fn open_case_form() -> Result<OpenCaseForm, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::open_case_form(&state.pool, &state.programs, &user).await
}

/// Opens a case and sends the browser to it (also without JavaScript).
#[server(endpoint = "cases/open")]
pub async fn open_case(
    site_id: Option<String>,
    array_id: String,
    severity: String,
    subject: String,
    description: String,
    business_impact: Option<String>,
    sev1_contact_name: Option<String>,
    sev1_contact_phone: Option<String>,
    conversation_id: Option<String>,
) -> Result<CaseCreated, AppError> {
    use crate::model::case::NewCase;
    use crate::server::auth::{app_state, current_user};
    use crate::server::input::parse_severity;
    let user = current_user().await?;
    let state = app_state()?;
    let input = NewCase {
        site_id: site_id.unwrap_or_default(),
        array_id,
        severity: parse_severity("severity", &severity)?,
        subject,
        description,
        business_impact: business_impact.unwrap_or_default(),
        sev1_contact_name: sev1_contact_name.unwrap_or_default(),
        sev1_contact_phone: sev1_contact_phone.unwrap_or_default(),
        conversation_id: conversation_id.unwrap_or_default(),
    };
    let created =
        crate::server::cases::create_case(&state.pool, &state.programs, &user, &input).await?;
    leptos_axum::redirect(&format!("/cases/{}", created.id));
    Ok(created)
}

/// Support's log-a-case form: the organizations, and the chosen one's (`org`) sites with their
/// arrays and designated contacts.
#[server(name = GetLogCaseForm, endpoint = "cases/log-form")]
pub async fn log_case_form(org: Option<String>) -> Result<LogCaseForm, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::log_case_form(
        &state.pool,
        &state.programs,
        &user,
        org.as_deref(),
        chrono::Utc::now(),
    )
    .await
}

/// Support logs a case a customer's designated contact reported (by phone, e-mail, alert or
/// web) and the browser goes to it (also without JavaScript). `reported_at`: local time at the
/// array's site, or RFC 3339; empty is now.
#[server(endpoint = "cases/log")]
pub async fn log_case(
    organization_id: String,
    array_id: String,
    reporter_id: String,
    channel: String,
    reported_at: Option<String>,
    severity: String,
    subject: String,
    description: String,
    business_impact: Option<String>,
    sev1_contact_name: Option<String>,
    sev1_contact_phone: Option<String>,
) -> Result<CaseCreated, AppError> {
    use crate::model::case::{LoggedCase, NewCase};
    use crate::server::auth::{app_state, current_user};
    use crate::server::input::parse_severity;
    let user = current_user().await?;
    let state = app_state()?;
    // Staff only, before the fields are read: a customer learns nothing from a 422.
    crate::server::access::require_staff(&user)?;
    let input = LoggedCase {
        organization_id,
        reporter_id,
        channel,
        reported_at: reported_at.unwrap_or_default(),
        case: NewCase {
            array_id,
            severity: parse_severity("severity", &severity)?,
            subject,
            description,
            business_impact: business_impact.unwrap_or_default(),
            sev1_contact_name: sev1_contact_name.unwrap_or_default(),
            sev1_contact_phone: sev1_contact_phone.unwrap_or_default(),
            ..NewCase::default()
        },
    };
    let created =
        crate::server::cases::log_case(&state.pool, &state.programs, &user, &input).await?;
    leptos_axum::redirect(&format!("/cases/{}", created.id));
    Ok(created)
}

/// One page of the cases the caller may see. Every filter is optional; empty means none.
/// `owner` (support only): `mine` or `unassigned`.
/// `after` / `before` (a case number of the neighbouring page) give the page's position.
#[server(endpoint = "cases/list")]
pub async fn list_cases(
    status: Option<String>,
    severity: Option<String>,
    site_id: Option<String>,
    search: Option<String>,
    owner: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<CaseList, AppError> {
    use crate::model::case::{CaseListQuery, ListParams};
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let query = CaseListQuery::from_params(&ListParams {
        status: status.as_deref(),
        severity: severity.as_deref(),
        site_id: site_id.as_deref(),
        search: search.as_deref(),
        owner: owner.as_deref(),
        sort: sort.as_deref(),
        page: page.as_deref(),
        after: after.as_deref(),
        before: before.as_deref(),
    })?;
    crate::server::cases::list_cases(&state.pool, &user, &query).await
}

/// The case page; an unknown or foreign id is "not found".
#[server(name = GetCaseDetail, endpoint = "cases/detail")]
pub async fn case_detail(id: String) -> Result<CaseDetail, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::case_detail(&state.pool, &state.programs, &user, &id).await
}

/// A customer's comment.
#[server(endpoint = "cases/comment")]
pub async fn add_comment(case_id: String, body: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::add_comment(&state.pool, &state.programs, &user, &case_id, &body).await
}

/// A customer raises the severity (never lowers it). Raising to Severity 1 takes the contact
/// fields when the case has no round-the-clock contact yet.
#[server(endpoint = "cases/raise")]
pub async fn raise_severity(
    case_id: String,
    severity: String,
    reason: String,
    sev1_contact_name: Option<String>,
    sev1_contact_phone: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    use crate::server::input::parse_severity;
    let user = current_user().await?;
    let state = app_state()?;
    let severity = parse_severity("severity", &severity)?;
    crate::server::cases::raise_severity(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        severity,
        &reason,
        sev1_contact_name.as_deref(),
        sev1_contact_phone.as_deref(),
    )
    .await
}

/// The customer accepts the proposed resolution; the case closes.
#[server(endpoint = "cases/confirm")]
pub async fn confirm_resolution(case_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::confirm_resolution(&state.pool, &state.programs, &user, &case_id).await
}

/// The customer refuses the proposed resolution, with the reason.
#[server(endpoint = "cases/reopen")]
pub async fn reopen_case(case_id: String, reason: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::reopen_case(&state.pool, &state.programs, &user, &case_id, &reason).await
}

/// The survey of a closed case (rating 1 to 5), once.
#[server(endpoint = "cases/survey")]
pub async fn submit_survey(
    case_id: String,
    rating: String,
    comment: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let rating = rating
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| AppError::invalid("rating", "Choose a rating from 1 to 5."))?;
    crate::server::cases::submit_survey(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        rating,
        comment.as_deref().unwrap_or_default(),
    )
    .await
}

/// Support engineer: a public update (checkbox `public` ticked) or an internal note.
#[server(endpoint = "cases/support-update")]
pub async fn support_update(
    case_id: String,
    body: String,
    public: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    // An HTML checkbox posts its value ("on" by default) only when ticked.
    let public = public
        .as_deref()
        .is_some_and(|v| !matches!(v.trim(), "" | "false" | "off" | "0"));
    crate::server::cases::support_update(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        &body,
        public,
    )
    .await
}

/// Support engineer: moves the case along the workflow, with a message to the customer
/// (required for a proposed resolution and for waiting on the customer).
#[server(endpoint = "cases/status")]
pub async fn set_status(
    case_id: String,
    status: String,
    message: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::set_status(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        &status,
        message.as_deref().unwrap_or_default(),
    )
    .await
}

/// Support engineer: sets the severity up or down, with the reason.
#[server(endpoint = "cases/severity")]
pub async fn set_severity(
    case_id: String,
    severity: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    use crate::server::input::parse_severity;
    let user = current_user().await?;
    let state = app_state()?;
    let severity = parse_severity("severity", &severity)?;
    crate::server::cases::set_severity(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        severity,
        &reason,
    )
    .await
}

/// Support engineer: the update date agreed with the customer, as RFC 3339 or a
/// `datetime-local` value in the site's time zone; empty clears it.
#[server(endpoint = "cases/agreed-update")]
pub async fn set_agreed_update(case_id: String, due: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::set_agreed_update(&state.pool, &state.programs, &user, &case_id, &due)
        .await
}

/// Support engineer: "Take it", the signed-in engineer becomes the owner of an unassigned case.
#[server(endpoint = "cases/take")]
pub async fn take_case(case_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::take_case(&state.pool, &state.programs, &user, &case_id).await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?owner_changed=1"));
    Ok(())
}

/// Support engineer: assigns the case to an engineer (their id), or to nobody (empty).
#[server(endpoint = "cases/assign")]
pub async fn assign_case(case_id: String, engineer_id: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::cases::assign_case(
        &state.pool,
        &state.programs,
        &user,
        &case_id,
        engineer_id.as_deref().unwrap_or_default(),
    )
    .await?;
    leptos_axum::redirect(&format!("/cases/{case_id}?owner_changed=1"));
    Ok(())
}
