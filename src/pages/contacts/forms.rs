//! The page's organization-wide forms: the team contact settings and adding a contact.
use super::{ContactActions, Powers};
use crate::components::form_error::{use_action_error, ErrorAlert, FieldError};
use crate::components::phone::PhoneLink;
use crate::model::contact::{ContactSettings, SiteContacts, CONTACT_ROLES};
use crate::model::{AppError, Role};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub(super) fn TeamSettings(
    settings: ContactSettings,
    powers: Powers,
    actions: ContactActions,
) -> impl IntoView {
    let manage = powers.manage;
    let error = use_action_error(actions.settings);
    let or_none = |s: &str| {
        if s.is_empty() {
            "Not set".to_string()
        } else {
            s.to_string()
        }
    };
    let order = match (settings.no_contact_in_force, settings.no_contact_until) {
        (true, Some(until)) => {
            format!("In place until {until}: support does not call for critical alerts.")
        }
        (true, None) => {
            "In place until lifted: support does not call for critical alerts.".to_string()
        }
        (false, Some(until)) if settings.no_contact => format!("Ended on {until}."),
        _ => "None: support may call for critical alerts.".to_string(),
    };
    let team_phone = if settings.team_phone.is_empty() {
        view! { "Not set" }.into_any()
    } else {
        view! { <PhoneLink phone=settings.team_phone.clone()/> }.into_any()
    };
    let s = settings.clone();
    view! {
        <section class="card stack" aria-labelledby="team-h">
            <h2 id="team-h">"Team contact"</h2>
            <p class="hint">"An e-mail alias and a phone or pager number that reach the whole team, so critical alerts never depend on one person."</p>
            <dl class="kv">
                <dt>"Team e-mail alias"</dt><dd>{or_none(&settings.team_email)}</dd>
                <dt>"Team phone or pager"</dt><dd>{team_phone}</dd>
                <dt>"No-contact order"</dt><dd>{order}</dd>
                <dt>"Preferred hours"</dt><dd>{or_none(&settings.preferred_hours)}</dd>
            </dl>
            {manage.then(|| view! {
                <details class="edit">
                    <summary>"Edit team contact"</summary>
                    <ActionForm action=actions.settings attr:class="form">
                        <ErrorAlert error/>
                        <div class="field">
                            <label for="team_email">"Team e-mail alias"</label>
                            <input id="team_email" name="team_email" type="email" value=s.team_email.clone()/>
                            <FieldError error field="team_email"/>
                        </div>
                        <div class="field">
                            <label for="team_phone">"Team phone or pager"</label>
                            <input id="team_phone" name="team_phone" type="tel" value=s.team_phone.clone()/>
                            <FieldError error field="team_phone"/>
                        </div>
                        <NoContactFields settings=s.clone() admin=powers.admins error/>
                        <div class="field">
                            <label for="preferred_hours">"Preferred hours"</label>
                            <input id="preferred_hours" name="preferred_hours" type="text" maxlength="200"
                                placeholder="Mon–Fri 08:00–18:00 Eastern" value=s.preferred_hours.clone()/>
                            <FieldError error field="preferred_hours"/>
                        </div>
                        <div class="actions"><button type="submit" class="button primary">"Save team contact"</button></div>
                    </ActionForm>
                </details>
            })}
        </section>
    }
    .into_any()
}

/// The no-contact order's fields: an admin's to change; anyone else posts it back as it is.
#[component]
fn NoContactFields(
    settings: ContactSettings,
    admin: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let until = settings
        .no_contact_until
        .filter(|_| settings.no_contact)
        .map(|d| d.to_string())
        .unwrap_or_default();
    if !admin {
        return view! {
            {settings.no_contact.then(|| view! { <input type="hidden" name="no_contact" value="on"/> })}
            <input type="hidden" name="no_contact_until" value=until/>
            <p class="hint">"Only an admin places or lifts the no-contact order."</p>
        }
        .into_any();
    }
    view! {
        <div class="field">
            <label><input type="checkbox" name="no_contact" value="on" checked=settings.no_contact/>" No-contact order: do not call us for critical alerts"</label>
        </div>
        <div class="field">
            <label for="no_contact_until">"No-contact order ends on (optional)"</label>
            <input id="no_contact_until" name="no_contact_until" type="date" value=until/>
            <FieldError error field="no_contact_until"/>
        </div>
    }
    .into_any()
}

/// Adding a contact, near the top of the page and folded: a refused form comes back as a new page
/// that opens at its top, so the form opens there with its error beside the fields instead of
/// under every site's table. `admins`: the viewer may designate admins.
#[component]
pub(super) fn AddContactForm(
    sites: Vec<SiteContacts>,
    admins: bool,
    actions: ContactActions,
) -> impl IntoView {
    let error = use_action_error(actions.add);
    let refused = error.get_untracked().is_some();
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    view! {
        <details class="card add-contact" open=refused>
            <summary>"Add a contact"</summary>
            <div class="stack">
            <p class="hint">"Someone without an account gets one, with an invitation link to choose a password. One role per person at a site; at most five authorized callers per site; backup contacts only where your organization has an admin."</p>
            <ActionForm action=actions.add attr:class="form" attr:aria-label="Add a contact">
                <ErrorAlert error/>
                <div class="field">
                    <label for="add-site">"Site"</label>
                    <select id="add-site" name="site_id" required aria-describedby=described("site_id")>
                        {sites.into_iter().map(|s| view! {
                            <option value=s.site_id>{format!("{} ({} of {} callers)", s.site_name, s.caller_count, s.caller_limit)}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error field="site_id"/>
                </div>
                <div class="field">
                    <label for="add-role">"Role"</label>
                    <select id="add-role" name="role" aria-describedby=described("role")>
                        {CONTACT_ROLES.into_iter().filter(|r| admins || *r != Role::Admin).map(|r| view! {
                            <option value=r.as_str() selected=r == Role::AuthorizedCaller>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error field="role"/>
                </div>
                <div class="field">
                    <label for="add-email">"E-mail address"</label>
                    <input id="add-email" name="email" type="email" required autocomplete="off" aria-describedby=described("email")/>
                    <FieldError error field="email"/>
                </div>
                <div class="field">
                    <label for="add-name">"Full name"</label>
                    <input id="add-name" name="name" type="text" maxlength="100" required aria-describedby=described("name")/>
                    <FieldError error field="name"/>
                </div>
                <div class="field">
                    <label for="add-phone">"Phone"</label>
                    <input id="add-phone" name="phone" type="tel" aria-describedby=described("phone")/>
                    <FieldError error field="phone"/>
                </div>
                <div class="field">
                    <label for="add-tz">"Time zone"</label>
                    <p class="hint">"Empty: the site's time zone."</p>
                    <input id="add-tz" name="time_zone" type="text" placeholder="America/New_York" aria-describedby=described("time_zone")/>
                    <FieldError error field="time_zone"/>
                </div>
                <div class="actions"><button type="submit" class="button primary">"Add contact"</button></div>
            </ActionForm>
            </div>
        </details>
    }
    .into_any()
}
