//! Monitoring alerts as the portal shows them, and the alert API's tokens (issued and revoked by
//! an organization's admins). The ingest API itself is a plain route: `server::alerts::ingest`.
use crate::model::alert::{AlertsPage, ApiToken, CreatedApiToken};
use crate::model::AppError;
use leptos::prelude::*;

#[server(name = GetAlerts, endpoint = "alerts/page")]
pub async fn alerts_page() -> Result<AlertsPage, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::alerts::page(&app_state()?.pool, &user).await
}

/// The organization's alert API tokens (its admins only): the token list reads them again after
/// a change.
#[server(endpoint = "alerts/tokens")]
pub async fn api_tokens() -> Result<Vec<ApiToken>, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::alerts::tokens(&app_state()?.pool, &user).await
}

/// Issues a token; the answer holds the secret, shown this once.
#[server(endpoint = "alerts/tokens/create")]
pub async fn create_api_token(name: String) -> Result<CreatedApiToken, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::alerts::create_token(&app_state()?.pool, &user, &name).await
}

#[server(endpoint = "alerts/tokens/revoke")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::alerts::revoke_token(&app_state()?.pool, &user, &id).await
}
