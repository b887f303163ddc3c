//! The contacts page (who speaks for the organization at each site, the team's contact settings,
//! the history of changes) and the invitation page where a new contact chooses a password.
//! Every form is a plain post that comes back to this page; the server decides who may change
//! what, the page only leaves out the buttons a viewer cannot use. Removing a contact takes two
//! steps, both plain links and posts: the row's Remove opens a confirmation under the row
//! (`?remove=<id>`), whose button posts the removal; the page it lands on says what was done.
mod forms;
mod history;
mod invite;
mod rows;

pub use invite::InvitePage;

use crate::api::contacts::{
    contacts_page, AddContact, ReinviteContact, RemoveContact, UpdateContact, UpdateContactSettings,
};
use crate::components::auth::RequireUser;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage};
use crate::model::contact::{
    Contact, ContactsPage as PageData, InvitationNotice as Notice, RemovalNotice, SiteContacts,
    CONTACT_ROLES,
};
use crate::model::Role;
use crate::sla::explain::fmt_local;
use forms::{AddContactForm, TeamSettings};
use history::History;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use rows::{ContactRow, RemoveConfirmation};

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

/// The designation whose removal the page asks to confirm (`?remove=`), and whether it is the
/// person's only one in the organization (then they can no longer sign in).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Confirming {
    contact_id: String,
    only_role: bool,
}

impl Confirming {
    /// `wanted`: the `remove` parameter; `None` when no designation of the page has that id.
    fn find(sites: &[SiteContacts], wanted: Option<&str>) -> Option<Confirming> {
        let wanted = wanted?;
        let all = || sites.iter().flat_map(|s| s.contacts.iter());
        let c = all().find(|c| c.id == wanted)?;
        let roles = all().filter(|o| o.user_id == c.user_id).count();
        Some(Confirming {
            contact_id: c.id.clone(),
            only_role: roles <= 1,
        })
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
    let page = Resource::new(
        move || query.with(|q| (q.get("org"), q.get("removed"))),
        |(org, removed)| contacts_page(org, removed),
    );
    let confirm = query.with_untracked(|q| q.get("remove"));
    view! {
        <div class="page-header"><h1>"Contacts"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading the contacts…"</p> }>
            {move || {
                let confirm = confirm.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <ContactsBody p actions confirm/> }.into_any(),
                        Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                    }
                })
            }}
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

/// The removal this page is the result of, at its top where the eye lands.
#[component]
fn RemovedNotice(n: RemovalNotice) -> impl IntoView {
    view! {
        <div class="alert success" role="status">
            <p><strong>{n.sentence()}</strong>
                {(!n.was_me).then(|| format!(" {} <{}> is listed in the history below.", n.name, n.email))}
            </p>
        </div>
    }
}

#[component]
fn ContactsBody(p: PageData, actions: ContactActions, confirm: Option<String>) -> impl IntoView {
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
    let confirming = Confirming::find(&p.sites, confirm.as_deref()).filter(|_| manage);
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
            {p.removed.map(|n| view! { <RemovedNotice n/> })}
            {p.new_invitations.into_iter().map(|n| view! { <InvitationNotice n/> }).collect_view()}
            <ErrorAlert error=update_err/>
            <ErrorAlert error=remove_err/>
            <ErrorAlert error=reinvite_err/>
            <p class="muted">
                {format!("{}: the people who may speak for your organization to support, by site.", org.name)}
                {(!manage).then_some(" Your organization's admins and backup contacts make changes; you can edit your own details.")}
                {(manage && !powers.admins).then_some(" Only an admin grants the admin role, changes an admin's details or places a no-contact order.")}
            </p>
            {manage.then(|| view! { <AddContactForm sites admins=powers.admins actions/> })}
            <TeamSettings settings=p.settings.clone() powers actions/>
            {p.sites.into_iter().map(|site| view! {
                <SiteCard site powers admins=admins.clone() actions confirming=confirming.clone()/>
            }).collect_view()}
            {p.history.map(|h| view! { <History entries=h/> })}
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
    confirming: Option<Confirming>,
) -> impl IntoView {
    let heading = format!("site-{}", site.site_id);
    let show_actions = powers.manage || site.contacts.iter().any(|c| c.is_me);
    let full = site.caller_count >= site.caller_limit;
    // Name, role, e-mail, phone, time zone, sign-in, and the actions when shown.
    let columns = 6 + usize::from(show_actions);
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
                let site_id = site.site_id.clone();
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
                                let asked = confirming
                                    .as_ref()
                                    .filter(|k| k.contact_id == c.id && powers.over(holds_admin))
                                    .map(|k| k.only_role);
                                let confirmation = asked.map(|only_role| view! {
                                    <RemoveConfirmation c=c.clone() site_name=name.clone() site_id=site_id.clone()
                                        only_role columns actions/>
                                });
                                view! {
                                    <ContactRow c site_name=name.clone() powers holds_admin show_actions actions/>
                                    {confirmation}
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
