//! Changing one's password while signed in: the current password is required, and every other
//! session of the person ends (a thief's among them); the one making the change stays.
use super::policy::{check_new_password, MAX_PASSWORD_BYTES};
use super::queries::{delete_other_sessions, organization_of, revoke_resets, set_password};
use super::{check_current_password, hash_password};
use crate::model::{AppError, CurrentUser};
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::token_hash;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use sqlx::AnyPool;

/// Sets a new password for the signed-in person, ending their other sessions and any reset
/// link they had asked for; returns how many sessions ended.
pub async fn change_password(
    pool: &AnyPool,
    user: &CurrentUser,
    current_token: &str,
    current_password: &str,
    new_password: &str,
    confirm: &str,
) -> Result<u64, AppError> {
    if current_password.is_empty() || current_password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(
            "current_password",
            "Enter your current password.",
        ));
    }
    check_new_password(new_password, confirm)?;
    if new_password == current_password {
        return Err(AppError::invalid(
            "password",
            "Choose a password different from the current one.",
        ));
    }
    if !check_current_password(pool, &user.id, current_password).await? {
        return Err(AppError::invalid(
            "current_password",
            "The current password is not right.",
        ));
    }
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let phc = hash_password(new_password).await?;
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    set_password(&mut tx, &user.id, &phc).await?;
    let ended = delete_other_sessions(&mut tx, &user.id, &token_hash(current_token)).await?;
    revoke_resets(&mut tx, &user.id, now).await?;
    let org = organization_of(&mut tx, &user.id).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: org.as_deref(),
            actor: Some(&user.id),
            action: "account.password_change",
            entity: "user",
            entity_id: &user.id,
            before: None,
            after: Some(serde_json::json!({ "sessions_ended": ended })),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
