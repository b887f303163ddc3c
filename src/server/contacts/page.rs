//! The contacts page: the viewer's organization (vendor staff: the one they chose, read-only),
//! its sites with their contacts, the team settings and, for those who manage, the history.
use super::flash;
use super::guard::{manager, Manager};
use super::history::{history, removal_notice};
use super::queries::{settings_of, stored_role};
use crate::model::contact::InvitationNotice;
use crate::model::contact::{
    Contact, ContactSettings, ContactsPage, SiteContacts, CONTACT_ROLES, MAX_CALLERS_PER_SITE,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::ids::now_ms;
use crate::server::orgs::{chosen_org, ChosenOrg};
use crate::server::rows::Flag;
use crate::server::shown_once::ShownOnce;
use sqlx::{AnyConnection, AnyPool};

/// The contacts page for the viewer's organization (vendor staff: the one they chose, read-only).
/// Another organization's id answers "not found", like an unknown one.
pub async fn contacts_page(
    pool: &AnyPool,
    user: &CurrentUser,
    org_id: Option<&str>,
) -> Result<ContactsPage, AppError> {
    let mut conn = pool.acquire().await?;
    let ChosenOrg { org, organizations } = chosen_org(&mut conn, user, org_id).await?;
    let Some(org) = org else {
        return Ok(ContactsPage {
            organization: None,
            sites: Vec::new(),
            settings: ContactSettings::default(),
            can_manage: false,
            manages_admins: false,
            new_invitations: Vec::new(),
            history: None,
            organizations,
            removed: None,
        });
    };
    let power = if user.role.is_staff() {
        None
    } else {
        manager(&mut conn, &user.id, &org.id).await?
    };
    let manage = power.is_some();
    let rows = site_contacts(&mut conn, &org.id, now_ms()).await?;
    let sites = group_by_site(rows, &user.id)?;
    let settings = settings_of(&mut conn, &org.id).await?;
    let history = if manage {
        Some(history(&mut conn, &org.id).await?)
    } else {
        None
    };
    Ok(ContactsPage {
        organization: Some(org),
        sites,
        settings,
        can_manage: manage,
        manages_admins: power == Some(Manager::Admin),
        new_invitations: Vec::new(),
        history,
        organizations,
        removed: None,
    })
}

/// `contacts_page` as the session `session_id` (`sessions.id`) sees it: with the invitation
/// links it made since its last contacts page, this once, and, when the page is where a removal
/// landed (`removed`: the ended designation's id), the removal said in words.
pub async fn contacts_page_showing(
    pool: &AnyPool,
    user: &CurrentUser,
    org_id: Option<&str>,
    session_id: &str,
    memo: Option<&ShownOnce<Vec<InvitationNotice>>>,
    removed: Option<&str>,
) -> Result<ContactsPage, AppError> {
    let mut page = contacts_page(pool, user, org_id).await?;
    if page.can_manage {
        page.new_invitations = flash::take_for_request(pool, memo, session_id, now_ms()).await?;
        if let (Some(org), Some(id)) = (&page.organization, removed) {
            let mut conn = pool.acquire().await?;
            page.removed = removal_notice(&mut conn, &org.id, id, user).await?;
        }
    }
    Ok(page)
}

/// The rows (ordered by site, then person) as sites with their contacts, each site's contacts
/// by role.
fn group_by_site(rows: Vec<SiteContactRow>, me: &str) -> Result<Vec<SiteContacts>, AppError> {
    let mut sites: Vec<SiteContacts> = Vec::new();
    for r in rows {
        if sites.last().is_none_or(|s| s.site_id != r.site_id) {
            sites.push(SiteContacts {
                site_id: r.site_id.clone(),
                site_name: r.site_name.clone(),
                time_zone: r.site_tz.clone(),
                contacts: Vec::new(),
                caller_count: 0,
                caller_limit: MAX_CALLERS_PER_SITE,
                has_admin: false,
            });
        }
        let Some(site) = sites.last_mut() else {
            continue;
        };
        let Some(contact) = r.contact(me)? else {
            continue;
        };
        site.caller_count += i64::from(contact.role == Role::AuthorizedCaller);
        site.has_admin |= contact.role == Role::Admin;
        site.contacts.push(contact);
    }
    for site in &mut sites {
        // Stable sort: by role, names stay in the query's order within a role.
        site.contacts.sort_by_key(|c| {
            CONTACT_ROLES
                .iter()
                .position(|r| *r == c.role)
                .unwrap_or(CONTACT_ROLES.len())
        });
    }
    Ok(sites)
}

/// A site, with one of its designations (`None` columns: a site without any).
#[derive(sqlx::FromRow)]
struct SiteContactRow {
    site_id: String,
    site_name: String,
    site_tz: String,
    id: Option<String>,
    role: Option<String>,
    user_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    time_zone: Option<String>,
    #[sqlx(try_from = "i64")]
    can_sign_in: Flag,
    #[sqlx(try_from = "i64")]
    invitation_pending: Flag,
}

/// The organization's sites and designations, by site, then by person.
async fn site_contacts(
    conn: &mut AnyConnection,
    org: &str,
    now: i64,
) -> Result<Vec<SiteContactRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone AS site_tz, \
                c.id, c.role, u.id AS user_id, u.name, u.email, u.phone, u.time_zone, \
                CASE WHEN u.active AND u.password_hash IS NOT NULL THEN 1 ELSE 0 END AS can_sign_in, \
                CASE WHEN u.password_hash IS NULL AND EXISTS ( \
                    SELECT 1 FROM invitations i WHERE i.user_id = u.id AND i.used_at IS NULL \
                      AND i.expires_at > $2) THEN 1 ELSE 0 END AS invitation_pending \
         FROM sites s \
         LEFT JOIN site_contacts c ON c.site_id = s.id \
         LEFT JOIN users u ON u.id = c.user_id \
         WHERE s.organization_id = $1 \
         ORDER BY s.name, s.id, u.name, u.email",
    )
    .bind(org)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?)
}

impl SiteContactRow {
    /// The row's designation, `None` for a site without any.
    fn contact(self, me: &str) -> Result<Option<Contact>, AppError> {
        let Some(id) = self.id else {
            return Ok(None);
        };
        let user_id = present(self.user_id)?;
        Ok(Some(Contact {
            id,
            is_me: user_id == me,
            user_id,
            name: present(self.name)?,
            email: present(self.email)?,
            phone: present(self.phone)?,
            time_zone: present(self.time_zone)?,
            role: stored_role(&present(self.role)?)?,
            can_sign_in: self.can_sign_in.0,
            invitation_pending: self.invitation_pending.0,
        }))
    }
}

/// A column a designation always has (NOT NULL, reached through its foreign key).
fn present<T>(v: Option<T>) -> Result<T, AppError> {
    v.ok_or_else(|| AppError::Internal("designation without its person".into()))
}
