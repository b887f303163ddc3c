//! The rules a change of contacts must keep, checked after it is written (the caller holds the
//! lock), and the account kept in step with the person's designations.
use super::queries::{
    activate_as, count_admins, count_at_site, deactivate, end_sessions, revoke_invitations,
    roles_of,
};
use crate::model::contact::{CONTACT_ROLES, MAX_CALLERS_PER_SITE};
use crate::model::{AppError, Role};
use sqlx::AnyConnection;

/// The rules a change may break, checked after it is written (the caller holds the lock).
pub(super) async fn check_rules(
    conn: &mut AnyConnection,
    org: &str,
    site_id: &str,
    site_name: &str,
) -> Result<(), AppError> {
    if count_at_site(conn, site_id, Role::AuthorizedCaller).await? > MAX_CALLERS_PER_SITE {
        return Err(AppError::invalid(
            "role",
            format!(
                "{site_name} already has {MAX_CALLERS_PER_SITE} authorized callers, the most a \
                 site can have. Remove one before adding another."
            ),
        ));
    }
    if count_at_site(conn, site_id, Role::BackupContact).await? > 0
        && count_at_site(conn, site_id, Role::Admin).await? == 0
    {
        return Err(AppError::invalid(
            "role",
            format!(
                "Backup contacts must be at a site where your organization has an admin, and \
                 {site_name} would have none. Make someone admin at {site_name} first."
            ),
        ));
    }
    if count_admins(conn, org).await? == 0 {
        return Err(AppError::invalid(
            "role",
            "Your organization must always have an admin. Make someone else admin first.",
        ));
    }
    Ok(())
}

/// Keeps the account in step with the person's designations: `users.role` is their highest role;
/// with none left they can no longer sign in, their sessions end and their open links die.
pub(super) async fn sync_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), AppError> {
    let roles = roles_of(conn, user_id).await?;
    let highest = CONTACT_ROLES.into_iter().find(|r| roles.contains(r));
    match highest {
        Some(role) => activate_as(conn, user_id, role).await?,
        None => {
            deactivate(conn, user_id).await?;
            end_sessions(conn, user_id).await?;
            revoke_invitations(conn, user_id, now).await?;
        }
    }
    Ok(())
}
