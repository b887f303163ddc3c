//! Designating a person at a site; a person without an account gets one, with an invitation link.
use super::guard::{begin_managed, holds_admin, Manager};
use super::input::{contact_role, email, phone, text, time_zone};
use super::invitations::{create_invitation, InvitationLink, NewLink};
use super::queries::{
    account_by_email, audit, insert_account, insert_designation, load_contact, not_found,
    role_held, site_of, stored_role, unique_violation, NewAccount,
};
use super::rules::{check_rules, sync_user};
use crate::model::contact::{NewContact, NAME_MAX};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::customer_org;
use crate::server::ids::{new_id, now_ms};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

/// The form's values, validated.
struct Fields<'a> {
    site_id: &'a str,
    role: Role,
    address: String,
    name: String,
    phone: String,
}

impl<'a> Fields<'a> {
    fn parse(input: &'a NewContact) -> Result<Self, AppError> {
        let site_id = input.site_id.trim();
        if site_id.is_empty() {
            return Err(AppError::invalid("site_id", "Choose a site."));
        }
        Ok(Fields {
            site_id,
            role: contact_role("role", &input.role)?,
            address: email("email", &input.email, true)?,
            name: text("name", &input.name, NAME_MAX, Some("the person's name"))?,
            phone: phone("phone", &input.phone)?,
        })
    }
}

/// What adding a contact made: the designation and, for a person without a password, their link
/// (for the service's callers; it never goes back to the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAdded {
    pub contact_id: String,
    pub invitation: Option<InvitationLink>,
}

/// Designates a person at a site. A person without an account gets one, with an invitation link
/// that is e-mailed to them.
pub async fn add_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &NewContact,
) -> Result<ContactAdded, AppError> {
    add_contact_showing(pool, user, input, None).await
}

/// `add_contact`, and the session `show_to` (`sessions.id`) sees the new link once on its next
/// contacts page.
pub async fn add_contact_showing(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &NewContact,
    show_to: Option<&str>,
) -> Result<ContactAdded, AppError> {
    customer_org(user)?;
    let f = Fields::parse(input)?;

    let now = now_ms();
    let (mut tx, org, power) = begin_managed(pool, user).await?;
    // Only an admin grants the admin role (see `guard`).
    power.may_touch_admin(f.role == Role::Admin)?;
    let site = site_of(&mut tx, f.site_id, &org)
        .await?
        .ok_or_else(|| AppError::invalid("site_id", "Choose one of your organization's sites."))?;
    let tz = time_zone("time_zone", &input.time_zone, &site.time_zone)?;
    let (user_id, needs_invitation) = person(&mut tx, &org, &f, &site.name, &tz, now).await?;
    // An admin's new designation (and, without a password, the link to set it) is an admin's
    // business too.
    power.may_touch_admin(power == Manager::Backup && holds_admin(&mut tx, &user_id).await?)?;
    let contact_id = new_id();
    insert_designation(&mut tx, &contact_id, f.site_id, &user_id, f.role, now)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                AppError::invalid(
                    "email",
                    format!("This person already holds a role at {}.", site.name),
                )
            } else {
                AppError::from(e)
            }
        })?;
    check_rules(&mut tx, &org, f.site_id, &site.name).await?;
    sync_user(&mut tx, &user_id, now).await?;
    let invitation = if needs_invitation {
        let link = NewLink {
            org: &org,
            actor: &user.id,
            user_id: &user_id,
            email: &f.address,
            show_to,
            now,
        };
        Some(create_invitation(&mut tx, &link).await?)
    } else {
        None
    };
    let row = load_contact(&mut tx, &contact_id)
        .await?
        .ok_or_else(not_found)?;
    let mut after = row.json();
    after["invited"] = json!(invitation.is_some());
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.add",
        "contact",
        &contact_id,
        None,
        Some(after),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ContactAdded {
        contact_id,
        invitation,
    })
}

/// The person to designate, by address: an earlier contact of the organization (who keeps their
/// own details), or a new account. Returns their id and whether they need an invitation link.
async fn person(
    conn: &mut AnyConnection,
    org: &str,
    f: &Fields<'_>,
    site_name: &str,
    tz: &str,
    now: i64,
) -> Result<(String, bool), AppError> {
    let Some(existing) = account_by_email(conn, &f.address).await? else {
        let id = new_id();
        let account = NewAccount {
            id: &id,
            org,
            email: &f.address,
            name: &f.name,
            phone: &f.phone,
            time_zone: tz,
            role: f.role,
            now,
        };
        insert_account(conn, &account).await.map_err(|e| {
            if unique_violation(&e) {
                AppError::invalid(
                    "email",
                    "This e-mail address cannot be used for a contact of your organization.",
                )
            } else {
                AppError::from(e)
            }
        })?;
        return Ok((id, true));
    };
    if existing.organization_id.as_deref() != Some(org) {
        // Vendor staff and other customers' people cannot be designated; the wording
        // does not say which, so nothing about other customers leaks.
        return Err(AppError::invalid(
            "email",
            "This e-mail address cannot be used for a contact of your organization.",
        ));
    }
    if let Some(held) = role_held(conn, f.site_id, &existing.id).await? {
        return Err(AppError::invalid(
            "email",
            format!(
                "This person is already {} at {site_name}; one person holds one role \
                 at a site. Edit their role instead.",
                stored_role(&held)?.label().to_lowercase()
            ),
        ));
    }
    // An earlier contact keeps their own details; only the designation is new.
    Ok((existing.id, !existing.has_password.0))
}
