//! Case deadlines: initial response, next update, restoration, stale case, auto-close and RCA,
//! recomputed from the case's event history every time (SLA_NOTES point 1: no stored counters).
//! One file per clock; this one holds the case's facts and results and runs the clocks in order,
//! which is also the order of the explanation.

mod context;
mod history;
mod initial_response;
mod raise;
mod rca;
mod resolution_proposed;
mod restoration;
mod update;
mod waiting;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::error::SlaError;
use super::explain::{Clock, DocumentWords, ExplanationStep};
use super::program::{Entitlement, Plan, ProductLine, ProgramSet, Severity, SeverityRow};
use context::Ctx;
use history::History;

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

/// All deadlines of a case at the moment its history describes.
pub fn case_deadlines(programs: &ProgramSet, facts: &CaseFacts) -> Result<CaseDeadlines, SlaError> {
    let program = programs.program(&facts.program_id)?;
    let plan = program.plan(&facts.plan_id)?;
    let table = program.table_for(facts.product)?;
    let column = program.column(plan, facts.bcs);
    let cal = program.calendar(&facts.tz, facts.holidays.clone())?;
    let history = History::of(facts)?;
    let mut cx = Ctx::new(program, table, column, cal);
    let row_now = cx.row(history.current)?.clone();
    describe_case(&mut cx, facts, plan, &history, &row_now)?;
    let initial = initial_response::initial_response(&mut cx, &history)?;
    let update = update::next_update(&mut cx, facts, &history, &row_now, &initial)?;
    let restoration_due = restoration::restoration_due(&mut cx, &history, &row_now)?;
    let stale = waiting::stale_case(&mut cx, &history)?;
    let resolution_proposed_auto_close_due =
        resolution_proposed::auto_close_due(&mut cx, &history)?;
    let rca = rca::rca(&mut cx, &history)?;
    Ok(CaseDeadlines {
        program_id: program.id.clone(),
        plan_id: plan.id.clone(),
        severity: history.current,
        status: history.status_now,
        entitlement_column: column,
        initial_response_due: initial.due,
        initial_response_met_at: initial.met_at,
        next_update_due: update.due,
        update_paused_since: update.paused_since,
        restoration_due,
        restored_at: history.restored_at(),
        stale_notice_due: stale.notice_due,
        auto_close_due: stale.auto_close_due,
        resolution_proposed_auto_close_due,
        rca_due: rca.due,
        rca_follow_up_severity: rca.follow_up_severity,
        explanation: cx.steps,
        document_words: cx.words,
    })
}

/// The explanation's opening: program, plan, zone, opening, and the definition of the severity now.
fn describe_case(
    cx: &mut Ctx,
    facts: &CaseFacts,
    plan: &Plan,
    history: &History,
    row_now: &SeverityRow,
) -> Result<(), SlaError> {
    let program = cx.program;
    let first = history.changes[0].severity;
    let opening_severity = format!("{} ({})", first, cx.row(first)?.name);
    let column_words = match cx.column {
        Some(c) => format!(", column {}", c.label()),
        None => String::new(),
    };
    let text = format!(
        "{} ({}), plan {}{}; site time zone {}; opened {} at {}",
        program.name,
        program.source_document,
        plan.name,
        column_words,
        facts.tz,
        cx.fmt(history.opened),
        opening_severity
    );
    cx.say(Clock::Case, text);
    if facts.bcs && !plan.bcs_column_with_flag {
        cx.say(
            Clock::Case,
            "the site's BCS flag does not change this program's targets",
        );
    }
    cx.quote(
        Clock::Case,
        &row_now.definition,
        &format!("{} ({})", history.current, row_now.name),
    );
    Ok(())
}
