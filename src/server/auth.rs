//! Sessions and the current user. Every server function reaches the signed-in person through
//! `current_user()` (or `require_*`), which reads the session cookie of *this* request.
use crate::model::{AppError, CurrentUser, Role};
use crate::server::db::{begin_write, execute_gated};
use crate::server::ids::{new_id, new_token, now_ms};
use crate::server::password;
use crate::server::state::{AppState, SessionConfig};
use leptos::prelude::*;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

pub const SESSION_COOKIE: &str = "portal_session";
/// The cookie's name over TLS. Browsers take a `__Host-` cookie only with `Secure`, `Path=/` and
/// no `Domain`, so neither a plain-HTTP page nor a sibling subdomain can plant or replace it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-portal_session";

use crate::server::sign_in_limits::{abandon, admit, settle, LimitKeys};
pub use crate::server::sign_in_limits::{
    slowdown_ms, MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_PAIR, MAX_SLOWDOWN_MS, RATE_WINDOW_MS,
    SLOWDOWN_AFTER,
};

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie's name under `cfg`: `__Host-` prefixed over TLS.
pub fn session_cookie_name(cfg: &SessionConfig) -> &'static str {
    if cfg.secure_cookie {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

pub fn session_cookie(token: &str, cfg: &SessionConfig) -> String {
    let name = session_cookie_name(cfg);
    let secure = if cfg.secure_cookie { "; Secure" } else { "" };
    format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cfg.absolute.as_secs()
    )
}

pub fn clear_cookie(cfg: &SessionConfig) -> String {
    let name = session_cookie_name(cfg);
    let secure = if cfg.secure_cookie { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header, if any. Only the name `cfg` gives counts: over TLS
/// a plain `portal_session` may have been planted over HTTP.
pub fn token_from_cookie_header<'h>(header: &'h str, cfg: &SessionConfig) -> Option<&'h str> {
    let wanted = session_cookie_name(cfg);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// The session and its user, as `user_for_token` reads them.
#[derive(sqlx::FromRow)]
struct SessionUserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    organization_id: Option<String>,
    organization_name: Option<String>,
    last_seen_at: i64,
    expires_at: i64,
    factors: i64,
    org_requires_factor: i64,
}

/// Looks a session up and applies idle and absolute expiry; an expired session is deleted.
pub async fn user_for_token(
    pool: &AnyPool,
    cfg: &SessionConfig,
    token: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let id = token_hash(token);
    let row: Option<SessionUserRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, u.organization_id, o.name AS organization_name, \
                s.last_seen_at, s.expires_at, \
                (SELECT COUNT(*) FROM second_factors f \
                 WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS factors, \
                CASE WHEN o.require_second_factor THEN 1 ELSE 0 END AS org_requires_factor \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         LEFT JOIN organizations o ON o.id = u.organization_id \
         WHERE s.id = $1 AND s.pending_factor = FALSE AND u.active = TRUE",
    )
    .bind(&id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = now_ms();
    let idle_ms = cfg.idle.as_millis() as i64;
    if now >= row.expires_at || now - row.last_seen_at >= idle_ms {
        execute_gated(
            pool,
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(&id),
        )
        .await?;
        return Ok(None);
    }
    // Touching on every request would turn each page view into a write; a minute's precision
    // is plenty for an idle timeout counted in hours.
    if now - row.last_seen_at > 60_000 {
        execute_gated(
            pool,
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&id),
        )
        .await?;
    }
    let role: Role = row
        .role
        .parse()
        .map_err(|e: crate::model::user::UnknownRole| AppError::Internal(e.to_string()))?;
    let required = (role.is_staff() && cfg.staff_second_factor) || row.org_requires_factor == 1;
    Ok(Some(CurrentUser {
        id: row.id,
        email: row.email,
        name: row.name,
        role,
        organization_id: row.organization_id,
        organization_name: row.organization_name,
        second_factor_missing: required && row.factors == 0,
    }))
}

/// What the right password opened: a session, or (for an account with a second factor) a
/// half-open one that waits for the code (`server::account::second_factor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub token: String,
    pub needs_code: bool,
}

/// `sign_in_step`'s token alone: the session, or the half-open one of an account with a factor.
pub async fn sign_in(
    pool: &AnyPool,
    cfg: &SessionConfig,
    email: &str,
    password_attempt: &str,
    ip: &str,
) -> Result<String, AppError> {
    Ok(sign_in_step(pool, cfg, email, password_attempt, ip)
        .await?
        .token)
}

/// Checks credentials and opens a new session; returns the cookie token. A fresh token is made on
/// every sign-in, so an id planted before sign-in (session fixation) is never promoted. `ip` is the
/// client's limit key (`client_ip`).
pub async fn sign_in_step(
    pool: &AnyPool,
    cfg: &SessionConfig,
    email: &str,
    password_attempt: &str,
    ip: &str,
) -> Result<SignedIn, AppError> {
    let email = checked_email(email)?;
    if password_attempt.is_empty() || password_attempt.len() > 1024 {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let keys = LimitKeys::new(&email, ip);
    admit(pool, &keys, now_ms()).await?;
    let user_id = match verify_credentials(pool, &email, password_attempt).await {
        Ok(id) => id,
        Err(e) => {
            abandon(pool, &keys).await;
            return Err(e);
        }
    };
    record_attempt(pool, cfg, &email, &keys, ip, user_id, now_ms()).await
}

/// The e-mail address as accounts store it (trimmed, lower case), if it can be one.
fn checked_email(email: &str) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') || email.len() > 254 {
        return Err(AppError::invalid("email", "Enter your e-mail address."));
    }
    Ok(email)
}

/// An account that may sign in, with its password hash.
#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: String,
    password_hash: String,
}

/// The id of the account whose password this is, or `None`.
async fn verify_credentials(
    pool: &AnyPool,
    email: &str,
    password_attempt: &str,
) -> Result<Option<String>, AppError> {
    // Only designated contacts (someone with a role at one of the organization's sites) and
    // vendor staff may sign in.
    let row: Option<CredentialsRow> = sqlx::query_as(
        "SELECT u.id, u.password_hash FROM users u \
         WHERE u.email = $1 AND u.active = TRUE AND u.password_hash IS NOT NULL \
           AND (u.role = 'support_engineer' \
                OR EXISTS (SELECT 1 FROM site_contacts c WHERE c.user_id = u.id))",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;

    let attempt = password_attempt.to_string();
    match row {
        Some(row) => {
            let ok = password::verify_bounded(attempt, row.password_hash).await;
            Ok(ok.then_some(row.id))
        }
        None => {
            password::verify_dummy_bounded(attempt).await;
            Ok(None)
        }
    }
}

/// Records the attempt and, for the account `user_id` names, opens its session.
async fn record_attempt(
    pool: &AnyPool,
    cfg: &SessionConfig,
    email: &str,
    keys: &LimitKeys,
    ip: &str,
    user_id: Option<String>,
    now: i64,
) -> Result<SignedIn, AppError> {
    // The attempt, its counts and the session it opens are written together.
    let mut tx = begin_write(pool).await?;
    settle(&mut tx, keys, user_id.is_some(), now).await?;
    sqlx::query(
        "INSERT INTO login_attempts (id, email, ip, succeeded, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(email)
    .bind(ip)
    .bind(user_id.is_some())
    .bind(now)
    .execute(&mut *tx)
    .await?;

    let Some(user_id) = user_id else {
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    };
    let factors: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(&user_id)
    .fetch_one(&mut *tx)
    .await?;
    let needs_code = factors > 0;
    // A half-open session lives only as long as the code may take.
    let lifetime = if needs_code {
        crate::server::account::second_factor::PENDING_MINUTES * 60_000
    } else {
        cfg.absolute.as_millis() as i64
    };
    let token = new_token();
    insert_session(&mut tx, &token, &user_id, now, now + lifetime, needs_code).await?;
    tx.commit().await?;
    Ok(SignedIn { token, needs_code })
}

/// A new session for the cookie `token` (stored as its hash); `pending_factor`: half-open, waiting
/// for the second factor's code.
pub(crate) async fn insert_session(
    conn: &mut sqlx::AnyConnection,
    token: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
    pending_factor: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, pending_factor) \
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(token_hash(token))
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(pending_factor)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn sign_out(pool: &AnyPool, token: &str) -> Result<(), AppError> {
    execute_gated(
        pool,
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(token_hash(token)),
    )
    .await?;
    Ok(())
}

// ---- Helpers for server functions (they read this request's context) ----

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("no application state".into()))
}

fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(|| AppError::Internal("no request".into()))
}

pub fn request_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let state = use_context::<AppState>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| token_from_cookie_header(h, &state.sessions))
        .map(str::to_string)
}

/// The client's address as the per-address limits count it: the TCP peer, or what a trusted
/// proxy says the client is (`client_addr`), an IPv6 client by its /64.
pub fn client_ip() -> String {
    let peer = request_parts().ok().and_then(|p| {
        let peer = p
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?
            .0
            .ip();
        let client = match use_context::<AppState>() {
            Some(state) => state.trusted_proxies.client(peer, &p.headers),
            None => peer,
        };
        Some(client)
    });
    crate::server::client_addr::limit_key(peer.unwrap_or(crate::server::client_addr::UNKNOWN))
}

/// The session lookup of one request, shared by everything that request runs. A page render
/// asks for the user several times (the header's `me`, the bell, the page's own resources, each
/// a server function called in-process); one database lookup answers them all. Each request gets
/// a new memo from the router's context, so nothing is shared between requests.
#[derive(Clone, Default)]
pub struct RequestUser(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

/// The signed-in user of this request, or `None`.
pub async fn optional_user() -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = request_token() else {
        return Ok(None);
    };
    let state = app_state()?;
    match use_context::<RequestUser>() {
        Some(memo) => memo
            .0
            .get_or_try_init(|| user_for_token(&state.pool, &state.sessions, &token))
            .await
            .cloned(),
        None => user_for_token(&state.pool, &state.sessions, &token).await,
    }
}

/// The signed-in user of this request, or `Unauthenticated`; `SecondFactorRequired` while an
/// account that must have a second factor has none (it may only set one up: `enrolling_user`).
pub async fn current_user() -> Result<CurrentUser, AppError> {
    let user = enrolling_user().await?;
    if user.second_factor_missing {
        return Err(AppError::SecondFactorRequired);
    }
    Ok(user)
}

/// The signed-in user even while a required second factor is missing: for the Account page and
/// the functions that set a factor up.
pub async fn enrolling_user() -> Result<CurrentUser, AppError> {
    optional_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user, if their role is one of `roles`.
pub async fn require_role(roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = current_user().await?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token_among_cookies() {
        let plain = SessionConfig::default();
        assert_eq!(
            token_from_cookie_header("a=1; portal_session=abc; b=2", &plain),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("portal_session=", &plain), None);
        assert_eq!(token_from_cookie_header("other=1", &plain), None);
        // Over TLS only the prefixed cookie counts, and the prefixed one means nothing on HTTP.
        let tls = SessionConfig {
            secure_cookie: true,
            ..SessionConfig::default()
        };
        assert_eq!(
            token_from_cookie_header("portal_session=planted; __Host-portal_session=real", &tls),
            Some("real")
        );
        assert_eq!(
            token_from_cookie_header("portal_session=planted", &tls),
            None
        );
        assert_eq!(
            token_from_cookie_header("__Host-portal_session=x", &plain),
            None
        );
    }

    #[test]
    fn cookie_flags() {
        let mut cfg = SessionConfig::default();
        let c = session_cookie("t", &cfg);
        assert!(c.starts_with("portal_session=t;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        cfg.secure_cookie = true;
        let c = session_cookie("t", &cfg);
        assert!(c.starts_with("__Host-portal_session=t;"), "{c}");
        assert!(c.contains("; Secure") && c.contains("Path=/") && !c.contains("Domain"));
        let cleared = clear_cookie(&cfg);
        assert!(cleared.starts_with("__Host-portal_session=;") && cleared.contains("Max-Age=0"));
        assert!(cleared.contains("; Secure"));
    }
}
