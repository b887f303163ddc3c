//! What an alert writes: a stored alert, and for a critical one the case it opens or the
//! timeline entry on the case a first occurrence opened.
use super::input::AlertInput;
use super::queries::{self, AlertInsert, ArrayRow, Caller};
use crate::model::alert::case_severity_for;
use crate::model::case::{case_number_label, CaseEventKind};
use crate::model::AppError;
use crate::server::audit::{record, AuditEntry};
use crate::server::cases::{
    insert_case, insert_event, lock_case, next_case_number, refresh, CaseInsert, NewEvent,
};
use crate::server::ids::new_id;
use crate::server::state::AppState;
use serde_json::json;
use sqlx::AnyConnection;

pub(super) async fn store_alert(
    conn: &mut AnyConnection,
    caller: &Caller,
    array_id: &str,
    a: &AlertInput,
    case_id: Option<&str>,
    now: i64,
) -> Result<String, AppError> {
    let id = new_id();
    let stored = AlertInsert {
        id: &id,
        organization_id: &caller.organization_id,
        array_id,
        alert_id: a.alert_id.trim(),
        code: &a.code,
        severity: &a.severity,
        summary: a.summary.trim(),
        started_at: a.started_at.timestamp_millis(),
        received_at: now,
        case_id,
        token_id: &caller.token_id,
    };
    queries::insert_alert(conn, &stored).await?;
    Ok(id)
}

fn alert_text(a: &AlertInput) -> String {
    format!(
        "Monitoring alert {} ({}, {}) started {}: {}",
        a.alert_id.trim(),
        a.code,
        a.severity,
        a.started_at.format("%Y-%m-%d %H:%M UTC"),
        a.summary.trim()
    )
}

/// The alert on its case, in the caller's transaction (which holds the case's row lock): the
/// timeline entry, the stored alert, then the case's deadlines refreshed.
async fn add_to_case(
    conn: &mut AnyConnection,
    state: &AppState,
    caller: &Caller,
    array: &ArrayRow,
    a: &AlertInput,
    case_id: &str,
    now: i64,
) -> Result<(), AppError> {
    let body = alert_text(a);
    let mut e = NewEvent::new(CaseEventKind::Alert, None, &body);
    e.new_value = Some(a.alert_id.trim().to_string());
    insert_event(conn, case_id, now, e).await?;
    store_alert(conn, caller, &array.id, a, Some(case_id), now).await?;
    refresh(conn, &state.programs, case_id).await?;
    Ok(())
}

/// Adds a repeat of a critical alert to its case. `None` when the alert has no case yet.
pub(super) async fn append(
    state: &AppState,
    caller: &Caller,
    array: &ArrayRow,
    a: &AlertInput,
    now: i64,
) -> Result<Option<(String, i64)>, AppError> {
    let Some(case) = queries::case_of_alert(&state.pool, &array.id, a.alert_id.trim()).await?
    else {
        return Ok(None);
    };
    let mut tx = crate::server::db::begin_write(&state.pool).await?;
    // The case's row lock first, as every case writer takes it.
    lock_case(&mut tx, &case.id, now).await?;
    add_to_case(&mut tx, state, caller, array, a, &case.id, now).await?;
    tx.commit().await?;
    Ok(Some((case.id, case.number)))
}

/// Opens the case of a critical alert. `None` when another request opened it first.
pub(super) async fn open_case(
    state: &AppState,
    caller: &Caller,
    array: &ArrayRow,
    a: &AlertInput,
    now: i64,
) -> Result<Option<(String, i64)>, AppError> {
    let team_phone = queries::team_phone(&state.pool, &caller.organization_id)
        .await?
        .filter(|p| !p.trim().is_empty());
    let (subject, description) = case_text(array, a);
    let id = new_id();
    let mut tx = crate::server::db::begin_write(&state.pool).await?;
    let number = next_case_number(&mut tx).await?;
    insert_case(
        &mut tx,
        &CaseInsert {
            id: &id,
            number,
            organization_id: &caller.organization_id,
            site_id: &array.site_id,
            array_id: &array.id,
            opened_by: None,
            subject: &subject,
            description: &description,
            business_impact: "",
            severity: case_severity_for(&a.code),
            sev1_contact_name: team_phone.as_ref().map(|_| "Team contact (pager)"),
            sev1_contact_phone: team_phone.as_deref(),
            opened_at: now,
            rca_parent_case_id: None,
            opened_from_alert: true,
        },
    )
    .await?;
    if queries::claim_alert_case(&mut tx, &array.id, a.alert_id.trim(), &id).await? == 0 {
        // Another request opened this alert's case meanwhile: drop ours, append instead.
        return Ok(None);
    }
    add_to_case(&mut tx, state, caller, array, a, &id, now).await?;
    audit_opened(&mut tx, caller, a, &id, number, now).await?;
    tx.commit().await?;
    Ok(Some((id, number)))
}

/// The opened case's subject and description.
fn case_text(array: &ArrayRow, a: &AlertInput) -> (String, String) {
    let subject: String = format!("Monitoring alert: {}", a.summary.trim())
        .chars()
        .take(200)
        .collect();
    let description = format!(
        "Opened automatically from a critical monitoring alert on {}.\n\n{}",
        array.name,
        alert_text(a)
    );
    (subject, description)
}

async fn audit_opened(
    conn: &mut AnyConnection,
    caller: &Caller,
    a: &AlertInput,
    case_id: &str,
    number: i64,
    now: i64,
) -> Result<(), AppError> {
    record(
        conn,
        AuditEntry {
            organization_id: Some(&caller.organization_id),
            actor: None,
            action: "case.open_from_alert",
            entity: "case",
            entity_id: case_id,
            before: None,
            after: Some(json!({
                "number": case_number_label(number),
                "alert_id": a.alert_id.trim(),
                "code": a.code,
                "severity": case_severity_for(&a.code),
                "token_id": caller.token_id,
            })),
            at: now,
        },
    )
    .await
}
