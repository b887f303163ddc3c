//! The contacts page (who speaks for the organization at each site, the team's contact settings,
//! the history of changes) and the invitation page where a new contact chooses a password.
//! Every form is a plain post that comes back to this page; the server decides who may change
//! what, the page only leaves out the buttons a viewer cannot use.
use crate::api::contacts::{
    contacts_page, invitation_info, AcceptInvitation, AddContact, ReinviteContact, RemoveContact,
    UpdateContact, UpdateContactSettings,
};
use crate::components::auth::RequireUser;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::contact::{
    Contact, ContactSettings, ContactsPage as PageData, HistoryEntry, InvitationNotice as Notice,
    SiteContacts, CONTACT_ROLES,
};
use crate::model::{AppError, Role};
use crate::sla::explain::fmt_local;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every change the page can make: the forms' server functions, and where their errors come from.
#[derive(Clone, Copy)]
struct ContactActions {
    add: ServerAction<AddContact>,
    update: ServerAction<UpdateContact>,
    remove: ServerAction<RemoveContact>,
    reinvite: ServerAction<ReinviteContact>,
    settings: ServerAction<UpdateContactSettings>,
}

impl ContactActions {
    fn new() -> Self {
        ContactActions {
            add: ServerAction::new(),
            update: ServerAction::new(),
            remove: ServerAction::new(),
            reinvite: ServerAction::new(),
            settings: ServerAction::new(),
        }
    }
}

/// What the viewer may change: contacts at all (`manage`), and the admin role and the people who
/// hold it (`admins`: only admins may; see `server::contacts::guard`).
#[derive(Clone, Copy)]
struct Powers {
    manage: bool,
    admins: bool,
}

impl Powers {
    /// Whether the viewer may edit, remove or re-invite this designation of a person; `holds_admin`:
    /// the person is an admin somewhere in the organization.
    fn over(self, holds_admin: bool) -> bool {
        self.manage && (self.admins || !holds_admin)
    }

    /// The roles the viewer may give this designation (none: the role is not theirs to change).
    fn roles_for(self, c: &Contact, holds_admin: bool) -> Vec<Role> {
        if c.is_me || !self.over(holds_admin) {
            return Vec::new();
        }
        CONTACT_ROLES
            .into_iter()
            .filter(|r| self.admins || *r != Role::Admin)
            .collect()
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <Title text="Contacts"/>
        <RequireUser children=|_| view! { <ContactsView/> }/>
    }
}

#[component]
fn ContactsView() -> impl IntoView {
    let query = use_query_map();
    let actions = ContactActions::new();
    let page = Resource::new(move || query.with(|q| q.get("org")), contacts_page);
    view! {
        <div class="page-header"><h1>"Contacts"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading the contacts…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ContactsBody p actions/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A new invitation link, shown this once (the server deleted it as it rendered this page).
#[component]
fn InvitationNotice(n: Notice) -> impl IntoView {
    let until = fmt_local(n.expires_at, chrono_tz::UTC);
    view! {
        <div class="alert success stack" role="status">
            <p><strong>{format!("Invitation link created for {} <{}>.", n.name, n.email)}</strong>
                {format!(" It was e-mailed to them. It works once, until {until}, and lets them choose a password. It is shown here this once: copy it now if you want to pass it on yourself.")}
            </p>
            <p class="invite-link">"Invitation link: " <a href=n.path.clone()>{n.path.clone()}</a></p>
        </div>
    }
    .into_any()
}

#[component]
fn ContactsBody(p: PageData, actions: ContactActions) -> impl IntoView {
    let update_err = use_action_error(actions.update);
    let remove_err = use_action_error(actions.remove);
    let reinvite_err = use_action_error(actions.reinvite);
    let Some(org) = p.organization.clone() else {
        // Vendor staff choose an organization; they see its contacts read-only.
        return view! {
            <p>"Choose an organization to see its contacts."</p>
            <ul>
                {p.organizations.into_iter().map(|o| view! {
                    <li><A href=format!("/contacts?org={}", o.id)>{o.name}</A></li>
                }).collect_view()}
            </ul>
        }
        .into_any();
    };
    let manage = p.can_manage;
    let powers = Powers {
        manage,
        admins: p.manages_admins,
    };
    let sites = p.sites.clone();
    // People who are an admin at any site: only admins change anything of theirs.
    let admins: Vec<String> = p
        .sites
        .iter()
        .flat_map(|s| s.contacts.iter())
        .filter(|c| c.role == Role::Admin)
        .map(|c| c.user_id.clone())
        .collect();
    view! {
        <div class="stack">
            {p.new_invitations.into_iter().map(|n| view! { <InvitationNotice n/> }).collect_view()}
            <p class="muted">
                {format!("{}: the people who may speak for your organization to support, by site.", org.name)}
                {(!manage).then_some(" Your organization's admins and backup contacts make changes; you can edit your own details.")}
                {(manage && !powers.admins).then_some(" Only an admin grants the admin role, changes an admin's details or places a no-contact order.")}
            </p>
            <ErrorAlert error=update_err/>
            <ErrorAlert error=remove_err/>
            <ErrorAlert error=reinvite_err/>
            <TeamSettings settings=p.settings.clone() powers actions/>
            {p.sites.into_iter().map(|site| view! { <SiteCard site powers admins=admins.clone() actions/> }).collect_view()}
            {manage.then(|| view! { <AddContactForm sites admins=powers.admins actions/> })}
            {p.history.map(|h| view! { <History entries=h/> })}
        </div>
    }
    .into_any()
}

#[component]
fn TeamSettings(
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
    let s = settings.clone();
    view! {
        <section class="card stack" aria-labelledby="team-h">
            <h2 id="team-h">"Team contact"</h2>
            <p class="hint">"An e-mail alias and a phone or pager number that reach the whole team, so critical alerts never depend on one person."</p>
            <dl class="kv">
                <dt>"Team e-mail alias"</dt><dd>{or_none(&settings.team_email)}</dd>
                <dt>"Team phone or pager"</dt><dd>{or_none(&settings.team_phone)}</dd>
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

#[component]
fn SiteCard(
    site: SiteContacts,
    powers: Powers,
    admins: Vec<String>,
    actions: ContactActions,
) -> impl IntoView {
    let heading = format!("site-{}", site.site_id);
    let show_actions = powers.manage || site.contacts.iter().any(|c| c.is_me);
    let full = site.caller_count >= site.caller_limit;
    view! {
        <section class="card stack" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{site.site_name.clone()}</h2>
            <p class="cluster">
                <span class="caller-count">
                    <strong>"Authorized callers: "</strong>
                    {format!("{} of {}", site.caller_count, site.caller_limit)}
                </span>
                {full.then_some(view! { <span class="muted">"(the most a site can have)"</span> })}
                <span class="muted">{format!("Site time zone: {}", site.time_zone)}</span>
            </p>
            {(!site.has_admin).then_some(view! {
                <p class="hint">"No admin at this site: backup contacts can only be designated where your organization has an admin."</p>
            })}
            {if site.contacts.is_empty() {
                view! { <p class="muted">"No contacts at this site yet."</p> }.into_any()
            } else {
                let name = site.site_name.clone();
                view! {
                    <table class="data responsive">
                        <caption class="visually-hidden">{format!("Contacts at {name}")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"E-mail"</th>
                                <th scope="col">"Phone"</th>
                                <th scope="col">"Time zone"</th>
                                <th scope="col">"Sign-in"</th>
                                {show_actions.then_some(view! { <th scope="col">"Actions"</th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {site.contacts.into_iter().map(|c| {
                                let holds_admin = admins.contains(&c.user_id);
                                view! {
                                    <ContactRow c site_name=name.clone() powers holds_admin show_actions actions/>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

fn sign_in_state(c: &Contact) -> &'static str {
    match (c.can_sign_in, c.invitation_pending) {
        (true, _) => "Can sign in",
        (false, true) => "Invitation sent",
        (false, false) => "Cannot sign in",
    }
}

#[component]
fn ContactRow(
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
    let (reinvite_id, remove_id) = (c.id.clone(), c.id.clone());
    let (reinvite_label, remove_label) = (
        format!("New invitation link for {label}"),
        format!("Remove {label}"),
    );
    view! {
        <tr data-contact=c.email.clone()>
            <td data-label="Name">{c.name.clone()}{me}</td>
            <td data-label="Role">{c.role.label()}</td>
            <td data-label="E-mail"><a href=format!("mailto:{}", c.email)>{c.email.clone()}</a></td>
            <td data-label="Phone">{c.phone.clone()}</td>
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
                        <ActionForm action=actions.remove attr:class="inline-form">
                            <input type="hidden" name="contact_id" value=remove_id/>
                            <button type="submit" class="button danger" aria-label=remove_label>"Remove"</button>
                        </ActionForm>
                    })}
                </td>
            })}
        </tr>
    }
    .into_any()
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

/// `admins`: the viewer may designate admins.
#[component]
fn AddContactForm(
    sites: Vec<SiteContacts>,
    admins: bool,
    actions: ContactActions,
) -> impl IntoView {
    let error = use_action_error(actions.add);
    let described = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|_| format!("{field}-error"))
        }
    };
    view! {
        <section class="card stack" aria-labelledby="add-h">
            <h2 id="add-h">"Add a contact"</h2>
            <p class="hint">"Someone without an account gets one, with an invitation link to choose a password. One role per person at a site; at most five authorized callers per site; backup contacts only where your organization has an admin."</p>
            <ActionForm action=actions.add attr:class="form" attr:aria-labelledby="add-h">
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
        </section>
    }
    .into_any()
}

#[component]
fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <section class="card stack" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <p class="hint">"Every change to your contacts, newest first (times in UTC)."</p>
            {if entries.is_empty() {
                view! { <p class="muted">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <table class="data responsive">
                        <caption class="visually-hidden">"Contact history"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Change"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {entries.into_iter().map(|e| view! {
                                <tr>
                                    <td data-label="When"><time datetime=e.at.to_rfc3339()>{fmt_local(e.at, chrono_tz::UTC)}</time></td>
                                    <td data-label="Who">{e.actor_name.clone().unwrap_or_else(|| "Support Portal".into())}</td>
                                    <td data-label="Change">
                                        <strong>{e.action.clone()}</strong>": "{e.summary.clone()}
                                        {(e.before.is_some() || e.after.is_some()).then(|| view! {
                                            <details class="explanation">
                                                <summary>"Before and after"</summary>
                                                <p><code>{format!("before: {}", e.before.clone().unwrap_or_else(|| "—".into()))}</code></p>
                                                <p><code>{format!("after: {}", e.after.clone().unwrap_or_else(|| "—".into()))}</code></p>
                                            </details>
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// `/invite/:token`: the invited person chooses a password, then signs in.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let info = Resource::new(token, invitation_info);
    let action = ServerAction::<AcceptInvitation>::new();
    let error = use_action_error(action);
    view! {
        <Title text="Set your password"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="invite-title">
                <h1 id="invite-title">"Set your password"</h1>
                <Suspense fallback=|| view! { <p class="muted">"Checking the invitation…"</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(i) => view! {
                                <p>{format!("Welcome, {}. You are a support contact of {}.", i.name, i.organization_name)}</p>
                                <p class="muted">{format!("You will sign in as {}. This link works once, until {}.", i.email, fmt_local(i.expires_at, chrono_tz::UTC))}</p>
                                <ActionForm action attr:class="form">
                                    <ErrorAlert error/>
                                    <input type="hidden" name="token" value=token()/>
                                    <input type="email" value=i.email.clone() autocomplete="username" hidden readonly/>
                                    <div class="field">
                                        <label for="new-password">"New password"</label>
                                        <p class="hint">{format!("At least {} characters.", crate::model::contact::MIN_PASSWORD_CHARS)}</p>
                                        <input id="new-password" name="password" type="password" autocomplete="new-password" required
                                            minlength=crate::model::contact::MIN_PASSWORD_CHARS.to_string()/>
                                        <FieldError error field="password"/>
                                    </div>
                                    <div class="field">
                                        <label for="password-confirm">"Repeat the password"</label>
                                        <input id="password-confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                                        <FieldError error field="password_confirm"/>
                                    </div>
                                    <div class="actions"><button type="submit" class="button primary">"Set password"</button></div>
                                </ActionForm>
                            }.into_any(),
                            Err(e) => {
                                #[cfg(feature = "ssr")]
                                crate::response::set_status(e.status_code());
                                view! { <InvitationProblem e/> }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn InvitationProblem(e: AppError) -> impl IntoView {
    view! {
        <ErrorMessage error=e/>
        <p><A href="/login">"Go to sign-in"</A></p>
    }
    .into_any()
}
