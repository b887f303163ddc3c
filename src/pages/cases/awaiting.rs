//! What the case waits for from the customer: support's proposed resolution, with the two answers
//! side by side and the automatic closure's countdown, or what support asked for while the case
//! waits on the customer, and until when.
use crate::api::cases::{ConfirmResolution, ReopenCase};
use crate::components::countdown::Countdown;
use crate::components::form_error::{ErrorAlert, FieldError};
use crate::model::case::{CaseDetail, CaseStatus, StatusNote};
use crate::model::AppError;
use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// When the case closes by itself in its current status, if its program closes it at all: the
/// proposed resolution's closure, or the closure after a stale case's notice.
pub(super) fn automatic_closure(c: &CaseDetail) -> Option<DateTime<Utc>> {
    match c.summary.status {
        CaseStatus::ResolutionProposed => c.deadlines.resolution_proposed_auto_close_due,
        CaseStatus::WaitingOnCustomer => c.deadlines.auto_close_due,
        _ => None,
    }
}

/// Support's words, as a quotation with who wrote them and when.
#[component]
fn SupportSaid(note: StatusNote, zone: Tz) -> impl IntoView {
    let by = note.by.unwrap_or_else(|| "Support".to_string());
    view! {
        <figure class="support-said">
            <blockquote class="pre">{note.body}</blockquote>
            <figcaption class="muted">
                {format!("{by}, ")}
                <time datetime=note.at.to_rfc3339()>{fmt_local(note.at, zone)}</time>
            </figcaption>
        </figure>
    }
}

/// "If nobody answers, the case closes by itself on …" with its countdown, or that it stays.
#[component]
fn ClosesBy(
    due: Option<DateTime<Utc>>,
    tz: String,
    now: DateTime<Utc>,
    lead: &'static str,
) -> impl IntoView {
    match due {
        Some(due) => view! {
            <p class="closes-by">
                {lead} " the case closes by itself on " <Countdown due tz rendered_at=now/> "."
            </p>
        }
        .into_any(),
        None => view! { <p class="muted">"The case stays in this state until you answer."</p> }
            .into_any(),
    }
}

/// Support proposed a resolution: what it is, the two answers side by side, and when the case
/// closes by itself if nobody answers.
#[component]
pub(super) fn ResolutionForms(
    c: CaseDetail,
    confirm: ServerAction<ConfirmResolution>,
    reopen: ServerAction<ReopenCase>,
    confirm_err: Signal<Option<AppError>>,
    reopen_err: Signal<Option<AppError>>,
) -> impl IntoView {
    let zone: Tz = c.summary.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let case_id = c.summary.id.clone();
    let reopen_id = case_id.clone();
    let closes = automatic_closure(&c);
    view! {
        <section class="card stack awaiting" aria-labelledby="resolution-h">
            <h2 id="resolution-h">"Support proposed a resolution"</h2>
            {match c.status_note.clone() {
                Some(note) => view! { <SupportSaid note zone/> }.into_any(),
                None => view! { <p class="muted">"Support did not describe the resolution here; see the timeline."</p> }.into_any(),
            }}
            <ClosesBy due=closes tz=c.summary.site_tz.clone() now=c.now lead="If you do not answer,"/>
            <ErrorAlert error=confirm_err/>
            <ErrorAlert error=reopen_err/>
            <div class="answers">
                <ActionForm action=confirm attr:class="form answer" attr:aria-label="Confirm it is solved">
                    <input type="hidden" name="case_id" value=case_id/>
                    <p class="hint">"The case closes now; you will be asked how we did."</p>
                    <div class="actions">
                        <button type="submit" class="button primary">"Confirm it is solved"</button>
                    </div>
                </ActionForm>
                {c.can_reopen.then(|| view! {
                    <ActionForm action=reopen attr:class="form answer" attr:aria-label="It is not solved">
                        <input type="hidden" name="case_id" value=reopen_id/>
                        <div class="field">
                            <label for="reopen-reason">"What is still wrong"</label>
                            <textarea id="reopen-reason" name="reason" rows="3" required></textarea>
                            <FieldError error=reopen_err field="reason"/>
                        </div>
                        <div class="actions">
                            <button type="submit" class="button secondary">"It is not solved"</button>
                        </div>
                    </ActionForm>
                })}
            </div>
        </section>
    }
}

/// The case waits on the customer: what support asked for, and when the closure notice and the
/// closure come if nobody answers. A comment answers it (the comment form follows).
#[component]
pub(super) fn WaitingOnYou(c: CaseDetail) -> impl IntoView {
    let zone: Tz = c.summary.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let tz = c.summary.site_tz.clone();
    let now = c.now;
    let notice = c.deadlines.stale_notice_due.filter(|d| *d > now);
    let closes = automatic_closure(&c);
    let lead = if notice.is_some() {
        "After that notice,"
    } else {
        "Without an answer,"
    };
    view! {
        <section class="card stack awaiting" aria-labelledby="waiting-h">
            <h2 id="waiting-h">"Support is waiting for you"</h2>
            {match c.status_note.clone() {
                Some(note) => view! { <SupportSaid note zone/> }.into_any(),
                None => view! { <p class="muted">"Support's request is in the timeline."</p> }.into_any(),
            }}
            <p>"Answer with a comment below: the case goes back to support at once."</p>
            {notice.map(|due| view! {
                <p>"Without an answer, support sends a closure notice on " <Countdown due tz=tz.clone() rendered_at=now/> "."</p>
            })}
            <ClosesBy due=closes tz now lead/>
        </section>
    }
}
