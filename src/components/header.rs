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
                <li><A href="/installed-base">"Installed base"</A></li>
                <li><A href="/contacts">"Contacts"</A></li>
                <li><A href="/remote-assist">"Remote Assist"</A></li>
                <li><A href="/replacements">"Replacements"</A></li>
                <li><A href="/alerts">"Alerts"</A></li>
                <li><A href="/sla">"SLA"</A></li>
            </ul>
        </nav>
    }
}

/// Overrides the system's colour scheme, and remembers the choice in a cookie the server reads
/// to draw every later page in it from the first paint. Needs the client: without JavaScript
/// the system preference applies, which is the right default anyway.
#[island]
fn ThemeToggle() -> impl IntoView {
    // Pressed = the page is dark now, whether by choice or by the system: on a dark system the
    // first click must switch to light, not to the dark already shown.
    let dark = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| dark.set(page_is_dark()));
    let toggle = move |_| {
        let now_dark = !dark.get_untracked();
        dark.set(now_dark);
        #[cfg(feature = "hydrate")]
        remember_theme(if now_dark { "dark" } else { "light" });
    };
    view! {
        <button type="button" class="button secondary theme-toggle"
            aria-pressed=move || dark.get().to_string() on:click=toggle>
            "Dark theme"
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn page_is_dark() -> bool {
    let chosen = document()
        .document_element()
        .and_then(|root| root.get_attribute("data-theme"));
    match chosen.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

#[cfg(feature = "hydrate")]
fn remember_theme(theme: &str) {
    use wasm_bindgen::JsCast;
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme);
    }
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let cookie = format!(
            "{}={theme}; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::model::THEME_COOKIE
        );
        let _ = doc.set_cookie(&cookie);
    }
}
