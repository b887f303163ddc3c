//! /notifications: what the signed-in person was told (newest first, unread marked), what they
//! want to receive per kind of event, and for an organization's admins its no-contact orders.
//! Every form is a plain post that comes back to this page, so the bell's count follows too.
use crate::api::notifications::{
    notifications_page, AddNoContactOrder, LiftNoContactOrder, MarkNotificationRead,
    SaveNotificationPreference,
};
use crate::components::auth::RequireUser;
use crate::components::countdown::SeverityBadge;
use crate::components::form_error::{use_action_error, ErrorAlert, ErrorMessage, FieldError};
use crate::model::notification::{
    NoContactSection, Notification, NotificationKind, NotificationsPage, Preference,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[derive(Clone, Copy)]
struct Actions {
    read: ServerAction<MarkNotificationRead>,
    save: ServerAction<SaveNotificationPreference>,
    add: ServerAction<AddNoContactOrder>,
    lift: ServerAction<LiftNoContactOrder>,
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Title text="Notifications"/>
        <RequireUser children=|_| view! { <NotificationsView/> }/>
    }
}

#[component]
fn NotificationsView() -> impl IntoView {
    let actions = Actions {
        read: ServerAction::new(),
        save: ServerAction::new(),
        add: ServerAction::new(),
        lift: ServerAction::new(),
    };
    let page = Resource::new(|| (), |_| notifications_page());
    view! {
        <div class="page-header"><h1>"Notifications"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading notifications…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Body p actions/> }.into_any(),
                    Err(e) => view! { <ErrorMessage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Body(p: NotificationsPage, actions: Actions) -> impl IntoView {
    let error = use_action_error(actions.read);
    let unread = p.unread;
    view! {
        <section class="stack" aria-labelledby="notif-list-h">
            <div class="cluster">
                <h2 id="notif-list-h">{format!("Latest ({unread} unread)")}</h2>
                {(unread > 0).then(|| view! {
                    <ActionForm action=actions.read>
                        <input type="hidden" name="id" value=""/>
                        <button type="submit" class="button secondary">"Mark all read"</button>
                    </ActionForm>
                })}
            </div>
            <ErrorAlert error/>
            {if p.items.is_empty() {
                view! { <p class="muted">"Nothing yet. Updates on your cases will show here."</p> }.into_any()
            } else {
                view! {
                    <ul class="notification-list">
                        {p.items.into_iter().map(|n| view! { <Item n actions/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <Preferences prefs=p.preferences actions/>
        {p.no_contact.map(|s| view! { <NoContact s actions/> })}
    }
}

#[component]
fn Item(n: Notification, actions: Actions) -> impl IntoView {
    let class = if n.read {
        "notification"
    } else {
        "notification unread"
    };
    let when = n.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let mark_label = format!("Mark read: {}", n.title);
    view! {
        <li class=class>
            <div class="cluster">
                {n.severity.map(|severity| view! { <SeverityBadge severity/> })}
                <A href=n.link.clone()>{n.title.clone()}</A>
                {(!n.read).then(|| view! { <span class="badge">"Unread"</span> })}
            </div>
            <p class="muted"><time datetime=n.created_at.to_rfc3339()>{when}</time> " · " {n.kind.label()}</p>
            {(!n.body.is_empty()).then(|| view! { <p class="notification-body">{n.body.clone()}</p> })}
            {(!n.read).then(|| view! {
                <ActionForm action=actions.read>
                    <input type="hidden" name="id" value=n.id.clone()/>
                    <button type="submit" class="button secondary small" aria-label=mark_label>"Mark read"</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn Preferences(prefs: Vec<Preference>, actions: Actions) -> impl IntoView {
    let error = use_action_error(actions.save);
    view! {
        <section class="stack" aria-labelledby="notif-prefs-h">
            <h2 id="notif-prefs-h">"What you receive"</h2>
            <p class="hint">
                "For each kind of event: whether you are told at all (here and by e-mail), and whether "
                "by e-mail too. Your organization's team alias is e-mailed as well, unless a no-contact order covers it."
            </p>
            <ErrorAlert error/>
            <ul class="preference-list">
                {prefs.into_iter().map(|p| {
                    let label = p.kind.label();
                    let kind = p.kind;
                    let id = move |what: &str| format!("pref-{}-{what}", kind.as_str());
                    view! {
                        <li>
                            <ActionForm action=actions.save attr:class="cluster" attr:aria-label=label>
                                <input type="hidden" name="kind" value=p.kind.as_str()/>
                                <strong class="preference-kind">{label}</strong>
                                <label for=id("on")>
                                    <input type="checkbox" id=id("on") name="enabled" checked=p.enabled/>
                                    " Notify me"
                                </label>
                                <label for=id("mail")>
                                    <input type="checkbox" id=id("mail") name="email" checked=p.email/>
                                    " By e-mail"
                                </label>
                                <button type="submit" class="button secondary small">"Save"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn NoContact(s: NoContactSection, actions: Actions) -> impl IntoView {
    let error = use_action_error(actions.add);
    let lift_error = use_action_error(actions.lift);
    view! {
        <section class="stack" aria-labelledby="no-contact-h">
            <h2 id="no-contact-h">"No-contact orders"</h2>
            <p class="hint">
                "While an order is in force, support sends no e-mail to the people and events it covers "
                "(the portal still lists them here). An order for everyone covers the team alias too."
            </p>
            <ErrorAlert error=lift_error/>
            {if s.orders.is_empty() {
                view! { <p class="muted">"No order is in force."</p> }.into_any()
            } else {
                view! {
                    <ul class="stack">
                        {s.orders.into_iter().map(|o| {
                            let who = o.person.clone().unwrap_or_else(|| "Everyone, team alias included".into());
                            let what = o.kind.map(NotificationKind::label).unwrap_or("every event");
                            let until = o.until.map(|d| format!("until {d}")).unwrap_or_else(|| "until lifted".into());
                            let text = format!("{who}: {what}, {until}");
                            view! {
                                <li class="cluster">
                                    <span>{text.clone()}</span>
                                    <ActionForm action=actions.lift>
                                        <input type="hidden" name="id" value=o.id.clone()/>
                                        <button type="submit" class="button secondary small"
                                            aria-label=format!("Lift order: {text}")>"Lift"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=actions.add attr:class="form card" attr:aria-labelledby="no-contact-add-h">
                <h3 id="no-contact-add-h">"Put an order in place"</h3>
                <ErrorAlert error/>
                <div class="field">
                    <label for="nc-person">"Who"</label>
                    <select id="nc-person" name="person">
                        <option value="">"Everyone (team alias included)"</option>
                        {s.people.into_iter().map(|p| view! { <option value=p.id>{p.label}</option> }).collect_view()}
                    </select>
                    <FieldError error field="person"/>
                </div>
                <div class="field">
                    <label for="nc-kind">"Events"</label>
                    <select id="nc-kind" name="kind">
                        <option value="*">"Every event"</option>
                        {NotificationKind::ALL.into_iter().filter(|k| k.for_customers()).map(|k| view! {
                            <option value=k.as_str()>{k.label()}</option>
                        }).collect_view()}
                    </select>
                    <FieldError error field="kind"/>
                </div>
                <div class="field">
                    <label for="nc-until">"Last day (optional)"</label>
                    <input type="date" id="nc-until" name="until"/>
                    <FieldError error field="until"/>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary">"Put order in place"</button>
                </div>
            </ActionForm>
        </section>
    }
}
