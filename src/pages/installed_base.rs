//! The installed base ("Manage"): the organization's arrays by site, each with its plan and what
//! the package includes, its contract's status, its software and what is open on it, and a link
//! that opens a case for it. Each site says up front which delivery window the vendor determined
//! for it. Rendered on the server; nothing here needs the client.
use crate::api::installed_base::installed_base;
use crate::components::auth::RequireUser;
use crate::components::form_error::ErrorMessage;
use crate::model::installed_base::{
    contract_sentence, product_line_label, BaseArray, BaseSession, BaseSite, InstalledBase,
    SiteScope,
};
use crate::model::remote_assist::SessionState;
use crate::sla::{ContractStatus, Entitlement, LAPSING_NOTICE_MONTHS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InstalledBasePage() -> impl IntoView {
    view! {
        <Title text="Installed base"/>
        <RequireUser children=|_| view! { <InstalledBaseView/> }/>
    }
}

#[component]
fn InstalledBaseView() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(move || query.with(|q| q.get("org")), installed_base);
    view! {
        <div class="page-header"><h1>"Installed base"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading the installed base…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(b) => view! { <InstalledBaseBody b/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstalledBaseBody(b: InstalledBase) -> impl IntoView {
    let Some(org) = b.organization else {
        // Vendor staff choose an organization first.
        return view! {
            <p>"Choose an organization to see its installed base."</p>
            <ul>
                {b.organizations.into_iter().map(|o| view! {
                    <li><A href=format!("/installed-base?org={}", o.id)>{o.name}</A></li>
                }).collect_view()}
            </ul>
        }
        .into_any();
    };
    let staff = !b.organizations.is_empty();
    let scope = match b.scope {
        SiteScope::Every => format!("{}: every site's arrays and services.", org.name),
        SiteScope::Designated => format!(
            "{}: the sites where you are a designated contact. Your organization's admins see every site.",
            org.name
        ),
    };
    view! {
        <div class="installed-base stack">
            <p>
                {scope} " "
                {staff.then(|| view! { <A href="/installed-base">"Choose another organization"</A> })}
            </p>
            {b.sites.is_empty().then(|| view! {
                <p class="alert info">"No sites to show: you are not a designated contact at any site yet."</p>
            })}
            {b.sites.into_iter().map(|site| view! { <SiteSection site/> }).collect_view()}
            <p class="hint">
                {format!(
                    "A contract shows as lapsing in its last {LAPSING_NOTICE_MONTHS} months, with the days of support left. \
                     After its last day it is lapsed while its program allows reinstating it (until the date shown, \
                     or without a limit), then expired. Cases can be opened while support is active or lapsing."
                )}
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn SiteSection(site: BaseSite) -> impl IntoView {
    let heading = format!("site-{}-h", site.id);
    let labelled_by = heading.clone();
    let determination = site.delivery_determination();
    let name = site.name.clone();
    view! {
        <section class="stack" aria-labelledby=labelled_by>
            <h2 id=heading>{site.name.clone()}</h2>
            <dl class="kv">
                <dt>"Replacement delivery window"</dt>
                <dd><strong>{determination}</strong></dd>
                <dt>"Business Critical Services (BCS)"</dt>
                <dd>{if site.bcs { "Subscribed" } else { "Not subscribed" }}</dd>
                <dt>"Address"</dt><dd>{site.address.clone()}</dd>
                <dt>"Time zone"</dt><dd>{site.time_zone.clone()}</dd>
            </dl>
            {if site.arrays.is_empty() {
                view! { <p class="muted">"No arrays at this site yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data responsive">
                        <caption class="visually-hidden">{format!("Arrays at {name}")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Array"</th>
                                <th scope="col">"Model"</th>
                                <th scope="col">"Support plan"</th>
                                <th scope="col">"Contract"</th>
                                <th scope="col">"Software"</th>
                                <th scope="col">"Now"</th>
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {site.arrays.into_iter().map(|a| view! { <ArrayRow a/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ArrayRow(a: BaseArray) -> impl IntoView {
    let open_case = a.can_open_case.then(|| {
        let label = format!("Open a case for {}", a.name);
        view! {
            <A href=format!("/cases/new?array={}", a.id) attr:class="button secondary" attr:aria-label=label>
                "Open a case"
            </A>
        }
    });
    view! {
        <tr>
            <th scope="row" data-label="Array">
                <div>
                    <span class="array-name">{a.name.clone()}</span>
                    <span class="serial">"Serial " <code>{a.serial.clone()}</code></span>
                </div>
            </th>
            <td data-label="Model">
                <div>
                    {not_recorded(&a.model)}
                    <span class="muted">{product_line_label(&a.product_line)}</span>
                </div>
            </td>
            <td data-label="Support plan"><div><Plan a=a.clone()/></div></td>
            <td data-label="Contract"><div><Contract a=a.clone()/></div></td>
            <td data-label="Software">{not_recorded(&a.software_version)}</td>
            <td data-label="Now"><div><NowOpen a=a.clone()/></div></td>
            <td data-label="Actions">
                {match open_case {
                    Some(link) => link.into_any(),
                    // Lapsed or expired: the contract sentence says how to get support back.
                    None if !a.contract.is_active() => view! { <span class="muted">"Support not active"</span> }.into_any(),
                    // Vendor staff: cases are opened by the customer's contacts.
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

fn not_recorded(v: &str) -> AnyView {
    if v.is_empty() {
        view! { <span class="muted">"Not recorded"</span> }.into_any()
    } else {
        view! { <span>{v.to_string()}</span> }.into_any()
    }
}

/// The plan, its program and the package's rows as the guide's table gives them.
#[component]
fn Plan(a: BaseArray) -> impl IntoView {
    view! {
        <strong>{a.plan_name.clone()}</strong>
        <span class="muted program">{a.program_name.clone()}</span>
        <ul class="package" aria-label=format!("What the {} plan includes", a.plan_name)>
            {a.package.iter().map(|item| view! {
                <li><span class="feature">{item.feature.label()} ": "</span>{item.included.clone()}</li>
            }).collect_view()}
            {a.bcs_applies.then(|| view! {
                <li><span class="feature">"BCS at this site: "</span>
                    {format!("response times of the “{}” column", Entitlement::Bcs.label())}</li>
            })}
            {a.delivery_at_site.clone().map(|d| view! { <li class="at-site">{d}</li> })}
        </ul>
    }
}

#[component]
fn Contract(a: BaseArray) -> impl IntoView {
    let (class, word) = match a.contract {
        ContractStatus::Active => ("status contract-active", "Active"),
        ContractStatus::Lapsing { .. } => ("status contract-lapsing", "Lapsing"),
        ContractStatus::Lapsed { .. } => ("status contract-lapsed", "Lapsed"),
        ContractStatus::Expired => ("status contract-expired", "Expired"),
    };
    view! {
        <span class=class>{word}</span>
        <span class="contract-sentence">{contract_sentence(&a.contract, a.contract_end)}</span>
        {a.contract_start.map(|d| view! { <span class="muted">{format!("Started {d}")}</span> })}
    }
}

/// Connection, open cases and replacements, and the Remote Assist session if there is one.
#[component]
fn NowOpen(a: BaseArray) -> impl IntoView {
    let plural = |n: i64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    view! {
        {if a.connected {
            view! { <span class="status ra-connected">"Connected"</span> }.into_any()
        } else {
            view! { <span class="status ra-dark">"Dark site (not connected)"</span> }.into_any()
        }}
        <span>{plural(a.open_cases, "open case", "open cases")}</span>
        <span>{plural(a.open_replacements, "replacement in progress", "replacements in progress")}</span>
        <span>{remote_assist_line(a.remote_assist.as_ref())}</span>
    }
}

fn remote_assist_line(s: Option<&BaseSession>) -> String {
    match s {
        None => "No Remote Assist session".to_string(),
        Some(s) if s.state == SessionState::Requested => format!(
            "Remote Assist requested, waiting for an admin (until {})",
            s.until_local
        ),
        Some(s) => format!("Remote Assist active until {}", s.until_local),
    }
}
