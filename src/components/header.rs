use crate::components::auth::AuthContext;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

/// The top bar: brand, organization, user and sign-out; the navigation once signed in.
#[component]
pub fn Header() -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    let signed_in = move || auth.user.get().and_then(|r| r.ok()).flatten();
    let unread = crate::components::bell::unread_resource();
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">"Support Portal"</A>
            <ThemeToggle/>
            <Suspense fallback=|| ()>
                {move || {
                    signed_in()
                        .map(|user| {
                            let org = user
                                .organization_name
                                .clone()
                                .unwrap_or_else(|| "Vendor support".to_string());
                            view! {
                                <span class="org-name">{org}</span>
                                <div class="user-menu">
                                    <crate::components::bell::Bell count=unread/>
                                    <span class="user-name">{user.name.clone()} " (" {user.role.label()} ")"</span>
                                    <A href="/account" attr:class="button secondary">"Account"</A>
                                    <ActionForm action=auth.logout>
                                        <button type="submit" class="button secondary">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            }
                        })
                }}
            </Suspense>
        </header>
        <Suspense fallback=|| ()>
            {move || signed_in().map(|_| view! { <Nav/> })}
        </Suspense>
    }
}

#[component]
fn Nav() -> impl IntoView {
    view! {
        <nav class="app-nav" aria-label="Main">
            <ul>
                <li><A href="/" exact=true>"Dashboard"</A></li>
                <li><A href="/cases">"Cases"</A></li>
                <li><A href="/contacts">"Contacts"</A></li>
                <li><A href="/remote-assist">"Remote Assist"</A></li>
                <li><A href="/replacements">"Replacements"</A></li>
                <li><A href="/alerts">"Alerts"</A></li>
                <li><A href="/sla">"SLA"</A></li>
            </ul>
        </nav>
    }
}

/// Overrides the system's colour scheme for this page view. Needs the client: before
/// hydration the system preference applies, which is the right default anyway.
#[island]
fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(false);
    let toggle = move |_| {
        let now_dark = !dark.get_untracked();
        dark.set(now_dark);
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if now_dark { "dark" } else { "light" });
        }
    };
    view! {
        <button type="button" class="button secondary theme-toggle"
            aria-pressed=move || dark.get().to_string() on:click=toggle>
            "Dark theme"
        </button>
    }
}
