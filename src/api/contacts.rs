//! Support contacts and invitations. Every function takes the signed-in user from the session
//! and hands it to `server::contacts`, which authorizes (organization and role) and validates.
//! Arguments are the forms' fields as strings, so a bad value is a 422 by the field.
// A server function's arguments are the form's fields, one each; the generated client stub
// repeats them, so the lint cannot be silenced on the function alone.
#![allow(clippy::too_many_arguments)]

use crate::model::contact::{ContactsPage, InvitationInfo};
use crate::model::AppError;
use leptos::prelude::*;

/// An HTML checkbox posts its value ("on" by default) only when ticked.
#[cfg(feature = "ssr")]
fn checked(v: Option<&str>) -> bool {
    v.is_some_and(|v| !matches!(v.trim(), "" | "false" | "off" | "0"))
}

/// This request's session (`sessions.id`), to which a new invitation link is shown once.
#[cfg(feature = "ssr")]
fn session_id() -> Result<String, AppError> {
    use crate::server::auth::{request_token, token_hash};
    request_token()
        .map(|t| token_hash(&t))
        .ok_or(AppError::Unauthenticated)
}

/// The contacts page: the caller's organization, or for vendor staff the one chosen (`org`),
/// with the invitation links this session made since its last view, shown this once, and the
/// removal that landed here (`removed`: the ended designation's id) said in words.
#[server(name = GetContactsPage, endpoint = "contacts/page")]
pub async fn contacts_page(
    org: Option<String>,
    removed: Option<String>,
) -> Result<ContactsPage, AppError> {
    use crate::server::auth::{app_state, current_user};
    use crate::server::shown_once::ShownOnce;
    // Before any await: see `server::shown_once`.
    let memo = ShownOnce::of_request();
    let state = app_state()?;
    let session = session_id()?;
    let user = current_user().await?;
    crate::server::contacts::contacts_page_showing(
        &state.pool,
        &user,
        org.as_deref(),
        &session,
        memo.as_ref(),
        removed.as_deref(),
    )
    .await
}

/// Designates a person at a site. A new person's invitation link is e-mailed to them and shown
/// once on the contacts page this redirects to (kept for this session on the server: the address
/// never carries it), so the admin sees it also without JavaScript.
#[server(endpoint = "contacts/add")]
pub async fn add_contact(
    site_id: String,
    role: String,
    email: String,
    name: String,
    phone: Option<String>,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    use crate::model::contact::NewContact;
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let input = NewContact {
        site_id,
        role,
        email,
        name,
        phone: phone.unwrap_or_default(),
        time_zone: time_zone.unwrap_or_default(),
    };
    let session = session_id()?;
    crate::server::contacts::add_contact_showing(&state.pool, &user, &input, Some(&session))
        .await?;
    leptos_axum::redirect("/contacts");
    Ok(())
}

/// Changes a contact's details; `role` only for those who manage contacts.
#[server(endpoint = "contacts/update")]
pub async fn update_contact(
    contact_id: String,
    name: String,
    phone: Option<String>,
    time_zone: Option<String>,
    role: Option<String>,
) -> Result<(), AppError> {
    use crate::model::contact::ContactUpdate;
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let input = ContactUpdate {
        name,
        phone: phone.unwrap_or_default(),
        time_zone: time_zone.unwrap_or_default(),
        role,
    };
    crate::server::contacts::update_contact(&state.pool, &user, &contact_id, &input).await
}

/// Ends a person's role at a site (and their sign-in, when it was their last role), posted from
/// the confirmation step only (`confirm`). Lands where the confirmation is said: the contacts
/// page, or the sign-in page when the user removed their own last role.
#[server(endpoint = "contacts/remove")]
pub async fn remove_contact(contact_id: String, confirm: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let done = crate::server::contacts::remove_confirmed(
        &state.pool,
        &user,
        &contact_id,
        confirm.as_deref(),
    )
    .await?;
    if done.signed_out_self {
        leptos_axum::redirect("/login?removed=self");
    } else {
        leptos_axum::redirect(&format!(
            "/contacts?removed={}",
            id_for_address(&contact_id)
        ));
    }
    Ok(())
}

/// A designation id for the address: ids are hex, anything else is dropped rather than echoed.
#[cfg(feature = "ssr")]
fn id_for_address(id: &str) -> String {
    id.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// A new invitation link for a contact without a password; e-mailed and shown like a new
/// contact's.
#[server(endpoint = "contacts/reinvite")]
pub async fn reinvite_contact(contact_id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let session = session_id()?;
    crate::server::contacts::reinvite_contact_showing(
        &state.pool,
        &user,
        &contact_id,
        Some(&session),
    )
    .await?;
    leptos_axum::redirect("/contacts");
    Ok(())
}

/// The organization's team alias, phone/pager, no-contact order and preferred hours.
#[server(endpoint = "contacts/settings")]
pub async fn update_contact_settings(
    team_email: Option<String>,
    team_phone: Option<String>,
    no_contact: Option<String>,
    no_contact_until: Option<String>,
    preferred_hours: Option<String>,
) -> Result<(), AppError> {
    use crate::model::contact::SettingsInput;
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    let input = SettingsInput {
        team_email: team_email.unwrap_or_default(),
        team_phone: team_phone.unwrap_or_default(),
        no_contact: checked(no_contact.as_deref()),
        no_contact_until: no_contact_until.unwrap_or_default(),
        preferred_hours: preferred_hours.unwrap_or_default(),
    };
    crate::server::contacts::update_settings(&state.pool, &user, &input).await
}

/// Who an invitation link is for (no sign-in: the link is the credential).
#[server(name = GetInvitation, endpoint = "invitations/info")]
pub async fn invitation_info(token: String) -> Result<InvitationInfo, AppError> {
    use crate::server::auth::app_state;
    let state = app_state()?;
    crate::server::contacts::invitation_info(&state.pool, &token).await
}

/// The invited person chooses a password, then signs in.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(
    token: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, client_ip};
    let state = app_state()?;
    crate::server::contacts::accept_invitation_from(
        &state.pool,
        &token,
        &password,
        &password_confirm,
        &client_ip(),
    )
    .await?;
    leptos_axum::redirect("/login?next=/contacts");
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn checkbox_values() {
        assert!(super::checked(Some("on")));
        assert!(!super::checked(Some("off")));
        assert!(!super::checked(None));
    }
}
