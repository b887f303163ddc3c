//! One contact's row of a site's table: their details, the edit disclosure, a new invitation
//! link, and the removal, which asks first (`RemoveConfirmation`, a row of its own under theirs).
use super::{ContactActions, Powers};
use crate::components::phone::PhoneLink;
use crate::model::contact::{Contact, REMOVAL_CONFIRMED};
use crate::model::Role;
use leptos::form::ActionForm;
use leptos::prelude::*;

fn sign_in_state(c: &Contact) -> &'static str {
    match (c.can_sign_in, c.invitation_pending) {
        (true, _) => "Can sign in",
        (false, true) => "Invitation sent",
        (false, false) => "Cannot sign in",
    }
}

/// The confirmation's place on the page: the fragment the Remove link scrolls to.
fn confirmation_anchor(contact_id: &str) -> String {
    format!("remove-{contact_id}")
}

#[component]
pub(super) fn ContactRow(
    c: Contact,
    site_name: String,
    powers: Powers,
    holds_admin: bool,
    show_actions: bool,
    actions: ContactActions,
) -> impl IntoView {
    let manage = powers.over(holds_admin);
    let can_edit = manage || c.is_me;
    let roles = powers.roles_for(&c, holds_admin);
    let label = format!("{} at {site_name}", c.name);
    let me = c.is_me.then_some(" (you)");
    let sign_in = sign_in_state(&c);
    let edit = c.clone();
    let reinvite_id = c.id.clone();
    let (reinvite_label, remove_label) = (
        format!("New invitation link for {label}"),
        format!("Remove {label}"),
    );
    // A link, not a form: the first step only asks; it changes nothing and works without script.
    let remove_href = format!("/contacts?remove={}#{}", c.id, confirmation_anchor(&c.id));
    view! {
        <tr data-contact=c.email.clone()>
            <td data-label="Name">{c.name.clone()}{me}</td>
            <td data-label="Role">{c.role.label()}</td>
            <td data-label="E-mail"><a href=format!("mailto:{}", c.email)>{c.email.clone()}</a></td>
            <td data-label="Phone"><PhoneLink phone=c.phone.clone()/></td>
            <td data-label="Time zone">{c.time_zone.clone()}</td>
            <td data-label="Sign-in">{sign_in}</td>
            {show_actions.then(|| view! {
                <td data-label="Actions">
                    {can_edit.then(|| view! { <EditContact c=edit manage roles actions/> })}
                    {(manage && !c.can_sign_in).then(|| view! {
                        <ActionForm action=actions.reinvite attr:class="inline-form">
                            <input type="hidden" name="contact_id" value=reinvite_id/>
                            <button type="submit" class="button secondary" aria-label=reinvite_label>"New invitation link"</button>
                        </ActionForm>
                    })}
                    {manage.then(|| view! {
                        <a class="button danger inline-form" href=remove_href aria-label=remove_label>"Remove"</a>
                    })}
                </td>
            })}
        </tr>
    }
    .into_any()
}

/// What ending this designation does, in the words of the person it happens to.
fn consequences(c: &Contact, site_name: &str, only_role: bool) -> String {
    let role = c.role.label().to_lowercase();
    match (c.is_me, only_role) {
        (true, true) => format!(
            "This is you. You will no longer be {role} at {site_name}. It is your only role in \
             your organization: you will be signed out at once and cannot sign in again unless \
             an admin or backup contact adds you back."
        ),
        (true, false) => format!(
            "This is you. You will no longer be {role} at {site_name}; your roles at other sites \
             stay."
        ),
        (false, true) => format!(
            "{} will no longer be {role} at {site_name}. It is their only role in your \
             organization: they can no longer sign in, and any session they have open ends now.",
            c.name
        ),
        (false, false) => format!(
            "{} will no longer be {role} at {site_name}; their roles at other sites stay.",
            c.name
        ),
    }
}

/// The second step of a removal, under the contact's row: who and where, what follows, and the
/// two answers. Only its form posts the removal (with `confirm`, which the server requires);
/// Keep is a link back to the site, which changes nothing.
#[component]
pub(super) fn RemoveConfirmation(
    c: Contact,
    site_name: String,
    site_id: String,
    only_role: bool,
    columns: usize,
    actions: ContactActions,
) -> impl IntoView {
    let anchor = confirmation_anchor(&c.id);
    let (heading, labelled_by) = (format!("{anchor}-h"), format!("{anchor}-h"));
    let question = if c.is_me {
        format!(
            "Remove yourself as {} at {site_name}?",
            c.role.label().to_lowercase()
        )
    } else {
        format!("Remove {} at {site_name}?", c.name)
    };
    let button = format!("Remove {} at {site_name}", c.name);
    let admin_note = (c.role == Role::Admin).then_some(
        "Your organization must keep at least one admin: the removal is refused if this is the last one.",
    );
    view! {
        <tr class="confirm-row">
            <td colspan=columns.to_string()>
                <div id=anchor class="confirm-box stack" role="group" aria-labelledby=labelled_by tabindex="-1">
                    <h3 id=heading>{question}</h3>
                    <p>{consequences(&c, &site_name, only_role)}</p>
                    {admin_note.map(|n| view! { <p class="hint">{n}</p> })}
                    <div class="cluster">
                        <ActionForm action=actions.remove attr:class="inline-form">
                            <input type="hidden" name="contact_id" value=c.id.clone()/>
                            <input type="hidden" name="confirm" value=REMOVAL_CONFIRMED/>
                            <button type="submit" class="button danger">{button}</button>
                        </ActionForm>
                        <a class="button secondary" href=format!("/contacts#site-{site_id}")>"Keep"</a>
                    </div>
                </div>
            </td>
        </tr>
    }
}

/// A disclosure with the edit form: works without JavaScript, and keeps the table compact.
/// `roles`: the roles the viewer may give (empty: no role field, the role stays).
#[component]
fn EditContact(
    c: Contact,
    manage: bool,
    roles: Vec<Role>,
    actions: ContactActions,
) -> impl IntoView {
    let cid = c.id.clone();
    let id = move |f: &str| format!("edit-{f}-{cid}");
    let summary = if manage { "Edit" } else { "Edit my details" };
    view! {
        <details class="edit">
            <summary aria-label=format!("{summary}: {}", c.name)>{summary}</summary>
            <ActionForm action=actions.update attr:class="form">
                <input type="hidden" name="contact_id" value=c.id.clone()/>
                <div class="field">
                    <label for=id("name")>"Name"</label>
                    <input id=id("name") name="name" type="text" maxlength="100" required value=c.name.clone()/>
                </div>
                <div class="field">
                    <label for=id("phone")>"Phone"</label>
                    <input id=id("phone") name="phone" type="tel" value=c.phone.clone()/>
                </div>
                <div class="field">
                    <label for=id("tz")>"Time zone"</label>
                    <input id=id("tz") name="time_zone" type="text" value=c.time_zone.clone()/>
                </div>
                {(!roles.is_empty()).then(|| view! {
                    <div class="field">
                        <label for=id("role")>"Role"</label>
                        <select id=id("role") name="role">
                            {roles.into_iter().map(|r| view! {
                                <option value=r.as_str() selected=r == c.role>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="actions"><button type="submit" class="button primary">"Save"</button></div>
            </ActionForm>
        </details>
    }
    .into_any()
}
