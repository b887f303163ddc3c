//! "Forgot password": a single-use link by e-mail, valid for 30 minutes, stored (like sessions
//! and invitations) only as its token's SHA-256. Asking answers the same whether or not the
//! address has an account, and does the same work up to the e-mail's rows: one write
//! transaction that records the request, with no password hashing on either path. Using the
//! link sets the password and ends every session of the person.
use super::hash_password;
use super::policy::check_new_password;
use super::queries::{
    blank_reset_links, claim_reset, delete_all_sessions, insert_reset, insert_reset_mail,
    insert_reset_request, may_sign_in, organization_of, reset_request_counts, reset_state,
    resettable_user, revoke_resets, set_password, NewReset, ResetMail,
};
use crate::model::account::RESET_LINK_MINUTES;
use crate::model::AppError;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::token_hash;
use crate::server::db::begin_write;
use crate::server::ids::{new_id, new_token};
use sqlx::{AnyConnection, AnyPool};

/// Requests tolerated per address asked for, and per client address, within `RESET_WINDOW_MS`:
/// enough for a person whose first e-mail went astray, too few to flood an inbox.
pub const RESET_MAX_PER_ACCOUNT: i64 = 3;
pub const RESET_MAX_PER_ADDRESS: i64 = 10;
pub const RESET_WINDOW_MS: i64 = 60 * 60 * 1000;

const LINK_MS: i64 = RESET_LINK_MINUTES * 60 * 1000;

/// The address as accounts store it (trimmed, lower case), if it can be one.
fn checked_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') || email.len() > 254 {
        return Err(AppError::invalid("email", "Enter your e-mail address."));
    }
    Ok(email)
}

/// Sends a reset link to `email` if it is the address of someone who may sign in. The answer
/// is `Ok` either way (only a malformed address or a rate limit is an error), so it tells
/// nobody which addresses have accounts. `now` is the request's instant (tests move it).
pub async fn request_reset(
    pool: &AnyPool,
    email: &str,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    let email = checked_email(email)?;
    let (by_account, by_address) =
        reset_request_counts(pool, &email, ip, now - RESET_WINDOW_MS).await?;
    if by_account >= RESET_MAX_PER_ACCOUNT || by_address >= RESET_MAX_PER_ADDRESS {
        return Err(AppError::RateLimited);
    }
    let mut tx = begin_write(pool).await?;
    insert_reset_request(&mut tx, &email, ip, now).await?;
    if let Some(user) = resettable_user(&mut tx, &email).await? {
        issue_link(
            &mut tx,
            &user.id,
            user.organization_id.as_deref(),
            &email,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A new link for the person, replacing any earlier one, and the e-mail that carries it.
async fn issue_link(
    conn: &mut AnyConnection,
    user_id: &str,
    organization_id: Option<&str>,
    email: &str,
    now: i64,
) -> Result<(), AppError> {
    revoke_resets(conn, user_id, now).await?;
    let token = new_token();
    let event_id = new_id();
    let link = format!("/reset/{token}");
    let body = format!(
        "Someone, hopefully you, asked to reset the password of {email} on the Support Portal. \
         The link below sets a new one; it works once, within {RESET_LINK_MINUTES} minutes.\n\n\
         If it was not you, ignore this e-mail: your password stays as it is."
    );
    insert_reset_mail(
        conn,
        &ResetMail {
            event_id: &event_id,
            organization_id,
            recipient: email,
            user_id,
            title: "Reset your Support Portal password",
            body: &body,
            link: &link,
            now,
        },
    )
    .await?;
    insert_reset(
        conn,
        &NewReset {
            id: &token_hash(&token),
            user_id,
            event_id: Some(&event_id),
            now,
            expires_at: now + LINK_MS,
        },
    )
    .await
}

fn link_not_found() -> AppError {
    AppError::NotFound("Password reset link".into())
}

/// Why a link that could not be claimed is no good, from what it is now.
async fn link_problem(pool: &AnyPool, id: &str, now: i64) -> Result<AppError, AppError> {
    let Some(state) = reset_state(pool, id).await? else {
        return Ok(link_not_found());
    };
    Ok(if state.used_at.is_none() && state.expires_at <= now {
        AppError::Conflict("This password reset link has expired. Ask for a new one.".into())
    } else {
        AppError::Conflict(
            "This password reset link was already used or replaced by a newer one. Ask for a \
             new one if you still need it."
                .into(),
        )
    })
}

/// Sets a new password with a reset link and uses the link up; every session of the person
/// ends. Claiming the link is the transaction's first statement (`WHERE used_at IS NULL AND
/// expires_at > now`), so two submissions cannot both win and a late one finds it expired.
pub async fn complete_reset(
    pool: &AnyPool,
    token: &str,
    new_password: &str,
    confirm: &str,
    now: i64,
) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(link_not_found());
    }
    check_new_password(new_password, confirm)?;
    let phc = hash_password(new_password).await?;
    let id = token_hash(token);
    let mut tx = begin_write(pool).await?;
    let Some(user_id) = claim_reset(&mut tx, &id, now).await? else {
        drop(tx);
        return Err(link_problem(pool, &id, now).await?);
    };
    if !may_sign_in(&mut tx, &user_id).await? {
        // Removed or deactivated after asking: the link must not bring them back.
        return Err(AppError::Conflict(
            "This account can no longer sign in. Ask your organization's admin.".into(),
        ));
    }
    set_password(&mut tx, &user_id, &phc).await?;
    revoke_resets(&mut tx, &user_id, now).await?;
    let ended = delete_all_sessions(&mut tx, &user_id).await?;
    blank_reset_links(&mut tx, &user_id).await?;
    let org = organization_of(&mut tx, &user_id).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: org.as_deref(),
            actor: Some(&user_id),
            action: "account.password_reset",
            entity: "user",
            entity_id: &user_id,
            before: None,
            after: Some(serde_json::json!({ "sessions_ended": ended })),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
