//! Hardware replacements: the organization's replacements (every organization's for staff) with
//! their stage and delivery time (the cards in `components::replacements`), and the sites'
//! logistics, which admins edit. Every form is a plain post that comes back to the page.
mod sites;

use crate::api::replacements::{replacements_overview, SaveSiteLogistics};
use crate::components::auth::RequireUser;
use crate::components::form_error::{ErrorAlert, ErrorMessage};
use crate::components::replacements::{CardActions, CardList};
use crate::model::replacement::{Replacement, ReplacementsOverview};
use leptos::prelude::*;
use leptos_meta::Title;
use sites::SiteLogisticsSection;

#[component]
pub fn ReplacementsPage() -> impl IntoView {
    view! {
        <Title text="Replacements"/>
        <RequireUser children=|_| view! { <ReplacementsView/> }/>
    }
}

#[component]
fn ReplacementsView() -> impl IntoView {
    let actions = CardActions::new();
    let logistics = ServerAction::<SaveSiteLogistics>::new();
    let overview = Resource::new(|| (), |_| replacements_overview());
    view! {
        <div class="page-header"><h1>"Replacements"</h1></div>
        <p class="muted">
            "When support finds a faulty part, it ships a replacement and, if needed, sends a field "
            "technician. Delivery times follow your support plan and are shown in the site's local time."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading replacements…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <OverviewBody o actions logistics/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewBody(
    o: ReplacementsOverview,
    actions: CardActions,
    logistics: ServerAction<SaveSiteLogistics>,
) -> impl IntoView {
    let now = o.now;
    let staff = o.is_staff;
    let (open, done): (Vec<Replacement>, Vec<Replacement>) = o
        .replacements
        .into_iter()
        .partition(|r| !r.stage.is_final());
    view! {
        <section class="stack" aria-labelledby="repl-open-h">
            <h2 id="repl-open-h">"In progress"</h2>
            <ErrorAlert error=actions.error()/>
            {if open.is_empty() {
                view! { <p class="alert info">"No replacement is in progress."</p> }.into_any()
            } else {
                view! { <CardList list=open now staff actions/> }.into_any()
            }}
        </section>
        {(!done.is_empty()).then(|| view! {
            <section class="stack" aria-labelledby="repl-done-h">
                <h2 id="repl-done-h">"Completed and cancelled"</h2>
                <CardList list=done now staff actions/>
            </section>
        })}
        <SiteLogisticsSection sites=o.sites staff action=logistics/>
    }
}
