//! Support Portal: one crate, compiled twice: the server (`ssr`) and the browser (`hydrate`).
//! `sla` is the pure deadline engine both builds share, so they always agree on a deadline.
pub mod api;
pub mod app;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
/// The SLA engine lives in its own crate (`crates/sla`) so that nothing but chrono and serde can
/// reach it: purity enforced by the compiler. It is used everywhere as `crate::sla`.
pub use portal_sla as sla;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
