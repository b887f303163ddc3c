//! Live deadlines. The server renders each deadline with the instant it rendered the page; in
//! the browser, one shared one-second clock moves every countdown on the page. Each countdown is
//! a small island: the due time in the site's zone is formatted by the server, so the browser
//! needs neither the time-zone database nor the page around it, only the ticking part.
use crate::sla::explain::fmt_local;
use crate::sla::{breach_state, format_countdown, BreachState};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page's clock, shared by every island: `None` until it first ticks.
    static CLOCK: std::cell::OnceCell<ArcRwSignal<Option<DateTime<Utc>>>> =
        const { std::cell::OnceCell::new() };
}

/// Islands hydrate one after another in microtasks; the clock first ticks in a timeout (a later
/// task), so every island hydrates with the server's instant and renders the server's HTML.
#[cfg(feature = "hydrate")]
fn page_clock() -> ArcRwSignal<Option<DateTime<Utc>>> {
    CLOCK.with(|c| {
        c.get_or_init(|| {
            let now = ArcRwSignal::new(None);
            let first = now.clone();
            gloo_timers::callback::Timeout::new(0, move || first.set(Some(Utc::now()))).forget();
            let tick = now.clone();
            gloo_timers::callback::Interval::new(1_000, move || tick.set(Some(Utc::now())))
                .forget();
            now
        })
        .clone()
    })
}

/// "Now" for a view: the browser's clock once running, else the server's rendering instant.
pub fn use_now(rendered_at: DateTime<Utc>) -> Signal<DateTime<Utc>> {
    #[cfg(feature = "hydrate")]
    {
        let clock = page_clock();
        Signal::derive(move || clock.get().unwrap_or(rendered_at))
    }
    #[cfg(not(feature = "hydrate"))]
    Signal::stored(rendered_at)
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
    view! {
        <span class="deadline-time">
            <time datetime=due.to_rfc3339()>{fmt_local(due, zone)}</time>
            " "
            <LiveCountdown due rendered_at/>
        </span>
    }
}

/// "in 2 h 03 min" / "overdue by 5 min", coloured by breach state, moving every second.
#[island]
pub fn LiveCountdown(due: DateTime<Utc>, rendered_at: DateTime<Utc>) -> impl IntoView {
    countdown_text(due, use_now(rendered_at))
}

/// The ticking part of a countdown, for islands that show one among other live things (an
/// island inside an island would be hydrated twice).
pub fn countdown_text(due: DateTime<Utc>, now: Signal<DateTime<Utc>>) -> impl IntoView {
    let state = move || breach_state(due, now.get(), Duration::minutes(DUE_SOON_MINUTES));
    view! {
        <span
            class=move || format!("countdown {}", breach_class(state()))
            data-remaining-seconds=move || (due - now.get()).num_seconds().to_string()
        >
            {move || format_countdown(due, now.get())}
        </span>
    }
}

/// A severity as a badge with its number in words.
#[component]
pub fn SeverityBadge(severity: u8) -> impl IntoView {
    view! { <span class=format!("sev sev-{severity}")>{format!("Severity {severity}")}</span> }
}
