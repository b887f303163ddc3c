//! Changing a designation: a contact's details and role, ending it, and a new invitation link.
use super::guard::{begin_managed, holds_admin, lock_org, manager, own_role_refused, Manager};
use super::input::{contact_role, phone, text, time_zone};
use super::invitations::{create_invitation, InvitationLink, NewLink};
use super::queries::{
    audit, delete_designation, has_password, load_contact, not_found, roles_of, set_role,
    update_details,
};
use super::rules::{check_rules, sync_user};
use crate::model::contact::{ContactUpdate, NAME_MAX, REMOVAL_CONFIRMED};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::customer_org;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// Changes a contact's details and, for those who manage contacts, their role at the site.
/// Everyone else may change only their own details; nobody changes their own role, and only an
/// admin grants the admin role or changes anything of a person who holds it (see `guard`).
pub async fn update_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
    input: &ContactUpdate,
) -> Result<(), AppError> {
    let org = customer_org(user)?.to_string();
    let name = text("name", &input.name, NAME_MAX, Some("the person's name"))?;
    let phone = phone("phone", &input.phone)?;
    let role = input
        .role
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| contact_role("role", r))
        .transpose()?;

    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    lock_org(&mut tx, &org).await?;
    let before = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    let power = manager(&mut tx, &user.id, &org).await?;
    let own = before.user_id == user.id;
    let role = role.unwrap_or(before.role);
    check_update(&mut tx, power, own, &before.user_id, before.role, role).await?;
    let tz = time_zone("time_zone", &input.time_zone, &before.time_zone)?;
    update_details(&mut tx, &before.user_id, &name, &phone, &tz).await?;
    if role != before.role {
        set_role(&mut tx, contact_id, role).await?;
        check_rules(&mut tx, &org, &before.site_id, &before.site_name).await?;
        sync_user(&mut tx, &before.user_id, now).await?;
    }
    let after = load_contact(&mut tx, contact_id)
        .await?
        .ok_or_else(not_found)?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.update",
        "contact",
        contact_id,
        Some(before.json()),
        Some(after.json()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who may make this change of a designation: `power` over the organization's contacts (none:
/// only one's own details), to the designation of `target` (`own`: the user's), from role `from`
/// to role `to`.
async fn check_update(
    conn: &mut AnyConnection,
    power: Option<Manager>,
    own: bool,
    target: &str,
    from: Role,
    to: Role,
) -> Result<(), AppError> {
    let role_change = to != from;
    let Some(power) = power else {
        return if own && !role_change {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        };
    };
    // Granting the admin role, or changing anything of someone who holds it.
    let touches_admin =
        (role_change && to == Role::Admin) || (!own && holds_admin(conn, target).await?);
    power.may_touch_admin(touches_admin)?;
    if role_change && own {
        return Err(own_role_refused());
    }
    Ok(())
}

/// Ends a person's role at a site. With no role left, they can no longer sign in and their
/// sessions end at once. Only an admin removes a person who holds the admin role.
pub async fn remove_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
) -> Result<(), AppError> {
    end_designation(pool, user, contact_id).await.map(|_| ())
}

/// What a confirmed removal did, for the page it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactRemoved {
    /// The user removed their own last role: they are signed out and cannot sign in again.
    pub signed_out_self: bool,
}

/// `remove_contact` as the contacts page posts it: only from the confirmation step, which names
/// the person and site and says what follows (`confirm` = `REMOVAL_CONFIRMED`). A removal posted
/// any other way (a stale page's one-click button, a hand-made request) is refused by the field,
/// so a slip of the mouse never ends someone's access.
pub async fn remove_confirmed(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
    confirm: Option<&str>,
) -> Result<ContactRemoved, AppError> {
    if confirm.map(str::trim) != Some(REMOVAL_CONFIRMED) {
        return Err(AppError::invalid(
            "confirm",
            "Confirm the removal first: choose Remove, then the button that names the person and site.",
        ));
    }
    end_designation(pool, user, contact_id).await
}

async fn end_designation(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
) -> Result<ContactRemoved, AppError> {
    let now = now_ms();
    let (mut tx, org, power) = begin_managed(pool, user).await?;
    let before = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    power.may_touch_admin(holds_admin(&mut tx, &before.user_id).await?)?;
    delete_designation(&mut tx, contact_id).await?;
    check_rules(&mut tx, &org, &before.site_id, &before.site_name)
        .await
        .map_err(|e| match e {
            // The form that failed is a remove button: say it without pointing at a field.
            AppError::Invalid { message, .. } => AppError::Conflict(message),
            other => other,
        })?;
    sync_user(&mut tx, &before.user_id, now).await?;
    let signed_out_self =
        before.user_id == user.id && roles_of(&mut tx, &before.user_id).await?.is_empty();
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.remove",
        "contact",
        contact_id,
        Some(before.json()),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ContactRemoved { signed_out_self })
}

/// A new invitation link for a contact who has not set a password yet (the old one stops).
/// The link sets the person's password, so only an admin re-invites a person who holds the admin
/// role (a backup contact holding it could take the admin's account over).
pub async fn reinvite_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
) -> Result<InvitationLink, AppError> {
    reinvite_contact_showing(pool, user, contact_id, None).await
}

/// `reinvite_contact`, and the session `show_to` (`sessions.id`) sees the new link once on its
/// next contacts page.
pub async fn reinvite_contact_showing(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
    show_to: Option<&str>,
) -> Result<InvitationLink, AppError> {
    let now = now_ms();
    let (mut tx, org, power) = begin_managed(pool, user).await?;
    let c = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    power.may_touch_admin(holds_admin(&mut tx, &c.user_id).await?)?;
    if has_password(&mut tx, &c.user_id).await? {
        return Err(AppError::Conflict(format!(
            "{} already has a password and can sign in.",
            c.name
        )));
    }
    let new_link = NewLink {
        org: &org,
        actor: &user.id,
        user_id: &c.user_id,
        email: &c.email,
        show_to,
        now,
    };
    let link = create_invitation(&mut tx, &new_link).await?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.invite",
        "contact",
        contact_id,
        None,
        Some(json!({ "email": c.email, "expires_at": link.expires_at.timestamp_millis() })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(link)
}
