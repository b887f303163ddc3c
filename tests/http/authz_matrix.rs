//! The authorization matrix (issue 10): every server function and every other API route, called
//! through the real router as each kind of caller, on Acme's and on Globex's objects.
//!
//! Callers (the table's columns): anonymous, Acme's admin, one of Acme's authorized callers,
//! Acme's backup contact, Globex's admin and a support engineer. Objects (a row's `Obj`): the
//! function's id argument names an object of Acme or of Globex, or the function takes none.
//!
//! What each cell expects:
//! - `OK`: a 2xx or 3xx answer (the call did what it says). Each object is set up so that the
//!   call *would* succeed for a caller allowed to make it (a fresh case in the right state, a
//!   fresh session, replacement, token, invitation...), so a refusal is the authorization's and
//!   not a validation's. For a customer or an anonymous caller the answer's body must not name
//!   anything of another organization (ids, serials, e-mail addresses, site and organization
//!   names), so list reads are checked for leaks too.
//! - `E401` not signed in, `E403` signed in but not allowed, `E404` a foreign id that looks
//!   unknown, `E422` a foreign id refused as an invalid choice ("choose one of your
//!   organization's arrays"), which says nothing about the other organization either.
//!
//! Every refused call must also leave every table's row count as it was (sign-in bookkeeping
//! and the alert API's rate-limit counter aside): a refusal stores nothing, not even an audit
//! entry.
//!
//! A server function missing from the table fails the test (the live list comes from
//! `server_fn_paths()`), and so does a table entry for a function that no longer exists.
use crate::helpers;

use axum::body::Body;
use axum::Router;
use http::{header, Method, Request};
use http_body_util::BodyExt;
use portal::model::case::NewCase;
use portal::model::contact::{NewContact, REMOVAL_CONFIRMED};
use portal::model::replacement::LogisticsFields;
use portal::model::CurrentUser;
use portal::server::ids::now_ms;
use portal::server::remote_assist::NewSession;
use portal::server::replacements::NewReplacement;
use portal::server::{
    account, alerts, cases, contacts, notifications, remote_assist, replacements,
};
use portal::sla::ProgramSet;
use sqlx::AnyPool;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

// ---- The table ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Success,
    Unauthenticated,
    Forbidden,
    NotFound,
    Invalid,
    Conflict,
}

const OK: Expect = Expect::Success;
const E401: Expect = Expect::Unauthenticated;
const E403: Expect = Expect::Forbidden;
const E404: Expect = Expect::NotFound;
const E422: Expect = Expect::Invalid;
const E409: Expect = Expect::Conflict;

impl Expect {
    fn accepts(self, status: u16) -> bool {
        match self {
            Expect::Success => (200..400).contains(&status),
            Expect::Unauthenticated => status == 401,
            Expect::Forbidden => status == 403,
            Expect::NotFound => status == 404,
            Expect::Invalid => status == 422,
            Expect::Conflict => status == 409,
        }
    }
}

/// Whose object the call names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Obj {
    None,
    Acme,
    Globex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Person {
    Anonymous,
    AcmeAdmin,
    AcmeCaller,
    AcmeBackup,
    GlobexAdmin,
    Engineer,
}

/// The table's columns, in order.
const CALLERS: [Person; 6] = [
    Person::Anonymous,
    Person::AcmeAdmin,
    Person::AcmeCaller,
    Person::AcmeBackup,
    Person::GlobexAdmin,
    Person::Engineer,
];

impl Person {
    fn credentials(self) -> Option<(&'static str, &'static str)> {
        match self {
            Person::Anonymous => None,
            Person::AcmeAdmin => Some(("admin@acme.example", "acme-admin-demo")),
            Person::AcmeCaller => Some(("caller@acme.example", "acme-caller-demo")),
            Person::AcmeBackup => Some(("backup@acme.example", "acme-backup-demo")),
            Person::GlobexAdmin => Some(("admin@globex.example", "globex-admin-demo")),
            Person::Engineer => Some(("engineer@support.example", "support-demo")),
        }
    }

    /// The customer organization the caller belongs to.
    fn org(self) -> Option<Obj> {
        match self {
            Person::AcmeAdmin | Person::AcmeCaller | Person::AcmeBackup => Some(Obj::Acme),
            Person::GlobexAdmin => Some(Obj::Globex),
            Person::Anonymous | Person::Engineer => None,
        }
    }
}

/// Server functions by their path under `/api/`; other routes as "METHOD /path".
///
/// Columns: anonymous, Acme admin, Acme authorized caller, Acme backup contact, Globex admin,
/// support engineer.
#[rustfmt::skip]
const MATRIX: &[(&str, Obj, [Expect; 6])] = &[
    // path                           object        anon  a-admin a-call a-back g-admin engineer
    // -- Sign-in: public. A signed-in caller signs in again as themselves (new session).
    ("login",                         Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("me",                            Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    // Run last: it ends each caller's session.
    ("logout",                        Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    // -- The support programs are what the vendor publishes.
    ("sla/reference",                 Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("dashboard",                     Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    // -- Cases: any designated contact acts on the organization's cases; staff on every case
    //    but never as a customer; customers never as staff.
    ("cases/form",                    Obj::None,   [E401, OK,   OK,   OK,   OK,   E403]),
    ("cases/open",                    Obj::Acme,   [E401, OK,   OK,   OK,   E422, E403]),
    ("cases/open",                    Obj::Globex, [E401, E422, E422, E422, OK,   E403]),
    // A filter on another organization's site lists nothing (checked for leaks).
    ("cases/list",                    Obj::Acme,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("cases/list",                    Obj::Globex, [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("cases/detail",                  Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("cases/detail",                  Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    ("cases/comment",                 Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/comment",                 Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/raise",                   Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/raise",                   Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/confirm",                 Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/confirm",                 Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/reopen",                  Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/reopen",                  Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/survey",                  Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/survey",                  Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/support-update",          Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/support-update",          Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/status",                  Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/status",                  Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/severity",                Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/severity",                Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/agreed-update",           Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/agreed-update",           Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    // Who owns a case: support only; customers never assign, not even on their own cases.
    ("cases/take",                    Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/take",                    Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/assign",                  Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/assign",                  Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    // Support logs a case a customer's designated contact reported: "a Customer Support
    //    Specialist (CSS) fields the call, performs basic analysis, and creates a case in our
    //    management and tracking system" (guides). Support only; a customer opens their own.
    ("cases/log-form",                Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/log-form",                Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/log",                     Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/log",                     Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    // Escalation: support escalates and answers requests; any designated contact of the case's
    // organization may ask for escalation, staff may not (they escalate instead).
    ("cases/escalate",                Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/escalate",                Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/escalation-request",      Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("cases/escalation-request",      Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("cases/escalation-ack",          Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/escalation-ack",          Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("cases/escalation-close",        Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("cases/escalation-close",        Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    // -- The installed base: any designated contact reads their organization's (admins every
    //    site, the others the sites where they are designated: tests/db/installed_base.rs);
    //    staff read the organization they choose.
    ("installed-base/page",           Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("installed-base/page",           Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    // -- Contacts: "the Pure1 Admin is responsible for the administration of contacts"; backup
    //    contacts "should be located at the same site as the Pure1 Admin and be able to perform
    //    all the necessary duties" (guides). Admins, and backup contacts at a site with an admin,
    //    manage the contacts; the admin role and its holders are the admins' alone (ADMIN_ROLE
    //    below). Staff only read (choosing the organization).
    ("contacts/page",                 Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("contacts/page",                 Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    ("contacts/add",                  Obj::Acme,   [E401, OK,   E403, OK,   E422, E403]),
    ("contacts/add",                  Obj::Globex, [E401, E422, E403, E422, OK,   E403]),
    // Someone else's designation (a caller may change only their own details).
    ("contacts/update",               Obj::Acme,   [E401, OK,   E403, OK,   E404, E403]),
    ("contacts/update",               Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("contacts/remove",               Obj::Acme,   [E401, OK,   E403, OK,   E404, E403]),
    ("contacts/remove",               Obj::Globex, [E401, E404, E403, E404, OK,   E403]),
    ("contacts/reinvite",             Obj::Acme,   [E401, OK,   E403, OK,   E404, E403]),
    ("contacts/reinvite",             Obj::Globex, [E401, E404, E403, E404, OK,   E403]),
    ("contacts/settings",             Obj::None,   [E401, OK,   E403, OK,   OK,   E403]),
    // The invitation link is the credential (single use, 7 days): whoever holds it may use it.
    ("invitations/info",              Obj::Acme,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("invitations/info",              Obj::Globex, [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("invitations/accept",            Obj::Acme,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("invitations/accept",            Obj::Globex, [OK,   OK,   OK,   OK,   OK,   OK  ]),
    // -- One's own account (the password, the sessions): every signed-in person, never another's.
    ("account/page",                  Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("account/password",              Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("account/sign-out-others",       Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    // -- Two-step sign-in, one's own only (no call names another person). Setting up: every
    //    signed-in person; the confirmation and turning off refuse a wrong code or password by
    //    the field. The organization's rule is its admins': the Pure1 Admin "is responsible for
    //    the administration of contacts" (guides); staff belong to no organization.
    ("account/two-factor/start",      Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("account/two-factor/confirm",    Obj::None,   [E401, E422, E422, E422, E422, E422]),
    ("account/two-factor/off",        Obj::None,   [E401, E422, E422, E422, E422, E422]),
    ("account/two-factor/organization", Obj::None, [E401, OK,   E403, E403, OK,   E403]),
    // -- The code after the password completes only this browser's half-open sign-in: with no
    //    sign-in waiting (anonymous, or already fully signed in) there is nothing to complete.
    ("login/pending",                 Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("login/code",                    Obj::None,   [E409, E409, E409, E409, E409, E409]),
    // -- Forgot password: anyone may ask (the answer is the same for any address); the
    //    e-mailed link is the credential (single use, 30 minutes): whoever holds it may use it.
    ("password-reset/request",        Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("password-reset/complete",       Obj::Acme,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("password-reset/complete",       Obj::Globex, [OK,   OK,   OK,   OK,   OK,   OK  ]),
    // -- Notifications are each person's own; no-contact orders are the admins': "a no-contact
    //    order that was previously put in place by the customer" (guides) is the organization's
    //    decision, and "the Pure1 Admin is responsible for the administration of contacts".
    ("notifications/unread",          Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("notifications/page",            Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    // The organization's admin's notification: only its recipient may mark it.
    ("notifications/read",            Obj::Acme,   [E401, OK,   E404, E404, E404, E404]),
    ("notifications/read",            Obj::Globex, [E401, E404, E404, E404, OK,   E404]),
    ("notifications/preference",      Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    // For one of the organization's people.
    ("notifications/no-contact/add",  Obj::Acme,   [E401, OK,   E403, E403, E422, E403]),
    ("notifications/no-contact/add",  Obj::Globex, [E401, E422, E403, E403, OK,   E403]),
    ("notifications/no-contact/lift", Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("notifications/no-contact/lift", Obj::Globex, [E401, E404, E403, E403, OK,   E403]),
    // -- Remote Assist: admins and backup contacts request, extend and end; only an admin
    //    starts a backup contact's request; engineers join and end.
    ("remote-assist/overview",        Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("remote-assist/request",         Obj::Acme,   [E401, OK,   E403, OK,   E404, E403]),
    ("remote-assist/request",         Obj::Globex, [E401, E404, E403, E404, OK,   E403]),
    ("remote-assist/start",           Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("remote-assist/start",           Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("remote-assist/join",            Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("remote-assist/join",            Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("remote-assist/end",             Obj::Acme,   [E401, OK,   E403, OK,   E404, OK  ]),
    ("remote-assist/end",             Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    ("remote-assist/extend",          Obj::Acme,   [E401, OK,   E403, OK,   E404, E403]),
    ("remote-assist/extend",          Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    // -- Replacements: support creates and moves them; any designated contact confirms
    //    access and proposes the technician's window; admins keep the site logistics.
    ("replacements/overview",         Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("replacements/late",             Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("replacements/case",             Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("replacements/case",             Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    ("replacements/create",           Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("replacements/create",           Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("replacements/stage",            Obj::Acme,   [E401, E403, E403, E403, E403, OK  ]),
    ("replacements/stage",            Obj::Globex, [E401, E403, E403, E403, E403, OK  ]),
    ("replacements/confirm-access",   Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("replacements/confirm-access",   Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("replacements/propose-window",   Obj::Acme,   [E401, OK,   OK,   OK,   E404, E403]),
    ("replacements/propose-window",   Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("replacements/site-logistics",   Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("replacements/site-logistics",   Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    // -- Monitoring alerts: everyone reads their own; admins issue and revoke API tokens (a
    //    token opens Severity 1 cases for the whole organization; the guides give backup
    //    contacts "the necessary duties on the FlashArray or FlashBlade, including contacting
    //    Pure Storage Support and opening RA sessions", not the organization's credentials).
    ("alerts/page",                   Obj::None,   [E401, OK,   OK,   OK,   OK,   OK  ]),
    ("alerts/tokens",                 Obj::None,   [E401, OK,   E403, E403, OK,   E403]),
    ("alerts/tokens/create",          Obj::None,   [E401, OK,   E403, E403, OK,   E403]),
    ("alerts/tokens/revoke",          Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("alerts/tokens/revoke",          Obj::Globex, [E401, E404, E403, E403, OK,   E403]),
    // -- Routes that are not server functions. An upload answers with redirects: to the
    //    sign-in page (read as 401), back to the case with `attached=` (2xx) or with
    //    `upload_error=` (read as 422).
    ("GET /attachments/{id}",         Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("GET /attachments/{id}",         Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    ("POST /cases/{id}/attachments",  Obj::Acme,   [E401, OK,   OK,   OK,   E404, OK  ]),
    ("POST /cases/{id}/attachments",  Obj::Globex, [E401, E404, E404, E404, OK,   OK  ]),
    // Probes are for the load balancer: public, and they name no customer (checked for leaks
    // like every other answer). Prometheus metrics are not on the public listener without a
    // configured token, whoever asks (tests/http/metrics.rs: token, separate listener).
    ("GET /metrics",                  Obj::None,   [E404, E404, E404, E404, E404, E404]),
    ("GET /healthz",                  Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
    ("GET /readyz",                   Obj::None,   [OK,   OK,   OK,   OK,   OK,   OK  ]),
];

/// The admin role (the security issue's finding 3: a backup contact made itself admin with
/// `contacts/update`, then demoted the real admin). "The Pure1 Admin is responsible for the
/// administration of contacts"; backup contacts "perform all the necessary duties on the
/// FlashArray or FlashBlade, including contacting Pure Storage Support and opening RA sessions"
/// (guides). So only an admin grants, changes or removes the admin role and edits, removes or
/// re-invites a person who holds it (a pending admin's link would set the admin's password);
/// nobody changes their own role: an admin is told so by the role field (422). Each row is one
/// server function with the arguments its label names (the function is the label's first word).
///
/// Columns: anonymous, Acme admin, Acme authorized caller, Acme backup contact, Globex admin,
/// support engineer.
#[rustfmt::skip]
const ADMIN_ROLE: &[(&str, Obj, [Expect; 6])] = &[
    // label                                      object        anon  a-admin a-call a-back g-admin engineer
    // Each caller's own designation: callers and backup contacts to admin, admins down.
    ("contacts/update own role",                  Obj::None,   [E401, E422, E403, E403, E422, E403]),
    // A backup contact (new, no password) made admin.
    ("contacts/update grant admin",               Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("contacts/update grant admin",               Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("contacts/add role=admin",                   Obj::Acme,   [E401, OK,   E403, E403, E422, E403]),
    ("contacts/add role=admin",                   Obj::Globex, [E401, E422, E403, E403, OK,   E403]),
    // A second admin of the organization (new, no password).
    ("contacts/update demote an admin",           Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("contacts/update demote an admin",           Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("contacts/update an admin's details",        Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("contacts/update an admin's details",        Obj::Globex, [E401, E404, E404, E404, OK,   E403]),
    ("contacts/remove an admin",                  Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("contacts/remove an admin",                  Obj::Globex, [E401, E404, E403, E404, OK,   E403]),
    ("contacts/reinvite a pending admin",         Obj::Acme,   [E401, OK,   E403, E403, E404, E403]),
    ("contacts/reinvite a pending admin",         Obj::Globex, [E401, E404, E403, E404, OK,   E403]),
    // The contacts page's organization-wide no-contact order, placed or lifted (the caller's
    // organization's order turned the other way).
    ("contacts/settings no-contact order",        Obj::None,   [E401, OK,   E403, E403, OK,   E403]),
];

/// The alert ingest API (`POST /api/v1/alerts`) authenticates monitoring systems with bearer
/// tokens, not sessions: who sends, the serial of whose array, and the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sender {
    Nobody,
    AcmeToken,
    GlobexToken,
    RevokedAcmeToken,
    /// A signed-in admin's session cookie and no token: the API does not take sessions.
    AcmeAdminCookie,
    GlobexAdminCookie,
}

#[rustfmt::skip]
const INGEST: &[(Sender, Obj, Expect)] = &[
    (Sender::Nobody,            Obj::Acme,   E401),
    (Sender::Nobody,            Obj::Globex, E401),
    (Sender::AcmeToken,         Obj::Acme,   OK  ),
    (Sender::AcmeToken,         Obj::Globex, E404),
    (Sender::GlobexToken,       Obj::Acme,   E404),
    (Sender::GlobexToken,       Obj::Globex, OK  ),
    (Sender::RevokedAcmeToken,  Obj::Acme,   E401),
    (Sender::RevokedAcmeToken,  Obj::Globex, E401),
    (Sender::AcmeAdminCookie,   Obj::Acme,   E401),
    (Sender::GlobexAdminCookie, Obj::Globex, E401),
];

/// Whose answers may legitimately name another organization: the invitation link is the
/// credential (its page names the inviting organization to whoever holds it).
const NO_LEAK_CHECK: &[&str] = &["invitations/info", "invitations/accept"];

// ---- HTTP ----

struct Call {
    method: Method,
    uri: String,
    content_type: Option<String>,
    body: Vec<u8>,
    /// JSON for server functions and APIs, HTML for pages.
    accept: &'static str,
}

/// Percent-encoding for form bodies: everything but the unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Call {
    /// A server function posted as the browser's client does (URL-encoded form, JSON answer).
    fn api(path: &str, pairs: &[(&str, &str)]) -> Call {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        Call {
            method: Method::POST,
            uri: format!("/api/{path}"),
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: body.into_bytes(),
            accept: "application/json",
        }
    }

    fn get(uri: String) -> Call {
        Call {
            method: Method::GET,
            uri,
            content_type: None,
            body: Vec::new(),
            accept: "application/json",
        }
    }

    fn upload(case_id: &str) -> Call {
        const BOUNDARY: &str = "XmatrixBoundary";
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; \
             filename=\"matrix.txt\"\r\nContent-Type: text/plain\r\n\r\n\
             authorization matrix\r\n--{BOUNDARY}--\r\n"
        );
        Call {
            method: Method::POST,
            uri: format!("/cases/{case_id}/attachments"),
            content_type: Some(format!("multipart/form-data; boundary={BOUNDARY}")),
            body: body.into_bytes(),
            accept: "text/html",
        }
    }
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

async fn send(app: &Router, call: &Call, cookie: Option<&str>, bearer: Option<&str>) -> Answer {
    let mut req = Request::builder()
        .method(call.method.clone())
        .uri(call.uri.as_str())
        .header(header::ACCEPT, call.accept);
    if let Some(ct) = &call.content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(t) = bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req.body(Body::from(call.body.clone())).expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The status a cell is judged by: the upload route answers a browser's form with redirects,
/// read here as what they mean.
fn observed(path: &str, a: &Answer) -> u16 {
    if path == "POST /cases/{id}/attachments" && (300..400).contains(&a.status) {
        let location = a
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return if location.starts_with("/login") {
            401
        } else if location.contains("attached=") {
            200
        } else {
            422
        };
    }
    a.status
}

fn session_cookie(a: &Answer) -> Option<String> {
    a.headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
}

async fn sign_in(app: &Router, email: &str, password: &str) -> String {
    let a = send(
        app,
        &Call::api("login", &[("email", email), ("password", password)]),
        None,
        None,
    )
    .await;
    assert!((200..400).contains(&a.status), "{email}: {}", a.status);
    session_cookie(&a).expect("session cookie")
}

// ---- The objects each cell names ----

/// One organization's objects. Destructive calls get a fresh object per cell instead.
struct OrgFx {
    admin: CurrentUser,
    /// A backup contact (Globex's is created for the test; it has no password).
    backup: CurrentUser,
    org_id: String,
    site_id: String,
    /// A hardware array with active support, for cases and replacements.
    case_array_id: String,
    serial: String,
    /// A connected array for Remote Assist sessions.
    ra_array_id: String,
    /// An open case (stays open: the calls that change a case's state get fresh ones).
    case_id: String,
    /// Someone's designation that none of the callers holds: a caller may not edit it.
    contact_id: String,
    contact_name: &'static str,
    /// A contact without a password, who may be invited again.
    invitee_contact_id: String,
    /// One of the organization's people, for no-contact orders.
    person_id: String,
    /// A notification of the organization's admin.
    notification_id: String,
    attachment_id: String,
    /// An alert API token's secret.
    token: String,
    domain: &'static str,
}

struct Fx {
    pool: AnyPool,
    programs: ProgramSet,
    engineer: CurrentUser,
    acme: OrgFx,
    globex: OrgFx,
    /// Each caller's own designation (anonymous and the engineer have none: Acme's admin's).
    own_contacts: [String; 6],
    seq: AtomicU32,
}

impl Fx {
    fn org(&self, obj: Obj) -> &OrgFx {
        match obj {
            Obj::Acme => &self.acme,
            Obj::Globex => &self.globex,
            Obj::None => panic!("this call names an object: give the row Obj::Acme/Globex"),
        }
    }

    fn next(&self) -> u32 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// A new case of the organization (severity 3), moved by support to `status`.
    async fn fresh_case(&self, obj: Obj, status: &str) -> String {
        let o = self.org(obj);
        let input = NewCase {
            array_id: o.case_array_id.clone(),
            severity: 3,
            subject: format!("Matrix case {}", self.next()),
            description: "Opened by the authorization matrix test.".into(),
            ..NewCase::default()
        };
        let id = cases::create_case(&self.pool, &self.programs, &o.admin, &input)
            .await
            .expect("fresh case")
            .id;
        if status != "new" {
            let message = "Set up by the authorization matrix.";
            cases::set_status(
                &self.pool,
                &self.programs,
                &self.engineer,
                &id,
                status,
                message,
            )
            .await
            .expect("fresh case status");
        }
        id
    }

    /// A fresh case of the organization with an open escalation request by its admin.
    async fn requested_case(&self, obj: Obj) -> String {
        let id = self.fresh_case(obj, "new").await;
        let admin = &self.org(obj).admin;
        cases::request_escalation(&self.pool, &self.programs, admin, &id, "Please escalate.")
            .await
            .expect("escalation request");
        id
    }

    /// A new backup contact (no account yet): its designation id and invitation token.
    async fn fresh_contact(&self, obj: Obj) -> (String, String) {
        let o = self.org(obj);
        let added = contacts::add_contact(
            &self.pool,
            &o.admin,
            &NewContact {
                site_id: o.site_id.clone(),
                role: "backup_contact".into(),
                email: format!("fresh{}@{}", self.next(), o.domain),
                name: "Fresh Contact".into(),
                phone: "+1 617 555 0111".into(),
                time_zone: String::new(),
            },
        )
        .await
        .expect("fresh contact");
        let token = added.invitation.expect("an invitation").token;
        (added.contact_id, token)
    }

    /// Ends every open session on the organization's Remote Assist array (one at a time).
    async fn clear_sessions(&self, obj: Obj) {
        let o = self.org(obj);
        let open: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM remote_assist_sessions WHERE array_id = $1 AND state <> 'ended'",
        )
        .bind(&o.ra_array_id)
        .fetch_all(&self.pool)
        .await
        .expect("open sessions");
        for id in open {
            remote_assist::end_session(&self.pool, &self.engineer, &id)
                .await
                .expect("end session");
        }
    }

    /// A new session: active (an admin's request) or requested (a backup contact's).
    async fn fresh_session(&self, obj: Obj, active: bool) -> String {
        self.clear_sessions(obj).await;
        let o = self.org(obj);
        let who = if active { &o.admin } else { &o.backup };
        let id = remote_assist::request_session(
            &self.pool,
            who,
            &NewSession {
                array_id: o.ra_array_id.clone(),
                case_id: String::new(),
                reason: "Authorization matrix".into(),
                hours: 4,
            },
        )
        .await
        .expect("fresh session");
        if !active {
            // A backup contact's request now opens at once (the site's local administrator);
            // sessions stored as requested before that rule still wait for an admin to start.
            sqlx::query(
                "UPDATE remote_assist_sessions SET state = 'requested', started_at = NULL \
                 WHERE id = $1",
            )
            .bind(&id)
            .execute(&self.pool)
            .await
            .expect("stored as requested");
        }
        id
    }

    /// A new diagnosed replacement on the organization's open case.
    async fn fresh_replacement(&self, obj: Obj, technician: bool) -> String {
        let o = self.org(obj);
        replacements::create(
            &self.pool,
            &self.programs,
            &self.engineer,
            &NewReplacement {
                case_id: o.case_id.clone(),
                part_type: "drive".into(),
                part_number: format!("MATRIX-{}", self.next()),
                quantity: 1,
                technician_required: technician,
                ..NewReplacement::default()
            },
        )
        .await
        .expect("fresh replacement")
    }

    /// A new admin of the organization (no account yet): its designation id.
    async fn fresh_admin(&self, obj: Obj) -> String {
        let o = self.org(obj);
        contacts::add_contact(
            &self.pool,
            &o.admin,
            &NewContact {
                site_id: o.site_id.clone(),
                role: "admin".into(),
                email: format!("fresh-admin{}@{}", self.next(), o.domain),
                name: "Fresh Admin".into(),
                phone: "+1 617 555 0112".into(),
                time_zone: String::new(),
            },
        )
        .await
        .expect("fresh admin")
        .contact_id
    }

    /// The request of one `ADMIN_ROLE` cell, with a fresh object where it changes one.
    async fn admin_role_call(&self, label: &str, obj: Obj, caller: Person) -> Call {
        let path = label.split(' ').next().unwrap_or(label);
        let api = |pairs: &[(&str, &str)]| Call::api(path, pairs);
        let n = self.next().to_string();
        let update = |id: &str, name: &str, role: Option<&str>| {
            let mut pairs = vec![("contact_id", id), ("name", name), ("phone", "+1 555 0100")];
            pairs.extend(role.map(|r| ("role", r)));
            Call::api(path, &pairs)
        };
        match label {
            "contacts/update own role" => {
                let i = CALLERS.iter().position(|c| *c == caller).unwrap_or(0);
                let up = matches!(caller, Person::AcmeCaller | Person::AcmeBackup);
                let role = if up { "admin" } else { "backup_contact" };
                let name: String = sqlx::query_scalar(
                    "SELECT u.name FROM site_contacts c JOIN users u ON u.id = c.user_id WHERE c.id = $1",
                )
                .bind(&self.own_contacts[i])
                .fetch_one(&self.pool)
                .await
                .expect("own name");
                update(&self.own_contacts[i], &name, Some(role))
            }
            "contacts/update grant admin" => {
                let (id, _) = self.fresh_contact(obj).await;
                update(&id, "Fresh Contact", Some("admin"))
            }
            "contacts/update demote an admin" => {
                let id = self.fresh_admin(obj).await;
                update(&id, "Fresh Admin", Some("backup_contact"))
            }
            "contacts/update an admin's details" => {
                let id = self.fresh_admin(obj).await;
                update(&id, "Fresh Admin Renamed", None)
            }
            "contacts/add role=admin" => {
                let o = self.org(obj);
                api(&[
                    ("site_id", &o.site_id),
                    ("role", "admin"),
                    ("email", &format!("added-admin{n}@{}", o.domain)),
                    ("name", "Added Admin"),
                ])
            }
            "contacts/remove an admin" => {
                let id = self.fresh_admin(obj).await;
                api(&[("contact_id", &id), ("confirm", REMOVAL_CONFIRMED)])
            }
            "contacts/reinvite a pending admin" => {
                let id = self.fresh_admin(obj).await;
                api(&[("contact_id", &id)])
            }
            "contacts/settings no-contact order" => {
                let org = match caller.org() {
                    Some(o) => self.org(o),
                    None => &self.acme,
                };
                let on: Option<i64> = sqlx::query_scalar(
                    "SELECT CASE WHEN no_contact THEN 1 ELSE 0 END FROM organization_contact_settings \
                     WHERE organization_id = $1",
                )
                .bind(&org.org_id)
                .fetch_optional(&self.pool)
                .await
                .expect("settings");
                let mut pairs = vec![("team_email", "storage-team@example.com")];
                if on != Some(1) {
                    pairs.push(("no_contact", "on"));
                }
                api(&pairs)
            }
            other => panic!("no request for {other}: add it to Fx::admin_role_call"),
        }
    }

    async fn fresh_order(&self, obj: Obj) -> String {
        let o = self.org(obj);
        notifications::add_no_contact(&self.pool, &o.admin, &o.person_id, "", "")
            .await
            .expect("fresh no-contact order")
    }

    async fn fresh_token(&self, obj: Obj) -> String {
        let o = self.org(obj);
        alerts::create_token(&self.pool, &o.admin, "matrix")
            .await
            .expect("fresh token")
            .id
    }

    /// Gives a signed-in caller a known temporary password, so that the cell changes it back to
    /// the demo one (the later sign-ins need it); what the anonymous caller would send.
    async fn temporary_password(&self, caller: Person) -> &'static str {
        const TEMPORARY: &str = "matrix-temporary-password";
        if let Some((email, _)) = caller.credentials() {
            let phc = portal::server::password::hash(TEMPORARY).expect("hash");
            sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
                .bind(phc)
                .bind(email)
                .execute(&self.pool)
                .await
                .expect("temporary password");
        }
        TEMPORARY
    }

    /// A new reset link for one of the organization's people who is none of the callers (using
    /// it ends every session of its person), as the e-mail carries it.
    async fn fresh_reset_link(&self, obj: Obj) -> String {
        let o = self.org(obj);
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(&o.person_id)
            .fetch_one(&self.pool)
            .await
            .expect("person");
        // The per-account limit (3 an hour) is the request's rule, not this set-up's.
        sqlx::query("DELETE FROM password_reset_requests")
            .execute(&self.pool)
            .await
            .expect("clear reset requests");
        account::request_reset(&self.pool, &email, "192.0.2.200", now_ms())
            .await
            .expect("reset requested");
        let link: String = sqlx::query_scalar(
            "SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id \
             JOIN password_resets r ON r.event_id = e.id \
             WHERE o.recipient = $1 AND r.used_at IS NULL",
        )
        .bind(&email)
        .fetch_one(&self.pool)
        .await
        .expect("reset e-mail");
        link.trim_start_matches("/reset/").to_string()
    }

    /// The request of one cell, with a fresh object where the call changes its object's state.
    async fn call(&self, path: &str, obj: Obj, caller: Person) -> Call {
        let api = |pairs: &[(&str, &str)]| Call::api(path, pairs);
        let o = || self.org(obj);
        let n = self.next().to_string();
        match path {
            "login" => {
                let (email, password) = caller
                    .credentials()
                    .unwrap_or(("dana@acme.example", "acme-dana-demo"));
                api(&[("email", email), ("password", password)])
            }
            "me"
            | "logout"
            | "sla/reference"
            | "dashboard"
            | "cases/form"
            | "notifications/unread"
            | "notifications/page"
            | "remote-assist/overview"
            | "replacements/overview"
            | "replacements/late"
            | "alerts/page"
            | "alerts/tokens" => api(&[]),
            "cases/open" => api(&[
                ("array_id", &o().case_array_id),
                ("severity", "3"),
                ("subject", "Opened by the matrix"),
                ("description", "Authorization matrix test."),
            ]),
            "cases/list" => api(&[("site_id", &o().site_id), ("status", "all")]),
            "cases/detail" => api(&[("id", &o().case_id)]),
            "cases/comment" => api(&[("case_id", &o().case_id), ("body", "Matrix comment")]),
            "cases/raise" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id), ("severity", "2"), ("reason", "Worse now")])
            }
            "cases/confirm" => {
                let id = self.fresh_case(obj, "resolution_proposed").await;
                api(&[("case_id", &id)])
            }
            "cases/reopen" => {
                let id = self.fresh_case(obj, "resolution_proposed").await;
                api(&[("case_id", &id), ("reason", "Still broken")])
            }
            "cases/survey" => {
                let id = self.fresh_case(obj, "closed").await;
                api(&[("case_id", &id), ("rating", "5"), ("comment", "Fine")])
            }
            "cases/support-update" => api(&[
                ("case_id", &o().case_id),
                ("body", "Matrix update"),
                ("public", "on"),
            ]),
            "cases/status" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id), ("status", "in_progress")])
            }
            "cases/severity" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[
                    ("case_id", &id),
                    ("severity", "4"),
                    ("reason", "Less urgent"),
                ])
            }
            // An empty date clears the agreed update: valid on any open case.
            "cases/agreed-update" => api(&[("case_id", &o().case_id), ("due", "")]),
            // A fresh, unassigned case each time: taking an owned case is a conflict.
            "cases/take" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id)])
            }
            "cases/assign" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id), ("engineer_id", &self.engineer.id)])
            }
            // A fresh case each time: a case escalates once and takes one open request.
            "cases/escalate" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id), ("reason", "Specialists needed.")])
            }
            "cases/escalation-request" => {
                let id = self.fresh_case(obj, "new").await;
                api(&[("case_id", &id), ("reason", "Please escalate.")])
            }
            "cases/escalation-ack" | "cases/escalation-close" => {
                let id = self.requested_case(obj).await;
                api(&[("case_id", &id), ("note", "")])
            }
            "contacts/page" | "installed-base/page" => api(&[("org", &o().org_id)]),
            "cases/log-form" => api(&[("org", &o().org_id)]),
            // The organization's admin reported it by phone (an admin may call for any site).
            "cases/log" => api(&[
                ("organization_id", &o().org_id),
                ("array_id", &o().case_array_id),
                ("reporter_id", &o().admin.id),
                ("channel", "phone"),
                ("severity", "3"),
                ("subject", "Logged by the matrix"),
                ("description", "Authorization matrix test."),
            ]),
            "contacts/add" => api(&[
                ("site_id", &o().site_id),
                ("role", "backup_contact"),
                ("email", &format!("added{n}@{}", o().domain)),
                ("name", "Added By Matrix"),
                ("phone", "+1 617 555 0111"),
            ]),
            "contacts/update" => api(&[
                ("contact_id", &o().contact_id),
                ("name", o().contact_name),
                ("phone", "+1 555 0100"),
            ]),
            // Posted as the confirmation step posts it.
            "contacts/remove" => {
                let (id, _) = self.fresh_contact(obj).await;
                api(&[("contact_id", &id), ("confirm", REMOVAL_CONFIRMED)])
            }
            "contacts/reinvite" => api(&[("contact_id", &o().invitee_contact_id)]),
            "contacts/settings" => api(&[
                ("team_email", "storage-team@example.com"),
                ("team_phone", "+1 617 555 0142"),
                ("preferred_hours", "Mon-Fri 08:00-18:00"),
            ]),
            "invitations/info" => {
                let (_, token) = self.fresh_contact(obj).await;
                api(&[("token", &token)])
            }
            "invitations/accept" => {
                let (_, token) = self.fresh_contact(obj).await;
                api(&[
                    ("token", &token),
                    ("password", "matrix-password-2026"),
                    ("password_confirm", "matrix-password-2026"),
                ])
            }
            "account/page" | "account/sign-out-others" => api(&[]),
            "account/two-factor/start" | "login/pending" => api(&[]),
            "account/two-factor/confirm" => api(&[("code", "")]),
            "account/two-factor/off" => {
                api(&[("current_password", "not-the-password"), ("code", "123456")])
            }
            // Unticked: the rule stays off, so later sign-ins of the matrix need no factor.
            "account/two-factor/organization" => api(&[]),
            "login/code" => api(&[("code", "123456")]),
            "account/password" => {
                let current = self.temporary_password(caller).await;
                let new = caller
                    .credentials()
                    .map(|(_, p)| p)
                    .unwrap_or("matrix-password-2026");
                api(&[
                    ("current_password", current),
                    ("password", new),
                    ("password_confirm", new),
                ])
            }
            "password-reset/request" => {
                api(&[("email", &format!("reset{n}@{}", self.acme.domain))])
            }
            "password-reset/complete" => {
                let token = self.fresh_reset_link(obj).await;
                api(&[
                    ("token", &token),
                    ("password", "matrix-password-2026"),
                    ("password_confirm", "matrix-password-2026"),
                ])
            }
            "notifications/read" => api(&[("id", &o().notification_id)]),
            "notifications/preference" => {
                api(&[("kind", "case_opened"), ("enabled", "on"), ("email", "on")])
            }
            "notifications/no-contact/add" => {
                api(&[("person", &o().person_id), ("kind", ""), ("until", "")])
            }
            "notifications/no-contact/lift" => {
                let id = self.fresh_order(obj).await;
                api(&[("id", &id)])
            }
            "remote-assist/request" => {
                self.clear_sessions(obj).await;
                api(&[
                    ("array_id", &o().ra_array_id),
                    ("reason", "Matrix request"),
                    ("hours", "4"),
                ])
            }
            "remote-assist/start" => {
                let id = self.fresh_session(obj, false).await;
                api(&[("session_id", &id)])
            }
            "remote-assist/join" | "remote-assist/end" => {
                let id = self.fresh_session(obj, true).await;
                api(&[("session_id", &id)])
            }
            "remote-assist/extend" => {
                let id = self.fresh_session(obj, true).await;
                api(&[("session_id", &id), ("hours", "1")])
            }
            "replacements/case" => api(&[("case_id", &o().case_id)]),
            "replacements/create" => api(&[
                ("case_id", &o().case_id),
                ("part_type", "drive"),
                ("part_number", &format!("MATRIX-NEW-{n}")),
                ("quantity", "1"),
            ]),
            "replacements/stage" => {
                let id = self.fresh_replacement(obj, false).await;
                api(&[("replacement_id", &id), ("stage", "dispatched")])
            }
            "replacements/confirm-access" => {
                let id = self.fresh_replacement(obj, true).await;
                api(&[("replacement_id", &id)])
            }
            "replacements/propose-window" => {
                let id = self.fresh_replacement(obj, true).await;
                api(&[
                    ("replacement_id", &id),
                    ("window_start", "2030-01-15T09:00"),
                    ("window_end", "2030-01-15T12:00"),
                ])
            }
            "replacements/site-logistics" => api(&[
                ("site_id", &o().site_id),
                ("datacenter_address", "1 Matrix Way"),
                ("grid_coordinates", "Hall 1, row 2"),
                ("access_instructions", "Badge at the front desk."),
                ("delivery_contact_name", "Dock Manager"),
                ("delivery_contact_phone", "+1 617 555 0123"),
            ]),
            "alerts/tokens/create" => api(&[("name", "matrix")]),
            "alerts/tokens/revoke" => {
                let id = self.fresh_token(obj).await;
                api(&[("id", &id)])
            }
            "GET /attachments/{id}" => Call::get(format!("/attachments/{}", o().attachment_id)),
            "POST /cases/{id}/attachments" => Call::upload(&o().case_id),
            "GET /metrics" => Call::get("/metrics".into()),
            "GET /healthz" => Call::get("/healthz".into()),
            "GET /readyz" => Call::get("/readyz".into()),
            other => panic!("no request for {other}: add it to Fx::call"),
        }
    }
}

async fn id_of(pool: &AnyPool, sql: &str, key: &str) -> String {
    sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql} [{key}]: {e}"))
}

/// The demo's objects, plus what it lacks: a backup contact at Globex (for requested Remote
/// Assist sessions), contacts without passwords, Globex's site logistics (for technician
/// replacements), notifications, attachments and alert API tokens of both organizations.
async fn fixture(app: &Router, pool: &AnyPool, cookies: &[Option<String>; 6]) -> Fx {
    let programs = ProgramSet::builtin().expect("programs");
    let engineer = helpers::user(pool, "engineer@support.example").await;
    let acme_admin = helpers::user(pool, "admin@acme.example").await;
    let globex_admin = helpers::user(pool, "admin@globex.example").await;
    let org_sql = "SELECT id FROM organizations WHERE name = $1";
    let site_sql = "SELECT id FROM sites WHERE name = $1";
    let array_sql = "SELECT id FROM arrays WHERE name = $1";
    let case_sql = "SELECT id FROM cases WHERE subject = $1";
    let user_sql = "SELECT id FROM users WHERE email = $1";
    let contact_sql = "SELECT c.id FROM site_contacts c JOIN users u ON u.id = c.user_id \
                       WHERE u.email = $1";

    let tokyo = id_of(pool, site_sql, "Globex Tokyo DC").await;
    let boston = id_of(pool, site_sql, "Acme Boston DC").await;
    let add = |admin: &CurrentUser, site: &str, email: &str, name: &str| {
        let input = NewContact {
            site_id: site.to_string(),
            role: "backup_contact".into(),
            email: email.into(),
            name: name.into(),
            phone: "+1 555 0100".into(),
            time_zone: String::new(),
        };
        let admin = admin.clone();
        async move {
            contacts::add_contact(pool, &admin, &input)
                .await
                .expect("contact added")
                .contact_id
        }
    };
    let globex_backup_contact =
        add(&globex_admin, &tokyo, "backup@globex.example", "Gus Backup").await;
    let acme_invitee = add(&acme_admin, &boston, "invitee@acme.example", "Ivy Invitee").await;
    let globex_backup = helpers::user(pool, "backup@globex.example").await;
    replacements::save_logistics(
        pool,
        &globex_admin,
        &tokyo,
        &LogisticsFields {
            datacenter_address: "1-1 Otemachi, Chiyoda-ku, Tokyo".into(),
            grid_coordinates: "Hall B, row 4".into(),
            access_instructions: "Register at reception 24 hours ahead.".into(),
            delivery_contact_name: "Kenji Dock".into(),
            delivery_contact_phone: "+81 3 5555 0100".into(),
        },
    )
    .await
    .expect("Globex logistics");

    let acme_case = id_of(
        pool,
        case_sql,
        "Latency spikes on production volumes during backups",
    )
    .await;
    let globex_case = id_of(pool, case_sql, "Host connectivity lost on one iSCSI path").await;
    // A public update tells each organization's admin: a notification of their own.
    for case in [&acme_case, &globex_case] {
        cases::support_update(pool, &programs, &engineer, case, "Matrix set-up.", true)
            .await
            .expect("support update");
    }
    let notification_of = |email: &'static str| async move {
        id_of(
            pool,
            "SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE u.email = $1 ORDER BY n.created_at DESC, n.id LIMIT 1",
            email,
        )
        .await
    };
    // One file on each organization's case, uploaded by its admin.
    let attachment_of = |case: String, cookie: Option<String>| async move {
        let a = send(app, &Call::upload(&case), cookie.as_deref(), None).await;
        assert_eq!(
            observed("POST /cases/{id}/attachments", &a),
            200,
            "set-up upload"
        );
        id_of(
            pool,
            "SELECT id FROM case_attachments WHERE case_id = $1 ORDER BY uploaded_at LIMIT 1",
            &case,
        )
        .await
    };
    let token_of = |admin: CurrentUser| async move {
        alerts::create_token(pool, &admin, "matrix monitoring")
            .await
            .expect("token")
            .token
    };

    let acme = OrgFx {
        backup: helpers::user(pool, "backup@acme.example").await,
        org_id: id_of(pool, org_sql, "Acme Corp").await,
        site_id: boston.clone(),
        case_array_id: id_of(pool, array_sql, "FlashArray//X70 boston-prod-01").await,
        serial: "PSX70-BOS-0001".into(),
        ra_array_id: id_of(pool, array_sql, "FlashArray//X20 boston-dev-01").await,
        case_id: acme_case.clone(),
        contact_id: id_of(pool, contact_sql, "dana@acme.example").await,
        contact_name: "Dana Dispatch",
        invitee_contact_id: acme_invitee,
        person_id: id_of(pool, user_sql, "dana@acme.example").await,
        notification_id: notification_of("admin@acme.example").await,
        attachment_id: attachment_of(acme_case, cookies[1].clone()).await,
        token: token_of(acme_admin.clone()).await,
        domain: "acme.example",
        admin: acme_admin,
    };
    let globex = OrgFx {
        backup: globex_backup.clone(),
        org_id: id_of(pool, org_sql, "Globex").await,
        site_id: tokyo,
        case_array_id: id_of(pool, array_sql, "FlashArray//X50 tokyo-prod-01").await,
        serial: "PSX50-TYO-0001".into(),
        ra_array_id: id_of(pool, array_sql, "FlashArray//X50 tokyo-prod-01").await,
        case_id: globex_case.clone(),
        contact_id: globex_backup_contact.clone(),
        contact_name: "Gus Backup",
        invitee_contact_id: globex_backup_contact,
        person_id: globex_backup.id.clone(),
        notification_id: notification_of("admin@globex.example").await,
        attachment_id: attachment_of(globex_case, cookies[4].clone()).await,
        token: token_of(globex_admin.clone()).await,
        domain: "globex.example",
        admin: globex_admin,
    };
    let own = |email: &'static str| id_of(pool, contact_sql, email);
    let acme_admin_contact = own("admin@acme.example").await;
    let own_contacts = [
        acme_admin_contact.clone(),
        acme_admin_contact.clone(),
        own("caller@acme.example").await,
        own("backup@acme.example").await,
        own("admin@globex.example").await,
        acme_admin_contact,
    ];
    Fx {
        pool: pool.clone(),
        programs,
        engineer,
        acme,
        globex,
        own_contacts,
        seq: AtomicU32::new(1),
    }
}

// ---- What a refusal must leave alone, and what an answer must not name ----

/// Tables a refused call may touch: the sign-in bookkeeping (sessions, attempts) and the alert
/// API's per-minute request counter.
const MAY_CHANGE: &[&str] = &[
    "sessions",
    "login_attempts",
    "login_throttle",
    "api_token_usage",
];

/// Everything that identifies an organization's data: ids of its objects, serials, e-mail
/// addresses, site and organization names.
async fn markers(pool: &AnyPool, org_id: &str) -> Vec<String> {
    let sql = "SELECT id AS v FROM organizations WHERE id = $1 \
        UNION ALL SELECT name FROM organizations WHERE id = $1 \
        UNION ALL SELECT id FROM sites WHERE organization_id = $1 \
        UNION ALL SELECT name FROM sites WHERE organization_id = $1 \
        UNION ALL SELECT a.id FROM arrays a JOIN sites s ON s.id = a.site_id WHERE s.organization_id = $1 \
        UNION ALL SELECT a.serial FROM arrays a JOIN sites s ON s.id = a.site_id WHERE s.organization_id = $1 \
        UNION ALL SELECT id FROM cases WHERE organization_id = $1 \
        UNION ALL SELECT id FROM users WHERE organization_id = $1 \
        UNION ALL SELECT email FROM users WHERE organization_id = $1 \
        UNION ALL SELECT c.id FROM site_contacts c JOIN sites s ON s.id = c.site_id WHERE s.organization_id = $1 \
        UNION ALL SELECT id FROM remote_assist_sessions WHERE organization_id = $1 \
        UNION ALL SELECT id FROM replacements WHERE organization_id = $1 \
        UNION ALL SELECT id FROM api_tokens WHERE organization_id = $1 \
        UNION ALL SELECT id FROM no_contact_orders WHERE organization_id = $1 \
        UNION ALL SELECT f.id FROM case_attachments f JOIN cases c ON c.id = f.case_id WHERE c.organization_id = $1 \
        UNION ALL SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.organization_id = $1";
    sqlx::query_scalar(sql)
        .bind(org_id)
        .fetch_all(pool)
        .await
        .expect("markers")
}

/// What of another organization a successful answer to `caller` names, if anything (an id the
/// request itself carried, e.g. a list filter, is only echoed).
async fn leaks(fx: &Fx, caller: Person, call: &Call, body: &str) -> Vec<String> {
    let request = format!("{} {}", call.uri, String::from_utf8_lossy(&call.body));
    let foreign: Vec<Obj> = match caller.org() {
        Some(Obj::Acme) => vec![Obj::Globex],
        Some(_) => vec![Obj::Acme],
        None if caller == Person::Anonymous => vec![Obj::Acme, Obj::Globex],
        None => return Vec::new(),
    };
    let mut found = Vec::new();
    for obj in foreign {
        for m in markers(&fx.pool, &fx.org(obj).org_id).await {
            if !m.is_empty() && body.contains(&m) && !request.contains(&enc(&m)) {
                found.push(m);
            }
        }
    }
    found
}

// ---- The test ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_caller_on_every_organizations_objects() {
    check_table_is_complete();
    for db in helpers::seeded().await {
        let started = std::time::Instant::now();
        run_matrix(db.backend, &db.pool).await;
        eprintln!(
            "{}: authorization matrix in {:.1} s",
            db.backend,
            started.elapsed().as_secs_f64()
        );
    }
}

/// The table covers exactly the live server functions, each either without an object or
/// with both organizations' objects, for every caller.
fn check_table_is_complete() {
    let live: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| {
            path.strip_prefix("/api/")
                .unwrap_or_else(|| panic!("server function outside /api/: {path}"))
                .to_string()
        })
        .collect();
    let mut objects: BTreeMap<&str, BTreeSet<Obj>> = BTreeMap::new();
    for (path, obj, _) in MATRIX {
        assert!(
            objects.entry(path).or_default().insert(*obj),
            "{path} {obj:?} is in the table twice"
        );
    }
    let tabled: BTreeSet<String> = objects
        .keys()
        .filter(|p| !p.contains(' '))
        .map(|p| p.to_string())
        .collect();
    let missing: Vec<&String> = live.difference(&tabled).collect();
    let stale: Vec<&String> = tabled.difference(&live).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the authorization matrix (add a row for each caller \
         and object): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "the authorization matrix lists functions that do not exist: {stale:?}"
    );
    for (path, objs) in &objects {
        let fine =
            objs.iter().eq([Obj::None].iter()) || objs.iter().eq([Obj::Acme, Obj::Globex].iter());
        assert!(
            fine,
            "{path}: a row without an object, or one row for Acme's and one for Globex's"
        );
    }
}

/// Sends one call and checks its answer: the expected status, never a 5xx, no other
/// organization's data in a success, nothing stored by a refusal.
struct Runner<'a> {
    backend: &'static str,
    app: Router,
    fx: &'a Fx,
    counting: String,
    failures: Vec<String>,
    report: Vec<String>,
    cells: usize,
}

impl Runner<'_> {
    async fn check(
        &mut self,
        label: &str,
        path: &str,
        caller: Person,
        cookie: Option<&str>,
        call: &Call,
        want: Option<Expect>,
    ) -> Answer {
        let pool = &self.fx.pool;
        let before = helpers::table_counts(pool, &self.counting).await;
        let answer = send(&self.app, call, cookie, None).await;
        let status = observed(path, &answer);
        self.cells += 1;
        let cell = format!("{}: {caller:?} {} {label}", self.backend, call.method);
        if status >= 500 || want.is_some_and(|w| !w.accepts(status)) {
            self.failures.push(format!(
                "{cell}: expected {want:?}, got {status}: {:.300}",
                answer.body
            ));
        }
        if (200..400).contains(&status) {
            if !NO_LEAK_CHECK.contains(&path) {
                let leaked = leaks(self.fx, caller, call, &answer.body).await;
                if !leaked.is_empty() {
                    self.failures.push(format!(
                        "{cell}: the answer names another organization's {leaked:?}: {:.300}",
                        answer.body
                    ));
                }
            }
        } else {
            let after = helpers::table_counts(pool, &self.counting).await;
            if after != before {
                let changed: Vec<String> = after
                    .iter()
                    .filter(|(k, v)| before.get(*k) != Some(v))
                    .map(|(k, v)| format!("{k}: {:?} -> {v}", before.get(k)))
                    .collect();
                self.failures.push(format!(
                    "{cell}: refused with {status} but stored {changed:?}"
                ));
            }
        }
        Answer { status, ..answer }
    }
}

/// Calls on one's own object whose second argument names another organization's object.
/// Each must be refused as an invalid choice, storing nothing.
async fn mixed_references(fx: &Fx) -> Vec<(&'static str, Person, Call)> {
    let (a, g) = (&fx.acme, &fx.globex);
    fx.clear_sessions(Obj::Acme).await;
    vec![
        (
            "cases/open: own array, Globex's site",
            Person::AcmeCaller,
            Call::api(
                "cases/open",
                &[
                    ("site_id", &g.site_id),
                    ("array_id", &a.case_array_id),
                    ("severity", "3"),
                    ("subject", "Mixed"),
                    ("description", "Mixed references."),
                ],
            ),
        ),
        (
            "remote-assist/request: own array, Globex's case",
            Person::AcmeAdmin,
            Call::api(
                "remote-assist/request",
                &[
                    ("array_id", &a.ra_array_id),
                    ("case_id", &g.case_id),
                    ("reason", "Mixed"),
                    ("hours", "2"),
                ],
            ),
        ),
        (
            "remote-assist/request: own array, Acme's case",
            Person::GlobexAdmin,
            Call::api(
                "remote-assist/request",
                &[
                    ("array_id", &g.ra_array_id),
                    ("case_id", &a.case_id),
                    ("reason", "Mixed"),
                    ("hours", "2"),
                ],
            ),
        ),
        (
            "contacts/add: own site, a Globex person",
            Person::AcmeAdmin,
            Call::api(
                "contacts/add",
                &[
                    ("site_id", &a.site_id),
                    ("role", "backup_contact"),
                    ("email", "admin@globex.example"),
                    ("name", "Gina Globex"),
                ],
            ),
        ),
        (
            "contacts/add: own site, an Acme person",
            Person::GlobexAdmin,
            Call::api(
                "contacts/add",
                &[
                    ("site_id", &g.site_id),
                    ("role", "backup_contact"),
                    ("email", "caller@acme.example"),
                    ("name", "Carl Person"),
                ],
            ),
        ),
        (
            "contacts/add: own site, vendor staff",
            Person::AcmeBackup,
            Call::api(
                "contacts/add",
                &[
                    ("site_id", &a.site_id),
                    ("role", "backup_contact"),
                    ("email", "engineer@support.example"),
                    ("name", "Sam Support"),
                ],
            ),
        ),
        (
            "notifications/no-contact/add: vendor staff",
            Person::AcmeAdmin,
            Call::api(
                "notifications/no-contact/add",
                &[("person", &fx.engineer.id), ("kind", ""), ("until", "")],
            ),
        ),
        (
            "replacements/create: Acme's case, Globex's array",
            Person::Engineer,
            Call::api(
                "replacements/create",
                &[
                    ("case_id", &a.case_id),
                    ("array_id", &g.case_array_id),
                    ("part_type", "drive"),
                    ("part_number", "MIXED-1"),
                    ("quantity", "1"),
                ],
            ),
        ),
        (
            "replacements/create: Globex's case, Acme's array",
            Person::Engineer,
            Call::api(
                "replacements/create",
                &[
                    ("case_id", &g.case_id),
                    ("array_id", &a.case_array_id),
                    ("part_type", "drive"),
                    ("part_number", "MIXED-2"),
                    ("quantity", "1"),
                ],
            ),
        ),
    ]
}

/// The server-rendered pages run the same server functions in-process: whatever they render
/// for a customer must name nothing of another organization either.
fn pages(fx: &Fx) -> Vec<String> {
    let mut out: Vec<String> = [
        "/",
        "/cases",
        "/cases?status=all",
        "/cases/new",
        "/contacts",
        "/installed-base",
        "/remote-assist",
        "/replacements",
        "/notifications",
        "/alerts",
        "/sla",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for o in [&fx.acme, &fx.globex] {
        out.push(format!("/cases/{}", o.case_id));
        out.push(format!("/contacts?org={}", o.org_id));
        out.push(format!("/installed-base?org={}", o.org_id));
    }
    out
}

async fn run_matrix(backend: &'static str, pool: &AnyPool) {
    let app = portal::router::build(helpers::state(pool.clone()));
    let mut cookies: [Option<String>; 6] = Default::default();
    for (i, caller) in CALLERS.iter().enumerate() {
        if let Some((email, password)) = caller.credentials() {
            cookies[i] = Some(sign_in(&app, email, password).await);
        }
    }
    let fx = fixture(&app, pool, &cookies).await;
    let mut run = Runner {
        backend,
        app: app.clone(),
        fx: &fx,
        counting: helpers::counting_query(pool, backend, MAY_CHANGE).await,
        failures: Vec::new(),
        report: Vec::new(),
        cells: 0,
    };

    // Sign-out ends the sessions the other cells use: it runs last.
    let (last, first): (Vec<_>, Vec<_>) = MATRIX.iter().partition(|r| r.0 == "logout");
    for (n, &&(path, obj, expected)) in first.iter().chain(last.iter()).enumerate() {
        if n == first.len() {
            // Before signing out: mixed references and the rendered pages.
            for (label, caller, call) in mixed_references(&fx).await {
                let i = CALLERS.iter().position(|c| *c == caller).unwrap_or(0);
                let a = run
                    .check(
                        label,
                        &call.uri[5..],
                        caller,
                        cookies[i].as_deref(),
                        &call,
                        Some(E422),
                    )
                    .await;
                run.report
                    .push(format!("mixed: {label:52} {caller:?}: {}", a.status));
            }
            for page in pages(&fx) {
                let mut line = format!("page {page:56}");
                for (i, &caller) in CALLERS.iter().enumerate() {
                    let mut call = Call::get(page.clone());
                    call.accept = "text/html";
                    let a = run
                        .check(&page, &page, caller, cookies[i].as_deref(), &call, None)
                        .await;
                    line.push_str(&format!(" {:>4}", a.status));
                }
                run.report.push(line);
            }
            for &(label, obj, expected) in ADMIN_ROLE {
                let path = label.split(' ').next().unwrap_or(label);
                let mut line = format!("{label:44} {obj:7?}");
                for (i, &caller) in CALLERS.iter().enumerate() {
                    let call = fx.admin_role_call(label, obj, caller).await;
                    let cell = format!("{label} ({obj:?})");
                    let a = run
                        .check(
                            &cell,
                            path,
                            caller,
                            cookies[i].as_deref(),
                            &call,
                            Some(expected[i]),
                        )
                        .await;
                    line.push_str(&format!(" {:>4}", a.status));
                }
                run.report.push(line);
            }
        }
        let mut line = format!("{path:32} {obj:7?}");
        for (i, &caller) in CALLERS.iter().enumerate() {
            let call = fx.call(path, obj, caller).await;
            let label = format!("{path} ({obj:?})");
            let answer = run
                .check(
                    &label,
                    path,
                    caller,
                    cookies[i].as_deref(),
                    &call,
                    Some(expected[i]),
                )
                .await;
            line.push_str(&format!(" {:>4}", answer.status));
            // Signing in again replaces the caller's session.
            if path == "login" && cookies[i].is_some() {
                cookies[i] = Some(session_cookie(&answer).expect("a new session cookie"));
            }
        }
        run.report.push(line);
    }
    let Runner {
        mut failures,
        mut report,
        mut cells,
        counting,
        ..
    } = run;

    // Signed out means signed out on the server: the old cookie is nobody now.
    for (i, caller) in CALLERS.iter().enumerate() {
        if let Some(cookie) = &cookies[i] {
            let a = send(&app, &Call::api("dashboard", &[]), Some(cookie), None).await;
            if a.status != 401 {
                failures.push(format!(
                    "{backend}: {caller:?} still signed in after logout: {}",
                    a.status
                ));
            }
        }
    }

    // The alert API: bearer tokens of one organization never reach another's arrays.
    let revoked = {
        let t = alerts::create_token(pool, &fx.acme.admin, "revoked")
            .await
            .expect("token");
        alerts::revoke_token(pool, &fx.acme.admin, &t.id)
            .await
            .expect("revoke");
        t.token
    };
    let cookie_of = |caller: Person| caller.credentials().expect("a signed-in caller");
    for &(sender, obj, want) in INGEST {
        let serial = &fx.org(obj).serial;
        let body = serde_json::json!({
            "array_serial": serial,
            "alert_id": format!("matrix-{}", fx.next()),
            "code": "matrix_check",
            "severity": "warning",
            "summary": "Authorization matrix",
            "started_at": "2026-01-01T00:00:00Z",
        })
        .to_string();
        let call = Call {
            method: Method::POST,
            uri: "/api/v1/alerts".into(),
            content_type: Some("application/json".into()),
            body: body.into_bytes(),
            accept: "application/json",
        };
        let (bearer, cookie) = match sender {
            Sender::Nobody => (None, None),
            Sender::AcmeToken => (Some(fx.acme.token.clone()), None),
            Sender::GlobexToken => (Some(fx.globex.token.clone()), None),
            Sender::RevokedAcmeToken => (Some(revoked.clone()), None),
            Sender::AcmeAdminCookie => {
                let (e, p) = cookie_of(Person::AcmeAdmin);
                (None, Some(sign_in(&app, e, p).await))
            }
            Sender::GlobexAdminCookie => {
                let (e, p) = cookie_of(Person::GlobexAdmin);
                (None, Some(sign_in(&app, e, p).await))
            }
        };
        let before = helpers::table_counts(pool, &counting).await;
        let a = send(&app, &call, cookie.as_deref(), bearer.as_deref()).await;
        cells += 1;
        report.push(format!(
            "POST /api/v1/alerts {sender:?} -> {obj:?} array: {}",
            a.status
        ));
        if !want.accepts(a.status) {
            failures.push(format!(
                "{backend}: alert API as {sender:?} on {obj:?}'s array: expected {want:?}, got {}: {:.300}",
                a.status, a.body
            ));
        }
        if !(200..400).contains(&a.status) && helpers::table_counts(pool, &counting).await != before
        {
            failures.push(format!(
                "{backend}: alert API as {sender:?} on {obj:?}'s array refused but stored rows"
            ));
        }
    }

    eprintln!(
        "{backend}: {cells} cells; observed statuses (columns: anon, Acme admin, Acme caller, \
         Acme backup, Globex admin, engineer):\n{}",
        report.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} authorization matrix cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
