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
use crate::server::password;

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
