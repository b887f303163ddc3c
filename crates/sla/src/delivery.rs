//! Hardware delivery due times: best effort, next business day with an order cut-off, or N hours.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, SkipReason};
use super::error::SlaError;
use super::explain::{fmt_local, Clock, DocumentWords, ExplanationStep};
use super::program::{DeliveryKind, ProgramSet};
use super::targets::{apply_target, Basis, Target, Unit};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeliveryDue {
    pub kind: DeliveryKind,
    /// `None` for best effort (same-day shipping has no delivery commitment).
    pub due: Option<DateTime<Utc>>,
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
    let cal = Calendar::for_program(program, tz, holidays)?;
    let tzz = cal.tz();
    let mut steps = vec![ExplanationStep::new(
        Clock::Delivery,
        format!(
            "{}: dispatched {}",
            plan.name,
            fmt_local(dispatched_at, tzz)
        ),
    )];
    let words = vec![DocumentWords {
        clock: Clock::Delivery,
        document_words: rule.document_words.clone(),
        interpretation: rule.interpretation.clone(),
    }];
    let say = |steps: &mut Vec<ExplanationStep>, t: String| {
        steps.push(ExplanationStep::new(Clock::Delivery, t))
    };
    let due = match rule.kind {
        DeliveryKind::BestEffort => {
            say(
                &mut steps,
                "same-day shipping is best effort: the part ships today, with no delivery commitment".into(),
            );
            None
        }
        DeliveryKind::NextBusinessDay => {
            let cutoff = rule.cutoff.ok_or_else(|| SlaError::Invalid {
                file: program.id.clone(),
                field: "delivery.cutoff".into(),
                message: "missing".into(),
            })?;
            let local = dispatched_at.with_timezone(&tzz);
            let date = local.date_naive();
            let minutes = u32::from(cutoff.minutes());
            let before_cutoff = match NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0)
            {
                Some(c) => local.time() < c,
                None => true, // "24:00": every order of the day is in time
            };
            let accepted = if cal.is_business_day(date) && before_cutoff {
                say(
                    &mut steps,
                    format!("before the {cutoff} cut-off on a business day: order accepted the same day"),
                );
                date
            } else {
                let why = if cal.is_business_day(date) {
                    format!("after the {cutoff} cut-off")
                } else {
                    "not a business day".to_string()
                };
                let (d, skipped) = cal.nth_business_day_after(date, 1)?;
                say(
                    &mut steps,
                    format!(
                        "{why}: order accepted the next business day, {}{}",
                        d.format("%a %-d %b"),
                        skipped_words(&skipped)
                    ),
                );
                d
            };
            let (day, skipped) = cal.nth_business_day_after(accepted, 1)?;
            let due = cal
                .end_of_business_day(day)
                .ok_or_else(|| SlaError::NoBusinessTime {
                    after: day.to_string(),
                    days: 0,
                })?;
            say(
                &mut steps,
                format!(
                    "delivery by the end of the next business day, {}{}",
                    day.format("%a %-d %b"),
                    skipped_words(&skipped)
                ),
            );
            say(&mut steps, format!("due {}", fmt_local(due, tzz)));
            Some(due)
        }
        DeliveryKind::Hours => {
            let base = rule.hours.unwrap_or(4);
            let hours = match (six_hour_radius, rule.six_hour_radius_hours) {
                (true, Some(h)) => {
                    say(
                        &mut steps,
                        format!(
                            "no warehouse within a four-hour drive of the site: {h} hours apply"
                        ),
                    );
                    h
                }
                (true, None) => {
                    say(
                        &mut steps,
                        format!(
                            "this program has no six-hour rule: {base} hours apply to every site"
                        ),
                    );
                    base
                }
                (false, _) => base,
            };
            let target = Target::new(hours, Unit::Hours, Basis::Clock);
            let applied = apply_target(&cal, dispatched_at, &target, &[])?;
            for s in applied.steps {
                say(&mut steps, s);
            }
            Some(applied.due)
        }
    };
    Ok(DeliveryDue {
        kind: rule.kind,
        due,
        explanation: steps,
        document_words: words,
    })
}
