//! The installed base. The server function takes the signed-in user from the session and hands
//! it to `server::installed_base`, which authorizes by organization, site and role.
use crate::model::installed_base::InstalledBase;
use crate::model::AppError;
use leptos::prelude::*;

/// The organization's arrays by site (for vendor staff: the organization chosen with `org`).
// Named so the generated struct does not clash with the model type of the same name.
#[server(name = GetInstalledBase, endpoint = "installed-base/page")]
pub async fn installed_base(org: Option<String>) -> Result<InstalledBase, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::installed_base::installed_base(
        &state.pool,
        &state.programs,
        &user,
        org.as_deref(),
        chrono::Utc::now(),
    )
    .await
}
