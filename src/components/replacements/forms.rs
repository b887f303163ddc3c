//! The forms on a replacement's card: what the customer does next, and support's stage moves.
use super::card::CardActions;
use super::local_input;
use crate::model::replacement::{Replacement, Stage};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Hidden `replacement_id` (and `stage`) of a card's form.
fn hidden(id: &str, stage: Option<Stage>) -> impl IntoView {
    view! {
        <input type="hidden" name="replacement_id" value=id.to_string()/>
        {stage.map(|s| view! { <input type="hidden" name="stage" value=s.as_str()/> })}
    }
}

#[component]
pub fn CustomerForms(r: Replacement, actions: CardActions) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let (start_id, end_id) = (
        format!("propose-start-{}", r.id),
        format!("propose-end-{}", r.id),
    );
    let (confirm_hidden, propose_hidden) = (hidden(&r.id, None), hidden(&r.id, None));
    let proposed = r
        .proposed_window
        .map(|(s, e)| (local_input(s, zone), local_input(e, zone)));
    view! {
        {r.can_confirm_access.then(|| view! {
            <ActionForm action=actions.confirm attr:class="form">
                {confirm_hidden}
                <p class="hint">"The field technician uses the site's logistics below: datacenter address, grid coordinates, security and access instructions, and the delivery contact."</p>
                <div class="actions"><button type="submit" class="button primary">"Confirm site access details"</button></div>
            </ActionForm>
        })}
        {r.can_propose_window.then(|| view! {
            <ActionForm action=actions.propose attr:class="form inline-fields">
                {propose_hidden}
                <div class="field">
                    <label for=start_id.clone()>"Technician may come from (site time)"</label>
                    <input id=start_id type="datetime-local" name="window_start" required
                        value=proposed.as_ref().map(|p| p.0.clone()).unwrap_or_default()/>
                </div>
                <div class="field">
                    <label for=end_id.clone()>"Until (site time)"</label>
                    <input id=end_id type="datetime-local" name="window_end" required
                        value=proposed.as_ref().map(|p| p.1.clone()).unwrap_or_default()/>
                </div>
                <div class="actions"><button type="submit" class="button secondary">"Propose window"</button></div>
            </ActionForm>
        })}
    }
}

#[component]
pub fn SupportForms(r: Replacement, actions: CardActions) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let rid = r.id.clone();
    let field_id = move |name: &str| format!("{name}-{rid}");
    let proposed = r.proposed_window;
    let forms = r.next_stages.iter().map(|s| {
        let s = *s;
        let body = match s {
            Stage::Dispatched => view! {
                <button type="submit" class="button primary">"Dispatch"</button>
            }.into_any(),
            Stage::Shipped => view! {
                <div class="field">
                    <label for=field_id("carrier")>"Carrier"</label>
                    <input id=field_id("carrier") name="carrier" type="text" required maxlength="100"/>
                </div>
                <div class="field">
                    <label for=field_id("tracking")>"Tracking number"</label>
                    <input id=field_id("tracking") name="tracking_number" type="text" required maxlength="100"/>
                </div>
                <button type="submit" class="button primary">"Mark shipped"</button>
            }.into_any(),
            Stage::Delivered => view! {
                <div class="field">
                    <label for=field_id("delivered")>"Delivered at (site time; empty for now)"</label>
                    <input id=field_id("delivered") name="delivered_at" type="datetime-local"/>
                </div>
                <button type="submit" class="button primary">"Mark delivered"</button>
            }.into_any(),
            Stage::TechnicianScheduled => view! {
                <div class="field">
                    <label for=field_id("window-start")>"Technician arrives (site time)"</label>
                    <input id=field_id("window-start") name="window_start" type="datetime-local" required
                        value=proposed.map(|p| local_input(p.0, zone)).unwrap_or_default()/>
                </div>
                <div class="field">
                    <label for=field_id("window-end")>"Visit ends (site time)"</label>
                    <input id=field_id("window-end") name="window_end" type="datetime-local" required
                        value=proposed.map(|p| local_input(p.1, zone)).unwrap_or_default()/>
                </div>
                <button type="submit" class="button primary">"Schedule technician"</button>
            }.into_any(),
            Stage::Installed => view! {
                <button type="submit" class="button primary">"Mark installed"</button>
            }.into_any(),
            Stage::Returned => view! {
                <button type="submit" class="button primary">"Defective part returned"</button>
            }.into_any(),
            Stage::Retained => view! {
                <button type="submit" class="button primary">"Close: drives retained"</button>
            }.into_any(),
            Stage::Diagnosed | Stage::Cancelled => ().into_any(),
        };
        let fields = hidden(&r.id, Some(s));
        view! {
            <ActionForm action=actions.stage attr:class="form inline-fields">
                {fields}
                {body}
            </ActionForm>
        }
    }).collect_view();
    let reason_id = format!("cancel-reason-{}", r.id);
    let cancel_fields = hidden(&r.id, Some(Stage::Cancelled));
    view! {
        {forms}
        {r.can_cancel.then(|| view! {
            <details class="cancel">
                <summary>"Cancel this replacement"</summary>
                <ActionForm action=actions.stage attr:class="form">
                    {cancel_fields}
                    <div class="field">
                        <label for=reason_id.clone()>"Reason for cancelling"</label>
                        <textarea id=reason_id name="reason" rows="2" required maxlength="2000"></textarea>
                    </div>
                    <div class="actions"><button type="submit" class="button danger">"Cancel replacement"</button></div>
                </ActionForm>
            </details>
        })}
    }
}
