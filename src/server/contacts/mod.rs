//! Support contacts: who may see and change an organization's contacts, the rules on roles per
//! site, invitations, and every change written with its audit entry in one transaction.
//!
//! Concurrency: every change starts by bumping `organizations.contacts_version` (a write), so it
//! holds the organization's row lock on PostgreSQL and the write lock on SQLite before it reads
//! anything. Changes of one organization therefore run one at a time, and the rules are checked
//! *after* the change is written, inside the same transaction: a change that breaks one is rolled
//! back whole. Twenty requests adding callers to one site at once end with exactly five.
mod add;
mod change;
mod flash;
mod guard;
mod history;
mod input;
mod invitations;
mod page;
mod queries;
mod rules;
mod settings;

pub use add::{add_contact, add_contact_showing, ContactAdded};
pub use change::{reinvite_contact, reinvite_contact_showing, remove_contact, update_contact};
pub use flash::RequestFlash;
pub use invitations::{
    accept_invitation, accept_invitation_from, invitation_info, InvitationLink,
    MAX_ACCEPT_FAILURES_PER_ADDRESS,
};
pub use page::{contacts_page, contacts_page_showing};
pub use settings::update_settings;
