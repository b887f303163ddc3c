//! Invitation links: made for a person without a password, shown before they choose one, and
//! used up when they do (no session: the link is the credential).
use super::queries::{
    audit, claim_invitation, designation_count, insert_invitation, invitation, invitee,
    revoke_invitations, set_password, NewInvitation,
};
use crate::model::contact::{InvitationInfo, InvitationLink, INVITATION_DAYS};
use crate::model::AppError;
use crate::server::auth::token_hash;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::{new_token, now_ms};
use crate::server::password;
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A new single-use link for a person without a password; earlier links stop working.
pub(super) async fn create_invitation(
    conn: &mut AnyConnection,
    org: &str,
    actor: &str,
    user_id: &str,
    email: &str,
    now: i64,
) -> Result<InvitationLink, AppError> {
    revoke_invitations(conn, user_id, now).await?;
    let token = new_token();
    let expires_at = now + INVITATION_DAYS * DAY_MS;
    let row = NewInvitation {
        id: &token_hash(&token),
        user_id,
        org,
        created_by: actor,
        now,
        expires_at,
    };
    insert_invitation(conn, &row).await?;
    let link = InvitationLink {
        token,
        expires_at: ms_to_dt(expires_at)?,
    };
    // Until notifications exist, the log is how the link reaches the person (besides the
    // admin's page): the operator forwards it.
    tracing::info!(
        email = ?email,
        link = %link.path(),
        expires_at = %link.expires_at.to_rfc3339(),
        "contact invitation created"
    );
    Ok(link)
}

fn invitation_gone(expired: bool) -> AppError {
    if expired {
        AppError::Conflict(
            "This invitation link has expired. Ask your organization's admin for a new one.".into(),
        )
    } else {
        AppError::Conflict(
            "This invitation link was already used. Sign in with your password, or ask your \
             organization's admin for a new link."
                .into(),
        )
    }
}

fn link_not_found() -> AppError {
    AppError::NotFound("Invitation link".into())
}

/// The token as submitted, if it can be one.
fn plausible_token(token: &str) -> Result<&str, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(link_not_found());
    }
    Ok(token)
}

/// Who the link is for, if it can still be used.
pub async fn invitation_info(pool: &AnyPool, token: &str) -> Result<InvitationInfo, AppError> {
    let token = plausible_token(token)?;
    let row = invitation(pool, &token_hash(token))
        .await?
        .ok_or_else(link_not_found)?;
    if row.used_at.is_some() {
        return Err(invitation_gone(false));
    }
    if row.expires_at <= now_ms() {
        return Err(invitation_gone(true));
    }
    Ok(InvitationInfo {
        name: row.name,
        email: row.email,
        organization_name: row.organization_name,
        expires_at: ms_to_dt(row.expires_at)?,
    })
}

/// The password the person chose, if it is acceptable and confirmed.
fn check_new_password(new_password: &str, confirm: &str) -> Result<(), AppError> {
    if new_password.chars().count() < password::MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            "password",
            format!(
                "Choose a password of at least {} characters.",
                password::MIN_PASSWORD_LEN
            ),
        ));
    }
    if new_password.len() > 1024 {
        return Err(AppError::invalid(
            "password",
            "Keep the password to 1024 characters at most.",
        ));
    }
    if new_password != confirm {
        return Err(AppError::invalid(
            "password_confirm",
            "The two passwords are not the same.",
        ));
    }
    Ok(())
}

/// Sets the invited person's password and uses the link up. Claiming the link is the
/// transaction's first statement (`WHERE used_at IS NULL`), so two submissions cannot both win.
pub async fn accept_invitation(
    pool: &AnyPool,
    token: &str,
    new_password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let token = plausible_token(token)?;
    check_new_password(new_password, confirm)?;
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let pw = new_password.to_string();
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;

    let id = token_hash(token);
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    if !claim_invitation(&mut tx, &id, now).await? {
        drop(tx);
        // Tell the person why, from what the link is now.
        return Err(match invitation_info(pool, token).await {
            Ok(_) => invitation_gone(false),
            Err(e) => e,
        });
    }
    let person = invitee(&mut tx, &id).await?;
    let designations = designation_count(&mut tx, &person.user_id).await?;
    if !person.active.0 || designations == 0 {
        // Removed after the link was made: the link must not bring them back.
        return Err(AppError::Conflict(
            "You are no longer a contact of this organization. Ask its admin.".into(),
        ));
    }
    set_password(&mut tx, &person.user_id, &phc).await?;
    revoke_invitations(&mut tx, &person.user_id, now).await?;
    audit(
        &mut tx,
        &person.organization_id,
        Some(&person.user_id),
        "invitation.accept",
        "contact",
        &person.user_id,
        None,
        Some(json!({ "email": person.email })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_server_agree_on_password_length() {
        assert_eq!(
            crate::model::contact::MIN_PASSWORD_CHARS,
            password::MIN_PASSWORD_LEN
        );
    }
}
