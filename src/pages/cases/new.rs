use crate::api::cases::{open_case_form, OpenCase};
use crate::components::countdown::use_now;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::components::require_user::RequireUser;
use crate::model::case::{OpenCaseArray, OpenCaseForm, OpenCaseSite};
use crate::sla::explain::fmt_local;
use crate::sla::{case_deadlines, format_countdown, CaseFacts, Severity};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewCasePage() -> impl IntoView {
    view! {
        <Title text="Open a case"/>
        <RequireUser children=|_| {
            let form = Resource::new(|| (), |_| open_case_form());
            view! {
                <div class="page-header"><h1>"Open a case"</h1></div>
                <Suspense fallback=|| view! { <p class="muted">"Loading your sites and arrays…"</p> }>
                    {move || Suspend::new(async move {
                        match form.await {
                            Ok(f) => view! { <OpenCaseFormView f/> }.into_any(),
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
) -> Option<(DateTime<Utc>, String)> {
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
    let d = case_deadlines(&f.programs, &facts).ok()?;
    d.initial_response_due
        .map(|due| (due, site.time_zone.clone()))
}

#[component]
fn OpenCaseFormView(f: OpenCaseForm) -> impl IntoView {
    let action = ServerAction::<OpenCase>::new();
    let error = use_action_error(action);
    let first_active = f
        .sites
        .iter()
        .flat_map(|s| s.arrays.iter())
        .find(|a| a.support_active)
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let array_id = RwSignal::new(first_active);
    let severity = RwSignal::new(3u8);
    let now = use_now(f.now);
    let f = StoredValue::new(f);
    let selected = move || {
        f.with_value(|f| {
            f.sites.iter().find_map(|s| {
                s.arrays
                    .iter()
                    .find(|a| a.id == array_id.get())
                    .map(|a| (s.clone(), a.clone()))
            })
        })
    };
    let lapsed: Vec<(String, String)> = f.with_value(|f| {
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
    });
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };

    view! {
        <aside class="card stack" aria-labelledby="before-h">
            <h2 id="before-h">"Before you open a case"</h2>
            <ul>
                <li>"Report each issue separately so it can be individually tracked to a successful resolution."</li>
                <li>"Include the description of the issue and its business impact, and any configuration files, screenshots of errors or logs that help us analyze it."</li>
                <li>"For a Severity 1 (critical) issue, a designated contact must be available at all times to work with support: give their name and phone."</li>
            </ul>
        </aside>
        {(!lapsed.is_empty()).then(|| view! {
            <section class="alert info" aria-labelledby="lapsed-h">
                <h2 id="lapsed-h">"Arrays without active support"</h2>
                <ul>
                    {lapsed.into_iter().map(|(name, how)| view! { <li><strong>{name}</strong>": "{how}</li> }).collect_view()}
                </ul>
            </section>
        })}
        <ActionForm action attr:class="form card" attr:aria-labelledby="form-h">
            <h2 id="form-h">"The problem"</h2>
            <ErrorAlert error/>
            <div class="field">
                <label for="array_id">"Array or service"</label>
                <select id="array_id" name="array_id" required aria-describedby=described("array_id")
                    on:change=move |ev| array_id.set(event_target_value(&ev))>
                    {f.with_value(|f| f.sites.iter().map(|s| view! {
                        <optgroup label=s.name.clone()>
                            {s.arrays.iter().map(|a| {
                                let id = a.id.clone();
                                let label = if a.support_active {
                                    format!("{} ({})", a.name, a.serial)
                                } else {
                                    format!("{} ({}) — support lapsed", a.name, a.serial)
                                };
                                view! {
                                    <option value=a.id.clone() disabled=!a.support_active
                                        selected=move || array_id.get() == id>{label}</option>
                                }
                            }).collect_view()}
                        </optgroup>
                    }).collect_view())}
                </select>
                <FieldError error field="array_id"/>
            </div>
            <fieldset class="field">
                <legend>"Severity"</legend>
                <p class="hint">"Choose by business impact; support may adjust it with you."</p>
                {move || selected().map(|(_, a)| a.severities.into_iter().map(|row| {
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
                <FieldError error field="severity"/>
            </fieldset>
            <p class="deadline" aria-live="polite">
                {move || {
                    let n = now.get();
                    selected()
                        .and_then(|(s, a)| f.with_value(|f| preview(f, &s, &a, severity.get(), n)))
                        .map(|(due, tz)| {
                            let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
                            format!(
                                "Opened now, this case would get its initial response by {} ({}).",
                                fmt_local(due, zone),
                                format_countdown(due, n)
                            )
                        })
                        .unwrap_or_else(|| "This severity has no initial-response target for this plan.".to_string())
                }}
            </p>
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
            <fieldset class="field">
                <legend>"Contact available at all times (required for Severity 1)"</legend>
                <div class="field">
                    <label for="sev1_contact_name">"Name"</label>
                    <input id="sev1_contact_name" name="sev1_contact_name" type="text" aria-describedby=described("sev1_contact_name")/>
                    <FieldError error field="sev1_contact_name"/>
                </div>
                <div class="field">
                    <label for="sev1_contact_phone">"Phone"</label>
                    <input id="sev1_contact_phone" name="sev1_contact_phone" type="tel" aria-describedby=described("sev1_contact_phone")/>
                    <FieldError error field="sev1_contact_phone"/>
                </div>
            </fieldset>
            <div class="actions"><button type="submit" class="button primary">"Open case"</button></div>
        </ActionForm>
    }
}
