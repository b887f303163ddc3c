//! The organization's no-contact orders: an admin puts one in place or lifts it.
use crate::model::notification::NotificationKind;
use crate::model::{AppError, CurrentUser};
use crate::server::access::admin_org;
use crate::server::db::begin_write;
use crate::server::ids::{new_id, now_ms};
use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyPool;

/// An admin puts a no-contact order in place: for the whole organization (`person` empty) or
/// one of its people, for every event (`kind` empty or `*`) or one kind, until a last day or not.
pub async fn add_no_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    person: &str,
    kind: &str,
    until: &str,
) -> Result<String, AppError> {
    let org = admin_org(user)?;
    let person = Some(person.trim()).filter(|p| !p.is_empty());
    let kind = match kind.trim() {
        "" | "*" => "*".to_string(),
        k => k.parse::<NotificationKind>()?.as_str().to_string(),
    };
    let until = match until.trim() {
        "" => None,
        d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            AppError::invalid("until", "Enter a date as YYYY-MM-DD, or leave it empty.")
        })?),
    };
    if until.is_some_and(|u| u < Utc::now().date_naive()) {
        return Err(AppError::invalid(
            "until",
            "Choose today or a later date, or leave it empty for no end date.",
        ));
    }
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let id = new_id();
    // The person must be one of the organization's: checked in the insert itself.
    let inserted = sqlx::query(
        "INSERT INTO no_contact_orders (id, organization_id, user_id, kind, until_day, created_by, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $3 AND organization_id = $2)",
    )
    .bind(&id)
    .bind(org)
    .bind(person)
    .bind(&kind)
    .bind(until.map(|d| d.to_string()))
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(AppError::invalid(
            "person",
            "Choose one of your organization's people.",
        ));
    }
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "no_contact.add",
            entity: "no_contact_order",
            entity_id: &id,
            before: None,
            after: Some(
                json!({ "user_id": person, "kind": kind, "until": until.map(|d| d.to_string()) }),
            ),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An admin lifts an order of the organization.
pub async fn lift_no_contact(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let org = admin_org(user)?;
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let changed = sqlx::query(
        "UPDATE no_contact_orders SET lifted_at = $3 \
         WHERE id = $1 AND organization_id = $2 AND lifted_at IS NULL",
    )
    .bind(id)
    .bind(org)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("No-contact order".into()));
    }
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "no_contact.lift",
            entity: "no_contact_order",
            entity_id: id,
            before: None,
            after: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
