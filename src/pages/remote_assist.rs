//! Remote Assist: every array of the viewer's organization (every organization's for staff) with
//! its connection state and open session, the request form for the organization's admins and
//! backup contacts, and the recent history. Every form is a plain post that comes back here.
use crate::api::remote_assist::{
    remote_assist_overview, EndRemoteAssist, ExtendRemoteAssist, JoinRemoteAssist,
    RequestRemoteAssist, StartRemoteAssist,
};
use crate::components::auth::RequireUser;
use crate::components::countdown::{countdown_text, use_now};
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::remote_assist::{
    RaArray, RaSession, RemoteAssistOverview, SessionState, DEFAULT_HOURS, HOUR_CHOICES, MAX_HOURS,
};
use crate::model::AppError;
use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::either::Either;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page's forms: each posts to its server function, which redirects back here (with its
/// error in the URL when refused).
#[derive(Clone, Copy)]
struct RaActions {
    request: ServerAction<RequestRemoteAssist>,
    start: ServerAction<StartRemoteAssist>,
    join: ServerAction<JoinRemoteAssist>,
    end: ServerAction<EndRemoteAssist>,
    extend: ServerAction<ExtendRemoteAssist>,
}

/// The error a session form (start, join, end, extend) came back with, shown once above the
/// arrays rather than on every card.
fn session_error(actions: RaActions) -> Signal<Option<AppError>> {
    let start = use_action_error(actions.start);
    let join = use_action_error(actions.join);
    let end = use_action_error(actions.end);
    let extend = use_action_error(actions.extend);
    Signal::derive(move || start.get().or(join.get()).or(end.get()).or(extend.get()))
}

#[component]
pub fn RemoteAssistPage() -> impl IntoView {
    view! {
        <Title text="Remote Assist"/>
        <RequireUser children=|_| view! { <RemoteAssistView/> }/>
    }
}

#[component]
fn RemoteAssistView() -> impl IntoView {
    let actions = RaActions {
        request: ServerAction::new(),
        start: ServerAction::new(),
        join: ServerAction::new(),
        end: ServerAction::new(),
        extend: ServerAction::new(),
    };
    let overview = Resource::new(|| (), |_| remote_assist_overview());
    // The session a request just made (the request form lands here with it).
    let requested = use_query_map().with_untracked(|q| q.get("requested"));
    view! {
        <div class="page-header"><h1>"Remote Assist"</h1></div>
        <p class="muted">
            "A Remote Assist session lets support engineers reach an array over a secure link. "
            "Only one session can run on an array at a time, though several engineers may join it. "
            "It ends when you or support end it, or by itself when its time runs out."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading Remote Assist…"</p> }>
            {move || {
                let requested = requested.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <OverviewBody o actions requested/> }.into_any(),
                        Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn OverviewBody(
    o: RemoteAssistOverview,
    actions: RaActions,
    requested: Option<String>,
) -> impl IntoView {
    let now = o.now;
    let is_staff = o.is_staff;
    let error = session_error(actions);
    let made = requested.and_then(|id| {
        o.arrays
            .iter()
            .find_map(|a| a.session.clone().filter(|s| s.id == id))
    });
    view! {
        {made.map(|s| view! { <RequestedNotice s/> })}
        {o.can_request.then(|| view! { <RequestForm o=o.clone() actions/> })}
        <section class="stack" aria-labelledby="ra-arrays-h">
            <h2 id="ra-arrays-h">"Arrays"</h2>
            <ErrorAlert error/>
            {if o.arrays.is_empty() {
                view! { <p class="alert info">"No arrays are registered yet."</p> }.into_any()
            } else {
                view! {
                    <div class="card-grid">
                        {o.arrays.into_iter().map(|a| view! { <ArrayCard a now is_staff actions/> }).collect_view()}
                    </div>
                }.into_any()
            }}
        </section>
        <History sessions=o.history is_staff/>
    }
}

#[component]
fn RequestForm(o: RemoteAssistOverview, actions: RaActions) -> impl IntoView {
    let error = use_action_error(actions.request);
    let first_connected = o
        .arrays
        .iter()
        .find(|a| a.connected && a.requestable)
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    view! {
        <ActionForm action=actions.request attr:class="form card" attr:aria-labelledby="ra-request-h">
            <h2 id="ra-request-h">"Request a session"</h2>
            <p class="hint">
                "Your request opens the session at once. You can request one for the arrays of the sites "
                "where you are the local administrator (an admin, or the site's backup contact). "
                "Arrays at a dark site (not connected to the cloud) cannot have one."
            </p>
            <ErrorAlert error/>
            <div class="field">
                <label for="ra-array">"Array"</label>
                <select id="ra-array" name="array_id" required aria-describedby=described("array_id")>
                    {o.arrays.iter().filter(|a| a.requestable).map(|a| {
                        let label = if a.connected {
                            format!("{} ({})", a.name, a.serial)
                        } else {
                            format!("{} ({}) — dark site", a.name, a.serial)
                        };
                        view! {
                            <option value=a.id.clone() disabled=!a.connected
                                selected=a.id == first_connected>{label}</option>
                        }
                    }).collect_view()}
                </select>
                <FieldError error field="array_id"/>
            </div>
            <div class="field">
                <label for="ra-reason">"Reason"</label>
                <p class="hint">"What support should do on the array."</p>
                <textarea id="ra-reason" name="reason" rows="3" maxlength="2000" required
                    aria-describedby=described("reason")></textarea>
                <FieldError error field="reason"/>
            </div>
            <div class="field">
                <label for="ra-case">"Linked case (optional)"</label>
                <select id="ra-case" name="case_id" aria-describedby=described("case_id")>
                    <option value="">"None"</option>
                    {o.cases.iter().map(|c| view! { <option value=c.id.clone()>{c.label.clone()}</option> }).collect_view()}
                </select>
                <FieldError error field="case_id"/>
            </div>
            <div class="field">
                <label for="ra-hours">"Duration"</label>
                <p class="hint">{format!("At most {MAX_HOURS} hours; you can extend a running session.")}</p>
                <select id="ra-hours" name="hours" aria-describedby=described("hours")>
                    {HOUR_CHOICES.into_iter().map(|h| view! {
                        <option value=h.to_string() selected=h == DEFAULT_HOURS>{hours_label(h)}</option>
                    }).collect_view()}
                </select>
                <FieldError error field="hours"/>
            </div>
            <div class="actions">
                <button type="submit" class="button primary">"Request session"</button>
            </div>
        </ActionForm>
    }
}

/// What became of the request just made, at the top of the page it lands on.
#[component]
fn RequestedNotice(s: RaSession) -> impl IntoView {
    let zone: Tz = s.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let until = fmt_local(s.deadline_at, zone);
    let text = match s.state {
        SessionState::Active => format!(
            "Remote Assist session open on {}: support engineers can connect until {until} (site time). You can extend or end it below.",
            s.array_name
        ),
        _ => format!(
            "Your request for a Remote Assist session on {} is recorded. An admin of your organization must start it; until then support cannot connect. The request lapses at {until} (site time).",
            s.array_name
        ),
    };
    view! {
        <div class="alert success" role="status">
            <p>{text} " " <a href=format!("#ra-array-{}", s.array_id)>"Go to the session"</a></p>
        </div>
    }
}

fn hours_label(h: i64) -> String {
    if h == 1 {
        "1 hour".to_string()
    } else {
        format!("{h} hours")
    }
}

#[component]
fn ArrayCard(a: RaArray, now: DateTime<Utc>, is_staff: bool, actions: RaActions) -> impl IntoView {
    let heading = format!("ra-array-{}", a.id);
    let labelled_by = heading.clone();
    let mut place = format!("{} · {}", a.site_name, a.serial);
    if is_staff {
        place = format!("{} · {place}", a.organization_name);
    }
    view! {
        <section class="card stack ra-array" aria-labelledby=labelled_by>
            <h3 id=heading>{a.name.clone()}</h3>
            <p class="cluster">
                {if a.connected {
                    view! { <span class="status ra-connected">"Connected"</span> }.into_any()
                } else {
                    view! { <span class="status ra-dark">"Dark site"</span> }.into_any()
                }}
                <span class="muted">{place}</span>
            </p>
            {match a.session {
                Some(s) => view! { <SessionPanel s now actions/> }.into_any(),
                None if a.connected => view! { <p class="muted">"No session."</p> }.into_any(),
                None => view! {
                    <p class="muted">"Not connected to the vendor's cloud: Remote Assist is not available."</p>
                }.into_any(),
            }}
        </section>
    }
}

/// Time left until `due`, ticking in the browser; once it is up, says so instead of counting on.
/// `local` is the due time already written in the site's zone by the server.
#[island]
fn TimeLeft(due: DateTime<Utc>, local: String, rendered_at: DateTime<Utc>) -> impl IntoView {
    let now = use_now(rendered_at);
    let over = Memo::new(move |_| now.get() >= due);
    view! {
        {move || if over.get() {
            Either::Left(view! { <span class="breached">"Time is up: the session is closing."</span> })
        } else {
            Either::Right(view! {
                <span class="deadline-time">
                    <time datetime=due.to_rfc3339()>{local.clone()}</time>
                    " "
                    {countdown_text(due, now)}
                </span>
            })
        }}
    }
}

#[component]
fn SessionPanel(s: RaSession, now: DateTime<Utc>, actions: RaActions) -> impl IntoView {
    let zone: Tz = s.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let (left_label, started) = match (s.state, s.started_at) {
        (SessionState::Active, Some(at)) => ("Time left", Some(at)),
        _ => ("Request lapses", None),
    };
    let engineers = if s.participants.is_empty() {
        "No engineer has joined yet.".to_string()
    } else {
        s.participants
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <div class="stack ra-session">
            <p class="cluster">
                <span class=format!("status ra-{}", s.state.as_str())>{s.state.label()}</span>
                {s.joined.then_some(view! { <span class="muted">"You joined this session."</span> })}
            </p>
            <dl class="kv">
                <dt>{left_label}</dt>
                <dd class="deadline"><TimeLeft due=s.deadline_at local=fmt_local(s.deadline_at, zone) rendered_at=now/></dd>
                {started.map(|at| view! {
                    <dt>"Started"</dt>
                    <dd><time datetime=at.to_rfc3339()>{fmt_local(at, zone)}</time></dd>
                })}
                <dt>"Reason"</dt><dd class="pre">{s.reason.clone()}</dd>
                <dt>"Requested by"</dt><dd>{s.requested_by.clone()}</dd>
                {s.case.clone().map(|c| view! {
                    <dt>"Case"</dt>
                    <dd><A href=format!("/cases/{}", c.id)>{c.number_label}</A> " " {c.subject}</dd>
                })}
                <dt>"Engineers"</dt><dd>{engineers}</dd>
                {(s.extensions > 0).then(|| view! {
                    <dt>"Extended"</dt><dd>{format!("{} time{}", s.extensions, if s.extensions == 1 { "" } else { "s" })}</dd>
                })}
            </dl>
            <SessionActions s=s.clone() actions/>
            {s.can_extend.then(|| view! { <ExtendForm session_id=s.id.clone() actions/> })}
        </div>
    }
}

/// What the viewer may do with the session now: start, join, end or withdraw it.
#[component]
fn SessionActions(s: RaSession, actions: RaActions) -> impl IntoView {
    let id = StoredValue::new(s.id.clone());
    view! {
        <div class="actions">
            {s.can_start.then(|| view! {
                <ActionForm action=actions.start>
                    <input type="hidden" name="session_id" value=id.get_value()/>
                    <button type="submit" class="button primary">"Start session"</button>
                </ActionForm>
            })}
            {s.can_join.then(|| view! {
                <ActionForm action=actions.join>
                    <input type="hidden" name="session_id" value=id.get_value()/>
                    <button type="submit" class="button primary">"Join session"</button>
                </ActionForm>
            })}
            {s.can_end.then(|| view! {
                <ActionForm action=actions.end>
                    <input type="hidden" name="session_id" value=id.get_value()/>
                    <button type="submit" class="button danger">
                        {if s.state == SessionState::Requested { "Withdraw request" } else { "End session" }}
                    </button>
                </ActionForm>
            })}
        </div>
    }
}

#[component]
fn ExtendForm(session_id: String, actions: RaActions) -> impl IntoView {
    let field_id = format!("ra-extend-{session_id}");
    view! {
        <ActionForm action=actions.extend attr:class="form ra-extend">
            <input type="hidden" name="session_id" value=session_id/>
            <div class="field">
                <label for=field_id.clone()>"Extend by"</label>
                <select id=field_id name="hours">
                    {HOUR_CHOICES.into_iter().map(|h| view! {
                        <option value=h.to_string() selected=h == 1>{hours_label(h)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button secondary">"Extend session"</button>
            </div>
        </ActionForm>
    }
}

#[component]
fn History(sessions: Vec<RaSession>, is_staff: bool) -> impl IntoView {
    view! {
        <section class="stack" aria-labelledby="ra-history-h">
            <h2 id="ra-history-h">"Recent sessions"</h2>
            {if sessions.is_empty() {
                view! { <p class="muted">"No session has ended yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data responsive">
                        <caption class="visually-hidden">"Ended Remote Assist sessions"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Array"</th>
                                {is_staff.then(|| view! { <th scope="col">"Organization"</th> })}
                                <th scope="col">"Started"</th>
                                <th scope="col">"Ended"</th>
                                <th scope="col">"How"</th>
                                <th scope="col">"Engineers"</th>
                                <th scope="col">"Case"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {sessions.into_iter().map(|s| view! { <HistoryRow s is_staff/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn HistoryRow(s: RaSession, is_staff: bool) -> impl IntoView {
    let zone: Tz = s.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let when = move |t: Option<DateTime<Utc>>| match t {
        Some(t) => view! { <time datetime=t.to_rfc3339()>{fmt_local(t, zone)}</time> }.into_any(),
        None => view! { <span class="muted">"Never started"</span> }.into_any(),
    };
    let how = match (s.end_reason, &s.ended_by) {
        (Some(r), Some(by)) => format!("{} ({by})", r.label()),
        (Some(r), None) => r.label().to_string(),
        (None, _) => String::new(),
    };
    let engineers = s
        .participants
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <td data-label="Array">{s.array_name.clone()}</td>
            {is_staff.then(|| view! { <td data-label="Organization">{s.organization_name.clone()}</td> })}
            <td data-label="Started">{when(s.started_at)}</td>
            <td data-label="Ended">{when(s.ended_at)}</td>
            <td data-label="How">{how}</td>
            <td data-label="Engineers">{if engineers.is_empty() { "—".to_string() } else { engineers }}</td>
            <td data-label="Case">
                {match s.case {
                    Some(c) => view! { <A href=format!("/cases/{}", c.id)>{c.number_label}</A> }.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
