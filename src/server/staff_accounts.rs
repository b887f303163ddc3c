//! Vendor staff accounts made from the command line (`portal user add|list`): how the first
//! account of a real installation comes to exist now that `serve` seeds no demo logins.
use crate::model::{AppError, Role};
use crate::server::ids::{new_id, now_ms};
use crate::server::password;
use crate::server::rows::Flag;
use sqlx::AnyPool;

/// A staff account to create; the password arrives in clear and is hashed here.
pub struct NewStaff<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// One account as `portal user list` prints it.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub email: String,
    pub name: String,
    pub role: String,
    pub organization: Option<String>,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
    #[sqlx(try_from = "i64")]
    pub has_password: Flag,
}

/// Creates a vendor staff account; the e-mail must be new. Returns the account's id.
pub async fn add_staff(pool: &AnyPool, new: &NewStaff<'_>) -> Result<String, AppError> {
    if !new.role.is_staff() {
        return Err(AppError::invalid(
            "role",
            "Customer contacts are added by their organization's admin (or invited with their site), not here.",
        ));
    }
    let email = new.email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') || email.len() > 254 {
        return Err(AppError::invalid("email", "Enter an e-mail address."));
    }
    let name = new.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::invalid(
            "name",
            "Enter the person's name (up to 200 characters).",
        ));
    }
    if new.password.chars().count() < password::MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            "password",
            format!(
                "Choose a password of at least {} characters.",
                password::MIN_PASSWORD_LEN
            ),
        ));
    }
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(pool)
        .await?;
    if taken > 0 {
        return Err(AppError::invalid(
            "email",
            "An account with this e-mail already exists.",
        ));
    }
    let attempt = new.password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&attempt))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = new_id();
    // The UNIQUE index on e-mail settles a race between two `user add` runs: one insert fails.
    sqlx::query(
        "INSERT INTO users (id, organization_id, email, name, password_hash, role, active, created_at) \
         VALUES ($1, NULL, $2, $3, $4, $5, TRUE, $6)",
    )
    .bind(&id)
    .bind(&email)
    .bind(name)
    .bind(&hash)
    .bind(new.role.as_str())
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(id)
}

/// Every account, vendor staff first, then by organization and e-mail.
pub async fn list(pool: &AnyPool) -> Result<Vec<AccountRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT u.email, u.name, u.role, o.name AS organization, \
                CASE WHEN u.active THEN 1 ELSE 0 END AS active, \
                CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password \
         FROM users u LEFT JOIN organizations o ON o.id = u.organization_id \
         ORDER BY CASE WHEN u.organization_id IS NULL THEN 0 ELSE 1 END, o.name, u.email",
    )
    .fetch_all(pool)
    .await?)
}
