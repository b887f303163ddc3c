//! Escalation on the case page, for both sides. Once support escalates, the customer reads
//! "Escalated to specialists; Sam Support remains your point of contact." (the guides: "The
//! original TSE, however, remains as the point of contact for the customer."). A designated
//! contact may ask for escalation; both sides see the request's state and, until support
//! acknowledges it, the acknowledgment deadline counting down like the case's other deadlines.
//! Plain forms, so they work without JavaScript; the server redirects back with `escalation`.
use crate::api::escalation::{
    AcknowledgeEscalation, CloseEscalation, EscalateCase, RequestEscalation,
};
use crate::components::countdown::Countdown;
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use crate::model::case::{
    escalated_words, CaseDetail, EscalationRequest, EscalationState, ESCALATION_REASON_MAX,
};
use crate::model::AppError;
use crate::sla::explain::fmt_local;
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The confirmation for `?escalation=…` after a form succeeded.
fn confirmation(what: &str) -> Option<&'static str> {
    match what {
        "escalated" => Some("The case is escalated to specialists."),
        "requested" => Some("Your escalation request was sent to support."),
        "acknowledged" => Some("The escalation request is acknowledged."),
        "closed" => Some("The escalation request is closed."),
        _ => None,
    }
}

#[component]
pub fn CaseEscalationPanel(c: CaseDetail) -> impl IntoView {
    let done = use_query_map()
        .with_untracked(|q| q.get("escalation"))
        .and_then(|w| confirmation(&w));
    let e = c.escalation.clone();
    let owner = c.summary.owner_name.clone();
    let case_id = c.summary.id.clone();
    let tz = c.summary.site_tz.clone();
    let now = c.now;
    let nothing = e.escalated_at.is_none() && e.request.is_none();
    // A contact of another site follows the case; only its own contacts and admins ask.
    let can_request = e.can_request && c.not_designated.is_none();
    let offers = can_request || e.can_escalate;
    (!nothing || offers || done.is_some()).then(|| view! {
        <section class="card stack" aria-labelledby="escalation-h">
            <h2 id="escalation-h">"Escalation"</h2>
            {done.map(|m| view! { <div class="alert success" role="status">{m}</div> })}
            {e.escalated_at.map(|_| view! { <p><strong>{escalated_words(owner.as_deref())}</strong></p> })}
            {e.request.clone().map(|r| view! { <RequestState r tz=tz.clone() now/> })}
            {can_request.then(|| view! { <RequestForm case_id=case_id.clone()/> })}
            {c.is_staff.then(|| view! {
                <SupportForms case_id=case_id.clone() can_escalate=e.can_escalate request=e.request.clone()/>
            })}
        </section>
    })
}

#[component]
fn RequestState(
    r: EscalationRequest,
    tz: String,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let acknowledged = r.acknowledged_at.map(|at| {
        let by = r.acknowledged_by.clone().unwrap_or_default();
        format!("Acknowledged by {by}, {}", fmt_local(at, zone))
    });
    view! {
        <dl class="kv">
            <dt>"Escalation request"</dt>
            <dd class="escalation-state">{r.state.label()}</dd>
            <dt>"Requested by"</dt>
            <dd>{format!("{}, {}", r.requested_by, fmt_local(r.requested_at, zone))}</dd>
            <dt>"Reason"</dt>
            <dd class="pre">{r.reason.clone()}</dd>
            {(r.state == EscalationState::Requested).then(|| view! {
                <dt>"Acknowledgment due"</dt>
                <dd class="deadline"><Countdown due=r.ack_due tz=tz.clone() rendered_at=now/></dd>
            })}
            {acknowledged.map(|a| view! { <dt>"Acknowledged"</dt><dd>{a}</dd> })}
            {(!r.ack_note.is_empty()).then(|| view! { <dt>"Support's note"</dt><dd class="pre">{r.ack_note.clone()}</dd> })}
        </dl>
    }
}

#[component]
fn RequestForm(case_id: String) -> impl IntoView {
    let request = ServerAction::<RequestEscalation>::new();
    let err = use_action_error(request);
    view! {
        <ActionForm action=request attr:class="form">
            <input type="hidden" name="case_id" value=case_id/>
            <ErrorAlert error=err/>
            <div class="field">
                <label for="escalation-reason">"Why should this case be escalated?"</label>
                <textarea id="escalation-reason" name="reason" rows="3" required
                    maxlength=ESCALATION_REASON_MAX.to_string()></textarea>
                <FieldError error=err field="reason"/>
            </div>
            <button type="submit" class="button secondary">"Request escalation"</button>
        </ActionForm>
    }
}

#[component]
fn SupportForms(
    case_id: String,
    can_escalate: bool,
    request: Option<EscalationRequest>,
) -> impl IntoView {
    let escalate = ServerAction::<EscalateCase>::new();
    let ack = ServerAction::<AcknowledgeEscalation>::new();
    let close = ServerAction::<CloseEscalation>::new();
    // Every form's error is read here, shown or not: the page's status follows a refused form.
    let escalate_err = use_action_error(escalate);
    let ack_err = use_action_error(ack);
    let close_err = use_action_error(close);
    let state = request.map(|r| r.state);
    let (id1, id2) = (case_id.clone(), case_id.clone());
    view! {
        {can_escalate.then(|| view! {
            <ActionForm action=escalate attr:class="form">
                <input type="hidden" name="case_id" value=case_id/>
                <ErrorAlert error=escalate_err/>
                <div class="field">
                    <label for="escalate-reason">"Reason for escalating (the customer reads it)"</label>
                    <textarea id="escalate-reason" name="reason" rows="3" required
                        maxlength=ESCALATION_REASON_MAX.to_string()></textarea>
                    <FieldError error=escalate_err field="reason"/>
                </div>
                <button type="submit" class="button secondary">"Escalate to specialists"</button>
            </ActionForm>
        })}
        {(state == Some(EscalationState::Requested)).then(|| view! {
            <ActionForm action=ack attr:class="form">
                <input type="hidden" name="case_id" value=id1/>
                <ErrorAlert error=ack_err/>
                <NoteField id="escalation-ack-note" label="Acknowledgment note (optional)" error=ack_err/>
                <button type="submit" class="button primary">"Acknowledge escalation request"</button>
            </ActionForm>
        })}
        {state.is_some_and(|s| s.is_open()).then(|| view! {
            <ActionForm action=close attr:class="form">
                <input type="hidden" name="case_id" value=id2/>
                <ErrorAlert error=close_err/>
                <NoteField id="escalation-close-note" label="Closing note (optional)" error=close_err/>
                <button type="submit" class="button secondary">"Close escalation request"</button>
            </ActionForm>
        })}
    }
}

/// The optional note of the acknowledge and close forms.
#[component]
fn NoteField(
    id: &'static str,
    label: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea id=id name="note" rows="2" maxlength=ESCALATION_REASON_MAX.to_string()></textarea>
            <FieldError error field="note"/>
        </div>
    }
}
