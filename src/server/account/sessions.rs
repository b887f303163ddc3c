//! A person's open sessions: where each was opened (recorded at sign-in), the list the Account
//! page shows, and "sign out everywhere else".
use super::queries::{delete_other_sessions, live_sessions, set_session_client};
use crate::model::account::{AccountPage, SessionInfo};
use crate::model::{AppError, CurrentUser};
use crate::server::auth::token_hash;
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::state::SessionConfig;
use sqlx::AnyPool;

/// Longest user agent kept, in characters: enough to tell browsers apart, and a client cannot
/// make the row arbitrarily large.
pub const USER_AGENT_MAX: usize = 300;

/// Notes which client opened the session of `token` (its user agent and address), for the
/// person's list of sessions.
pub async fn record_client(
    pool: &AnyPool,
    token: &str,
    user_agent: &str,
    ip: &str,
) -> Result<(), AppError> {
    let user_agent: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(USER_AGENT_MAX)
        .collect();
    let ip: String = ip.chars().take(64).collect();
    let mut tx = begin_write(pool).await?;
    set_session_client(&mut tx, &token_hash(token), &user_agent, &ip).await?;
    tx.commit().await?;
    Ok(())
}

/// The signed-in person's details and open sessions; `current_token` marks the one asking.
pub async fn account_page(
    pool: &AnyPool,
    cfg: &SessionConfig,
    user: &CurrentUser,
    current_token: Option<&str>,
    codes_memo: Option<&crate::server::shown_once::ShownOnce<Vec<String>>>,
) -> Result<AccountPage, AppError> {
    let now = now_ms();
    let idle_ms = i64::try_from(cfg.idle.as_millis()).unwrap_or(i64::MAX);
    let current = current_token.map(token_hash);
    let rows = live_sessions(pool, &user.id, now, now.saturating_sub(idle_ms)).await?;
    let sessions = rows
        .into_iter()
        .map(|r| SessionInfo {
            current: current.as_deref() == Some(r.id.as_str()),
            created_at: r.created_at.into(),
            last_seen_at: r.last_seen_at.into(),
            user_agent: r.user_agent,
            ip: r.ip,
        })
        .collect();
    Ok(AccountPage {
        name: user.name.clone(),
        email: user.email.clone(),
        sessions,
        second_factor: super::second_factor::page_showing(
            pool,
            user,
            cfg.staff_second_factor,
            codes_memo,
        )
        .await?,
    })
}

/// Ends every session of the person except the one of `current_token`; how many ended.
pub async fn sign_out_others(
    pool: &AnyPool,
    user: &CurrentUser,
    current_token: &str,
) -> Result<u64, AppError> {
    let mut tx = begin_write(pool).await?;
    let ended = delete_other_sessions(&mut tx, &user.id, &token_hash(current_token)).await?;
    tx.commit().await?;
    Ok(ended)
}
