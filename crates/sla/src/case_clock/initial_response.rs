//! Initial response: never paused; severity changes after the response no longer matter.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::history::History;
use super::SeverityChange;
use crate::error::SlaError;
use crate::explain::{fmt_duration, Clock};
use crate::program::{Severity, SeverityRow};
use crate::targets::Target;

pub(super) struct InitialResponse {
    pub(super) due: Option<DateTime<Utc>>,
    /// The first support update.
    pub(super) met_at: Option<DateTime<Utc>>,
}

pub(super) fn initial_response(
    cx: &mut Ctx,
    history: &History,
) -> Result<InitialResponse, SlaError> {
    let met_at = history.updates.first().copied();
    let before_response: Vec<SeverityChange> = history
        .changes
        .iter()
        .copied()
        .filter(|c| met_at.is_none_or(|m| c.at < m) || c.at == history.opened)
        .collect();
    let severity = before_response
        .last()
        .map(|c| c.severity)
        .unwrap_or(history.current);
    let row = cx.row(severity)?.clone();
    let cell = cx.cell(&row)?.clone();
    cx.quote(
        Clock::InitialResponse,
        &cell.document_words,
        &cell.interpretation,
    );
    let due = due_through_history(cx, &before_response, history.opened)?;
    if let Some(m) = met_at {
        say_verdict(cx, m, due);
    }
    Ok(InitialResponse { due, met_at })
}

/// The column's target for each severity, through the severity changes before the response.
fn due_through_history(
    cx: &mut Ctx,
    before_response: &[SeverityChange],
    opened: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, SlaError> {
    let column = cx.column;
    let rows: Vec<(Severity, Option<Target>)> = cx
        .table
        .rows
        .iter()
        .map(|r| {
            let t = r
                .initial_response
                .iter()
                .find(|c| c.entitlement.is_none() || c.entitlement == column)
                .and_then(|c| c.target);
            (r.severity, t)
        })
        .collect();
    let target_of = |r: &SeverityRow| {
        rows.iter()
            .find(|(s, _)| *s == r.severity)
            .and_then(|(_, t)| *t)
    };
    cx.through_history(
        Clock::InitialResponse,
        before_response,
        opened,
        target_of,
        &[],
    )
}

fn say_verdict(cx: &mut Ctx, met_at: DateTime<Utc>, due: Option<DateTime<Utc>>) {
    let verdict = match due {
        Some(d) if met_at <= d => "on time".to_string(),
        Some(d) => format!("late by {}", fmt_duration(met_at - d)),
        None => "no target applied".to_string(),
    };
    let text = format!(
        "first support update {}: initial response met ({verdict})",
        cx.fmt(met_at)
    );
    cx.say(Clock::InitialResponse, text);
}
