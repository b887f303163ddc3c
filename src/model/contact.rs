//! Support contacts: who speaks for a customer at each site, the team's contact settings and the
//! history of changes. Shared by the server and the browser.
use crate::model::Role;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// "A customer can designate up to five authorized callers per site" (support guides).
pub const MAX_CALLERS_PER_SITE: i64 = 5;
/// An invitation link works this long, once.
pub const INVITATION_DAYS: i64 = 7;
pub const NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 50;
pub const HOURS_MAX: usize = 200;
/// The shortest password an invited person may choose; equals the server's
/// `password::MIN_PASSWORD_LEN` (a server test checks), repeated here for the browser build.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The roles a customer's contact can hold at a site, in the order the page lists them.
pub const CONTACT_ROLES: [Role; 3] = [Role::Admin, Role::BackupContact, Role::AuthorizedCaller];

/// One person's role at one site, with their details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The designation (`site_contacts.id`): what edit and remove act on.
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub time_zone: String,
    pub role: Role,
    /// Has a password and an active account.
    pub can_sign_in: bool,
    /// No password yet, and an unused, unexpired invitation link exists.
    pub invitation_pending: bool,
    /// The viewer themselves: they may edit their own details.
    pub is_me: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteContacts {
    pub site_id: String,
    pub site_name: String,
    pub time_zone: String,
    /// Admins, then backup contacts, then authorized callers, each by name.
    pub contacts: Vec<Contact>,
    pub caller_count: i64,
    pub caller_limit: i64,
    pub has_admin: bool,
}

/// How the vendor reaches the whole team, and when it must not call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSettings {
    pub team_email: String,
    pub team_phone: String,
    pub no_contact: bool,
    /// Last day of the no-contact order (inclusive); `None`: until lifted.
    pub no_contact_until: Option<NaiveDate>,
    pub preferred_hours: String,
    /// The order is on and its end date (if any) is not past.
    pub no_contact_in_force: bool,
}

/// One change of the organization's contacts, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// `None` when the system acted.
    pub actor_name: Option<String>,
    pub action: String,
    /// One sentence: what changed.
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
}

/// Everything the contacts page shows, already filtered for the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactsPage {
    /// `None` when vendor staff have not chosen an organization yet.
    pub organization: Option<OrgRef>,
    pub sites: Vec<SiteContacts>,
    pub settings: ContactSettings,
    /// Admins, and backup contacts at a site with an admin: add, edit and remove contacts.
    pub can_manage: bool,
    /// Admins only: grant and change the admin role, and edit, remove or re-invite the people who
    /// hold it.
    pub manages_admins: bool,
    /// The invitation links this session made since it last showed the page: shown this once.
    pub new_invitations: Vec<InvitationNotice>,
    /// Present for those who can manage only.
    pub history: Option<Vec<HistoryEntry>>,
    /// Vendor staff: the organizations to choose from (read-only view).
    pub organizations: Vec<OrgRef>,
    /// The designation the page was asked to confirm as ended (`?removed=`), for those who
    /// manage: said at the top of the page the removal lands on.
    pub removed: Option<RemovalNotice>,
}

/// A designation that was just ended, as the removal's confirmation says it: "Ivy Invitee is no
/// longer a contact at Acme Boston DC".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalNotice {
    pub name: String,
    pub email: String,
    pub site_name: String,
    /// The viewer removed their own designation.
    pub was_me: bool,
}

impl RemovalNotice {
    pub fn sentence(&self) -> String {
        if self.was_me {
            format!("You are no longer a contact at {}.", self.site_name)
        } else {
            format!(
                "{} is no longer a contact at {}.",
                self.name, self.site_name
            )
        }
    }
}

/// The value a removal form posts in `confirm`: the server ends a designation only when the
/// person went through the confirmation step that names it.
pub const REMOVAL_CONFIRMED: &str = "yes";

/// What a new contact needs, as posted by the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContact {
    pub site_id: String,
    pub role: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    /// Empty: the site's time zone.
    pub time_zone: String,
}

/// A change to a contact. `role` is `None` when the form has no role field (own details).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactUpdate {
    pub name: String,
    pub phone: String,
    pub time_zone: String,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsInput {
    pub team_email: String,
    pub team_phone: String,
    pub no_contact: bool,
    /// `YYYY-MM-DD` or empty.
    pub no_contact_until: String,
    pub preferred_hours: String,
}

/// A new invitation link, on the contacts page of the session that made it, once (the person
/// also gets it by e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationNotice {
    pub name: String,
    pub email: String,
    /// `/invite/<token>`.
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

pub fn invitation_path(token: &str) -> String {
    format!("/invite/{token}")
}

/// What the invitation page shows before the person chooses a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub name: String,
    pub email: String,
    pub organization_name: String,
    pub expires_at: DateTime<Utc>,
}

/// A history action in words.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "contact.add" => "Contact added",
        "contact.update" => "Contact changed",
        "contact.remove" => "Contact removed",
        "contact.invite" => "Invitation link created",
        "contact.settings" => "Team settings changed",
        "invitation.accept" => "Invitation accepted",
        _ => "Change",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_listed_admin_first() {
        assert_eq!(CONTACT_ROLES[0], Role::Admin);
        assert!(!CONTACT_ROLES.iter().any(|r| r.is_staff()));
        assert_eq!(invitation_path("ab"), "/invite/ab");
        assert_eq!(action_label("contact.add"), "Contact added");
    }
}
