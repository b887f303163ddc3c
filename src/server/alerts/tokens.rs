//! The ingest API's tokens: an organization's admins issue, list and revoke them.
use super::queries::{self, TokenInsert};
use crate::model::alert::{ApiToken, CreatedApiToken, NAME_MAX};
use crate::model::{AppError, CurrentUser};
use crate::server::access::admin_org;
use crate::server::audit::{record, AuditEntry};
use crate::server::auth::token_hash;
use crate::server::db::ms_to_dt;
use crate::server::ids::{new_id, new_token, now_ms};
use serde_json::json;
use sqlx::AnyPool;

/// The organization's tokens, for its admins only.
pub async fn tokens(pool: &AnyPool, user: &CurrentUser) -> Result<Vec<ApiToken>, AppError> {
    tokens_of(pool, admin_org(user)?).await
}

/// An admin issues a token for the organization's monitoring system; the answer is the only
/// time the secret is seen.
pub async fn create_token(
    pool: &AnyPool,
    user: &CurrentUser,
    name: &str,
) -> Result<CreatedApiToken, AppError> {
    let org = admin_org(user)?;
    let name = checked_name(name)?;
    let token = format!("pat_{}", new_token());
    let id = new_id();
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    let stored = TokenInsert {
        id: &id,
        organization_id: org,
        name,
        token_hash: token_hash(&token),
        prefix: &token[..12],
        created_by: &user.id,
        created_at: now,
    };
    queries::insert_token(&mut tx, &stored).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "api_token.create",
            entity: "api_token",
            entity_id: &id,
            before: None,
            after: Some(json!({ "name": name })),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedApiToken {
        id,
        name: name.to_string(),
        token,
    })
}

fn checked_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Name the token after the system that uses it.",
        ));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            "name",
            format!("Keep it to {NAME_MAX} characters at most."),
        ));
    }
    Ok(name)
}

/// An admin revokes one of the organization's tokens: it stops working at once.
pub async fn revoke_token(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let org = admin_org(user)?;
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await?;
    if queries::revoke_token(&mut tx, id, org, &user.id, now).await? == 0 {
        return Err(AppError::NotFound("Token".into()));
    }
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "api_token.revoke",
            entity: "api_token",
            entity_id: id,
            before: None,
            after: None,
            at: now,
        },
    )
    .await?;
    Ok(tx.commit().await?)
}

pub(super) async fn tokens_of(pool: &AnyPool, org: &str) -> Result<Vec<ApiToken>, AppError> {
    let opt = |v: Option<i64>| v.map(ms_to_dt).transpose();
    queries::tokens_of(pool, org)
        .await?
        .into_iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.id,
                name: r.name,
                prefix: r.prefix,
                created_by: r.creator,
                created_at: r.created_at.into(),
                last_used_at: opt(r.last_used_at)?,
                revoked_at: opt(r.revoked_at)?,
            })
        })
        .collect()
}
