//! The bell in the header: unread notifications, a link to /notifications. The server counts
//! them for every page it renders, and every navigation or form post is a page load.
use crate::api::notifications::unread_notifications;
use leptos::prelude::*;
use leptos_router::components::A;

/// "Notifications, 3 unread" (the accessible name) and the count as a badge.
pub fn bell_label(unread: u32) -> String {
    match unread {
        0 => "Notifications, none unread".to_string(),
        n => format!("Notifications, {n} unread"),
    }
}

/// The unread count. The header makes it at its top, beside the session rather than inside the
/// signed-in branch, so the server reads both at once instead of one after the other.
pub fn unread_resource() -> Resource<Result<u32, crate::model::AppError>> {
    Resource::new(|| (), |_| unread_notifications())
}

#[component]
pub fn Bell(count: Resource<Result<u32, crate::model::AppError>>) -> impl IntoView {
    let n = move || count.get().and_then(Result::ok).unwrap_or(0);
    view! {
        <A href="/notifications" attr:class="bell" attr:aria-label=move || bell_label(n())>
            // Drawn, not an emoji: where no emoji font is installed the emoji is an empty box.
            <svg class="bell-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">
                <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"
                    d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0"/>
            </svg>
            {move || {
                let n = n();
                (n > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{n.to_string()}</span> })
            }}
        </A>
    }
}
