//! Support cases: every rule about who may see and do what, each change written with its audit
//! entry in one transaction, and the SLA deadlines cached on the case row rebuilt from the event
//! history (the history is the truth; the cache only serves sorting, the list and the jobs).
//!
//! - `queries`, `reads`: the SQL, one function per statement; `convert`: stored values into the
//!   engine's types.
//! - `timeline`: the event history and audit entries; `deadlines`: the engine's view of a case
//!   and the deadlines cached on its row; `jobs`: what the background jobs read of a case.
//! - `tx`: the steps every change shares (the row lock first; deadlines and audit last).
//! - `open`: opening a case; `form`: what the open-case form offers; `intake` (its form in
//!   `intake_form`): support logs a case a customer reported by phone, e-mail or alert.
//! - `customer`, `support`: each side's actions; `owner`: who owns the case (take, assign);
//!   `escalation`: support's escalation and the customer's request for it; `list` (its statements in `list_sql`),
//!   `detail`: the reads.
mod convert;
mod customer;
mod deadlines;
mod detail;
mod escalation;
mod form;
mod intake;
mod intake_form;
mod jobs;
mod list;
mod list_sql;
mod open;
mod owner;
mod queries;
mod reads;
mod support;
mod timeline;
mod tx;

pub use customer::{add_comment, confirm_resolution, raise_severity, reopen_case, submit_survey};
pub use detail::case_detail;
pub use escalation::{acknowledge_escalation, close_escalation, escalate_case, request_escalation};
pub use form::open_case_form;
pub use intake::{log_case, NOT_DESIGNATED};
pub use intake_form::log_case_form;
pub use jobs::rebuild_cached_deadlines;
pub use list::list_cases;
pub use open::{create_case, reinstatement_message};
pub use owner::{assign_case, take_case};
pub use support::{set_agreed_update, set_severity, set_status, support_update};

// For the other services (jobs, alerts, replacements, remote assist, attachments, demo data).
pub(crate) use deadlines::{compute, refresh, site_holidays, Computed};
pub(crate) use escalation::close_with_case as close_escalation_with_case;
pub(crate) use jobs::stale_notice_posted;
pub(crate) use list_sql::list_statements;
pub(crate) use open::insert_case;
pub(crate) use queries::{load_case, lock_case, next_case_number, CaseInsert};
pub(crate) use timeline::{audit, insert_event, NewEvent};

// Kept at their old paths while callers move to `server::access` and `server::input`
// (tests call `cases::parse_severity`).
pub use crate::server::access::{can_see, require_staff};
pub use crate::server::input::{optional_text, parse_due, parse_severity, required_text};
