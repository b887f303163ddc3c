//! Restoration: the severity's restoration target through the severity changes, paused while the
//! case waits on the customer where the program says so.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use crate::error::SlaError;
use crate::explain::Clock;
use crate::program::SeverityRow;
use crate::targets::Pause;

pub(super) fn restoration_due(
    cx: &mut Ctx,
    history: &History,
    row_now: &SeverityRow,
) -> Result<Option<DateTime<Utc>>, SlaError> {
    // A restoration clock exists once any severity the case had carries a target.
    let mut any_restoration_target = false;
    for c in &history.changes {
        any_restoration_target |= cx
            .row(c.severity)?
            .restoration
            .as_ref()
            .is_some_and(|r| r.target.is_some());
    }
    let Some(rest) = &row_now.restoration else {
        return Ok(None);
    };
    cx.quote(
        Clock::Restoration,
        &rest.document_words,
        &rest.interpretation,
    );
    if !any_restoration_target {
        return Ok(None);
    }
    let pause_rest = cx.program.waiting_on_customer.pauses_restoration_clock;
    let resolved = history.status_now.is_resolved();
    if let (true, Some(w), false) = (pause_rest, history.waiting_since, resolved) {
        let text = format!(
            "waiting on the customer since {}: the restoration clock is paused",
            cx.fmt(w)
        );
        cx.say(Clock::Restoration, text);
        return Ok(None);
    }
    let pauses: &[Pause] = if pause_rest { &history.pauses } else { &[] };
    let target_of = |r: &SeverityRow| r.restoration.as_ref().and_then(|x| x.target);
    let due = cx.through_history(
        Clock::Restoration,
        &history.changes,
        history.opened,
        target_of,
        pauses,
    )?;
    if let Some(r) = history.restored_at() {
        let text = format!("restored (resolution proposed or resolved) {}", cx.fmt(r));
        cx.say(Clock::Restoration, text);
    }
    Ok(due)
}
