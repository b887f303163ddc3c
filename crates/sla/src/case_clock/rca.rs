//! Root cause analysis after a resolved outage of the program's severity.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use crate::error::SlaError;
use crate::explain::Clock;
use crate::program::Severity;

#[derive(Default)]
pub(super) struct Rca {
    pub(super) due: Option<DateTime<Utc>>,
    pub(super) follow_up_severity: Option<Severity>,
}

pub(super) fn rca(cx: &mut Ctx, history: &History) -> Result<Rca, SlaError> {
    let program = cx.program;
    let (Some(rule), Some(res_at)) = (&program.rca, history.restored_at()) else {
        return Ok(Rca::default());
    };
    let sev_then = history
        .changes
        .iter()
        .rev()
        .find(|c| c.at <= res_at)
        .map(|c| c.severity)
        .unwrap_or(history.current);
    if sev_then != rule.severity {
        return Ok(Rca::default());
    }
    cx.quote(Clock::Rca, &rule.document_words, &rule.interpretation);
    let text = format!(
        "{} resolved {}: a follow-up case at {} carries the root cause analysis",
        sev_then,
        cx.fmt(res_at),
        rule.follow_up_severity
    );
    cx.say(Clock::Rca, text);
    Ok(Rca {
        due: Some(cx.apply(Clock::Rca, res_at, &rule.due, &[])?),
        follow_up_severity: Some(rule.follow_up_severity),
    })
}
