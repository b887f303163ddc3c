//! What a customer's designated contacts do on their organization's cases. Each action: the
//! form checked, the row lock taken and the contact's designation at the case's site checked
//! (`tx::begin_acting`), the state checked under the lock, the change and its timeline
//! entries, then `tx::finish`.
use super::convert::severity_of;
use super::queries::{self, CaseRow};
use super::timeline::{insert_event, NewEvent};
use super::tx::{begin_acting, change_severity, finish, require_open};
use crate::model::case::{CaseEventKind, CaseStatus, BODY_MAX, CONTACT_MAX, REASON_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::customer_org;
use crate::server::ids::now_ms;
use crate::server::input::{check_severity, optional_text, required_text, Phone};
use crate::sla::ProgramSet;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// A customer's comment. An answer to a case waiting on the customer puts it back in progress,
/// which restarts the clocks the wait had stopped.
pub async fn add_comment(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    body: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let body = required_text("body", body, BODY_MAX, "a comment")?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    if row.status == CaseStatus::Closed {
        return Err(AppError::Conflict(
            "This case is closed. Open a new case for a new problem.".into(),
        ));
    }
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::CustomerComment, Some(&user.id), &body),
    )
    .await?;
    let mut status = row.status;
    if row.status == CaseStatus::WaitingOnCustomer {
        status = CaseStatus::InProgress;
        queries::set_status_row(&mut tx, case_id, status, None, now).await?;
        insert_event(
            &mut tx,
            case_id,
            now,
            NewEvent::new(
                CaseEventKind::StatusChange,
                Some(&user.id),
                "The customer answered.",
            )
            .change(row.status.as_str(), status.as_str()),
        )
        .await?;
    }
    finish(
        tx,
        programs,
        &row,
        user,
        "case.comment",
        json!({ "status": row.status.as_str() }),
        json!({ "status": status.as_str(), "chars": body.chars().count() }),
        now,
    )
    .await
}

/// Customers may raise a case's severity (a raise sticks), never lower it. Raising to Severity 1
/// needs a contact reachable at all times: the one given here, or the case's own.
#[allow(clippy::too_many_arguments)]
pub async fn raise_severity(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    severity: u8,
    reason: &str,
    contact_name: Option<&str>,
    contact_phone: Option<&str>,
) -> Result<(), AppError> {
    customer_org(user)?;
    let new = check_severity("severity", severity)?;
    let reason = required_text(
        "reason",
        reason,
        REASON_MAX,
        "why the severity must be raised",
    )?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    require_open(&row)?;
    let current = severity_of(row.severity)?;
    if !new.is_raise_from(current) {
        return Err(AppError::invalid(
            "severity",
            format!(
                "You can only raise the severity: choose a level more severe than {current}. \
                 Lowering it is support's decision."
            ),
        ));
    }
    if new.get() == 1 {
        keep_sev1_contact(&mut tx, &row, contact_name, contact_phone).await?;
    }
    change_severity(&mut tx, &row, user, new, &reason, now).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.raise_severity",
        json!({ "severity": row.severity }),
        json!({ "severity": new.get(), "reason": reason }),
        now,
    )
    .await
}

/// Severity 1 needs someone reachable at all times; keep the one given at opening.
async fn keep_sev1_contact(
    conn: &mut AnyConnection,
    row: &CaseRow,
    contact_name: Option<&str>,
    contact_phone: Option<&str>,
) -> Result<(), AppError> {
    let given = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let name = given(contact_name).or(row.sev1_contact_name.clone());
    let phone = given(contact_phone).or(row.sev1_contact_phone.clone());
    let name = required_text(
        "sev1_contact_name",
        name.as_deref().unwrap_or_default(),
        CONTACT_MAX,
        "the name of a contact available at all times",
    )?;
    let phone = Phone::parse(phone.as_deref().unwrap_or_default())?;
    queries::set_sev1_contact(conn, &row.id, &name, phone.as_str()).await
}

/// The customer accepts the resolution support proposed: the case closes.
pub async fn confirm_resolution(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    if row.status != CaseStatus::ResolutionProposed {
        return Err(AppError::Conflict(
            "Support has not proposed a resolution for this case.".into(),
        ));
    }
    queries::set_status_row(
        &mut tx,
        case_id,
        CaseStatus::Closed,
        Some("Resolution confirmed by the customer."),
        now,
    )
    .await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::ResolutionConfirmed, Some(&user.id), "")
            .change(row.status.as_str(), CaseStatus::Closed.as_str()),
    )
    .await?;
    super::escalation::close_with_case(&mut tx, case_id, Some(&user.id), now).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.confirm_resolution",
        json!({ "status": row.status.as_str() }),
        json!({ "status": "closed" }),
        now,
    )
    .await
}

/// The customer refuses the proposed resolution: back in progress, with the reason.
pub async fn reopen_case(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    let reason = required_text(
        "reason",
        reason,
        REASON_MAX,
        "why the problem is not solved",
    )?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    if row.status != CaseStatus::ResolutionProposed {
        return Err(AppError::Conflict(
            "Only a case with a proposed resolution can be reopened here.".into(),
        ));
    }
    queries::set_status_row(&mut tx, case_id, CaseStatus::InProgress, None, now).await?;
    insert_event(
        &mut tx,
        case_id,
        now,
        NewEvent::new(CaseEventKind::Reopened, Some(&user.id), &reason)
            .change(row.status.as_str(), CaseStatus::InProgress.as_str()),
    )
    .await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.reopen",
        json!({ "status": row.status.as_str() }),
        json!({ "status": "in_progress", "reason": reason }),
        now,
    )
    .await
}

/// The satisfaction survey of a closed case, answered once.
pub async fn submit_survey(
    pool: &AnyPool,
    programs: &ProgramSet,
    user: &CurrentUser,
    case_id: &str,
    rating: u8,
    comment: &str,
) -> Result<(), AppError> {
    customer_org(user)?;
    if !(1..=5).contains(&rating) {
        return Err(AppError::invalid("rating", "Choose a rating from 1 to 5."));
    }
    let comment = optional_text("comment", comment, REASON_MAX)?;
    let now = now_ms();
    let (mut tx, row) = begin_acting(pool, user, case_id, now).await?;
    if row.status != CaseStatus::Closed {
        return Err(AppError::Conflict(
            "The survey opens once the case is closed.".into(),
        ));
    }
    if queries::count_surveys(&mut tx, case_id).await? > 0 {
        return Err(AppError::Conflict(
            "The survey of this case was already answered.".into(),
        ));
    }
    queries::insert_survey(&mut tx, case_id, rating, &comment, &user.id, now).await?;
    let mut e = NewEvent::new(CaseEventKind::Survey, Some(&user.id), &comment);
    e.new_value = Some(rating.to_string());
    insert_event(&mut tx, case_id, now, e).await?;
    finish(
        tx,
        programs,
        &row,
        user,
        "case.survey",
        json!(null),
        json!({ "rating": rating }),
        now,
    )
    .await
}
