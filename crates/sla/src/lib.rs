//! The SLA engine: support programs as data and the deadlines they promise, as pure functions of a
//! case's history and its site's calendar. No I/O and no clock reading (callers pass `now`), so the
//! same code runs on the server and in the browser (wasm32) and both always agree.

pub mod calendar;
pub mod case_clock;
pub mod countdown;
pub mod delivery;
pub mod entitlement;
pub mod error;
pub mod escalation;
pub mod explain;
pub mod hours;
pub mod program;
pub mod targets;
pub mod vectors;

pub use calendar::Calendar;
pub use case_clock::{
    case_deadlines, CaseDeadlines, CaseFacts, CaseStatus, SeverityChange, StatusChange,
};
pub use countdown::{breach_state, format_countdown, BreachState};
pub use delivery::{delivery_due, DeliveryDue};
pub use entitlement::{
    contract_status, entitlement_on, ContractStatus, EntitlementState, LAPSING_NOTICE_MONTHS,
};
pub use error::SlaError;
pub use escalation::{escalation_ack_due, EscalationAck, EscalationAckTarget};
pub use explain::{Clock, DocumentWords, ExplanationStep};
pub use hours::{ClockTime, HoursRule, WeeklyHours};
pub use program::{
    Channel, ChannelKind, ContactSpec, DeliveryKind, DeliveryRule, Entitlement, PackageFeature,
    PackageItem, Plan, ProductLine, Program, ProgramSet, RaiseRule, Severity, SeverityReach,
    SeverityRow, SeverityTable,
};
pub use targets::{Basis, Target, Unit};
pub use vectors::{check_vectors, BUILTIN_VECTORS};

#[cfg(test)]
mod seed_tests;
