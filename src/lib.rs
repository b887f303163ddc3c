//! Support Portal: one crate, compiled twice: the server (`ssr`) and the browser (`hydrate`).
//! `sla` is the pure deadline engine both builds share, so they always agree on a deadline.
#![recursion_limit = "256"]
pub mod api;
pub mod app;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod response;
#[cfg(feature = "ssr")]
pub mod router;
#[cfg(feature = "ssr")]
pub mod server;
/// The SLA engine lives in its own crate (`crates/sla`) so that nothing but chrono and serde can
/// reach it: purity enforced by the compiler. It is used everywhere as `crate::sla`.
pub use portal_sla as sla;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The island script hydrates each island right after this returns, in microtasks; a
    // zero-delay timeout runs after all of them, so the marker means "every island is live".
    gloo_timers::callback::Timeout::new(0, || {
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    })
    .forget();
}
