//! Invitation links: made for a person without a password, shown before they choose one, and
//! used up when they do (no session: the link is the credential).
use super::flash;
use super::queries::{
    audit, claim_invitation, designation_count, insert_invitation, invitation, invitee,
    revoke_invitations, set_password, NewInvitation,
};
use crate::model::contact::{invitation_path, InvitationInfo, INVITATION_DAYS};
use crate::model::AppError;
use crate::server::auth::token_hash;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::{new_token, now_ms};
use crate::server::notifications::{email_one, DirectEmail};
use crate::server::password;
use crate::server::throttle::{self, Outcome};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A freshly made invitation link. The token exists in clear only here, in the e-mail to the
/// person and in the one-time flash of the session that made it; never in a log or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl InvitationLink {
    pub fn path(&self) -> String {
        invitation_path(&self.token)
    }
}

/// Whom a new link is for, who makes it, and which session is shown it once.
pub(super) struct NewLink<'a> {
    pub org: &'a str,
    pub actor: &'a str,
    pub user_id: &'a str,
    pub email: &'a str,
    /// `sessions.id` of the person making it (`None`: shown to nobody, e-mailed only).
    pub show_to: Option<&'a str>,
    pub now: i64,
}

/// A new single-use link for a person without a password; earlier links stop working. The
/// person gets it by e-mail (the outbox, in this transaction) and the session that made it sees
/// it once on the contacts page.
pub(super) async fn create_invitation(
    conn: &mut AnyConnection,
    n: &NewLink<'_>,
) -> Result<InvitationLink, AppError> {
    revoke_invitations(conn, n.user_id, n.now).await?;
    let token = new_token();
    let id = token_hash(&token);
    let expires_at = n.now + INVITATION_DAYS * DAY_MS;
    let row = NewInvitation {
        id: &id,
        user_id: n.user_id,
        org: n.org,
        created_by: n.actor,
        now: n.now,
        expires_at,
    };
    insert_invitation(conn, &row).await?;
    let link = InvitationLink {
        token,
        expires_at: ms_to_dt(expires_at)?,
    };
    email_invitation(conn, n, &link).await?;
    if let Some(session) = n.show_to {
        flash::keep(conn, session, &id, &link.token, n.now).await?;
    }
    // That it was made and for whom; the link is a credential (it sets the password) and
    // reaches the person by e-mail, never through the log.
    tracing::info!(
        email = n.email,
        user_id = n.user_id,
        expires_at = %link.expires_at.to_rfc3339(),
        "contact invitation created and e-mailed"
    );
    Ok(link)
}

/// The link, by e-mail to the person it is for.
async fn email_invitation(
    conn: &mut AnyConnection,
    n: &NewLink<'_>,
    link: &InvitationLink,
) -> Result<(), AppError> {
    let body = format!(
        "You are now a designated support contact of your organization. Open the link below to choose your password: it works once, until {} (UTC).",
        link.expires_at.format("%Y-%m-%d %H:%M")
    );
    email_one(
        conn,
        &DirectEmail {
            organization_id: n.org,
            user_id: n.user_id,
            address: n.email,
            title: "Your invitation to the Support Portal",
            body: &body,
            link: &link.path(),
            at: n.now,
        },
    )
    .await
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

/// Accepts from one client address fail this often per window before it is refused (429).
pub const MAX_ACCEPT_FAILURES_PER_ADDRESS: i64 = 20;

/// `accept_invitation` for a request from `ip` (`auth::client_ip`): an address whose accepts
/// failed (unknown, used or expired links) `MAX_ACCEPT_FAILURES_PER_ADDRESS` times in the window,
/// counting those still running, is refused before anything is looked up or hashed.
pub async fn accept_invitation_from(
    pool: &AnyPool,
    token: &str,
    new_password: &str,
    confirm: &str,
    ip: &str,
) -> Result<(), AppError> {
    let key = format!("accept:{ip}");
    throttle::admit(pool, &key, MAX_ACCEPT_FAILURES_PER_ADDRESS, now_ms()).await?;
    let result = accept_invitation(pool, token, new_password, confirm).await;
    let outcome = match &result {
        Err(AppError::NotFound(_) | AppError::Conflict(_)) => Outcome::Failed,
        // A password that is too short or not confirmed is the person typing, not guessing.
        Err(AppError::Invalid { .. }) => Outcome::Succeeded,
        Err(_) => Outcome::Abandoned,
        Ok(()) => Outcome::Succeeded,
    };
    throttle::finish(pool, &key, outcome, now_ms()).await?;
    result
}

/// Sets the invited person's password and uses the link up. Claiming the link is the
/// transaction's first statement (`WHERE used_at IS NULL`), so two submissions cannot both win.
/// Servers call `accept_invitation_from`, which limits attempts per address.
pub async fn accept_invitation(
    pool: &AnyPool,
    token: &str,
    new_password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let token = plausible_token(token)?;
    crate::server::account::policy::check_new_password(new_password, confirm)?;
    // The link first: an unknown, used or expired link costs one lookup, never an argon2 hash
    // (hashing first let bogus accepts take the server's memory and CPU).
    invitation_info(pool, token).await?;
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let phc = password::hash_bounded(new_password.to_string()).await?;

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
