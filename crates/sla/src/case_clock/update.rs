//! Update clock (SLA_NOTES point 6): the next customer-visible update, paused while the case waits
//! on the customer where the program says so, gone once the case is resolved.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use super::initial_response::InitialResponse;
use super::CaseFacts;
use crate::error::SlaError;
use crate::explain::Clock;
use crate::program::{SeverityRow, UpdateRule};
use crate::targets::Pause;

pub(super) struct NextUpdate {
    pub(super) due: Option<DateTime<Utc>>,
    /// Set while the update clock is stopped because the case waits on the customer.
    pub(super) paused_since: Option<DateTime<Utc>>,
}

pub(super) fn next_update(
    cx: &mut Ctx,
    facts: &CaseFacts,
    history: &History,
    row_now: &SeverityRow,
    initial: &InitialResponse,
) -> Result<NextUpdate, SlaError> {
    let upd = &row_now.update;
    cx.quote(Clock::Update, &upd.document_words, &upd.interpretation);
    let pause_updates = cx.program.waiting_on_customer.pauses_update_clock;
    let mut paused_since = None;
    let due = if history.status_now.is_resolved() {
        let text = format!(
            "case {} since {}: no update clock after resolution",
            history.status_now.words(),
            cx.fmt(history.resolved_since.unwrap_or(history.opened))
        );
        cx.say(Clock::Update, text);
        None
    } else if initial.met_at.is_none() && initial.due.is_some() {
        cx.say(
            Clock::Update,
            "no support update yet: the next update is due with the initial response, never earlier",
        );
        initial.due
    } else if let (true, Some(w)) = (pause_updates, history.waiting_since) {
        paused_since = Some(w);
        let text = format!(
            "waiting on the customer since {}: the update clock is paused until the customer answers",
            cx.fmt(w)
        );
        cx.say(Clock::Update, text);
        None
    } else {
        let pauses: &[Pause] = if pause_updates { &history.pauses } else { &[] };
        running(cx, facts, history, upd, pauses)?
    };
    Ok(NextUpdate { due, paused_since })
}

/// The clock runs: an agreed date, else the cadence from the latest restart, else nothing.
fn running(
    cx: &mut Ctx,
    facts: &CaseFacts,
    history: &History,
    upd: &UpdateRule,
    pauses: &[Pause],
) -> Result<Option<DateTime<Utc>>, SlaError> {
    let last_update = history.updates.last().copied();
    let agreed = facts
        .agreed_update_due
        .filter(|a| upd.as_agreed && last_update.is_none_or(|l| *a > l));
    if let Some(a) = agreed {
        let text = format!("update date agreed with the customer: {}", cx.fmt(a));
        cx.say(Clock::Update, text);
        Ok(Some(a))
    } else if let Some(c) = upd.cadence {
        let (base, reason) = cadence_start(history);
        let text = format!("{reason} {}: the cadence restarts", cx.fmt(base));
        cx.say(Clock::Update, text);
        Ok(Some(cx.apply(Clock::Update, base, &c, pauses)?))
    } else {
        let text = if upd.as_agreed {
            format!("\"{}\": no update date agreed yet", upd.document_words)
        } else {
            "the program states no update frequency".to_string()
        };
        cx.say(Clock::Update, text);
        Ok(None)
    }
}

/// The latest of opening, last support update, last severity change and last reopening, with the
/// words that name it.
fn cadence_start(history: &History) -> (DateTime<Utc>, &'static str) {
    let opened = history.opened;
    let last_update = history.updates.last().copied();
    let last_change = history.changes.last().map(|c| c.at).unwrap_or(opened);
    let last_reopen = history.last_reopen;
    let base = [Some(opened), last_update, Some(last_change), last_reopen]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(opened);
    let reason = if Some(base) == last_reopen && base != opened {
        "the case was reopened"
    } else if Some(base) == last_update {
        "last support update"
    } else if base == last_change && base != opened {
        "severity changed"
    } else {
        "opened"
    };
    (base, reason)
}
