//! The Account page: change one's password, and see and end one's open sessions. Both forms
//! are plain posts that come back to this page, with the outcome in its address.
use crate::api::account::{account_page, ChangePassword, SignOutOthers};
use crate::components::auth::RequireUser;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::account::{AccountPage as PageData, SessionInfo};
use crate::model::contact::MIN_PASSWORD_CHARS;
use crate::sla::explain::fmt_local;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account"/>
        <RequireUser children=|_| view! { <AccountView/> }/>
    }
}

#[component]
fn AccountView() -> impl IntoView {
    let page = Resource::new(|| (), |_| account_page());
    view! {
        <div class="page-header"><h1>"Account"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading your account…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Body p/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the last form did, from the address it came back to.
fn confirmation() -> Option<String> {
    let q = use_query_map();
    q.with_untracked(|q| {
        match q.get("two_step").as_deref() {
            Some("off") => return Some("Two-step sign-in is off.".to_string()),
            Some("on") => return Some("Two-step sign-in is on.".to_string()),
            _ => {}
        }
        if q.get("organization_two_step").is_some() {
            return Some("The organization's two-step sign-in rule was saved.".to_string());
        }
        if q.get("changed").as_deref() == Some("password") {
            return Some(
                "Your password was changed. Your other sessions were signed out.".to_string(),
            );
        }
        q.get("ended").map(|n| match n.parse::<u64>() {
            Ok(1) => "Signed out of 1 other session.".to_string(),
            Ok(n) => format!("Signed out of {n} other sessions."),
            Err(_) => "Signed out of your other sessions.".to_string(),
        })
    })
}

#[component]
fn Body(p: PageData) -> impl IntoView {
    view! {
        {confirmation().map(|m| view! { <div class="alert success" role="status">{m}</div> })}
        <p class="muted">{format!("Signed in as {} ({}).", p.name, p.email)}</p>
        <crate::pages::account_two_step::TwoStep p=p.second_factor/>
        <ChangePasswordForm email=p.email.clone()/>
        <Sessions sessions=p.sessions/>
    }
}

#[component]
fn ChangePasswordForm(email: String) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = use_action_error(action);
    view! {
        <section class="stack" aria-labelledby="password-h">
            <h2 id="password-h">"Change password"</h2>
            <ActionForm action attr:class="form card" attr:aria-labelledby="password-h">
                <ErrorAlert error/>
                <input type="email" value=email autocomplete="username" hidden readonly/>
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" name="current_password" type="password" autocomplete="current-password" required/>
                    <FieldError error field="current_password"/>
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <p class="hint">{format!("At least {MIN_PASSWORD_CHARS} characters, and not one of the most common passwords.")}</p>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" required
                        minlength=MIN_PASSWORD_CHARS.to_string()/>
                    <FieldError error field="password"/>
                </div>
                <div class="field">
                    <label for="password-confirm">"Repeat the new password"</label>
                    <input id="password-confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                    <FieldError error field="password_confirm"/>
                </div>
                <p class="hint">"Changing it signs you out everywhere else."</p>
                <div class="actions"><button type="submit" class="button primary">"Change password"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Sessions(sessions: Vec<SessionInfo>) -> impl IntoView {
    let action = ServerAction::<SignOutOthers>::new();
    let error = use_action_error(action);
    let others = sessions.iter().filter(|s| !s.current).count();
    view! {
        <section class="stack" aria-labelledby="sessions-h">
            <h2 id="sessions-h">"Where you are signed in"</h2>
            <ErrorAlert error/>
            <div class="table-wrap">
                <table class="data responsive">
                    <caption>{format!("{} open session(s)", sessions.len())}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Browser"</th>
                            <th scope="col">"Address"</th>
                            <th scope="col">"Signed in"</th>
                            <th scope="col">"Last active"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sessions.into_iter().map(|s| view! { <SessionRow s/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            {if others == 0 {
                view! { <p class="muted">"You are signed in nowhere else."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action>
                        <button type="submit" class="button secondary">"Sign out everywhere else"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SessionRow(s: SessionInfo) -> impl IntoView {
    let browser = if s.user_agent.is_empty() {
        "Unknown browser".to_string()
    } else {
        s.user_agent.clone()
    };
    let address = if s.ip.is_empty() {
        "Unknown".to_string()
    } else {
        s.ip.clone()
    };
    view! {
        <tr class:current=s.current>
            <td data-label="Browser">
                {browser}
                {s.current.then(|| view! { " " <span class="badge">"This session"</span> })}
            </td>
            <td data-label="Address">{address}</td>
            <td data-label="Signed in"><time datetime=s.created_at.to_rfc3339()>{fmt_local(s.created_at, chrono_tz::UTC)}</time></td>
            <td data-label="Last active"><time datetime=s.last_seen_at.to_rfc3339()>{fmt_local(s.last_seen_at, chrono_tz::UTC)}</time></td>
        </tr>
    }
}
