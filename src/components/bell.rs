//! The bell in the header: unread notifications, a link to /notifications. It refetches on every
//! navigation and whenever a page bumps `BellRefresh` (marking notifications read).
use crate::api::notifications::unread_notifications;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Bumped by pages that change the unread count without navigating.
#[derive(Clone, Copy)]
pub struct BellRefresh(pub RwSignal<usize>);

pub fn provide_bell() {
    provide_context(BellRefresh(RwSignal::new(0)));
}

/// Asks the bell to count again.
pub fn refresh_bell() {
    if let Some(b) = use_context::<BellRefresh>() {
        b.0.update(|n| *n += 1);
    }
}

/// "Notifications, 3 unread" (the accessible name) and the count as a badge.
pub fn bell_label(unread: u32) -> String {
    match unread {
        0 => "Notifications, none unread".to_string(),
        n => format!("Notifications, {n} unread"),
    }
}

#[component]
pub fn Bell() -> impl IntoView {
    let refresh = use_context::<BellRefresh>().map(|b| b.0);
    let location = use_location();
    let count = Resource::new(
        move || (location.pathname.get(), refresh.map(|r| r.get())),
        |_| unread_notifications(),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let n = count.await.unwrap_or(0);
                view! {
                    <A href="/notifications" attr:class="bell" attr:aria-label=bell_label(n)>
                        <span aria-hidden="true">"🔔"</span>
                        {(n > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{n.to_string()}</span> })}
                    </A>
                }
            })}
        </Transition>
    }
}
