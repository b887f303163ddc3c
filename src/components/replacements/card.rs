//! One replacement's card, and the list of them.
use super::at;
use super::forms::{CustomerForms, SupportForms};
use crate::api::replacements::{ConfirmSiteAccess, MoveReplacement, ProposeTechnicianWindow};
use crate::components::clock_label::clock_label;
use crate::components::countdown::{use_now, Countdown};
use crate::components::form_error::use_action_error;
use crate::model::replacement::{DeliveryState, Replacement, Stage};
use crate::model::AppError;
use crate::sla::DeliveryKind;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos_router::components::A;

/// The forms of a replacement card: each posts to its server function, which redirects back to
/// the page (with its error in the URL when refused).
#[derive(Clone, Copy)]
pub struct CardActions {
    pub(super) stage: ServerAction<MoveReplacement>,
    pub(super) confirm: ServerAction<ConfirmSiteAccess>,
    pub(super) propose: ServerAction<ProposeTechnicianWindow>,
}

impl CardActions {
    pub(crate) fn new() -> Self {
        CardActions {
            stage: ServerAction::new(),
            confirm: ServerAction::new(),
            propose: ServerAction::new(),
        }
    }

    /// The error a card's form came back with, shown once above the cards rather than on each.
    pub(crate) fn error(&self) -> Signal<Option<AppError>> {
        let stage = use_action_error(self.stage);
        let confirm = use_action_error(self.confirm);
        let propose = use_action_error(self.propose);
        Signal::derive(move || stage.get().or(confirm.get()).or(propose.get()))
    }
}

#[component]
pub fn CardList(
    list: Vec<Replacement>,
    now: DateTime<Utc>,
    staff: bool,
    actions: CardActions,
) -> impl IntoView {
    view! {
        <div class="card-grid">
            {list.into_iter().map(|r| view! { <ReplacementCard r now staff actions/> }).collect_view()}
        </div>
    }
}

fn commitment_label(r: &Replacement) -> String {
    match (&r.delivery, r.delivery_due, r.dispatched_at) {
        (Some(d), Some(due), Some(from)) if d.kind == DeliveryKind::Hours => {
            format!("{}-hour delivery", (due - from).num_hours())
        }
        (Some(d), _, _) if d.kind == DeliveryKind::NextBusinessDay => {
            "Next-business-day delivery".to_string()
        }
        (Some(_), _, _) => "Same-day shipping (best effort)".to_string(),
        _ => "Set at dispatch by the support plan".to_string(),
    }
}

/// "On time" turning "Late" when the committed time passes, while the page is open.
#[island]
fn LiveDeliveryState(due: DateTime<Utc>, rendered_at: DateTime<Utc>) -> impl IntoView {
    let now = use_now(rendered_at);
    let late = Memo::new(move |_| now.get() > due);
    view! {
        <span class=move || if late.get() { "status late" } else { "status on-time" }>
            {move || if late.get() { "Late" } else { "On time" }}
        </span>
    }
}

/// The committed delivery time: live while the part is on its way.
#[component]
fn DeliveryDue(r: Replacement, now: DateTime<Utc>) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    match (r.delivery_due, r.delivery_state) {
        (Some(due), DeliveryState::OnTime | DeliveryState::Late) => view! {
            <Countdown due tz=r.site_tz.clone() rendered_at=now/>
            " "
            <LiveDeliveryState due rendered_at=now/>
        }
        .into_any(),
        (Some(due), state) => view! {
            {at(due, zone)} " "
            <span class=if state.is_late() { "status late" } else { "status on-time" }>{state.label()}</span>
        }
        .into_any(),
        (None, DeliveryState::BestEffort) => {
            let ships = r
                .delivery
                .as_ref()
                .and_then(|d| d.ships_on)
                .map(|d| format!(" · ships {}", d.format("%a %-d %b")))
                .unwrap_or_default();
            view! { <span>"No delivery commitment (same-day shipping, best effort)" {ships}</span> }.into_any()
        }
        (None, state) => view! { <span class="muted">{state.label()}</span> }.into_any(),
    }
}

/// The stages this replacement passes through, with when each was reached.
#[component]
fn StageList(r: Replacement) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let when = |s: Stage| match s {
        Stage::Diagnosed => Some(r.diagnosed_at),
        Stage::Dispatched => r.dispatched_at,
        Stage::Shipped => r.shipped_at,
        Stage::Delivered => r.delivered_at,
        Stage::TechnicianScheduled => r.scheduled_at,
        Stage::Installed => r.installed_at,
        Stage::Returned | Stage::Retained => r.closed_at,
        Stage::Cancelled => r.cancelled_at,
    };
    let mut path = Stage::path(r.technician_required, r.drive_retention);
    if r.stage == Stage::Cancelled {
        path.retain(|s| when(*s).is_some());
        path.push(Stage::Cancelled);
    }
    let current = r.stage;
    view! {
        <ol class="stages" aria-label="Stages">
            {path.into_iter().map(|s| {
                let t = when(s);
                let class = if s == current { "current" } else if t.is_some() { "done" } else { "todo" };
                view! {
                    <li class=class aria-current=(s == current).then_some("step")>
                        <span>{s.label()}</span>
                        {t.map(|t| view! { " " <span class="muted">{at(t, zone)}</span> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn ReplacementCard(
    r: Replacement,
    now: DateTime<Utc>,
    staff: bool,
    actions: CardActions,
) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let heading = format!("repl-{}", r.id);
    let labelled = heading.clone();
    let mut place = format!("{} · {}", r.site_name, r.array_name);
    if staff {
        place = format!("{} · {place}", r.organization_name);
    }
    let explanation = r.delivery.clone();
    let commitment = commitment_label(&r);
    let case_href = format!("/cases/{}", r.case.id);
    let case_label = r.case.number_label.clone();
    view! {
        <section class="card stack replacement" aria-labelledby=labelled>
            <h3 id=heading>{r.title()}</h3>
            <p class="cluster">
                <span class=format!("status stage-{}", r.stage.as_str())>{r.stage.label()}</span>
                {r.technician_required.then_some(view! { <span class="status">"Field technician"</span> })}
                <span class="muted">{place}</span>
            </p>
            {r.next_step.clone().map(|s| view! {
                <p class="alert info next-step"><strong>"Your next step: "</strong>{s}</p>
            })}
            <dl class="kv">
                <dt>"Case"</dt>
                <dd><A href=case_href>{case_label}</A> " " {r.case.subject.clone()}</dd>
                <dt>"Commitment"</dt><dd>{commitment}</dd>
                <dt>"Delivery due"</dt>
                <dd class="deadline"><DeliveryDue r=r.clone() now/></dd>
                {r.tracking_number.clone().map(|t| view! {
                    <dt>"Tracking number"</dt>
                    <dd>{r.carrier.clone().unwrap_or_default()} " " <strong class="tracking">{t}</strong></dd>
                })}
                {r.window.map(|(s, e)| view! {
                    <dt>"Technician visit"</dt><dd>{at(s, zone)} " to " {at(e, zone)}</dd>
                })}
                {r.proposed_window.filter(|_| r.window.is_none()).map(|(s, e)| view! {
                    <dt>"Proposed technician window"</dt><dd>{at(s, zone)} " to " {at(e, zone)}</dd>
                })}
                {r.access_confirmed_at.map(|t| view! {
                    <dt>"Site access confirmed"</dt>
                    <dd>{at(t, zone)} " · " {r.access_confirmed_by.clone().unwrap_or_default()}</dd>
                })}
                {r.return_due.filter(|_| !r.stage.is_final()).map(|t| view! {
                    <dt>"Return the defective part by"</dt><dd>{at(t, zone)} " · " {r.return_method.label()}</dd>
                })}
                {(!r.description.is_empty()).then(|| view! { <dt>"Notes"</dt><dd class="pre">{r.description.clone()}</dd> })}
                {r.cancel_reason.clone().map(|c| view! { <dt>"Cancelled because"</dt><dd class="pre">{c}</dd> })}
            </dl>
            <StageList r=r.clone()/>
            {explanation.map(|d| view! {
                <details class="explanation">
                    <summary>"How the delivery time is computed"</summary>
                    <ol>
                        {d.explanation.into_iter().map(|s| view! {
                            <li><strong>{clock_label(s.clock)}": "</strong>{s.text}</li>
                        }).collect_view()}
                    </ol>
                    <h4>"What the support guide says"</h4>
                    <ul>
                        {d.document_words.into_iter().map(|w| view! {
                            <li>"“"{w.document_words}"” — "<span class="muted">{w.interpretation}</span></li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <CustomerForms r=r.clone() actions/>
            <SupportForms r actions/>
        </section>
    }
}
