//! The dashboard's first answer, "what needs me now": for a customer, the cases support waits on
//! them for (a proposed resolution to confirm, a question to answer), then their open cases by
//! nearest deadline; for support, the queue by nearest deadline. Read through the case list's
//! own server function, so it shows exactly what the viewer may see there.
use crate::api::cases::list_cases;
use crate::components::countdown::{Countdown, SeverityBadge};
use crate::model::case::{CaseList, CaseSummary};
use crate::model::CurrentUser;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Rows in each list; the case list has the rest.
const SHOWN: usize = 5;

async fn cases(status: &str) -> Option<CaseList> {
    list_cases(
        Some(status.to_string()),
        None,
        None,
        None,
        None,
        Some("next_deadline".into()),
        None,
        None,
        None,
    )
    .await
    .ok()
}

#[component]
pub fn NeedsYou(user: CurrentUser) -> impl IntoView {
    let staff = user.role.is_staff();
    let lists = Resource::new(
        || (),
        move |_| async move {
            if staff {
                (None, None, cases("open").await)
            } else {
                (
                    cases("resolution_proposed").await,
                    cases("waiting_on_customer").await,
                    cases("open").await,
                )
            }
        },
    );
    view! {
        <section class="stack" aria-labelledby="needs-h">
            <h2 id="needs-h">{if staff { "The queue: nearest deadlines" } else { "What needs you" }}</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading your cases…"</p> }>
                {move || Suspend::new(async move {
                    let (proposed, waiting, open) = lists.await;
                    let mut yours: Vec<CaseSummary> = Vec::new();
                    let mut now = Utc::now();
                    for l in [proposed, waiting].into_iter().flatten() {
                        now = l.now;
                        yours.extend(l.rows);
                    }
                    let waiting_view = (!staff).then(|| {
                        let total = yours.len();
                        view! {
                            <CaseTable
                                title="Waiting on you"
                                empty="Nothing: support is not waiting on you for any case."
                                rows=yours.into_iter().take(SHOWN).collect()
                                total
                                more_href="/cases"
                                now
                            />
                        }
                    });
                    let open_view = open.map(|l| {
                        let total = usize::try_from(l.total).unwrap_or(0);
                        view! {
                            <CaseTable
                                title=if staff { "Open cases, nearest deadline first" } else { "Your open cases, nearest deadline first" }
                                empty="No open cases."
                                rows=l.rows.into_iter().take(SHOWN).collect()
                                total
                                more_href="/cases"
                                now=l.now
                            />
                        }
                    });
                    view! { {waiting_view} {open_view} }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CaseTable(
    title: &'static str,
    empty: &'static str,
    rows: Vec<CaseSummary>,
    total: usize,
    more_href: &'static str,
    now: DateTime<Utc>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <h3>{title}</h3> <p class="muted">{empty}</p> }.into_any();
    }
    let shown = rows.len();
    view! {
        <h3>{title}</h3>
        <div class="table-wrap">
            <table class="data responsive needs-you">
                <caption class="visually-hidden">{title}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Case"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Next deadline"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|c| view! { <Row c now/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {(total > shown).then(|| view! {
            <p><a href=more_href>{format!("All {total} in the case list")}</a></p>
        })}
    }
    .into_any()
}

#[component]
fn Row(c: CaseSummary, now: DateTime<Utc>) -> impl IntoView {
    let tz = c.site_tz.clone();
    let due = c.next_deadline.or(c.next_update_due);
    view! {
        <tr>
            <td data-label="Case"><a href=format!("/cases/{}", c.id)>{c.number_label.clone()}</a></td>
            <td data-label="Subject">{c.subject.clone()}</td>
            <td data-label="Severity"><SeverityBadge severity=c.severity/></td>
            <td data-label="Status"><span class="status">{c.status.label()}</span></td>
            <td data-label="Next deadline">
                {match due {
                    Some(due) => view! { <Countdown due tz rendered_at=now/> }.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
