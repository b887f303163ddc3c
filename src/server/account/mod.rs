//! A person's own account: changing the password, resetting a forgotten one by e-mail, the
//! list of open sessions, and the password policy every new password passes.
mod password_change;
pub mod policy;
mod queries;
mod reset;
pub mod second_factor;
mod sessions;

pub use password_change::change_password;
pub use reset::{
    complete_reset, request_reset, RESET_MAX_PER_ACCOUNT, RESET_MAX_PER_ADDRESS, RESET_WINDOW_MS,
};
pub use sessions::{account_page, record_client, sign_out_others, USER_AGENT_MAX};

use crate::model::AppError;
use crate::server::ids::now_ms;
use crate::server::password;
use crate::server::throttle::{self, Outcome};

/// Wrong current passwords tolerated per account within the throttle's window (15 minutes) on
/// the signed-in forms that ask for it (changing the password, turning two-step sign-in off):
/// someone holding a stolen session must not get unlimited guesses at the password behind it.
pub const MAX_REAUTH_FAILURES: i64 = 5;

/// Whether `attempt` is the signed-in person's current password, counted against
/// `MAX_REAUTH_FAILURES` (atomically, like sign-in: parallel guesses cannot pass the limit).
async fn check_current_password(
    pool: &sqlx::AnyPool,
    user_id: &str,
    attempt: &str,
) -> Result<bool, AppError> {
    let key = format!("reauth:{user_id}");
    throttle::admit(pool, &key, MAX_REAUTH_FAILURES, now_ms()).await?;
    let checked = match queries::password_hash(pool, user_id).await {
        Ok(phc) => verify_password(attempt, phc).await,
        Err(e) => Err(e),
    };
    let outcome = match &checked {
        Ok(true) => Outcome::Succeeded,
        Ok(false) => Outcome::Failed,
        Err(_) => Outcome::Abandoned,
    };
    throttle::finish(pool, &key, outcome, now_ms()).await?;
    checked
}

/// argon2id off the async threads: it takes tens of milliseconds of CPU.
async fn hash_password(new_password: &str) -> Result<String, AppError> {
    let pw = new_password.to_string();
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    phc.map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether `attempt` is the password of `phc`, checked off the async threads.
async fn verify_password(attempt: &str, phc: Option<String>) -> Result<bool, AppError> {
    let attempt = attempt.to_string();
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => password::verify(&attempt, &phc),
        // No password yet: burn the same time, and no attempt matches.
        None => {
            password::verify_dummy(&attempt);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}
