//! What every clock of a case shares: the program's table and column, the site calendar, and the
//! explanation being written.

use chrono::{DateTime, Utc};

use crate::calendar::Calendar;
use crate::error::SlaError;
use crate::explain::{fmt_local, Clock, DocumentWords, ExplanationStep};
use crate::program::{ColumnTarget, Entitlement, Program, Severity, SeverityRow, SeverityTable};
use crate::targets::{apply_target, Pause, Target};

pub(super) struct Ctx<'a> {
    pub(super) program: &'a Program,
    pub(super) table: &'a SeverityTable,
    pub(super) column: Option<Entitlement>,
    pub(super) cal: Calendar,
    pub(super) steps: Vec<ExplanationStep>,
    pub(super) words: Vec<DocumentWords>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        program: &'a Program,
        table: &'a SeverityTable,
        column: Option<Entitlement>,
        cal: Calendar,
    ) -> Ctx<'a> {
        Ctx {
            program,
            table,
            column,
            cal,
            steps: Vec::new(),
            words: Vec::new(),
        }
    }
}

impl Ctx<'_> {
    pub(super) fn say(&mut self, clock: Clock, text: impl Into<String>) {
        self.steps.push(ExplanationStep::new(clock, text));
    }

    pub(super) fn quote(&mut self, clock: Clock, document_words: &str, interpretation: &str) {
        self.words.push(DocumentWords {
            clock,
            document_words: document_words.to_string(),
            interpretation: interpretation.to_string(),
        });
    }

    pub(super) fn fmt(&self, t: DateTime<Utc>) -> String {
        fmt_local(t, self.cal.tz())
    }

    pub(super) fn row(&self, sev: Severity) -> Result<&SeverityRow, SlaError> {
        self.table
            .rows
            .iter()
            .find(|r| r.severity == sev)
            .ok_or_else(|| SlaError::InvalidFacts(format!("program has no row for {sev}")))
    }

    pub(super) fn cell<'r>(&self, row: &'r SeverityRow) -> Result<&'r ColumnTarget, SlaError> {
        row.initial_response
            .iter()
            .find(|c| c.entitlement.is_none() || c.entitlement == self.column)
            .ok_or_else(|| {
                SlaError::InvalidFacts(format!(
                    "{} has no initial-response column {:?}",
                    row.severity, self.column
                ))
            })
    }

    /// Applies one target and copies its steps into the explanation.
    pub(super) fn apply(
        &mut self,
        clock: Clock,
        start: DateTime<Utc>,
        target: &Target,
        pauses: &[Pause],
    ) -> Result<DateTime<Utc>, SlaError> {
        let applied = apply_target(&self.cal, start, target, pauses)?;
        for s in applied.steps {
            self.say(clock, s);
        }
        Ok(applied.due)
    }
}
