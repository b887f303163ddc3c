//! Who owns the case: the customer reads "Your engineer: Sam Support" (the guides' TSE, who
//! "remains as the point of contact for the customer"); support sees the owner, "Take it" while
//! nobody owns the case, and a form to assign it to another engineer or to nobody. Plain forms,
//! so they work without JavaScript; the server redirects back with `owner_changed` on success.
use crate::api::cases::{AssignCase, TakeCase};
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use crate::model::case::{CaseDetail, CaseOwnership};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What a customer reads in the case's header.
pub fn engineer_line(owner: Option<&str>) -> String {
    match owner {
        Some(name) => format!("Your engineer: {name}"),
        None => "Your engineer: Not yet assigned".to_string(),
    }
}

#[component]
pub fn CaseOwner(c: CaseDetail) -> impl IntoView {
    let owner = c.summary.owner_name.clone();
    match c.ownership.clone() {
        None => view! { <p class="case-owner">{engineer_line(owner.as_deref())}</p> }.into_any(),
        Some(o) => view! { <SupportOwner case_id=c.summary.id.clone() owner o/> }.into_any(),
    }
}

#[component]
fn SupportOwner(case_id: String, owner: Option<String>, o: CaseOwnership) -> impl IntoView {
    let take = ServerAction::<TakeCase>::new();
    let assign = ServerAction::<AssignCase>::new();
    // Every form's error is read here, shown or not: the page's status follows a refused form.
    let take_err = use_action_error(take);
    let assign_err = use_action_error(assign);
    let changed = use_query_map().with_untracked(|q| q.get("owner_changed").is_some());
    let shown = owner.clone().unwrap_or_else(|| "Unassigned".to_string());
    let confirmation = match &owner {
        Some(name) => format!("{name} owns this case now."),
        None => "Nobody owns this case now.".to_string(),
    };
    let current = o.owner_id.clone().unwrap_or_default();
    let take_id = case_id.clone();
    view! {
        <section class="card stack" aria-labelledby="owner-h">
            <h2 id="owner-h">"Engineer"</h2>
            {changed.then(|| view! { <div class="alert success" role="status">{confirmation}</div> })}
            <p>"Owner: " <strong>{shown}</strong></p>
            <ErrorAlert error=take_err/>
            {(o.owner_id.is_none()).then(|| view! {
                <ActionForm action=take attr:class="form">
                    <input type="hidden" name="case_id" value=take_id/>
                    <button type="submit" class="button primary">"Take it"</button>
                </ActionForm>
            })}
            <ActionForm action=assign attr:class="form">
                <input type="hidden" name="case_id" value=case_id/>
                <ErrorAlert error=assign_err/>
                <div class="field">
                    <label for="assign-engineer">"Assign to"</label>
                    <select id="assign-engineer" name="engineer_id">
                        <option value="" selected=current.is_empty()>"Nobody (unassigned)"</option>
                        {o.engineers.into_iter().map(|e| {
                            let selected = e.id == current;
                            view! { <option value=e.id selected=selected>{e.name}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError error=assign_err field="engineer_id"/>
                </div>
                <button type="submit" class="button secondary">"Assign"</button>
            </ActionForm>
        </section>
    }
}
