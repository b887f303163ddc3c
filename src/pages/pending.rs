//! Sections of the navigation whose features are still being built: each page says so plainly
//! instead of pretending, and is already behind sign-in like the real page will be.
use crate::components::require_user::RequireUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Pending(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <RequireUser children=move |_| view! {
            <div class="page-header"><h1>{title}</h1></div>
            <p class="alert info">{what} " This section is not available yet."</p>
        }/>
    }
}

#[component]
pub fn ReplacementsPage() -> impl IntoView {
    view! { <Pending title="Replacements" what="Track hardware replacements from dispatch to part return."/> }
}
