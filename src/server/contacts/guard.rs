//! Who may change an organization's contacts, and the lock every change takes first.
//!
//! From the support guides (`../shared/seeds/`): "the Pure1 Admin is responsible for the
//! administration of contacts"; backup contacts "should be located at the same site as the Pure1
//! Admin and be able to perform all the necessary duties on the FlashArray or FlashBlade,
//! including contacting Pure Storage Support and opening RA sessions when required". So a backup
//! contact at a site with an admin keeps the site's other contacts up to date, but the admin role
//! and the admins themselves are the admins' alone: only an admin grants, changes or removes the
//! admin role, or edits, removes or re-invites a person who holds it. Nobody changes their own
//! role (a change of one's own standing needs a second person).
use super::queries::roles_of;
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::customer_org;
use crate::server::db::{begin_write, WriteTx};
use sqlx::{AnyConnection, AnyPool};

/// How far someone may change the organization's contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Manager {
    /// An admin at one of the organization's sites: every contact and role.
    Admin,
    /// A backup contact at a site where the organization has an admin: contacts who are not
    /// admins, with roles other than admin.
    Backup,
}

impl Manager {
    /// Refuses anyone but an admin.
    pub(super) fn require_admin(self) -> Result<(), AppError> {
        match self {
            Manager::Admin => Ok(()),
            Manager::Backup => Err(AppError::Forbidden),
        }
    }

    /// Refuses a backup contact a change that concerns the admin role (`touches_admin`).
    pub(super) fn may_touch_admin(self, touches_admin: bool) -> Result<(), AppError> {
        if touches_admin {
            self.require_admin()?;
        }
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct ManagerRow {
    admin: i64,
    backup: i64,
}

/// Whether and how the user manages the organization's contacts. Read from the designations,
/// not the session's role, so a change takes effect on the next request.
pub(super) async fn manager(
    conn: &mut AnyConnection,
    user_id: &str,
    org: &str,
) -> Result<Option<Manager>, AppError> {
    let row: ManagerRow = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN c.role = 'admin' THEN 1 ELSE 0 END), 0) AS admin, \
                COALESCE(SUM(CASE WHEN c.role = 'backup_contact' AND EXISTS ( \
                    SELECT 1 FROM site_contacts a WHERE a.site_id = c.site_id AND a.role = 'admin') \
                    THEN 1 ELSE 0 END), 0) AS backup \
         FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE c.user_id = $1 AND s.organization_id = $2",
    )
    .bind(user_id)
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if row.admin > 0 {
        Some(Manager::Admin)
    } else if row.backup > 0 {
        Some(Manager::Backup)
    } else {
        None
    })
}

/// Whether the person holds the admin role at any of their sites: editing, removing or
/// re-inviting them (even at a site where they hold another role) is an admin's business.
pub(super) async fn holds_admin(conn: &mut AnyConnection, user_id: &str) -> Result<bool, AppError> {
    Ok(roles_of(conn, user_id).await?.contains(&Role::Admin))
}

/// The refusal of a change to one's own role, with the way forward.
pub(super) fn own_role_refused() -> AppError {
    AppError::invalid(
        "role",
        "You cannot change your own role. Another admin of your organization can change it.",
    )
}

/// Takes the organization's contacts lock (see the module comment). Must be the transaction's
/// first statement: on SQLite a transaction that reads before it writes fails when another
/// writer got in between, while one that writes first waits for the lock.
pub(super) async fn lock_org(conn: &mut AnyConnection, org: &str) -> Result<(), AppError> {
    let n = sqlx::query(
        "UPDATE organizations SET contacts_version = contacts_version + 1 WHERE id = $1",
    )
    .bind(org)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Starts a change of the organization's contacts: validates first, then locks, then checks
/// that the user may manage contacts (after the lock, so a concurrent demotion counts).
pub(super) async fn begin_managed(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<(WriteTx, String, Manager), AppError> {
    let org = customer_org(user)?.to_string();
    let mut tx = begin_write(pool).await?;
    lock_org(&mut tx, &org).await?;
    let Some(power) = manager(&mut tx, &user.id, &org).await? else {
        return Err(AppError::Forbidden);
    };
    Ok((tx, org, power))
}
