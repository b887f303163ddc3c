//! Hardware delivery due times: best effort, next business day with an order cut-off, or N hours.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, SkipReason};
use super::error::SlaError;
use super::explain::{fmt_local, Clock, DocumentWords, ExplanationStep};
use super::hours::ClockTime;
use super::program::{DeliveryKind, DeliveryRule, ProgramSet};
use super::targets::{apply_target, Basis, Target, Unit};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeliveryDue {
    pub kind: DeliveryKind,
    /// `None` for best effort (same-day shipping has no delivery commitment).
    pub due: Option<DateTime<Utc>>,
    /// Best effort only: the site-local date the part ships ("the order is placed on the same day
    /// that the part has been diagnosed as faulty"), the dispatch's date in the site's zone.
    #[serde(default)]
    pub ships_on: Option<NaiveDate>,
    pub explanation: Vec<ExplanationStep>,
    pub document_words: Vec<DocumentWords>,
}

fn skipped_words(skipped: &[(NaiveDate, SkipReason)]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let list: Vec<String> = skipped
        .iter()
        .map(|(d, r)| {
            let why = match r {
                SkipReason::Holiday => "holiday",
                SkipReason::Closed => "no business hours",
            };
            format!("{} ({why})", d.format("%a %-d %b"))
        })
        .collect();
    format!(", skipping {}", list.join(", "))
}

/// When the replacement part is due at the site, measured in the site's local time from dispatch.
pub fn delivery_due(
    programs: &ProgramSet,
    program_id: &str,
    plan_id: &str,
    dispatched_at: DateTime<Utc>,
    tz: &str,
    holidays: Vec<NaiveDate>,
    six_hour_radius: bool,
) -> Result<DeliveryDue, SlaError> {
    let program = programs.program(program_id)?;
    let plan = program.plan(plan_id)?;
    let rule = plan
        .delivery
        .as_ref()
        .ok_or_else(|| SlaError::NoDeliveryRule {
            program: program.id.clone(),
            plan: plan.id.clone(),
        })?;
    let cal = program.calendar(tz, holidays)?;
    let mut steps = vec![ExplanationStep::new(
        Clock::Delivery,
        format!(
            "{}: dispatched {}",
            plan.name,
            fmt_local(dispatched_at, cal.tz())
        ),
    )];
    let words = vec![DocumentWords {
        clock: Clock::Delivery,
        document_words: rule.document_words.clone(),
        interpretation: rule.interpretation.clone(),
    }];
    let mut ships_on = None;
    let due = match rule.kind {
        DeliveryKind::BestEffort => {
            ships_on = Some(best_effort(&cal, dispatched_at, &mut steps));
            None
        }
        DeliveryKind::NextBusinessDay => {
            let cutoff = rule.cutoff.ok_or_else(|| SlaError::Invalid {
                file: program.id.clone(),
                field: "delivery.cutoff".into(),
                message: "missing".into(),
            })?;
            Some(next_business_day(&cal, cutoff, dispatched_at, &mut steps)?)
        }
        DeliveryKind::Hours => Some(within_hours(
            &cal,
            rule,
            dispatched_at,
            six_hour_radius,
            &mut steps,
        )?),
    };
    Ok(DeliveryDue {
        kind: rule.kind,
        due,
        ships_on,
        explanation: steps,
        document_words: words,
    })
}

fn say(steps: &mut Vec<ExplanationStep>, t: String) {
    steps.push(ExplanationStep::new(Clock::Delivery, t))
}

/// Same-day shipping: the site-local date the part ships.
fn best_effort(
    cal: &Calendar,
    dispatched_at: DateTime<Utc>,
    steps: &mut Vec<ExplanationStep>,
) -> NaiveDate {
    let day = dispatched_at.with_timezone(&cal.tz()).date_naive();
    say(
        steps,
        format!(
            "same-day shipping is best effort: the part ships the same day at the site, {}, with no delivery commitment",
            day.format("%a %-d %b")
        ),
    );
    day
}

/// The end of the next business day after the order is accepted.
fn next_business_day(
    cal: &Calendar,
    cutoff: ClockTime,
    dispatched_at: DateTime<Utc>,
    steps: &mut Vec<ExplanationStep>,
) -> Result<DateTime<Utc>, SlaError> {
    let accepted = accepted_on(cal, cutoff, dispatched_at, steps)?;
    let (day, skipped) = cal.nth_business_day_after(accepted, 1)?;
    let due = cal
        .end_of_business_day(day)
        .ok_or_else(|| SlaError::NoBusinessTime {
            after: day.to_string(),
            days: 0,
        })?;
    say(
        steps,
        format!(
            "delivery by the end of the next business day, {}{}",
            day.format("%a %-d %b"),
            skipped_words(&skipped)
        ),
    );
    say(steps, format!("due {}", fmt_local(due, cal.tz())));
    Ok(due)
}

/// The day the order is accepted: the dispatch's own day before the cut-off on a business day,
/// else the next business day.
fn accepted_on(
    cal: &Calendar,
    cutoff: ClockTime,
    dispatched_at: DateTime<Utc>,
    steps: &mut Vec<ExplanationStep>,
) -> Result<NaiveDate, SlaError> {
    let local = dispatched_at.with_timezone(&cal.tz());
    let date = local.date_naive();
    let minutes = u32::from(cutoff.minutes());
    let before_cutoff = match NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0) {
        Some(c) => local.time() < c,
        None => true, // "24:00": every order of the day is in time
    };
    if cal.is_business_day(date) && before_cutoff {
        say(
            steps,
            format!("before the {cutoff} cut-off on a business day: order accepted the same day"),
        );
        return Ok(date);
    }
    let why = if cal.is_business_day(date) {
        format!("after the {cutoff} cut-off")
    } else {
        "not a business day".to_string()
    };
    let (d, skipped) = cal.nth_business_day_after(date, 1)?;
    say(
        steps,
        format!(
            "{why}: order accepted the next business day, {}{}",
            d.format("%a %-d %b"),
            skipped_words(&skipped)
        ),
    );
    Ok(d)
}

/// A fixed number of clock hours from dispatch, more where the site has no warehouse nearby.
fn within_hours(
    cal: &Calendar,
    rule: &DeliveryRule,
    dispatched_at: DateTime<Utc>,
    six_hour_radius: bool,
    steps: &mut Vec<ExplanationStep>,
) -> Result<DateTime<Utc>, SlaError> {
    let base = rule.hours.unwrap_or(4);
    let hours = match (six_hour_radius, rule.six_hour_radius_hours) {
        (true, Some(h)) => {
            say(
                steps,
                format!("no warehouse within a four-hour drive of the site: {h} hours apply"),
            );
            h
        }
        (true, None) => {
            say(
                steps,
                format!("this program has no six-hour rule: {base} hours apply to every site"),
            );
            base
        }
        (false, _) => base,
    };
    let target = Target::new(hours, Unit::Hours, Basis::Clock);
    let applied = apply_target(cal, dispatched_at, &target, &[])?;
    for s in applied.steps {
        say(steps, s);
    }
    Ok(applied.due)
}

#[cfg(test)]
mod tests;
