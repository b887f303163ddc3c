//! Who hears of what. `enqueue` runs inside the transaction of the change it reports: it records
//! the event, adds the bell's entry for each person who wants it and an outbox row for each
//! address to e-mail (the worker in `server::outbox` delivers them). Recipients: the case's site
//! contacts and its opener, the organization's team alias, support engineers for the kinds they
//! follow; each person's preferences and the organization's no-contact orders decide the rest.
mod case_events;
mod direct;
mod enqueue;
mod jobs;
mod no_contact;
mod notice;
mod page;
mod queries;
mod remote_assist;

pub(crate) use case_events::{on_case_event, CaseNoticeFacts};
pub use direct::{email_one, DirectEmail};
pub use enqueue::{enqueue, enqueue_in_chunks};
pub use jobs::{warn_deadlines, warn_late_replacements};
pub use no_contact::{add_no_contact, lift_no_contact};
pub use notice::Notice;
pub use page::{mark_case_read, mark_read, page, set_preference, unread_count};
pub(crate) use remote_assist::on_remote_assist;
