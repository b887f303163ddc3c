//! One event someone must hear of, as the services describe it.
use crate::model::notification::NotificationKind;

/// One event someone must hear of.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: NotificationKind,
    pub organization_id: Option<&'a str>,
    /// Whose contacts hear of it; `None` with an organization: all its active people.
    pub site_id: Option<&'a str>,
    pub case_id: Option<&'a str>,
    pub title: String,
    pub body: String,
    pub link: String,
    /// The person who acted hears nothing of their own action.
    pub actor: Option<&'a str>,
    /// Also the person who opened the case.
    pub case_opener: Option<&'a str>,
    /// A job may find the same event twice: the key makes the second one a no-op.
    pub dedupe_key: Option<String>,
    pub at: i64,
}
