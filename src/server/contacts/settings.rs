//! The team's contact settings: alias, phone/pager, no-contact order and preferred hours.
use super::guard::begin_managed;
use super::input::{date, email, phone, text};
use super::queries::{audit, save_settings, settings_of, SettingsValues};
use crate::model::contact::{ContactSettings, SettingsInput, HOURS_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::customer_org;
use crate::server::ids::now_ms;
use chrono::Utc;
use serde_json::{json, Value};
use sqlx::AnyPool;

/// The team alias, phone/pager, no-contact order and preferred hours. The no-contact order is
/// the admins': the guides' "no-contact order that was previously put in place by the customer"
/// stops support calling anyone of the organization for critical alerts, a decision for the
/// organization as a whole (like the orders on `/notifications`, also the admins'). Backup
/// contacts keep the rest up to date and post the order back unchanged.
pub async fn update_settings(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &SettingsInput,
) -> Result<(), AppError> {
    customer_org(user)?;
    let team_email = email("team_email", &input.team_email, false)?;
    let team_phone = phone("team_phone", &input.team_phone)?;
    let until = if input.no_contact {
        date("no_contact_until", &input.no_contact_until)?
    } else {
        None
    };
    let preferred_hours = text("preferred_hours", &input.preferred_hours, HOURS_MAX, None)?;

    let now = now_ms();
    let (mut tx, org, power) = begin_managed(pool, user).await?;
    let before = settings_of(&mut tx, &org).await?;
    let stored_order = (
        before.no_contact,
        before.no_contact_until.filter(|_| before.no_contact),
    );
    if (input.no_contact, until) != stored_order {
        power.require_admin()?;
        // Checked only for a new order: one that ended stays on record as it was.
        if until.is_some_and(|u| u < Utc::now().date_naive()) {
            return Err(AppError::invalid(
                "no_contact_until",
                "Choose today or a later date, or leave it empty for no end date.",
            ));
        }
    }
    let values = SettingsValues {
        team_email: &team_email,
        team_phone: &team_phone,
        no_contact: input.no_contact,
        until,
        preferred_hours: &preferred_hours,
    };
    save_settings(&mut tx, &org, &values, now, &user.id).await?;
    let after = settings_of(&mut tx, &org).await?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.settings",
        "contact_settings",
        &org,
        Some(settings_json(&before)),
        Some(settings_json(&after)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn settings_json(s: &ContactSettings) -> Value {
    json!({
        "team_email": s.team_email,
        "team_phone": s.team_phone,
        "no_contact": s.no_contact,
        "no_contact_until": s.no_contact_until.map(|d| d.to_string()),
        "preferred_hours": s.preferred_hours,
    })
}
