//! How soon support acknowledges a customer's escalation request. The guides describe escalation
//! ("team members with higher levels of expertise or specialization join the effort") but set no
//! time for acknowledging a request for it, so the target is the portal's choice, held per
//! program (`escalation_ack`) and defaulting to [`EscalationAck::default_rule`]. The due time is
//! counted like any other target: [`Target::due`] on the program's calendar at the site.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::error::SlaError;
use super::program::{Program, Severity};
use super::targets::{Basis, Target, Unit};

/// One severity's acknowledgment target.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EscalationAckTarget {
    pub severity: Severity,
    pub target: Target,
}

/// A program's acknowledgment targets, one per severity 1–4.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EscalationAck {
    pub targets: Vec<EscalationAckTarget>,
    /// Why these targets (the guides are silent; say so).
    pub interpretation: String,
}

const URGENT: Target = Target::new(30, Unit::Minutes, Basis::Clock);
const OTHER: Target = Target::new(1, Unit::Hours, Basis::Business);

impl EscalationAck {
    /// The portal's default when a program holds none: 30 minutes of clock time for severities
    /// 1 and 2, one business hour for 3 and 4.
    pub fn default_rule() -> EscalationAck {
        let targets = (1..=4u8)
            .filter_map(|n| Severity::new(n).ok())
            .map(|severity| EscalationAckTarget {
                severity,
                target: if severity.get() <= 2 { URGENT } else { OTHER },
            })
            .collect();
        EscalationAck {
            targets,
            interpretation: "The guides set no acknowledgment time for an escalation request; \
                the portal's default: 30 minutes of clock time for Severity 1 and 2, one business \
                hour otherwise."
                .into(),
        }
    }

    /// The target for a severity (validation makes sure every severity has one).
    pub fn target(&self, severity: Severity) -> Result<Target, SlaError> {
        self.targets
            .iter()
            .find(|t| t.severity == severity)
            .map(|t| t.target)
            .ok_or_else(|| {
                SlaError::InvalidFacts(format!(
                    "no escalation acknowledgment target for {severity}"
                ))
            })
    }

    /// Each severity 1–4 exactly once; (field path, message) of the first rule broken.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        for n in 1..=4u8 {
            let found = self
                .targets
                .iter()
                .filter(|t| t.severity.get() == n)
                .count();
            if found != 1 {
                return Err((
                    "escalation_ack.targets".into(),
                    format!("must have exactly one target for severity {n}, found {found}"),
                ));
            }
        }
        if self.interpretation.trim().is_empty() {
            return Err((
                "escalation_ack.interpretation".into(),
                "must not be empty".into(),
            ));
        }
        Ok(())
    }
}

impl Program {
    /// The program's acknowledgment targets, or the portal's default.
    pub fn escalation_ack_rule(&self) -> EscalationAck {
        self.escalation_ack
            .clone()
            .unwrap_or_else(EscalationAck::default_rule)
    }
}

/// When support must acknowledge an escalation request made at `requested_at` on a case of
/// `severity`; `cal` is the program's calendar at the case's site (`Program::calendar`).
pub fn escalation_ack_due(
    program: &Program,
    cal: &Calendar,
    severity: Severity,
    requested_at: DateTime<Utc>,
) -> Result<DateTime<Utc>, SlaError> {
    program
        .escalation_ack_rule()
        .target(severity)?
        .due(cal, requested_at)
}

#[cfg(test)]
mod tests;
