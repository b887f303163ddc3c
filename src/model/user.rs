use serde::{Deserialize, Serialize};

/// Who a person is to the portal. The first three are a customer's designated contacts
/// (the support guides' terms); `SupportEngineer` is the vendor's staff and sees every organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    AuthorizedCaller,
    BackupContact,
    SupportEngineer,
}

stored_enum!(Role, error UnknownRole, [
    Admin => "admin", "Admin",
    AuthorizedCaller => "authorized_caller", "Authorized caller",
    BackupContact => "backup_contact", "Backup contact",
    SupportEngineer => "support_engineer", "Support engineer",
]);

impl Role {
    pub fn is_staff(self) -> bool {
        self == Role::SupportEngineer
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

/// The signed-in person, as the server established it from the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `None` for vendor staff, who belong to no customer.
    pub organization_id: Option<String>,
    pub organization_name: Option<String>,
    /// The account must have a second factor and has none: it may only set one up.
    #[serde(default)]
    pub second_factor_missing: bool,
}
