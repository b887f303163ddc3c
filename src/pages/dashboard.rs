use crate::api::dashboard::get_dashboard;
use crate::components::auth::RequireUser;
use crate::components::form_error::ErrorMessage;
use crate::model::{ArraySummary, OrgSummary, SiteSummary};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <RequireUser children=|user| {
            let data = Resource::new(|| (), |_| get_dashboard());
            view! {
                <div class="page-header">
                    <h1>"Dashboard"</h1>
                </div>
                <p>"Signed in as " <strong>{user.name.clone()}</strong> " (" {user.email.clone()} ")."</p>
                <crate::pages::dashboard_needs::NeedsYou user=user.clone()/>
                <crate::components::replacements::LateDeliveriesPanel/>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(d) => view! {
                                <crate::components::reach::HowToReach reach=d.reach/>
                                {d.organizations.into_iter().map(|o| view! { <Organization org=o/> }).collect_view()}
                            }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        }/>
    }
}

#[component]
fn Organization(org: OrgSummary) -> impl IntoView {
    view! {
        <section class="stack" aria-label=org.name.clone()>
            <h2>{org.name.clone()}</h2>
            {org.sites.into_iter().map(|s| view! { <Site site=s/> }).collect_view()}
        </section>
    }
}

#[component]
fn Site(site: SiteSummary) -> impl IntoView {
    view! {
        <article class="card">
            <h3>{site.name.clone()}</h3>
            <dl class="kv">
                <dt>"Time zone"</dt><dd>{site.time_zone.clone()}</dd>
                <dt>"Address"</dt><dd>{site.address.clone()}</dd>
            </dl>
            <table class="data responsive">
                <caption class="visually-hidden">"Arrays at " {site.name.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Array"</th>
                        <th scope="col">"Serial"</th>
                        <th scope="col">"Program"</th>
                        <th scope="col">"Plan"</th>
                        <th scope="col">"Contract end"</th>
                        <th scope="col">"Connection"</th>
                    </tr>
                </thead>
                <tbody>
                    {site.arrays.into_iter().map(|a| view! { <ArrayRow array=a/> }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}

#[component]
fn ArrayRow(array: ArraySummary) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Array">{array.name}</td>
            <td data-label="Serial">{array.serial}</td>
            <td data-label="Program">{array.program_id}</td>
            <td data-label="Plan">{array.plan_id}</td>
            <td data-label="Contract end">{array.contract_end}</td>
            <td data-label="Connection">{if array.connected { "Connected" } else { "Dark site" }}</td>
        </tr>
    }
}
