//! The audit log: who changed what, when, with the state before and after. Every service writes
//! its entries through `record`, inside the transaction of the change itself.
use crate::model::AppError;
use crate::server::ids::new_id;
use serde_json::Value;
use sqlx::AnyConnection;

/// One change, as the audit log keeps it.
pub struct AuditEntry<'a> {
    pub organization_id: Option<&'a str>,
    /// `None` for the portal's own jobs.
    pub actor: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub at: i64,
}

pub async fn record(conn: &mut AnyConnection, e: AuditEntry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (id, organization_id, actor_user_id, action, entity, entity_id, before_json, after_json, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(e.organization_id)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.before.map(|v| v.to_string()))
    .bind(e.after.map(|v| v.to_string()))
    .bind(e.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
