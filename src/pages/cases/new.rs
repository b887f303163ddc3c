use crate::api::cases::{open_case_form, OpenCase};
use crate::components::auth::RequireUser;
use crate::components::countdown::use_now;
use crate::components::form_error::{
    described_by, use_action_error, ErrorAlert, ErrorMessage, FieldError,
};
use crate::components::reach::{ChannelLine, HowToReach};
use crate::model::case::{OpenCaseArray, OpenCaseForm, OpenCaseSite};
use crate::model::reach::ProgramReach;
use crate::sla::explain::fmt_local;
use crate::sla::{case_deadlines, format_countdown, CaseFacts, Severity, SeverityReach};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[component]
pub fn NewCasePage() -> impl IntoView {
    view! {
        <Title text="Open a case"/>
        <RequireUser children=|_| {
            let form = Resource::new(|| (), |_| open_case_form());
            // `?array=ID` (the installed base's "Open a case") preselects that array.
            let query = use_query_map();
            let preselect = move || query.with_untracked(|q| q.get("array"));
            view! {
                <div class="page-header"><h1>"Open a case"</h1></div>
                <Suspense fallback=|| view! { <p class="muted">"Loading your sites and arrays…"</p> }>
                    {move || Suspend::new(async move {
                        let preselect = preselect();
                        match form.await {
                            Ok(f) => view! { <OpenCaseFormView f preselect/> }.into_any(),
                            Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        }/>
    }
}

/// The initial-response deadline a case would get if opened at `now`, from the same engine the
/// server will use when the case is really opened.
fn preview(
    f: &OpenCaseForm,
    site: &OpenCaseSite,
    array: &OpenCaseArray,
    severity: u8,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let severity = Severity::new(severity).ok()?;
    let mut facts = CaseFacts::opened(
        &array.program_id,
        &array.plan_id,
        &site.time_zone,
        now,
        severity,
    );
    facts.product = array.product;
    facts.bcs = site.bcs;
    facts.holidays = site.holidays.clone();
    case_deadlines(&f.programs, &facts)
        .ok()?
        .initial_response_due
}

/// One array as the severity picker shows it: its severity levels in its program's words, and
/// the initial response each would get, computed by the server for the moment the page loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrayChoice {
    pub id: String,
    pub site: String,
    pub label: String,
    pub active: bool,
    pub severities: Vec<SeverityChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityChoice {
    pub severity: u8,
    pub name: String,
    pub definition: String,
    /// Initial response if opened at the page's instant: UTC, and in the site's words.
    pub due: Option<(DateTime<Utc>, String)>,
    /// The phone lines that take this severity, and whether the web does not (call now).
    pub reach: Option<SeverityReach>,
}

fn array_choices(f: &OpenCaseForm) -> Vec<ArrayChoice> {
    f.sites
        .iter()
        .flat_map(|s| s.arrays.iter().map(move |a| (s, a)))
        .map(|(s, a)| {
            let zone: Tz = s.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let contact = f
                .programs
                .get(&a.program_id)
                .and_then(|p| p.contact.as_ref());
            ArrayChoice {
                id: a.id.clone(),
                site: s.name.clone(),
                label: if a.support_active {
                    format!("{} ({})", a.name, a.serial)
                } else {
                    format!("{} ({}) — support lapsed", a.name, a.serial)
                },
                active: a.support_active,
                severities: a
                    .severities
                    .iter()
                    .map(|row| SeverityChoice {
                        severity: row.severity,
                        name: row.name.clone(),
                        definition: row.definition.clone(),
                        due: preview(f, s, a, row.severity, f.now).map(|d| (d, fmt_local(d, zone))),
                        reach: contact
                            .zip(Severity::new(row.severity).ok())
                            .map(|(c, n)| c.for_severity(n)),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[component]
fn OpenCaseFormView(f: OpenCaseForm, preselect: Option<String>) -> impl IntoView {
    let action = ServerAction::<OpenCase>::new();
    let error = use_action_error(action);
    let lapsed = lapsed_arrays(&f);
    let reach = ProgramReach::of(
        &f.programs,
        f.sites
            .iter()
            .flat_map(|s| &s.arrays)
            .map(|a| a.program_id.as_str()),
    );
    let asks_conversation = f
        .sites
        .iter()
        .flat_map(|s| &s.arrays)
        .filter_map(|a| f.programs.get(&a.program_id)?.contact.as_ref())
        .any(|c| c.asks_conversation_id);
    let described = move |field: &'static str| described_by(error, field);
    let field_error = move |field: &'static str| {
        error
            .get_untracked()
            .filter(|e| e.field() == Some(field))
            .map(|e| e.to_string())
    };

    view! {
        <BeforeYouOpen/>
        <HowToReach reach/>
        <LapsedArrays lapsed/>
        <ActionForm action attr:class="form card" attr:aria-labelledby="form-h">
            <h2 id="form-h">"The problem"</h2>
            <ErrorAlert error/>
            <SeverityPicker
                arrays=array_choices(&f)
                preselect
                rendered_at=f.now
                array_error=field_error("array_id")
                severity_error=field_error("severity")
            />
            <div class="field">
                <label for="subject">"Subject"</label>
                <input id="subject" name="subject" type="text" maxlength="200" required aria-describedby=described("subject")/>
                <FieldError error field="subject"/>
            </div>
            <div class="field">
                <label for="description">"Description"</label>
                <p class="hint">"What happens, since when, what you already tried."</p>
                <textarea id="description" name="description" rows="6" required aria-describedby=described("description")></textarea>
                <FieldError error field="description"/>
            </div>
            <div class="field">
                <label for="business_impact">"Business impact"</label>
                <textarea id="business_impact" name="business_impact" rows="3"></textarea>
                <FieldError error field="business_impact"/>
            </div>
            {asks_conversation.then(|| view! {
                <div class="field">
                    <label for="conversation_id">"Conversation ID (contact-center cases, optional)"</label>
                    <p class="hint" id="conversation_id-hint">"The ID of the affected interaction, as PureCloud shows it, e.g. 1b4e28ba-2fa1-11d2-883f-0016d3cca427. Leave it empty for an array."</p>
                    <input id="conversation_id" name="conversation_id" type="text" maxlength="36"
                        autocomplete="off" spellcheck="false"
                        aria-describedby=move || match described("conversation_id")() {
                            Some(e) => format!("conversation_id-hint {e}"),
                            None => "conversation_id-hint".to_string(),
                        }/>
                    <FieldError error field="conversation_id"/>
                </div>
            })}
            <super::sev1_contact::Sev1ContactFields error legend="Contact available at all times (required for Severity 1)"/>
            <div class="actions"><button type="submit" class="button primary">"Open case"</button></div>
        </ActionForm>
    }
}

#[component]
fn BeforeYouOpen() -> impl IntoView {
    view! {
        <aside class="card stack" aria-labelledby="before-h">
            <h2 id="before-h">"Before you open a case"</h2>
            <ul>
                <li>"Report each issue separately so it can be individually tracked to a successful resolution."</li>
                <li>"Include the description of the issue and its business impact, and any configuration files, screenshots of errors or logs that help us analyze it."</li>
                <li>"For a Severity 1 (critical) issue, a designated contact must be available at all times to work with support: give their name and phone."</li>
            </ul>
        </aside>
    }
}

/// The arrays whose support lapsed, each with how to reinstate it.
fn lapsed_arrays(f: &OpenCaseForm) -> Vec<(String, String)> {
    f.sites
        .iter()
        .flat_map(|s| s.arrays.iter())
        .filter(|a| !a.support_active)
        .map(|a| {
            (
                a.name.clone(),
                a.reinstatement_message.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[component]
fn LapsedArrays(lapsed: Vec<(String, String)>) -> impl IntoView {
    (!lapsed.is_empty()).then(|| {
        view! {
            <section class="alert info" aria-labelledby="lapsed-h">
                <h2 id="lapsed-h">"Arrays without active support"</h2>
                <ul>
                    {lapsed.into_iter().map(|(name, how)| view! { <li><strong>{name}</strong>": "{how}</li> }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// The array and severity choice: the severity levels shown are the chosen array's program's,
/// and the deadline preview follows both choices. An island, so only this part of the form needs
/// the client; without it, the first array's levels show and the form still posts.
#[island]
fn SeverityPicker(
    arrays: Vec<ArrayChoice>,
    // The array to start with, when it may have cases; otherwise the first that may.
    preselect: Option<String>,
    rendered_at: DateTime<Utc>,
    array_error: Option<String>,
    severity_error: Option<String>,
) -> impl IntoView {
    let first = arrays
        .iter()
        .find(|a| a.active && preselect.as_deref() == Some(a.id.as_str()))
        .or_else(|| arrays.iter().find(|a| a.active))
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let array_id = RwSignal::new(first);
    let severity = RwSignal::new(3u8);
    let now = use_now(rendered_at);
    let arrays = StoredValue::new(arrays);
    let selected =
        move || arrays.with_value(|all| all.iter().find(|a| a.id == array_id.get()).cloned());
    let mut sites: Vec<String> = Vec::new();
    arrays.with_value(|all| {
        for a in all {
            if !sites.contains(&a.site) {
                sites.push(a.site.clone());
            }
        }
    });
    let array_described = array_error.is_some().then_some("array_id-error");
    let severity_described = severity_error.is_some().then_some("severity-error");
    view! {
        <div class="field">
            <label for="array_id">"Array or service"</label>
            <select id="array_id" name="array_id" required aria-describedby=array_described
                on:change=move |ev| array_id.set(event_target_value(&ev))>
                {sites.into_iter().map(|site| view! {
                    <optgroup label=site.clone()>
                        {arrays.with_value(|all| all.iter().filter(|a| a.site == site).map(|a| {
                            let id = a.id.clone();
                            view! {
                                <option value=a.id.clone() disabled=!a.active
                                    selected=move || array_id.get() == id>{a.label.clone()}</option>
                            }
                        }).collect_view())}
                    </optgroup>
                }).collect_view()}
            </select>
            {array_error.map(|e| view! { <p class="field-error" id="array_id-error">{e}</p> })}
        </div>
        <fieldset class="field" aria-describedby=severity_described>
            <legend>"Severity"</legend>
            <p class="hint">"Choose by business impact; support may adjust it with you."</p>
            {move || selected().map(|a| a.severities.into_iter().map(|row| {
                let n = row.severity;
                let id = format!("severity-{n}");
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name="severity" value=n.to_string()
                            checked=move || severity.get() == n
                            on:change=move |_| severity.set(n)/>
                        <label for=id>
                            <strong>{format!("Severity {n} — {}", row.name)}</strong>
                            <span class="hint">{row.definition}</span>
                        </label>
                    </div>
                }
            }).collect_view())}
            {severity_error.map(|e| view! { <p class="field-error" id="severity-error">{e}</p> })}
        </fieldset>
        <div aria-live="polite">
            {move || {
                let n = severity.get();
                selected()
                    .and_then(|a| a.severities.into_iter().find(|r| r.severity == n))
                    .and_then(|r| r.reach)
                    .map(|reach| view! { <CallSupport severity=n reach/> })
            }}
        </div>
        <p class="deadline" role="status">
            {move || {
                let n = severity.get();
                match selected().and_then(|a| a.severities.into_iter().find(|r| r.severity == n)).and_then(|r| r.due) {
                    Some((due, local)) => format!(
                        "Opened when this page loaded, this case would get its initial response by {local} ({}).",
                        format_countdown(due, now.get())
                    ),
                    None => "This severity has no initial-response target for this plan.".to_string(),
                }
            }}
        </p>
    }
}

/// Beside the chosen severity: "call now" when the web does not take it (002's Severity 1), the
/// hotline for a Severity 1 that may also be opened here; nothing otherwise.
#[component]
fn CallSupport(severity: u8, reach: SeverityReach) -> impl IntoView {
    if reach.call_only {
        let phones = reach.phones;
        view! {
            <section class="alert info" aria-labelledby="call-h">
                <h3 id="call-h">{format!("Severity {severity} is taken by phone: call support now")}</h3>
                <ul>{phones.into_iter().map(|c| view! { <li><ChannelLine channel=c/></li> }).collect_view()}</ul>
                <p>"You may still open the case here so it is written down; its initial response is counted from the moment you open it, as on the phone."</p>
            </section>
        }
        .into_any()
    } else if severity == 1 && !reach.phones.is_empty() {
        view! {
            <div class="alert info">
                <p><strong>"Rather talk to someone now? "</strong>"Severity 1 is also taken by phone:"</p>
                <ul>{reach.phones.into_iter().map(|c| view! { <li><ChannelLine channel=c/></li> }).collect_view()}</ul>
            </div>
        }
        .into_any()
    } else {
        ().into_any()
    }
}
