//! /alerts: the monitoring alerts each array sent (critical ones link to the case they opened),
//! and for an organization's admins the alert API's tokens: create (the secret is shown once),
//! see when each was last used, revoke.
use crate::api::alerts::{alerts_page, api_tokens, CreateApiToken, RevokeApiToken};
use crate::components::auth::RequireUser;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::alert::{AlertSeverity, AlertsPage, ApiToken, ArrayAlerts};
use crate::model::AppError;
use chrono::{DateTime, Utc};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::A;

fn when(t: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=t.to_rfc3339()>{t.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! {
        <Title text="Alerts"/>
        <RequireUser children=|_| view! { <AlertsView/> }/>
    }
}

#[component]
fn AlertsView() -> impl IntoView {
    let page = Resource::new(|| (), |_| alerts_page());
    view! {
        <div class="page-header"><h1>"Monitoring alerts"</h1></div>
        <p class="muted">
            "Connected arrays send alerts through the alert API. A critical alert opens a case by itself "
            "(repeats of the same alert are added to it); other alerts are listed here. Arrays at a dark "
            "site are not connected and send none."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading alerts…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Body p/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Body(p: AlertsPage) -> impl IntoView {
    let AlertsPage { arrays, tokens } = p;
    view! {
        {tokens.map(|tokens| view! { <Tokens tokens/> })}
        <section class="stack" aria-labelledby="alerts-arrays-h">
            <h2 id="alerts-arrays-h">"Alerts by array"</h2>
            {arrays.into_iter().map(|a| view! { <ArrayCard a/> }).collect_view()}
        </section>
    }
}

#[component]
fn ArrayCard(a: ArrayAlerts) -> impl IntoView {
    let heading = format!("alerts-{}", a.serial);
    let labelled = heading.clone();
    let state = if a.connected {
        "connected"
    } else {
        "dark site: sends no alerts"
    };
    view! {
        <section class="card stack" aria-labelledby=labelled>
            <h3 id=heading>{a.array_name.clone()}</h3>
            <p class="muted">{format!("{} · {} · {} · {state}", a.organization_name, a.site_name, a.serial)}</p>
            {if a.alerts.is_empty() {
                view! { <p class="muted">"No alerts received."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data responsive">
                            <thead><tr>
                                <th scope="col">"Received"</th><th scope="col">"Severity"</th>
                                <th scope="col">"Code"</th><th scope="col">"Summary"</th><th scope="col">"Case"</th>
                            </tr></thead>
                            <tbody>
                                {a.alerts.into_iter().map(|al| {
                                    let sev = match al.severity {
                                        AlertSeverity::Critical => "Critical",
                                        AlertSeverity::Warning => "Warning",
                                        AlertSeverity::Info => "Info",
                                    };
                                    view! {
                                        <tr>
                                            <td data-label="Received">{when(al.received_at)}</td>
                                            <td data-label="Severity">{sev}</td>
                                            <td data-label="Code"><code>{al.code.clone()}</code></td>
                                            <td data-label="Summary"><span>{al.summary.clone()} <span class="muted">{format!(" ({})", al.alert_id)}</span></span></td>
                                            <td data-label="Case">{al.case.map(|(id, label)| view! { <A href=format!("/cases/{id}")>{label}</A> })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// A new token's secret exists only in the answer to its creation, so the list is an island that
/// shows it in place (a reload would lose it) and reads the list again after each change. Its
/// forms are plain forms that post without the client; with it, they call the server functions
/// in place (an `ActionForm` would bring the form-decoding code into the client).
#[component]
fn Tokens(tokens: Vec<ApiToken>) -> impl IntoView {
    // Without the client, a refused form comes back with its error in the URL.
    let create_error = use_action_error(ServerAction::<CreateApiToken>::new()).get_untracked();
    let revoke_error = use_action_error(ServerAction::<RevokeApiToken>::new()).get_untracked();
    view! { <TokenList tokens create_error revoke_error/> }
}

#[island]
fn TokenList(
    tokens: Vec<ApiToken>,
    create_error: Option<AppError>,
    revoke_error: Option<AppError>,
) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = RwSignal::new(tokens);
    let name = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if create.version().get() + revoke.version().get() > 0 {
            leptos::task::spawn_local(async move {
                if let Ok(t) = api_tokens().await {
                    tokens.set(t);
                }
            });
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(input)) = (create.value().get(), name.get_untracked()) {
            input.set_value("");
        }
    });
    let last_error =
        move |value: Option<Result<(), AppError>>, from_url: &Option<AppError>| match value {
            Some(Err(e)) => Some(e),
            Some(Ok(())) => None,
            None => from_url.clone(),
        };
    let error = Signal::derive(move || {
        last_error(create.value().get().map(|r| r.map(|_| ())), &create_error)
    });
    let revoke_error = Signal::derive(move || last_error(revoke.value().get(), &revoke_error));
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <section class="stack" aria-labelledby="tokens-h">
            <h2 id="tokens-h">"Alert API tokens"</h2>
            <p class="hint">
                "Your monitoring system sends alerts to " <code>"POST /api/v1/alerts"</code>
                " with a token as " <code>"Authorization: Bearer …"</code>
                ". A token is shown once, when it is created; revoke one that leaked."
            </p>
            {move || created().map(|t| view! {
                <div class="alert success" role="status">
                    <p>{format!("Token \u{201c}{}\u{201d} created. Copy it now: it will not be shown again.", t.name)}</p>
                    <p><code class="token" aria-label="New token">{t.token}</code></p>
                </div>
            })}
            <ErrorAlert error=revoke_error/>
            {move || if tokens.with(Vec::is_empty) {
                Either::Left(view! { <p class="muted">"No token yet."</p> })
            } else {
                Either::Right(view! { <TokenTable tokens=tokens.get() revoke/> })
            }}
            <NewTokenForm create name error/>
        </section>
    }
}

#[component]
fn TokenTable(tokens: Vec<ApiToken>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data responsive">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Token"</th><th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th><th scope="col">"State"</th>
                </tr></thead>
                <tbody>
                    {tokens.into_iter().map(|t| view! { <TokenRow t revoke/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn TokenRow(t: ApiToken, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    let label = format!("Revoke {}", t.name);
    view! {
        <tr>
            <td data-label="Name">{t.name.clone()}</td>
            <td data-label="Token"><code>{format!("{}…", t.prefix)}</code></td>
            <td data-label="Created"><span>{when(t.created_at)} {t.created_by.map(|n| format!(" by {n}"))}</span></td>
            <td data-label="Last used">{match t.last_used_at {
                Some(u) => Either::Left(when(u)),
                None => Either::Right(view! { <span class="muted">"Never"</span> }),
            }}</td>
            <td data-label="State">{match t.revoked_at {
                Some(r) => Either::Left(view! { <span>"Revoked " {when(r)}</span> }),
                None => Either::Right(view! {
                    <form action=RevokeApiToken::PATH method="post" on:submit={
                        let id = t.id.clone();
                        move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            revoke.dispatch(RevokeApiToken { id: id.clone() });
                        }
                    }>
                        <input type="hidden" name="id" value=t.id.clone()/>
                        <button type="submit" class="button secondary small" aria-label=label>"Revoke"</button>
                    </form>
                }),
            }}</td>
        </tr>
    }
}

/// A plain form that posts without the client; with it, it creates the token in place.
#[component]
fn NewTokenForm(
    create: ServerAction<CreateApiToken>,
    name: NodeRef<leptos::html::Input>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = name.get_untracked() {
            create.dispatch(CreateApiToken {
                name: input.value(),
            });
        }
    };
    view! {
        <form action=CreateApiToken::PATH method="post" class="form card" aria-labelledby="token-new-h" on:submit=on_create>
            <h3 id="token-new-h">"Create a token"</h3>
            <ErrorAlert error/>
            <div class="field">
                <label for="token-name">"Token name"</label>
                <p class="hint">"The system that will use it, e.g. \u{201c}Pure1 bridge\u{201d}."</p>
                <input id="token-name" name="name" required maxlength="100" node_ref=name/>
                <FieldError error field="name"/>
            </div>
            <div class="actions">
                <button type="submit" class="button primary">"Create token"</button>
            </div>
        </form>
    }
}
