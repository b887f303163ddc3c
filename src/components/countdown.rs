//! Live deadlines. The server renders each deadline with the instant it rendered the page; once
//! the client runs, one shared one-second clock moves every countdown. Reading the browser's
//! clock only in an effect keeps the hydrated HTML identical to the server's.
use crate::sla::explain::fmt_local;
use crate::sla::{breach_state, format_countdown, BreachState};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;

/// The browser's clock, `None` until the client has hydrated.
#[derive(Clone, Copy)]
pub struct LiveClock(pub RwSignal<Option<DateTime<Utc>>>);

/// Starts the shared clock (called once, by the app).
pub fn provide_live_clock() {
    let now = RwSignal::new(None);
    provide_context(LiveClock(now));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        now.set(Some(Utc::now()));
        gloo_timers::callback::Interval::new(1_000, move || now.set(Some(Utc::now()))).forget();
    });
}

/// "Now" for a view: the browser's clock once running, else the server's rendering instant.
pub fn use_now(rendered_at: DateTime<Utc>) -> Signal<DateTime<Utc>> {
    let clock = use_context::<LiveClock>();
    Signal::derive(move || clock.and_then(|c| c.0.get()).unwrap_or(rendered_at))
}

/// Deadlines within this much are "due soon".
pub const DUE_SOON_MINUTES: i64 = 30;

pub fn breach_class(state: BreachState) -> &'static str {
    match state {
        BreachState::OnTrack => "on-track",
        BreachState::DueSoon => "due-soon",
        BreachState::Breached => "breached",
    }
}

pub fn breach_label(state: BreachState) -> &'static str {
    match state {
        BreachState::OnTrack => "On track",
        BreachState::DueSoon => "Due soon",
        BreachState::Breached => "Overdue",
    }
}

/// A due time in the site's local time, with a countdown that ticks in the browser.
#[component]
pub fn Countdown(due: DateTime<Utc>, tz: String, rendered_at: DateTime<Utc>) -> impl IntoView {
    let zone: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let now = use_now(rendered_at);
    let state = move || breach_state(due, now.get(), Duration::minutes(DUE_SOON_MINUTES));
    view! {
        <span class="deadline-time">
            <time datetime=due.to_rfc3339()>{fmt_local(due, zone)}</time>
            " "
            <span
                class=move || format!("countdown {}", breach_class(state()))
                data-remaining-seconds=move || (due - now.get()).num_seconds().to_string()
            >
                {move || format_countdown(due, now.get())}
            </span>
        </span>
    }
}

/// A severity as a badge with its number in words.
#[component]
pub fn SeverityBadge(severity: u8) -> impl IntoView {
    view! { <span class=format!("sev sev-{severity}")>{format!("Severity {severity}")}</span> }
}
