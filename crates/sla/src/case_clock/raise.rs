//! A per-severity target run through the case's severity changes under the program's raise rule.

use chrono::{DateTime, Utc};

use super::context::Ctx;
use super::SeverityChange;
use crate::error::SlaError;
use crate::explain::Clock;
use crate::program::{RaiseRule, Severity, SeverityRow};
use crate::targets::{Pause, Target};

fn min_opt(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Ctx<'_> {
    /// Runs a per-severity target through the severity history with the program's raise rule.
    pub(super) fn through_history(
        &mut self,
        clock: Clock,
        changes: &[SeverityChange],
        opened: DateTime<Utc>,
        target_of: impl Fn(&SeverityRow) -> Option<Target>,
        pauses: &[Pause],
    ) -> Result<Option<DateTime<Utc>>, SlaError> {
        let rule = self.program.severity_raise.rule;
        let mut due: Option<DateTime<Utc>> = None;
        let mut prev: Option<Severity> = None;
        for ch in changes {
            let target = target_of(self.row(ch.severity)?);
            let start = match (prev, rule) {
                (None, _) | (Some(_), RaiseRule::FromOpening) => opened,
                (Some(_), RaiseRule::FromRaise) => ch.at,
            };
            if let Some(p) = prev {
                self.say_change(clock, p, ch, rule);
            }
            let candidate = match target {
                Some(t) => Some(self.apply(clock, start, &t, pauses)?),
                None => {
                    self.say(
                        clock,
                        format!("{} has no target on this clock", ch.severity),
                    );
                    None
                }
            };
            due = match prev {
                Some(p) if ch.severity.is_raise_from(p) => self.never_later(clock, due, candidate),
                _ => candidate,
            };
            prev = Some(ch.severity);
        }
        Ok(due)
    }

    fn say_change(&mut self, clock: Clock, prev: Severity, ch: &SeverityChange, rule: RaiseRule) {
        let how = if ch.severity.is_raise_from(prev) {
            "raised"
        } else {
            "lowered"
        };
        let from = match rule {
            RaiseRule::FromRaise => "counted from the change",
            RaiseRule::FromOpening => "counted from opening (retroactive)",
        };
        self.say(
            clock,
            format!(
                "{} {how} to {} at {}; {from}",
                prev,
                ch.severity,
                self.fmt(ch.at)
            ),
        );
    }

    /// After a raise the earlier of the old deadline and the new one holds.
    fn never_later(
        &mut self,
        clock: Clock,
        due: Option<DateTime<Utc>>,
        candidate: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        let kept = min_opt(due, candidate);
        if kept != candidate {
            if let Some(k) = kept {
                self.say(
                    clock,
                    format!(
                        "a raise never moves a deadline later: {} stays",
                        self.fmt(k)
                    ),
                );
            }
        }
        kept
    }
}
