//! Hardware replacements as several pages show them: the card of one replacement (with its
//! stage, the committed delivery time counting down in the site's local time, on time or late,
//! tracking and what the customer must do next), the panel of a case page, where support also
//! creates replacements, and `LateDeliveriesPanel`, which flags late parts on the dashboard and
//! the support queue. Every form is a plain post that comes back to the page it was on.
mod card;
mod case_panel;
mod forms;
mod late;

pub use card::{CardActions, CardList};
pub use case_panel::{case_panel_data, CaseReplacementsPanel};
pub use late::LateDeliveriesPanel;

use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;

/// A local time in the site's zone, as a `<time>`.
pub fn at(t: DateTime<Utc>, zone: Tz) -> impl IntoView {
    view! { <time datetime=t.to_rfc3339()>{fmt_local(t, zone)}</time> }
}

/// `datetime-local` value of an instant in the site's zone.
fn local_input(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}
