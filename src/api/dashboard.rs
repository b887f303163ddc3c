use crate::model::{AppError, Dashboard};
use leptos::prelude::*;

/// The caller's organization with its sites and arrays (every organization for vendor staff).
#[server(endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let state = app_state()?;
    crate::server::orgs::dashboard(&state.pool, &state.programs, &user).await
}
