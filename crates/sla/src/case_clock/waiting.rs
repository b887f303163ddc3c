//! Stale case: only while waiting on the customer, a closure notice and then the closure itself.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use super::CaseStatus;
use crate::error::SlaError;
use crate::explain::Clock;

#[derive(Default)]
pub(super) struct StaleCase {
    pub(super) notice_due: Option<DateTime<Utc>>,
    pub(super) auto_close_due: Option<DateTime<Utc>>,
}

pub(super) fn stale_case(cx: &mut Ctx, history: &History) -> Result<StaleCase, SlaError> {
    let program = cx.program;
    let Some(rule) = &program.stale_case else {
        return Ok(StaleCase::default());
    };
    let (CaseStatus::WaitingOnCustomer, Some(w)) = (history.status_now, history.waiting_since)
    else {
        return Ok(StaleCase::default());
    };
    cx.quote(
        Clock::StaleNotice,
        &rule.document_words,
        &rule.interpretation,
    );
    let text = format!("waiting on the customer since {}", cx.fmt(w));
    cx.say(Clock::StaleNotice, text);
    let notice = cx.apply(Clock::StaleNotice, w, &rule.notice_after, &[])?;
    let text = format!("closure notice {}; then", cx.fmt(notice));
    cx.say(Clock::AutoClose, text);
    let close = cx.apply(Clock::AutoClose, notice, &rule.close_after_notice, &[])?;
    Ok(StaleCase {
        notice_due: Some(notice),
        auto_close_due: Some(close),
    })
}
