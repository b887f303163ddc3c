//! Hardware replacements: the organization's replacements (every organization's for staff) with
//! their stage, the committed delivery time counting down in the site's local time, on time or
//! late, tracking and what the customer must do next; the sites' logistics, which admins edit.
//! The same cards make the panel of a case page, where support also creates replacements, and
//! `LateDeliveriesPanel` flags late parts on the dashboard and the support queue. Every form is
//! a plain post that comes back to the page it was on.
use crate::api::replacements::{
    case_replacements, late_deliveries, replacements_overview, ConfirmSiteAccess,
    CreateReplacement, MoveReplacement, ProposeTechnicianWindow, SaveSiteLogistics,
};
use crate::components::countdown::{use_now, Countdown};
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::components::require_user::RequireUser;
use crate::model::replacement::{
    CaseReplacements, DeliveryState, PartType, Replacement, ReplacementsOverview, ReturnMethod,
    SiteLogistics, Stage, QUANTITY_MAX,
};
use crate::model::AppError;
use crate::pages::sla::clock_label;
use crate::sla::explain::fmt_local;
use crate::sla::DeliveryKind;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The forms of a replacement card: each posts to its server function, which redirects back to
/// the page (with its error in the URL when refused).
#[derive(Clone, Copy)]
struct CardActions {
    stage: ServerAction<MoveReplacement>,
    confirm: ServerAction<ConfirmSiteAccess>,
    propose: ServerAction<ProposeTechnicianWindow>,
}

impl CardActions {
    fn new() -> Self {
        CardActions {
            stage: ServerAction::new(),
            confirm: ServerAction::new(),
            propose: ServerAction::new(),
        }
    }

    /// The error a card's form came back with, shown once above the cards rather than on each.
    fn error(&self) -> Signal<Option<AppError>> {
        let stage = use_action_error(self.stage);
        let confirm = use_action_error(self.confirm);
        let propose = use_action_error(self.propose);
        Signal::derive(move || stage.get().or(confirm.get()).or(propose.get()))
    }
}

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
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::server::auth::set_status(e.status_code());
                        view! { <ErrorMessage error=e/> }.into_any()
                    }
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

#[component]
fn CardList(
    list: Vec<Replacement>,
    now: DateTime<Utc>,
    staff: bool,
    actions: CardActions,
) -> impl IntoView {
    view! {
        <div class="card-grid">
            {list.into_iter().map(|r| view! { <ReplacementCard r now staff actions/> }).collect_view()}
        </div>
    }
}

/// A local time in the site's zone, as a `<time>`.
fn at(t: DateTime<Utc>, zone: Tz) -> impl IntoView {
    view! { <time datetime=t.to_rfc3339()>{fmt_local(t, zone)}</time> }
}

/// `datetime-local` value of an instant in the site's zone.
fn local_input(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

fn commitment_label(r: &Replacement) -> String {
    match (&r.delivery, r.delivery_due, r.dispatched_at) {
        (Some(d), Some(due), Some(from)) if d.kind == DeliveryKind::Hours => {
            format!("{}-hour delivery", (due - from).num_hours())
        }
        (Some(d), _, _) if d.kind == DeliveryKind::NextBusinessDay => {
            "Next-business-day delivery".to_string()
        }
        (Some(_), _, _) => "Same-day shipping (best effort)".to_string(),
        _ => "Set at dispatch by the support plan".to_string(),
    }
}

/// "On time" turning "Late" when the committed time passes, while the page is open.
#[island]
fn LiveDeliveryState(due: DateTime<Utc>, rendered_at: DateTime<Utc>) -> impl IntoView {
    let now = use_now(rendered_at);
    let late = Memo::new(move |_| now.get() > due);
    view! {
        <span class=move || if late.get() { "status late" } else { "status on-time" }>
            {move || if late.get() { "Late" } else { "On time" }}
        </span>
    }
}

/// The committed delivery time: live while the part is on its way.
#[component]
fn DeliveryDue(r: Replacement, now: DateTime<Utc>) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    match (r.delivery_due, r.delivery_state) {
        (Some(due), DeliveryState::OnTime | DeliveryState::Late) => view! {
            <Countdown due tz=r.site_tz.clone() rendered_at=now/>
            " "
            <LiveDeliveryState due rendered_at=now/>
        }
        .into_any(),
        (Some(due), state) => view! {
            {at(due, zone)} " "
            <span class=if state.is_late() { "status late" } else { "status on-time" }>{state.label()}</span>
        }
        .into_any(),
        (None, DeliveryState::BestEffort) => {
            let ships = r
                .delivery
                .as_ref()
                .and_then(|d| d.ships_on)
                .map(|d| format!(" · ships {}", d.format("%a %-d %b")))
                .unwrap_or_default();
            view! { <span>"No delivery commitment (same-day shipping, best effort)" {ships}</span> }.into_any()
        }
        (None, state) => view! { <span class="muted">{state.label()}</span> }.into_any(),
    }
}

/// The stages this replacement passes through, with when each was reached.
#[component]
fn StageList(r: Replacement) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let when = |s: Stage| match s {
        Stage::Diagnosed => Some(r.diagnosed_at),
        Stage::Dispatched => r.dispatched_at,
        Stage::Shipped => r.shipped_at,
        Stage::Delivered => r.delivered_at,
        Stage::TechnicianScheduled => r.scheduled_at,
        Stage::Installed => r.installed_at,
        Stage::Returned | Stage::Retained => r.closed_at,
        Stage::Cancelled => r.cancelled_at,
    };
    let mut path = Stage::path(r.technician_required, r.drive_retention);
    if r.stage == Stage::Cancelled {
        path.retain(|s| when(*s).is_some());
        path.push(Stage::Cancelled);
    }
    let current = r.stage;
    view! {
        <ol class="stages" aria-label="Stages">
            {path.into_iter().map(|s| {
                let t = when(s);
                let class = if s == current { "current" } else if t.is_some() { "done" } else { "todo" };
                view! {
                    <li class=class aria-current=(s == current).then_some("step")>
                        <span>{s.label()}</span>
                        {t.map(|t| view! { " " <span class="muted">{at(t, zone)}</span> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn ReplacementCard(
    r: Replacement,
    now: DateTime<Utc>,
    staff: bool,
    actions: CardActions,
) -> impl IntoView {
    let zone: Tz = r.site_tz.parse().unwrap_or(chrono_tz::UTC);
    let heading = format!("repl-{}", r.id);
    let labelled = heading.clone();
    let mut place = format!("{} · {}", r.site_name, r.array_name);
    if staff {
        place = format!("{} · {place}", r.organization_name);
    }
    let explanation = r.delivery.clone();
    let commitment = commitment_label(&r);
    let case_href = format!("/cases/{}", r.case.id);
    let case_label = r.case.number_label.clone();
    view! {
        <section class="card stack replacement" aria-labelledby=labelled>
            <h3 id=heading>{r.title()}</h3>
            <p class="cluster">
                <span class=format!("status stage-{}", r.stage.as_str())>{r.stage.label()}</span>
                {r.technician_required.then_some(view! { <span class="status">"Field technician"</span> })}
                <span class="muted">{place}</span>
            </p>
            {r.next_step.clone().map(|s| view! {
                <p class="alert info next-step"><strong>"Your next step: "</strong>{s}</p>
            })}
            <dl class="kv">
                <dt>"Case"</dt>
                <dd><A href=case_href>{case_label}</A> " " {r.case.subject.clone()}</dd>
                <dt>"Commitment"</dt><dd>{commitment}</dd>
                <dt>"Delivery due"</dt>
                <dd class="deadline"><DeliveryDue r=r.clone() now/></dd>
                {r.tracking_number.clone().map(|t| view! {
                    <dt>"Tracking number"</dt>
                    <dd>{r.carrier.clone().unwrap_or_default()} " " <strong class="tracking">{t}</strong></dd>
                })}
                {r.window.map(|(s, e)| view! {
                    <dt>"Technician visit"</dt><dd>{at(s, zone)} " to " {at(e, zone)}</dd>
                })}
                {r.proposed_window.filter(|_| r.window.is_none()).map(|(s, e)| view! {
                    <dt>"Proposed technician window"</dt><dd>{at(s, zone)} " to " {at(e, zone)}</dd>
                })}
                {r.access_confirmed_at.map(|t| view! {
                    <dt>"Site access confirmed"</dt>
                    <dd>{at(t, zone)} " · " {r.access_confirmed_by.clone().unwrap_or_default()}</dd>
                })}
                {r.return_due.filter(|_| !r.stage.is_final()).map(|t| view! {
                    <dt>"Return the defective part by"</dt><dd>{at(t, zone)} " · " {r.return_method.label()}</dd>
                })}
                {(!r.description.is_empty()).then(|| view! { <dt>"Notes"</dt><dd class="pre">{r.description.clone()}</dd> })}
                {r.cancel_reason.clone().map(|c| view! { <dt>"Cancelled because"</dt><dd class="pre">{c}</dd> })}
            </dl>
            <StageList r=r.clone()/>
            {explanation.map(|d| view! {
                <details class="explanation">
                    <summary>"How the delivery time is computed"</summary>
                    <ol>
                        {d.explanation.into_iter().map(|s| view! {
                            <li><strong>{clock_label(s.clock)}": "</strong>{s.text}</li>
                        }).collect_view()}
                    </ol>
                    <h4>"What the support guide says"</h4>
                    <ul>
                        {d.document_words.into_iter().map(|w| view! {
                            <li>"“"{w.document_words}"” — "<span class="muted">{w.interpretation}</span></li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <CustomerForms r=r.clone() actions/>
            <SupportForms r actions/>
        </section>
    }
}

/// Hidden `replacement_id` (and `stage`) of a card's form.
fn hidden(id: &str, stage: Option<Stage>) -> impl IntoView {
    view! {
        <input type="hidden" name="replacement_id" value=id.to_string()/>
        {stage.map(|s| view! { <input type="hidden" name="stage" value=s.as_str()/> })}
    }
}

#[component]
fn CustomerForms(r: Replacement, actions: CardActions) -> impl IntoView {
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
fn SupportForms(r: Replacement, actions: CardActions) -> impl IntoView {
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

#[component]
fn SiteLogisticsSection(
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
    let site_id = s.site_id.clone();
    let id = move |name: &str| format!("{name}-{site_id}");
    let f = s.fields.clone();
    let shown = |v: &str| {
        if v.trim().is_empty() {
            "—".to_string()
        } else {
            v.to_string()
        }
    };
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
                view! {
                    <ActionForm action attr:class="form">
                        <input type="hidden" name="site_id" value=s.site_id.clone()/>
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
                }.into_any()
            } else {
                view! {
                    <dl class="kv">
                        <dt>"Datacenter address"</dt><dd class="pre">{shown(&f.datacenter_address)}</dd>
                        <dt>"Grid coordinates"</dt><dd>{shown(&f.grid_coordinates)}</dd>
                        <dt>"Security and access instructions"</dt><dd class="pre">{shown(&f.access_instructions)}</dd>
                        <dt>"Delivery contact"</dt>
                        <dd>{shown(&f.delivery_contact_name)} " · " {shown(&f.delivery_contact_phone)}</dd>
                    </dl>
                }.into_any()
            }}
            {s.updated_at.map(|t| view! {
                <p class="hint">"Last changed " {at(t, zone)} {s.updated_by.clone().map(|b| format!(" by {b}"))}</p>
            })}
        </section>
    }
}

// ---- The case page's panel ----

/// The replacements of a case, for its panel. The case page makes this beside the case's own
/// resource, so the server reads both at once instead of one after the other.
pub fn case_panel_data(case_id: Signal<String>) -> Resource<Result<CaseReplacements, AppError>> {
    Resource::new(move || case_id.get(), case_replacements)
}

/// The replacements of a case; support creates them here.
#[component]
pub fn CaseReplacementsPanel(
    data: Resource<Result<CaseReplacements, AppError>>,
    case_id: String,
) -> impl IntoView {
    let id = StoredValue::new(case_id);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) if d.can_create || !d.replacements.is_empty() => {
                        view! { <CasePanelBody d case_id=id.get_value()/> }.into_any()
                    }
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CasePanelBody(d: CaseReplacements, case_id: String) -> impl IntoView {
    let actions = CardActions::new();
    let create = ServerAction::<CreateReplacement>::new();
    let now = d.now;
    let staff = d.can_create;
    view! {
        <section class="card stack" aria-labelledby="case-repl-h">
            <h2 id="case-repl-h">"Replacements"</h2>
            <ErrorAlert error=actions.error()/>
            {if d.replacements.is_empty() {
                view! { <p class="muted">"No hardware replacement on this case."</p> }.into_any()
            } else {
                view! { <CardList list=d.replacements now staff actions/> }.into_any()
            }}
            {d.can_create.then(|| view! { <CreateForm arrays=d.arrays create case_id/> })}
        </section>
    }
}

#[component]
fn CreateForm(
    arrays: Vec<crate::model::replacement::ArrayChoice>,
    create: ServerAction<CreateReplacement>,
    case_id: String,
) -> impl IntoView {
    let error = use_action_error(create);
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    view! {
        <ActionForm action=create attr:class="form" attr:aria-labelledby="repl-create-h">
            <h3 id="repl-create-h">"Create a replacement"</h3>
            <input type="hidden" name="case_id" value=case_id/>
            <ErrorAlert error/>
            <div class="field">
                <label for="repl-array">"Array"</label>
                <select id="repl-array" name="array_id" aria-describedby=described("array_id")>
                    {arrays.into_iter().map(|a| view! { <option value=a.id>{a.label}</option> }).collect_view()}
                </select>
                <FieldError error field="array_id"/>
            </div>
            <div class="field">
                <label for="repl-type">"Part type"</label>
                <select id="repl-type" name="part_type" aria-describedby=described("part_type")>
                    {PartType::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
                </select>
                <FieldError error field="part_type"/>
            </div>
            <div class="field">
                <label for="repl-part-number">"Part number"</label>
                <input id="repl-part-number" name="part_number" type="text" required maxlength="100"
                    aria-describedby=described("part_number")/>
                <FieldError error field="part_number"/>
            </div>
            <div class="field">
                <label for="repl-quantity">"Quantity"</label>
                <input id="repl-quantity" name="quantity" type="number" min="1" max=QUANTITY_MAX.to_string()
                    value="1" required aria-describedby=described("quantity")/>
                <FieldError error field="quantity"/>
            </div>
            <div class="field">
                <label for="repl-description">"Notes (optional)"</label>
                <textarea id="repl-description" name="description" rows="2" maxlength="2000"></textarea>
                <FieldError error field="description"/>
            </div>
            <div class="field">
                <label><input type="checkbox" name="technician_required" value="on"/>" Field technician needed"</label>
            </div>
            <div class="field">
                <label for="repl-return">"Return of the defective part"</label>
                <select id="repl-return" name="return_method">
                    {ReturnMethod::ALL.iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label><input type="checkbox" name="drive_retention" value="on" aria-describedby=described("drive_retention")/>
                    " Customer keeps the replaced drives (drive-retention option, extra charge)"</label>
                <FieldError error field="drive_retention"/>
            </div>
            <div class="actions"><button type="submit" class="button primary">"Create replacement"</button></div>
        </ActionForm>
    }
}

// ---- Late deliveries: dashboard and support queue ----

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
