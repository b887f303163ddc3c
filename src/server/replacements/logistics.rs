//! Admins keep each site's logistics: what a field technician needs there and who receives
//! deliveries.
use super::queries;
use crate::model::replacement::{LogisticsFields, CODE_MAX, TEXT_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::{admin_of, contact_of};
use crate::server::cases::optional_text;
use crate::server::ids::now_ms;
use serde_json::json;
use sqlx::AnyPool;

/// An admin saves the site's logistics. Every field may be left empty, but a technician
/// dispatch to the site is refused until all are filled in.
pub async fn save_logistics(
    pool: &AnyPool,
    user: &CurrentUser,
    site_id: &str,
    fields: &LogisticsFields,
) -> Result<(), AppError> {
    let org = queries::site_organization(pool, site_id.trim()).await?;
    let Some(org) = org.filter(|o| user.role.is_staff() || contact_of(user, o)) else {
        return Err(AppError::NotFound("Site".into()));
    };
    if !admin_of(user, &org) {
        return Err(AppError::Forbidden);
    }
    let f = checked(fields)?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    let before = queries::logistics(&mut tx, site_id.trim()).await?;
    queries::upsert_logistics(&mut tx, site_id.trim(), &f, Some(&user.id), now).await?;
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(&org),
            actor: Some(&user.id),
            action: "site.logistics",
            entity: "site",
            entity_id: site_id.trim(),
            before: before.map(|b| json!(b)),
            after: Some(json!(f)),
            at: now,
        },
    )
    .await?;
    Ok(tx.commit().await?)
}

fn checked(fields: &LogisticsFields) -> Result<LogisticsFields, AppError> {
    Ok(LogisticsFields {
        datacenter_address: optional_text(
            "datacenter_address",
            &fields.datacenter_address,
            TEXT_MAX,
        )?,
        grid_coordinates: optional_text("grid_coordinates", &fields.grid_coordinates, TEXT_MAX)?,
        access_instructions: optional_text(
            "access_instructions",
            &fields.access_instructions,
            TEXT_MAX,
        )?,
        delivery_contact_name: optional_text(
            "delivery_contact_name",
            &fields.delivery_contact_name,
            CODE_MAX,
        )?,
        delivery_contact_phone: optional_text(
            "delivery_contact_phone",
            &fields.delivery_contact_phone,
            CODE_MAX,
        )?,
    })
}
