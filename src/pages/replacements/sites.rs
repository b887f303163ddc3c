//! The sites' logistics: what a field technician needs, which admins edit.
use crate::api::replacements::SaveSiteLogistics;
use crate::components::form_error::{use_action_error, ErrorAlert};
use crate::components::phone::PhoneLink;
use crate::components::replacements::at;
use crate::model::replacement::{LogisticsFields, SiteLogistics};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SiteLogisticsSection(
    sites: Vec<SiteLogistics>,
    staff: bool,
    action: ServerAction<SaveSiteLogistics>,
) -> impl IntoView {
    let error = use_action_error(action);
    view! {
        <section class="stack" aria-labelledby="logistics-h">
            <h2 id="logistics-h">"Site logistics"</h2>
            <p class="muted">
                "What a field technician needs: the datacenter's address, the device's grid coordinates, "
                "the site's security and access instructions, and who receives deliveries. A dispatch "
                "with a technician waits until all of it is filled in."
            </p>
            <ErrorAlert error/>
            <div class="card-grid">
                {sites.into_iter().map(|s| view! { <SiteCard s staff action/> }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn SiteCard(
    s: SiteLogistics,
    staff: bool,
    action: ServerAction<SaveSiteLogistics>,
) -> impl IntoView {
    let zone: Tz = s.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let heading = format!("site-{}", s.site_id);
    let labelled = heading.clone();
    let title = if staff {
        format!("{} · {}", s.organization_name, s.site_name)
    } else {
        s.site_name.clone()
    };
    let saved = use_query_map()
        .with_untracked(|q| q.get("saved"))
        .as_deref()
        == Some(s.site_id.as_str());
    view! {
        <section class="card stack" aria-labelledby=labelled>
            <h3 id=heading>{title}</h3>
            {saved.then(|| view! { <p class="alert success" role="status">"Site logistics saved."</p> })}
            {if s.missing.is_empty() {
                view! { <p class="status on-time">"Ready for a field technician"</p> }.into_any()
            } else {
                let list = s.missing.iter().map(String::as_str).collect::<Vec<_>>();
                view! {
                    <p class="alert info">"Missing for a field technician: " {crate::model::replacement::and_list(&list)} "."</p>
                }.into_any()
            }}
            {if s.can_edit {
                view! { <SiteLogisticsForm site_id=s.site_id.clone() f=s.fields.clone() action/> }.into_any()
            } else {
                view! { <SiteLogisticsFields f=s.fields.clone()/> }.into_any()
            }}
            {s.updated_at.map(|t| view! {
                <p class="hint">"Last changed " {at(t, zone)} {s.updated_by.clone().map(|b| format!(" by {b}"))}</p>
            })}
        </section>
    }
}

/// The site's logistics as its admin edits them.
#[component]
fn SiteLogisticsForm(
    site_id: String,
    f: LogisticsFields,
    action: ServerAction<SaveSiteLogistics>,
) -> impl IntoView {
    let field_of = site_id.clone();
    let id = move |name: &str| format!("{name}-{field_of}");
    view! {
        <ActionForm action attr:class="form">
            <input type="hidden" name="site_id" value=site_id/>
            <div class="field">
                <label for=id("dc-address")>"Datacenter address"</label>
                <input id=id("dc-address") name="datacenter_address" type="text" maxlength="2000" value=f.datacenter_address.clone()/>
            </div>
            <div class="field">
                <label for=id("grid")>"Grid coordinates"</label>
                <input id=id("grid") name="grid_coordinates" type="text" maxlength="2000" value=f.grid_coordinates.clone()/>
            </div>
            <div class="field">
                <label for=id("access")>"Security and access instructions"</label>
                <input id=id("access") name="access_instructions" type="text" maxlength="2000" value=f.access_instructions.clone()/>
            </div>
            <div class="field">
                <label for=id("contact-name")>"Delivery contact name"</label>
                <input id=id("contact-name") name="delivery_contact_name" type="text" maxlength="100" value=f.delivery_contact_name.clone()/>
            </div>
            <div class="field">
                <label for=id("contact-phone")>"Delivery contact phone"</label>
                <input id=id("contact-phone") name="delivery_contact_phone" type="tel" maxlength="100" value=f.delivery_contact_phone.clone()/>
            </div>
            <div class="actions"><button type="submit" class="button primary">"Save site logistics"</button></div>
        </ActionForm>
    }
}

/// The site's logistics for those who may not edit them.
#[component]
fn SiteLogisticsFields(f: LogisticsFields) -> impl IntoView {
    let shown = |v: &str| {
        if v.trim().is_empty() {
            "—".to_string()
        } else {
            v.to_string()
        }
    };
    view! {
        <dl class="kv">
            <dt>"Datacenter address"</dt><dd class="pre">{shown(&f.datacenter_address)}</dd>
            <dt>"Grid coordinates"</dt><dd>{shown(&f.grid_coordinates)}</dd>
            <dt>"Security and access instructions"</dt><dd class="pre">{shown(&f.access_instructions)}</dd>
            <dt>"Delivery contact"</dt>
            <dd>{shown(&f.delivery_contact_name)} " · " {if f.delivery_contact_phone.trim().is_empty() {
                view! { "—" }.into_any()
            } else {
                view! { <PhoneLink phone=f.delivery_contact_phone.clone()/> }.into_any()
            }}</dd>
        </dl>
    }
}
