//! The "what-if" SLA calculator: pick a program, plan, severity, time zone and opening time and
//! see every deadline with its explanation. The answer is computed by `crate::sla` wherever the
//! page renders: on the server for the first paint, then in the browser (WebAssembly).
use crate::api::sla::{get_sla_reference, SlaReference};
use crate::components::clock_label::clock_label;
use crate::components::form_error::ErrorMessage;
use crate::sla::explain::fmt_local;
use crate::sla::{
    case_deadlines, CaseDeadlines, CaseFacts, Clock, Entitlement, ProductLine, Program, Severity,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Zones offered by the calculator: the demo sites' and the main business regions'. The browser's
/// time-zone database holds these only (`CHRONO_TZ_TIMEZONE_FILTER` in `.cargo/config.toml`; a
/// test keeps the two lists equal), so the calculator takes no other zone from the URL either.
pub const ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
];

/// The calculator's inputs, read from the URL so a result can be shared and the form works
/// without JavaScript.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CalcInput {
    pub program: String,
    pub plan: String,
    pub product: ProductLine,
    pub bcs: bool,
    pub severity: u8,
    pub tz: String,
    /// Wall-clock opening time at the site (`datetime-local` format).
    pub opened_local: String,
    pub holidays: String,
}

impl CalcInput {
    fn from_query(get: impl Fn(&str) -> Option<String>, now: DateTime<Utc>) -> CalcInput {
        let tz = get("tz")
            .filter(|z| ZONES.contains(&z.as_str()))
            .unwrap_or_else(|| "America/New_York".to_string());
        let (program, plan) = get("plan")
            .and_then(|p| {
                p.split_once('/')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
            .unwrap_or_else(|| ("storage-classic".to_string(), "basic".to_string()));
        let default_open = tz
            .parse::<Tz>()
            .map(|z| now.with_timezone(&z).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default();
        CalcInput {
            program,
            plan,
            product: match get("product").as_deref() {
                Some("portworx") => ProductLine::Portworx,
                _ => ProductLine::Array,
            },
            bcs: get("bcs").is_some_and(|v| v == "on" || v == "true"),
            severity: get("severity")
                .and_then(|s| s.parse().ok())
                .filter(|s| (1..=4).contains(s))
                .unwrap_or(2),
            tz,
            opened_local: get("opened")
                .filter(|s| !s.is_empty())
                .unwrap_or(default_open),
            holidays: get("holidays").unwrap_or_default(),
        }
    }
}

/// The opening instant and the deadlines, or a message saying which input is wrong.
pub fn compute(
    reference: &SlaReference,
    input: &CalcInput,
) -> Result<(DateTime<Utc>, CaseDeadlines), String> {
    let opened = NaiveDateTime::parse_from_str(&input.opened_local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&input.opened_local, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            "Opening time: use the date and time picker (YYYY-MM-DDTHH:MM).".to_string()
        })?;
    let holidays = input
        .holidays
        .split([',', ' ', ';'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| format!("Holidays: {s:?} is not a date like 2026-12-25."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let program = reference
        .programs
        .get(&input.program)
        .ok_or_else(|| format!("Unknown program {:?}.", input.program))?;
    let calendar = program
        .calendar(&input.tz, holidays.clone())
        .map_err(|e| e.to_string())?;
    let opened_at = calendar.local_to_utc(opened);
    let severity = Severity::new(input.severity).map_err(|e| e.to_string())?;
    let mut facts = CaseFacts::opened(&input.program, &input.plan, &input.tz, opened_at, severity);
    facts.product = input.product;
    facts.bcs = input.bcs;
    facts.holidays = holidays;
    let deadlines = case_deadlines(&reference.programs, &facts).map_err(|e| e.to_string())?;
    Ok((opened_at, deadlines))
}

#[component]
pub fn SlaPage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| get_sla_reference());
    let query = use_query_map();
    view! {
        <Title text="SLA calculator"/>
        <div class="page-header"><h1>"SLA calculator"</h1></div>
        <p>
            "What would support owe you for a case opened at a given time? Every deadline below is "
            "computed by the same engine the portal uses for real cases, in your browser once the "
            "page is loaded, from the programs' own tables."
        </p>
        <Suspense fallback=|| view! { <p class="muted">"Loading the support programs…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(r) => {
                        let input = query.with_untracked(|q| CalcInput::from_query(|k| q.get(k), r.now));
                        view! { <Calculator reference=r input/> }.into_any()
                    }
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An island: the server renders the answer for the URL's inputs; in the browser, "Calculate"
/// recomputes with the same engine and puts the inputs in the address bar (a history entry),
/// with no page load.
#[island]
fn Calculator(reference: SlaReference, input: CalcInput) -> impl IntoView {
    let input = RwSignal::new(input);
    let reference = StoredValue::new(reference);
    let result = move || reference.with_value(|r| compute(r, &input.get()));
    let recompute = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(query) = form_query(&ev) {
            ev.prevent_default();
            let now = reference.with_value(|r| r.now);
            input.set(CalcInput::from_query(|k| query.get(k), now));
            if let Ok(history) = window().history() {
                let url = format!("/sla?{}", String::from(query.to_string()));
                let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // Back and forward walk through earlier calculations: the address bar holds the inputs.
    #[cfg(feature = "hydrate")]
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let search = window().location().search().unwrap_or_default();
        if let Ok(query) = web_sys::UrlSearchParams::new_with_str(&search) {
            let now = reference.with_value(|r| r.now);
            input.set(CalcInput::from_query(|k| query.get(k), now));
        }
    });

    view! {
        <form method="GET" action="/sla" class="form card" aria-label="Case to calculate" on:submit=recompute>
            <ProgramFields reference input/>
            <SiteFields input/>
            <div class="actions"><button type="submit" class="button primary">"Calculate"</button></div>
        </form>

        <section aria-labelledby="sla-results" class="stack">
            <h2 id="sla-results">"Deadlines"</h2>
            {move || match result() {
                Ok((opened_at, d)) => Either::Left(view! { <Results opened_at d tz=input.get().tz/> }),
                Err(message) => Either::Right(view! { <div class="alert error" role="alert">{message}</div> }),
            }}
        </section>

        <SeverityDefinitions reference input/>
    }
}

/// The program the inputs name, as it changes.
fn chosen_program(
    reference: StoredValue<SlaReference>,
    input: RwSignal<CalcInput>,
) -> impl Fn() -> Option<Program> + Copy {
    move || reference.with_value(|r| r.programs.get(&input.get().program).cloned())
}

/// What the case is: program and plan, product, severity (named as the program names them).
#[component]
fn ProgramFields(
    reference: StoredValue<SlaReference>,
    input: RwSignal<CalcInput>,
) -> impl IntoView {
    let program = chosen_program(reference, input);
    view! {
        <div class="field">
            <label for="sla-plan">"Program and plan"</label>
            <select id="sla-plan" name="plan"
                prop:value=move || { let i = input.get(); format!("{}/{}", i.program, i.plan) }>
                {reference.with_value(|r| r.programs.iter().map(|p| {
                    let pid = p.id.clone();
                    view! {
                        <optgroup label=p.name.clone()>
                            {p.plans.iter().map(|pl| {
                                let value = format!("{}/{}", pid, pl.id);
                                let v2 = value.clone();
                                view! {
                                    <option value=value selected=move || {
                                        let i = input.get();
                                        format!("{}/{}", i.program, i.plan) == v2
                                    }>{format!("{} — {}", p.name, pl.name)}</option>
                                }
                            }).collect_view()}
                        </optgroup>
                    }
                }).collect_view())}
            </select>
        </div>
        <div class="field">
            <label for="sla-product">"Product"</label>
            <select id="sla-product" name="product"
                prop:value=move || if input.get().product == ProductLine::Portworx { "portworx" } else { "array" }>
                <option value="array" selected=move || input.get().product == ProductLine::Array>"Array"</option>
                <option value="portworx" selected=move || input.get().product == ProductLine::Portworx>"Portworx"</option>
            </select>
        </div>
        <div class="field">
            <label for="sla-severity">"Severity"</label>
            <select id="sla-severity" name="severity" aria-describedby="sla-severity-definitions"
                prop:value=move || input.get().severity.to_string()>
                {(1u8..=4).map(|n| view! {
                    <option value=n.to_string() selected=move || input.get().severity == n>
                        {move || severity_name(program().as_ref(), input.get().product, n)}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Where and when: the site's zone, the opening time, holidays, BCS.
#[component]
fn SiteFields(input: RwSignal<CalcInput>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="sla-tz">"Site time zone"</label>
            <select id="sla-tz" name="tz" prop:value=move || input.get().tz>
                {ZONES.iter().map(|z| view! {
                    <option value=*z selected=move || input.get().tz == *z>{*z}</option>
                }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for="sla-opened">"Opened at (site local time)"</label>
            <input id="sla-opened" name="opened" type="datetime-local" value=move || input.get().opened_local
                prop:value=move || input.get().opened_local/>
        </div>
        <div class="field">
            <label for="sla-holidays">"Site holidays"</label>
            <p class="hint" id="sla-holidays-hint">"Local dates, separated by commas, e.g. 2026-12-25, 2027-01-01"</p>
            <input id="sla-holidays" name="holidays" type="text" aria-describedby="sla-holidays-hint"
                value=move || input.get().holidays prop:value=move || input.get().holidays/>
        </div>
        <div class="field">
            <label>
                <input type="checkbox" name="bcs" value="on" checked=move || input.get().bcs
                    prop:checked=move || input.get().bcs/>
                " Business Critical Support (BCS) at the site"
            </label>
        </div>
    }
}

#[component]
fn SeverityDefinitions(
    reference: StoredValue<SlaReference>,
    input: RwSignal<CalcInput>,
) -> impl IntoView {
    let program = chosen_program(reference, input);
    view! {
        <section aria-labelledby="sla-definitions" class="stack">
            <h2 id="sla-definitions">"Severity definitions"</h2>
            <dl class="kv" id="sla-severity-definitions">
                {move || program().map(|p| {
                    let product = input.get().product;
                    p.table_for(product).ok().map(|t| t.rows.iter().map(|row| view! {
                        <dt>{format!("Severity {} — {}", row.severity.get(), row.name)}</dt>
                        <dd>{row.definition.clone()}</dd>
                    }).collect_view())
                })}
            </dl>
        </section>
    }
}

/// The submitted form's fields as a query string.
#[cfg(feature = "hydrate")]
fn form_query(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::UrlSearchParams> {
    use wasm_bindgen::JsCast;
    let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
}

fn severity_name(program: Option<&Program>, product: ProductLine, n: u8) -> String {
    program
        .and_then(|p| p.table_for(product).ok())
        .and_then(|t| t.rows.iter().find(|r| r.severity.get() == n))
        .map(|r| format!("{n} — {}", r.name))
        .unwrap_or_else(|| n.to_string())
}

#[component]
fn Results(opened_at: DateTime<Utc>, d: CaseDeadlines, tz: String) -> impl IntoView {
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let rows: Vec<(Clock, Option<DateTime<Utc>>)> = vec![
        (Clock::InitialResponse, d.initial_response_due),
        (Clock::Update, d.next_update_due),
        (Clock::Restoration, d.restoration_due),
    ];
    let words = d.document_words.clone();
    let column = d.entitlement_column.map(Entitlement::label);
    view! {
        <p>
            "Opened " <time datetime=opened_at.to_rfc3339()>{fmt_local(opened_at, zone)}</time>
            {column.map(|c| format!(" · response column: {c}"))}
        </p>
        <table class="data responsive">
            <caption class="visually-hidden">"Deadlines for this case"</caption>
            <thead>
                <tr>
                    <th scope="col">"Clock"</th>
                    <th scope="col">"Due (site time)"</th>
                    <th scope="col">"Due (UTC)"</th>
                    <th scope="col">"The document says"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|(clock, due)| {
                    let said: Vec<_> = words.iter().filter(|w| w.clock == clock).cloned().collect();
                    view! {
                        <tr>
                            <th scope="row" data-label="Clock">{clock_label(clock)}</th>
                            <td data-label="Due (site time)">
                                {match due {
                                    Some(t) => Either::Left(view! { <time datetime=t.to_rfc3339()>{fmt_local(t, zone)}</time> }),
                                    None => Either::Right(view! { <span class="muted">"No target"</span> }),
                                }}
                            </td>
                            <td data-label="Due (UTC)">{due.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())}</td>
                            <td data-label="The document says">
                                {said.into_iter().map(|w| view! {
                                    <blockquote>{w.document_words}</blockquote>
                                    <p class="muted">{w.interpretation}</p>
                                }).collect_view()}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <details class="explanation">
            <summary>"How these times were computed"</summary>
            <ol>
                {d.explanation.into_iter().map(|s| view! {
                    <li><strong>{clock_label(s.clock)}": "</strong>{s.text}</li>
                }).collect_view()}
            </ol>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_time_zones_are_the_calculators() {
        assert_eq!(
            env!("CHRONO_TZ_TIMEZONE_FILTER"),
            format!("^({})$", ZONES.join("|")),
            "the wasm build's chrono-tz filter must list exactly the calculator's zones"
        );
        for z in ZONES {
            assert!(z.parse::<Tz>().is_ok(), "{z}");
        }
    }

    #[test]
    fn a_zone_the_calculator_does_not_offer_falls_back() {
        let now = Utc::now();
        let input =
            CalcInput::from_query(|k| (k == "tz").then(|| "Europe/Madrid".to_string()), now);
        assert_eq!(input.tz, "America/New_York");
    }
}
