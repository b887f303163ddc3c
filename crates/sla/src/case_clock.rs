//! Case deadlines: initial response, next update, restoration, stale case, auto-close and RCA,
//! recomputed from the case's event history every time (SLA_NOTES point 1: no stored counters).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::error::SlaError;
use super::explain::{fmt_duration, fmt_local, Clock, DocumentWords, ExplanationStep};
use super::program::{
    ColumnTarget, Entitlement, ProductLine, Program, ProgramSet, RaiseRule, Severity, SeverityRow,
    SeverityTable,
};
use super::targets::{apply_target, ordinal, Pause, Target};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeverityChange {
    pub at: DateTime<Utc>,
    pub severity: Severity,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    WaitingOnCustomer,
    ResolutionProposed,
    Resolved,
    Closed,
}

impl CaseStatus {
    /// Support considers the problem solved: no update clock runs.
    pub fn is_resolved(self) -> bool {
        matches!(
            self,
            CaseStatus::ResolutionProposed | CaseStatus::Resolved | CaseStatus::Closed
        )
    }

    fn words(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::WaitingOnCustomer => "waiting on the customer",
            CaseStatus::ResolutionProposed => "resolution proposed",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub status: CaseStatus,
}

/// Everything the engine needs to know about a case. Histories need not be sorted.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CaseFacts {
    pub program_id: String,
    pub plan_id: String,
    /// The site has Business Critical Services (or Evergreen//One).
    #[serde(default)]
    pub bcs: bool,
    #[serde(default)]
    pub product: ProductLine,
    /// IANA zone of the site.
    pub tz: String,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    pub opened_at: DateTime<Utc>,
    /// First entry: the severity at opening (its time is taken as the opening time).
    pub severity_history: Vec<SeverityChange>,
    /// Customer-visible support updates (public comments, calls logged as public).
    #[serde(default)]
    pub support_updates: Vec<DateTime<Utc>>,
    /// Status changes after opening; the case is `open` before the first one.
    #[serde(default)]
    pub status_history: Vec<StatusChange>,
    /// The update date agreed with the customer, for rows that say "as agreed".
    #[serde(default)]
    pub agreed_update_due: Option<DateTime<Utc>>,
}

impl CaseFacts {
    /// A freshly opened case with no history yet (the what-if calculator's case).
    pub fn opened(
        program_id: &str,
        plan_id: &str,
        tz: &str,
        opened_at: DateTime<Utc>,
        severity: Severity,
    ) -> CaseFacts {
        CaseFacts {
            program_id: program_id.to_string(),
            plan_id: plan_id.to_string(),
            bcs: false,
            product: ProductLine::Array,
            tz: tz.to_string(),
            holidays: Vec::new(),
            opened_at,
            severity_history: vec![SeverityChange {
                at: opened_at,
                severity,
            }],
            support_updates: Vec::new(),
            status_history: Vec::new(),
            agreed_update_due: None,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CaseDeadlines {
    pub program_id: String,
    pub plan_id: String,
    /// Severity in effect now.
    pub severity: Severity,
    pub status: CaseStatus,
    /// Initial-response column read (storage-7.1.3); `None` for single-column tables.
    pub entitlement_column: Option<Entitlement>,
    pub initial_response_due: Option<DateTime<Utc>>,
    pub initial_response_met_at: Option<DateTime<Utc>>,
    pub next_update_due: Option<DateTime<Utc>>,
    /// Set while the update clock is stopped because the case waits on the customer.
    pub update_paused_since: Option<DateTime<Utc>>,
    pub restoration_due: Option<DateTime<Utc>>,
    pub restored_at: Option<DateTime<Utc>>,
    pub stale_notice_due: Option<DateTime<Utc>>,
    pub auto_close_due: Option<DateTime<Utc>>,
    pub resolution_proposed_auto_close_due: Option<DateTime<Utc>>,
    pub rca_due: Option<DateTime<Utc>>,
    pub rca_follow_up_severity: Option<Severity>,
    pub explanation: Vec<ExplanationStep>,
    pub document_words: Vec<DocumentWords>,
}

fn min_opt(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

struct Ctx<'a> {
    program: &'a Program,
    table: &'a SeverityTable,
    column: Option<Entitlement>,
    cal: Calendar,
    steps: Vec<ExplanationStep>,
    words: Vec<DocumentWords>,
}

impl Ctx<'_> {
    fn say(&mut self, clock: Clock, text: impl Into<String>) {
        self.steps.push(ExplanationStep::new(clock, text));
    }

    fn quote(&mut self, clock: Clock, document_words: &str, interpretation: &str) {
        self.words.push(DocumentWords {
            clock,
            document_words: document_words.to_string(),
            interpretation: interpretation.to_string(),
        });
    }

    fn fmt(&self, t: DateTime<Utc>) -> String {
        fmt_local(t, self.cal.tz())
    }

    fn row(&self, sev: Severity) -> Result<&SeverityRow, SlaError> {
        self.table
            .rows
            .iter()
            .find(|r| r.severity == sev)
            .ok_or_else(|| SlaError::InvalidFacts(format!("program has no row for {sev}")))
    }

    fn cell<'r>(&self, row: &'r SeverityRow) -> Result<&'r ColumnTarget, SlaError> {
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

    fn apply(
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

    /// Runs a per-severity target through the severity history with the program's raise rule.
    fn through_history(
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
                let how = if ch.severity.is_raise_from(p) {
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
                        p,
                        ch.severity,
                        self.fmt(ch.at)
                    ),
                );
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
                Some(p) if ch.severity.is_raise_from(p) => {
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
                _ => candidate,
            };
            prev = Some(ch.severity);
        }
        Ok(due)
    }
}

/// All deadlines of a case at the moment its history describes.
pub fn case_deadlines(programs: &ProgramSet, facts: &CaseFacts) -> Result<CaseDeadlines, SlaError> {
    let program = programs.program(&facts.program_id)?;
    let plan = program.plan(&facts.plan_id)?;
    let table = program.table_for(facts.product)?;
    let column = program.column(plan, facts.bcs);
    let cal = Calendar::for_program(program, &facts.tz, facts.holidays.clone())?;
    let opened = facts.opened_at;

    let mut sev_hist = facts.severity_history.clone();
    if sev_hist.is_empty() {
        return Err(SlaError::InvalidFacts(
            "severity_history must hold at least the severity at opening".into(),
        ));
    }
    let first = sev_hist.remove(0);
    sev_hist.sort_by_key(|c| c.at);
    let mut changes = vec![SeverityChange {
        at: opened,
        severity: first.severity,
    }];
    for c in sev_hist {
        let last = changes.last().map(|l| l.severity);
        if last != Some(c.severity) {
            changes.push(SeverityChange {
                at: c.at.max(opened),
                severity: c.severity,
            });
        }
    }
    let current = changes.last().map(|c| c.severity).unwrap_or(first.severity);

    let mut statuses = facts.status_history.clone();
    statuses.sort_by_key(|s| s.at);
    let status_now = statuses
        .last()
        .map(|s| s.status)
        .unwrap_or(CaseStatus::Open);
    let mut updates: Vec<DateTime<Utc>> = facts
        .support_updates
        .iter()
        .copied()
        .filter(|u| *u >= opened)
        .collect();
    updates.sort();

    // Waiting stretches, closed ones only; an open one is reported as "paused since".
    let mut pauses: Vec<Pause> = Vec::new();
    let mut waiting_since: Option<DateTime<Utc>> = None;
    let mut last_reopen: Option<DateTime<Utc>> = None;
    let mut resolved_since: Option<DateTime<Utc>> = None;
    let mut prev_status = CaseStatus::Open;
    for s in &statuses {
        let at = s.at.max(opened);
        if let Some(w) = waiting_since.take() {
            if s.status == CaseStatus::WaitingOnCustomer {
                waiting_since = Some(w);
            } else {
                pauses.push((w, at));
            }
        }
        if s.status == CaseStatus::WaitingOnCustomer && waiting_since.is_none() {
            waiting_since = Some(at);
        }
        if prev_status.is_resolved() && !s.status.is_resolved() {
            last_reopen = Some(at);
            resolved_since = None;
        }
        if s.status.is_resolved() && resolved_since.is_none() {
            resolved_since = Some(at);
        }
        prev_status = s.status;
    }

    let mut cx = Ctx {
        program,
        table,
        column,
        cal,
        steps: Vec::new(),
        words: Vec::new(),
    };
    let tz_name = facts.tz.clone();
    let row_now = cx.row(current)?.clone();
    let opening_severity = format!(
        "{} ({})",
        changes[0].severity,
        cx.row(changes[0].severity)?.name
    );
    let column_words = match column {
        Some(c) => format!(", column {}", c.label()),
        None => String::new(),
    };
    cx.say(
        Clock::Case,
        format!(
            "{} ({}), plan {}{}; site time zone {}; opened {} at {}",
            program.name,
            program.source_document,
            plan.name,
            column_words,
            tz_name,
            cx.fmt(opened),
            opening_severity
        ),
    );
    if facts.bcs && !plan.bcs_column_with_flag {
        cx.say(
            Clock::Case,
            "the site's BCS flag does not change this program's targets",
        );
    }
    cx.quote(
        Clock::Case,
        &row_now.definition,
        &format!("{} ({})", current, row_now.name),
    );

    // Initial response: never paused; severity changes after the response no longer matter.
    let met_at = updates.first().copied();
    let before_response: Vec<SeverityChange> = changes
        .iter()
        .copied()
        .filter(|c| met_at.is_none_or(|m| c.at < m) || c.at == opened)
        .collect();
    let ir_row = cx
        .row(
            before_response
                .last()
                .map(|c| c.severity)
                .unwrap_or(current),
        )?
        .clone();
    let ir_cell = cx.cell(&ir_row)?.clone();
    cx.quote(
        Clock::InitialResponse,
        &ir_cell.document_words,
        &ir_cell.interpretation,
    );
    let column_now = column;
    let initial_response_due = {
        let rows: Vec<(Severity, Option<Target>)> = table
            .rows
            .iter()
            .map(|r| {
                let t = r
                    .initial_response
                    .iter()
                    .find(|c| c.entitlement.is_none() || c.entitlement == column_now)
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
            &before_response,
            opened,
            target_of,
            &[],
        )?
    };
    if let Some(m) = met_at {
        let verdict = match initial_response_due {
            Some(d) if m <= d => "on time".to_string(),
            Some(d) => format!("late by {}", fmt_duration(m - d)),
            None => "no target applied".to_string(),
        };
        let text = format!(
            "first support update {}: initial response met ({verdict})",
            cx.fmt(m)
        );
        cx.say(Clock::InitialResponse, text);
    }

    // Update clock (SLA_NOTES point 6).
    let upd = row_now.update.clone();
    cx.quote(Clock::Update, &upd.document_words, &upd.interpretation);
    let pause_updates = program.waiting_on_customer.pauses_update_clock;
    let mut update_paused_since = None;
    let next_update_due = if status_now.is_resolved() {
        let text = format!(
            "case {} since {}: no update clock after resolution",
            status_now.words(),
            cx.fmt(resolved_since.unwrap_or(opened))
        );
        cx.say(Clock::Update, text);
        None
    } else if met_at.is_none() && initial_response_due.is_some() {
        cx.say(
            Clock::Update,
            "no support update yet: the next update is due with the initial response, never earlier",
        );
        initial_response_due
    } else if let (true, Some(w)) = (pause_updates, waiting_since) {
        update_paused_since = Some(w);
        let text = format!(
            "waiting on the customer since {}: the update clock is paused until the customer answers",
            cx.fmt(w)
        );
        cx.say(Clock::Update, text);
        None
    } else {
        let last_update = updates.last().copied();
        let last_change = changes.last().map(|c| c.at).unwrap_or(opened);
        let base = [Some(opened), last_update, Some(last_change), last_reopen]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(opened);
        let reason = if Some(base) == last_reopen && base != opened {
            "the case was reopened"
        } else if Some(base) == last_update {
            "last support update"
        } else if base == last_change && base != opened {
            "severity changed"
        } else {
            "opened"
        };
        let agreed = facts
            .agreed_update_due
            .filter(|a| upd.as_agreed && last_update.is_none_or(|l| *a > l));
        if let Some(a) = agreed {
            let text = format!("update date agreed with the customer: {}", cx.fmt(a));
            cx.say(Clock::Update, text);
            Some(a)
        } else if let Some(c) = upd.cadence {
            let text = format!("{reason} {}: the cadence restarts", cx.fmt(base));
            cx.say(Clock::Update, text);
            let ps: Vec<Pause> = if pause_updates {
                pauses.clone()
            } else {
                Vec::new()
            };
            Some(cx.apply(Clock::Update, base, &c, &ps)?)
        } else {
            let text = if upd.as_agreed {
                format!("\"{}\": no update date agreed yet", upd.document_words)
            } else {
                "the program states no update frequency".to_string()
            };
            cx.say(Clock::Update, text);
            None
        }
    };

    // Restoration.
    let restored_at = if status_now.is_resolved() {
        resolved_since
    } else {
        None
    };
    // A restoration clock exists once any severity the case had carries a target.
    let mut any_restoration_target = false;
    for c in &changes {
        any_restoration_target |= cx
            .row(c.severity)?
            .restoration
            .as_ref()
            .is_some_and(|r| r.target.is_some());
    }
    let restoration_due = match &row_now.restoration {
        None => None,
        Some(rest) if !any_restoration_target => {
            cx.quote(
                Clock::Restoration,
                &rest.document_words,
                &rest.interpretation,
            );
            None
        }
        Some(rest) => {
            cx.quote(
                Clock::Restoration,
                &rest.document_words,
                &rest.interpretation,
            );
            let pause_rest = program.waiting_on_customer.pauses_restoration_clock;
            if let (true, Some(w), false) = (pause_rest, waiting_since, status_now.is_resolved()) {
                let text = format!(
                    "waiting on the customer since {}: the restoration clock is paused",
                    cx.fmt(w)
                );
                cx.say(Clock::Restoration, text);
                None
            } else {
                let ps: Vec<Pause> = if pause_rest {
                    pauses.clone()
                } else {
                    Vec::new()
                };
                let target_of = |r: &SeverityRow| r.restoration.as_ref().and_then(|x| x.target);
                let due =
                    cx.through_history(Clock::Restoration, &changes, opened, target_of, &ps)?;
                if let Some(r) = restored_at {
                    let text = format!("restored (resolution proposed or resolved) {}", cx.fmt(r));
                    cx.say(Clock::Restoration, text);
                }
                due
            }
        }
    };

    // Stale case: only while waiting on the customer.
    let (mut stale_notice_due, mut auto_close_due) = (None, None);
    if let Some(rule) = &program.stale_case {
        if let (CaseStatus::WaitingOnCustomer, Some(w)) = (status_now, waiting_since) {
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
            stale_notice_due = Some(notice);
            auto_close_due = Some(close);
        }
    }

    // Resolution Proposed: closed at the end of the Nth business day after the proposal's day.
    let mut resolution_proposed_auto_close_due = None;
    if let Some(rule) = &program.resolution_proposed_auto_close {
        if status_now == CaseStatus::ResolutionProposed {
            let since = statuses.last().map(|s| s.at.max(opened)).unwrap_or(opened);
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
            resolution_proposed_auto_close_due = Some(due);
        }
    }

    // Root cause analysis after a resolved outage of the program's severity.
    let (mut rca_due, mut rca_follow_up_severity) = (None, None);
    if let (Some(rule), Some(res_at)) = (&program.rca, restored_at) {
        let sev_then = changes
            .iter()
            .rev()
            .find(|c| c.at <= res_at)
            .map(|c| c.severity)
            .unwrap_or(current);
        if sev_then == rule.severity {
            cx.quote(Clock::Rca, &rule.document_words, &rule.interpretation);
            let text = format!(
                "{} resolved {}: a follow-up case at {} carries the root cause analysis",
                sev_then,
                cx.fmt(res_at),
                rule.follow_up_severity
            );
            cx.say(Clock::Rca, text);
            rca_due = Some(cx.apply(Clock::Rca, res_at, &rule.due, &[])?);
            rca_follow_up_severity = Some(rule.follow_up_severity);
        }
    }

    Ok(CaseDeadlines {
        program_id: program.id.clone(),
        plan_id: plan.id.clone(),
        severity: current,
        status: status_now,
        entitlement_column: column,
        initial_response_due,
        initial_response_met_at: met_at,
        next_update_due,
        update_paused_since,
        restoration_due,
        restored_at,
        stale_notice_due,
        auto_close_due,
        resolution_proposed_auto_close_due,
        rca_due,
        rca_follow_up_severity,
        explanation: cx.steps,
        document_words: cx.words,
    })
}
