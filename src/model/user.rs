use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::AuthorizedCaller,
        Role::BackupContact,
        Role::SupportEngineer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::AuthorizedCaller => "authorized_caller",
            Role::BackupContact => "backup_contact",
            Role::SupportEngineer => "support_engineer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::AuthorizedCaller => "Authorized caller",
            Role::BackupContact => "Backup contact",
            Role::SupportEngineer => "Support engineer",
        }
    }

    pub fn is_staff(self) -> bool {
        self == Role::SupportEngineer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

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
}
