use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::response::set_status(404);
    view! {
        <Title text="Page not found"/>
        <section class="error-page">
            <p class="code" aria-hidden="true">"404"</p>
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist, or it moved."</p>
            <p><a href="/">"Go to the dashboard"</a></p>
        </section>
    }
}
