//! Support cases: the list, opening a case, and one case with its deadlines and timeline.
mod awaiting;
pub mod detail;
mod escalation;
pub mod list;
pub mod log;
pub mod new;
mod owner;
mod sev1_contact;
