//! Support logs a case for a customer, the guides' intake: "a Customer Support Specialist (CSS)
//! fields the call, performs basic analysis, and creates a case in our management and tracking
//! system". Support chooses the organization first (a plain GET form, `?org=`, as on the
//! installed base), then the array, the designated contact who reported it, the channel and when
//! it was reported. Rendered on the server; nothing here needs the client.
use crate::api::cases::{log_case_form, LogCase};
use crate::components::auth::RequireUser;
use crate::components::form_error::{
    described_by, use_action_error, ErrorAlert, ErrorMessage, FieldError,
};
use crate::model::case::{CaseChannel, LogCaseForm, LogCaseReporter, REPORT_MAX_AGE_DAYS};
use crate::model::contact::OrgRef;
use crate::model::AppError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LogCasePage() -> impl IntoView {
    view! {
        <Title text="Log a case for a customer"/>
        <RequireUser children=|_| view! { <LogCaseView/> }/>
    }
}

#[component]
fn LogCaseView() -> impl IntoView {
    let query = use_query_map();
    let form = Resource::new(move || query.with(|q| q.get("org")), log_case_form);
    view! {
        <div class="page-header"><h1>"Log a case for a customer"</h1></div>
        <p class="hint">
            "For a report that came in by phone, e-mail or a monitoring alert. Only designated contacts can call \
             and receive assistance: the reporter must be designated at the array's site, or be one of the \
             organization's admins. The initial-response clock starts when they reported it."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading the organizations…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(f) => view! { <LogCaseBody f/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LogCaseBody(f: LogCaseForm) -> impl IntoView {
    let chosen = f
        .organization
        .as_ref()
        .map(|o| o.id.clone())
        .unwrap_or_default();
    let organizations = f.organizations.clone();
    view! {
        <OrgChooser organizations chosen/>
        {match f.organization.clone() {
            None => view! { <p>"Choose the customer's organization first."</p> }.into_any(),
            Some(org) => view! { <LogCaseFields f org/> }.into_any(),
        }}
    }
}

/// The organization, chosen with a plain GET form so that the rest of the form lists its arrays
/// and contacts without the client.
#[component]
fn OrgChooser(organizations: Vec<OrgRef>, chosen: String) -> impl IntoView {
    view! {
        <form method="GET" action="/cases/log" class="form card" aria-label="Choose the organization">
            <div class="field">
                <label for="org">"Organization"</label>
                <select id="org" name="org" required>
                    <option value="" selected=chosen.is_empty()>"Choose an organization"</option>
                    {organizations.into_iter().map(|o| {
                        let selected = o.id == chosen;
                        view! { <option value=o.id selected=selected>{o.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="actions"><button type="submit" class="button">"Show its arrays and contacts"</button></div>
        </form>
    }
}

fn reporter_label(r: &LogCaseReporter) -> String {
    format!("{} · {} · {}", r.name, r.role, r.email)
}

#[component]
fn LogCaseFields(f: LogCaseForm, org: OrgRef) -> impl IntoView {
    let action = ServerAction::<LogCase>::new();
    let error = use_action_error(action);
    let described = move |field: &'static str| described_by(error, field);
    view! {
        <ActionForm action attr:class="form card" attr:aria-labelledby="log-h">
            <h2 id="log-h">{format!("The report, for {}", org.name)}</h2>
            <ErrorAlert error/>
            <input type="hidden" name="organization_id" value=org.id.clone()/>
            <FieldError error field="organization_id"/>
            <ArrayAndReporter f=f.clone() error/>
            <fieldset class="field" aria-describedby=described("channel")>
                <legend>"How it came in"</legend>
                {CaseChannel::ALL.into_iter().map(|c| {
                    let id = format!("channel-{}", c.as_str());
                    view! {
                        <div class="choice">
                            <input type="radio" id=id.clone() name="channel" value=c.as_str()
                                checked=c == CaseChannel::Phone/>
                            <label for=id>{c.label()}</label>
                        </div>
                    }
                }).collect_view()}
                <FieldError error field="channel"/>
            </fieldset>
            <div class="field">
                <label for="reported_at">"Reported at (the site's local time)"</label>
                <p class="hint" id="reported_at-hint">{format!(
                    "When the customer reported it; leave empty for now. Not in the future, and at most \
                     {REPORT_MAX_AGE_DAYS} days back."
                )}</p>
                <input id="reported_at" name="reported_at" type="datetime-local"
                    aria-describedby=move || match described("reported_at")() {
                        Some(e) => format!("reported_at-hint {e}"),
                        None => "reported_at-hint".to_string(),
                    }/>
                <FieldError error field="reported_at"/>
            </div>
            <SeverityChoice error/>
            <div class="field">
                <label for="subject">"Subject"</label>
                <input id="subject" name="subject" type="text" maxlength="200" required aria-describedby=described("subject")/>
                <FieldError error field="subject"/>
            </div>
            <div class="field">
                <label for="description">"Description"</label>
                <p class="hint">"What the customer reported, and your basic analysis."</p>
                <textarea id="description" name="description" rows="6" required aria-describedby=described("description")></textarea>
                <FieldError error field="description"/>
            </div>
            <div class="field">
                <label for="business_impact">"Business impact"</label>
                <textarea id="business_impact" name="business_impact" rows="3" aria-describedby=described("business_impact")></textarea>
                <FieldError error field="business_impact"/>
            </div>
            <super::sev1_contact::Sev1ContactFields error legend="Contact available at all times (Severity 1; the reporter when left empty)"/>
            <div class="actions"><button type="submit" class="button primary">"Log case"</button></div>
        </ActionForm>
    }
}

/// The array (by site) and the designated contact who reported it (by the site they are
/// designated at).
#[component]
fn ArrayAndReporter(f: LogCaseForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let is_field = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    let sites = f.sites.clone();
    view! {
        <div class="field">
            <label for="array_id">"Array or service"</label>
            <select id="array_id" name="array_id" required aria-describedby=is_field("array_id")>
                <option value="">"Choose the affected array"</option>
                {f.sites.into_iter().map(|s| view! {
                    <optgroup label=s.name.clone()>
                        {s.arrays.into_iter().map(|a| {
                            let label = if a.support_active {
                                format!("{} ({})", a.name, a.serial)
                            } else {
                                format!("{} ({}) — support lapsed", a.name, a.serial)
                            };
                            view! { <option value=a.id disabled=!a.support_active>{label}</option> }
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            <FieldError error field="array_id"/>
        </div>
        <div class="field">
            <label for="reporter_id">"Reported by (designated contact)"</label>
            <p class="hint">"Contacts are listed by the site they are designated at: choose one of the array's site."</p>
            <select id="reporter_id" name="reporter_id" required aria-describedby=is_field("reporter_id")>
                <option value="">"Choose who reported it"</option>
                {sites.into_iter().map(|s| view! {
                    <optgroup label=format!("Designated at {}", s.name)>
                        {s.reporters.iter().map(|r| view! {
                            <option value=r.user_id.clone()>{reporter_label(r)}</option>
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
                {(!f.other_admins.is_empty()).then(|| view! {
                    <optgroup label="Organization admins">
                        {f.other_admins.iter().map(|r| view! {
                            <option value=r.user_id.clone()>{reporter_label(r)}</option>
                        }).collect_view()}
                    </optgroup>
                })}
            </select>
            <FieldError error field="reporter_id"/>
        </div>
    }
}

/// Severity 1–4; the array's program defines each level (the SLA page shows them).
#[component]
fn SeverityChoice(error: Signal<Option<AppError>>) -> impl IntoView {
    let words = ["critical", "high", "medium", "low"];
    view! {
        <fieldset class="field">
            <legend>"Severity"</legend>
            <p class="hint">"By business impact, as the array's program defines the levels."</p>
            {(1u8..=4).zip(words).map(|(n, w)| {
                let id = format!("severity-{n}");
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name="severity" value=n.to_string() checked=n == 3/>
                        <label for=id>{format!("Severity {n} ({w})")}</label>
                    </div>
                }
            }).collect_view()}
            <FieldError error field="severity"/>
        </fieldset>
    }
}
