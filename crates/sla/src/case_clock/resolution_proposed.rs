//! Resolution Proposed: closed at the end of the Nth business day after the proposal's day.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use super::CaseStatus;
use crate::error::SlaError;
use crate::explain::Clock;
use crate::targets::ordinal;

pub(super) fn auto_close_due(
    cx: &mut Ctx,
    history: &History,
) -> Result<Option<DateTime<Utc>>, SlaError> {
    let program = cx.program;
    let Some(rule) = &program.resolution_proposed_auto_close else {
        return Ok(None);
    };
    if history.status_now != CaseStatus::ResolutionProposed {
        return Ok(None);
    }
    let opened = history.opened;
    let since = history
        .statuses
        .last()
        .map(|s| s.at.max(opened))
        .unwrap_or(opened);
    cx.quote(
        Clock::ResolutionProposedAutoClose,
        &rule.document_words,
        &rule.interpretation,
    );
    let (day, skipped) = cx
        .cal
        .nth_business_day_after(cx.cal.local_date(since), rule.business_days)?;
    let due = cx
        .cal
        .end_of_business_day(day)
        .ok_or_else(|| SlaError::NoBusinessTime {
            after: day.to_string(),
            days: 0,
        })?;
    let text = format!(
        "resolution proposed {}; the {} business day after that day is {}{}; closed at its end, {}",
        cx.fmt(since),
        ordinal(rule.business_days),
        day.format("%a %-d %b"),
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({} closed days skipped)", skipped.len())
        },
        cx.fmt(due)
    );
    cx.say(Clock::ResolutionProposedAutoClose, text);
    Ok(Some(due))
}
