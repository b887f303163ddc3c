use crate::api::cases::list_cases;
use crate::api::dashboard::get_dashboard;
use crate::components::auth::RequireUser;
use crate::components::countdown::{Countdown, SeverityBadge};
use crate::components::form_error::ErrorMessage;
use crate::model::case::{CaseList, CaseStatus, CaseSummary};
use crate::model::{AppError, CurrentUser, Dashboard};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const PARAMS: [&str; 9] = [
    "status", "severity", "site_id", "search", "owner", "sort", "page", "after", "before",
];
/// What a page link replaces; the filters carry over.
const POSITION: [&str; 3] = ["page", "after", "before"];

#[component]
pub fn CasesPage() -> impl IntoView {
    view! {
        <Title text="Cases"/>
        <RequireUser children=|user| view! { <CaseListView user/> }/>
    }
}

#[component]
fn CaseListView(user: CurrentUser) -> impl IntoView {
    // Support engineers work one queue across every customer: show whose case it is.
    let staff = user.role.is_staff();
    let param = query_param();
    let cases = Resource::new(
        move || PARAMS.map(param),
        |[status, severity, site_id, search, owner, sort, page, after, before]| {
            list_cases(
                status, severity, site_id, search, owner, sort, page, after, before,
            )
        },
    );
    let sites = Resource::new(|| (), |_| get_dashboard());
    view! {
        <div class="page-header">
            <h1>"Cases"</h1>
            {(!user.role.is_staff()).then(|| view! { <A href="/cases/new" attr:class="button primary">"Open a case"</A> })}
            // Support writes down what a customer reported by phone, e-mail or alert.
            {staff.then(|| view! { <A href="/cases/log" attr:class="button primary">"Log a case for a customer"</A> })}
        </div>
        // The support queue flags parts delivered late (customers see theirs on the dashboard).
        {staff.then(|| view! { <crate::components::replacements::LateDeliveriesPanel/> })}
        <CaseFilters sites staff/>
        <Suspense fallback=|| view! { <p class="muted">"Loading cases…"</p> }>
            {move || Suspend::new(async move {
                match cases.await {
                    Ok(list) => view! { <CaseTable list staff/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The URL's value of a filter, `None` when absent or empty.
fn query_param() -> impl Fn(&str) -> Option<String> + Copy {
    let query = use_query_map();
    move |k: &str| query.with(|q| q.get(k).filter(|v| !v.is_empty()))
}

/// The filters, a plain GET form showing the URL's choices.
#[component]
fn CaseFilters(sites: Resource<Result<Dashboard, AppError>>, staff: bool) -> impl IntoView {
    let param = query_param();
    let selected = move |k: &'static str, v: &'static str| {
        move || param(k).as_deref().unwrap_or_default() == v
    };
    view! {
        <form method="GET" action="/cases" class="form filters cluster" aria-label="Filter cases">
            <div class="field">
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status">
                    <option value="open" selected=selected("status", "open")>"Open"</option>
                    <option value="closed" selected=selected("status", "closed")>"Closed"</option>
                    <option value="all" selected=selected("status", "all")>"All"</option>
                    // "Closed" is already the second choice above.
                    {CaseStatus::ALL.into_iter().filter(|s| s.is_open()).map(|s| view! {
                        <option value=s.as_str() selected=selected("status", s.as_str())>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-severity">"Severity"</label>
                <select id="f-severity" name="severity">
                    <option value="" selected=selected("severity", "")>"Any"</option>
                    {["1", "2", "3", "4"].into_iter().map(|n| view! {
                        <option value=n selected=selected("severity", n)>{format!("Severity {n}")}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-site">"Site"</label>
                <select id="f-site" name="site_id">
                    <option value="">"Any"</option>
                    <Suspense fallback=|| ()>
                        {move || sites.get().and_then(|r| r.ok()).map(|d| {
                            d.organizations.into_iter().flat_map(|o| o.sites).map(|s| {
                                let id = s.id.clone();
                                view! {
                                    <option value=s.id selected=move || param("site_id").as_deref() == Some(id.as_str())>{s.name}</option>
                                }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="field">
                <label for="f-search">"Subject contains"</label>
                <input id="f-search" name="search" type="search" value=move || param("search").unwrap_or_default()/>
            </div>
            // Support's queue only: a customer's cases are all theirs.
            {staff.then(|| view! {
                <div class="field">
                    <label for="f-owner">"Engineer"</label>
                    <select id="f-owner" name="owner">
                        <option value="" selected=selected("owner", "")>"Anyone"</option>
                        <option value="mine" selected=selected("owner", "mine")>"Mine"</option>
                        <option value="unassigned" selected=selected("owner", "unassigned")>"Unassigned"</option>
                    </select>
                </div>
            })}
            <div class="field">
                <label for="f-sort">"Sort by"</label>
                <select id="f-sort" name="sort">
                    <option value="next_deadline" selected=selected("sort", "next_deadline")>"Next deadline"</option>
                    <option value="opened_desc" selected=selected("sort", "opened_desc")>"Newest first"</option>
                    <option value="severity" selected=selected("sort", "severity")>"Severity"</option>
                </select>
            </div>
            <div class="actions"><button type="submit" class="button secondary">"Apply filters"</button></div>
        </form>
    }
}

#[component]
fn CaseTable(list: CaseList, staff: bool) -> impl IntoView {
    if list.rows.is_empty() {
        return view! { <p class="alert info">"No cases match these filters."</p> }.into_any();
    }
    let now = list.now;
    let page = list.page;
    let page_label = match list.page_count() {
        Some(pages) => format!("Page {page} of {pages}"),
        None => format!("Page {page}"),
    };
    let query = use_query_map();
    // A neighbouring page continues from this page's first or last case.
    let link_to = move |p: u32, side: &str, number: i64| {
        let mut parts: Vec<String> = query.with_untracked(|q| {
            PARAMS
                .iter()
                .filter(|k| !POSITION.contains(k))
                .filter_map(|k| {
                    q.get(k)
                        .map(|v| format!("{k}={}", crate::model::url::encode_component(&v)))
                })
                .collect()
        });
        parts.push(format!("{side}={number}&page={p}"));
        format!("/cases?{}", parts.join("&"))
    };
    let previous = list
        .first_number()
        .filter(|_| list.has_previous)
        .map(|n| link_to(page - 1, "before", n));
    let next = list
        .last_number()
        .filter(|_| list.has_next)
        .map(|n| link_to(page + 1, "after", n));
    let paged = previous.is_some() || next.is_some();
    view! {
        <p class="muted">{list.total_label()}</p>
        <table class="data responsive">
            <caption class="visually-hidden">"Support cases"</caption>
            <thead>
                <tr>
                    <th scope="col">"Case"</th>
                    {staff.then(|| view! { <th scope="col">"Organization"</th> })}
                    <th scope="col">"Subject"</th>
                    <th scope="col">"Site / array"</th>
                    <th scope="col">"Severity"</th>
                    <th scope="col">"Status"</th>
                    {staff.then(|| view! { <th scope="col">"Engineer"</th> })}
                    <th scope="col">"Next update due"</th>
                </tr>
            </thead>
            <tbody>
                {list.rows.into_iter().map(|c| view! { <CaseRow case=c now staff/> }).collect_view()}
            </tbody>
        </table>
        {paged.then(|| view! {
            <nav class="cluster pagination" aria-label="Pages">
                {previous.map(|href| view! { <A href>"Previous page"</A> })}
                <span>{page_label}</span>
                {next.map(|href| view! { <A href>"Next page"</A> })}
            </nav>
        })}
    }
    .into_any()
}

#[component]
fn CaseRow(case: CaseSummary, now: DateTime<Utc>, staff: bool) -> impl IntoView {
    let tz = case.site_tz.clone();
    let due = case.next_update_due.or(case.next_deadline);
    view! {
        <tr>
            <td data-label="Case"><A href=format!("/cases/{}", case.id)>{case.number_label.clone()}</A></td>
            {staff.then(|| view! { <td data-label="Organization">{case.organization_name.clone()}</td> })}
            <td data-label="Subject">{case.subject.clone()}</td>
            <td data-label="Site / array"><span>{case.site_name.clone()} <br/> <span class="muted">{case.array_name.clone()}</span></span></td>
            <td data-label="Severity"><SeverityBadge severity=case.severity/></td>
            <td data-label="Status"><span class="status">{case.status.label()}</span></td>
            {staff.then(|| view! {
                <td data-label="Engineer">{case.owner_name.clone().unwrap_or_else(|| "Unassigned".to_string())}</td>
            })}
            <td data-label="Next update due">
                {match due {
                    Some(due) if case.status.is_open() => view! { <Countdown due tz rendered_at=now/> }.into_any(),
                    _ => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
