use crate::server::client_addr::TrustedProxies;
use crate::sla::ProgramSet;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Session lifetime rules; configurable so deployments can match their security policy.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Ends a session nobody used for this long.
    pub idle: Duration,
    /// Ends any session this long after sign-in, however active.
    pub absolute: Duration,
    /// Served over TLS: the cookie is `Secure` and `__Host-` prefixed, and every answer carries
    /// `Strict-Transport-Security`.
    pub secure_cookie: bool,
    /// Vendor staff must sign in with a second factor (they see every customer): an account
    /// without one may only set one up. Off only for the demo (`--demo`), whose logins are public.
    pub staff_second_factor: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle: Duration::from_secs(2 * 3600),
            absolute: Duration::from_secs(12 * 3600),
            secure_cookie: false,
            staff_second_factor: true,
        }
    }
}

/// Where files go and how big they may be.
#[derive(Debug, Clone)]
pub struct AttachmentConfig {
    pub dir: PathBuf,
    pub max_file_bytes: u64,
    pub max_case_bytes: u64,
    /// The total of all attachments of one organization's cases.
    pub max_org_bytes: u64,
}

impl Default for AttachmentConfig {
    fn default() -> Self {
        AttachmentConfig {
            dir: PathBuf::from("data/attachments"),
            max_file_bytes: 25 * 1024 * 1024,
            max_case_bytes: 100 * 1024 * 1024,
            max_org_bytes: 10 * 1024 * 1024 * 1024,
        }
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: AnyPool,
    pub sessions: SessionConfig,
    /// The support programs, loaded and validated once at start-up.
    pub programs: Arc<ProgramSet>,
    /// Where case attachments are stored and how large they may be.
    pub attachments: AttachmentConfig,
    /// Proxies whose `X-Forwarded-For`/`Forwarded` name the client (`PORTAL_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// How long a client may take (the router's request and body timeouts use it too).
    pub http: crate::server::transport::HttpLimits,
    /// Opens `/metrics` on the public listener to this bearer token; `None`: it is not there.
    pub metrics_token: Option<String>,
}
