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

/// The unread count, refetched on every navigation, sign-in and sign-out, and whenever a page
/// bumps `BellRefresh`. Created once at the top of the header, never inside a reactive branch:
/// resources hydrate in the order they were created, and one made inside the signed-in branch
/// came out of order on some pages, which broke their hydration.
pub fn unread_resource() -> Resource<Result<u32, crate::model::AppError>> {
    let auth = expect_context::<crate::app::AuthContext>();
    let refresh = use_context::<BellRefresh>().map(|b| b.0);
    let location = use_location();
    Resource::new(
        move || {
            (
                location.pathname.get(),
                refresh.map(|r| r.get()),
                auth.login.version().get(),
                auth.logout.version().get(),
            )
        },
        |_| unread_notifications(),
    )
}

/// Read inside the header's own `Transition`, without a `Transition` of its own: a nested one
/// left its markers out of step with the server's HTML, and hydration failed further down the
/// page.
#[component]
pub fn Bell(count: Resource<Result<u32, crate::model::AppError>>) -> impl IntoView {
    let n = move || count.get().and_then(Result::ok).unwrap_or(0);
    view! {
        <A href="/notifications" attr:class="bell" attr:aria-label=move || bell_label(n())>
            <span aria-hidden="true">"🔔"</span>
            {move || {
                let n = n();
                (n > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{n.to_string()}</span> })
            }}
        </A>
    }
}
