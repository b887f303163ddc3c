//! Late deliveries: on the dashboard and the support queue.
use crate::api::replacements::late_deliveries;
use crate::components::countdown::Countdown;
use crate::model::replacement::Replacement;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;

/// Parts on their way past their committed delivery time; nothing when there are none.
#[component]
pub fn LateDeliveriesPanel() -> impl IntoView {
    let late = Resource::new(|| (), |_| late_deliveries());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match late.await {
                    Ok(l) if !l.replacements.is_empty() => {
                        let now = l.now;
                        let staff = l.is_staff;
                        view! {
                            <section class="alert error late-deliveries stack" aria-labelledby="late-h">
                                <h2 id="late-h">"Late deliveries"</h2>
                                <ul>
                                    {l.replacements.into_iter().map(|r| view! { <LateItem r now staff/> }).collect_view()}
                                </ul>
                                <p><A href="/replacements">"All replacements"</A></p>
                            </section>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LateItem(r: Replacement, now: DateTime<Utc>, staff: bool) -> impl IntoView {
    let who = if staff {
        format!("{} · {}", r.organization_name, r.site_name)
    } else {
        r.site_name.clone()
    };
    let (href, label) = (format!("/cases/{}", r.case.id), r.case.number_label.clone());
    view! {
        <li>
            <strong>{r.title()}</strong> " · " {who} " · "
            <A href=href>{label}</A>
            " · due "
            {r.delivery_due.map(|due| view! { <Countdown due tz=r.site_tz.clone() rendered_at=now/> })}
        </li>
    }
}
