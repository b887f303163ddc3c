//! The services against a real database, on SQLite and PostgreSQL (one module per area), and
//! the routes of those areas where a rule shows only over HTTP.
#[path = "../helpers/mod.rs"]
mod helpers;

mod account;
mod auth;
mod awaiting_customer;
mod case_list_pages;
mod case_owner;
mod cases;
mod channels;
mod contact_admins;
mod contact_removal;
mod contacts;
mod escalation;
mod hashing;
mod installed_base;
mod intake;
mod invitation_links;
mod notifications;
mod remote_assist;
mod replacements;
mod retention;
mod second_factor;
mod site_designation;
mod write_path;
