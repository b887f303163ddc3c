//! Who may do what: one name per authorization rule, for every service.
//!
//! A person is either the vendor's staff (a support engineer, who sees every organization) or
//! one of a customer's designated contacts (admin, authorized caller or backup contact), who acts
//! for their own organization only. The rules read the session's role and organization; rules
//! that need the stored designations (contacts' `guard::manager`) stay with their service.
use crate::model::{AppError, CurrentUser, Role};

/// Something that belongs to one organization, for `can_see`.
pub trait OrgOwned {
    fn organization_id(&self) -> &str;
}

impl OrgOwned for str {
    fn organization_id(&self) -> &str {
        self
    }
}

impl OrgOwned for String {
    fn organization_id(&self) -> &str {
        self
    }
}

/// Vendor staff: support engineers.
pub fn staff(user: &CurrentUser) -> bool {
    user.role.is_staff()
}

/// Staff only; anyone else is forbidden.
pub fn require_staff(user: &CurrentUser) -> Result<(), AppError> {
    if staff(user) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Designated contacts of a customer (any of the three roles) act on their organization's
/// cases; staff, and anyone without an organization, are forbidden.
pub fn customer_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin | Role::AuthorizedCaller | Role::BackupContact, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

/// What a reader may see: `None` for staff (every organization), the organization of a
/// designated contact; a contact without an organization is forbidden.
pub fn viewer_org(user: &CurrentUser) -> Result<Option<&str>, AppError> {
    if staff(user) {
        Ok(None)
    } else {
        customer_org(user).map(Some)
    }
}

/// The organization the user is an admin of; anyone else is forbidden.
pub fn admin_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

/// An admin of this organization.
pub fn admin_of(user: &CurrentUser, organization_id: &str) -> bool {
    admin_org(user).is_ok_and(|org| org == organization_id)
}

/// The organization of its "local administrator" (the guides' term): an admin or a backup
/// contact. Authorized callers and staff are forbidden.
pub fn local_admin_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin | Role::BackupContact, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

/// An admin or backup contact of this organization.
pub fn local_admin_of(user: &CurrentUser, organization_id: &str) -> bool {
    local_admin_org(user).is_ok_and(|org| org == organization_id)
}

/// A designated contact (any role) of this organization; never staff.
pub fn contact_of(user: &CurrentUser, organization_id: &str) -> bool {
    customer_org(user).is_ok_and(|org| org == organization_id)
}

/// Staff see everything; a contact sees what belongs to their organization. Callers answer
/// "not found" when this is false, so a foreign id looks like an unknown one.
pub fn can_see<T: OrgOwned + ?Sized>(user: &CurrentUser, thing: &T) -> bool {
    staff(user) || user.organization_id.as_deref() == Some(thing.organization_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, org: Option<&str>) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            email: "u@example.com".into(),
            name: "U".into(),
            role,
            organization_id: org.map(str::to_string),
            organization_name: org.map(str::to_string),
            second_factor_missing: false,
        }
    }

    #[test]
    fn each_rule_admits_exactly_its_people() {
        let admin = user(Role::Admin, Some("acme"));
        let caller = user(Role::AuthorizedCaller, Some("acme"));
        let backup = user(Role::BackupContact, Some("acme"));
        let engineer = user(Role::SupportEngineer, None);
        let orphan = user(Role::Admin, None);

        assert!(staff(&engineer) && !staff(&admin));
        assert!(require_staff(&engineer).is_ok() && require_staff(&caller).is_err());
        assert_eq!(customer_org(&caller), Ok("acme"));
        assert!(customer_org(&engineer).is_err() && customer_org(&orphan).is_err());
        assert_eq!(viewer_org(&engineer), Ok(None));
        assert_eq!(viewer_org(&backup), Ok(Some("acme")));
        assert!(viewer_org(&orphan).is_err());
        assert_eq!(admin_org(&admin), Ok("acme"));
        assert!(admin_org(&backup).is_err());
        assert!(admin_of(&admin, "acme") && !admin_of(&admin, "globex"));
        assert!(!admin_of(&backup, "acme"));
        assert_eq!(local_admin_org(&backup), Ok("acme"));
        assert!(local_admin_org(&caller).is_err());
        assert!(local_admin_of(&backup, "acme") && !local_admin_of(&caller, "acme"));
        assert!(contact_of(&caller, "acme") && !contact_of(&caller, "globex"));
        assert!(!contact_of(&engineer, "acme"));
        assert!(can_see(&engineer, "globex") && can_see(&caller, "acme"));
        assert!(!can_see(&caller, "globex") && !can_see(&orphan, "acme"));
    }
}
