//! Who may do what with a Remote Assist session.
use crate::model::{AppError, CurrentUser, Role};

/// A customer's designated contact (any role) and their organization; staff get `None`.
pub(super) fn viewer_org(user: &CurrentUser) -> Result<Option<&str>, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::SupportEngineer, _) => Ok(None),
        (Role::Admin | Role::AuthorizedCaller | Role::BackupContact, Some(org)) => Ok(Some(org)),
        _ => Err(AppError::Forbidden),
    }
}

/// The organization's admins and backup contacts request, extend and end sessions: the
/// guides' "local administrator". Authorized callers only watch.
pub(super) fn is_local_admin(user: &CurrentUser, organization_id: &str) -> bool {
    matches!(user.role, Role::Admin | Role::BackupContact)
        && user.organization_id.as_deref() == Some(organization_id)
}

/// Starting the link on a backup contact's request is the admin's decision alone.
pub(super) fn is_org_admin(user: &CurrentUser, organization_id: &str) -> bool {
    user.role == Role::Admin && user.organization_id.as_deref() == Some(organization_id)
}

pub(super) fn can_see(user: &CurrentUser, organization_id: &str) -> bool {
    user.role.is_staff() || user.organization_id.as_deref() == Some(organization_id)
}
