//! Notifications: the bell's count, the page, marking read, preferences and (for an
//! organization's admins) no-contact orders. Each function takes the signed-in user from the
//! session; `server::notifications` authorizes and validates.
use crate::model::notification::NotificationsPage;
use crate::model::AppError;
use leptos::prelude::*;

/// Unread notifications of the signed-in person (the bell).
#[server(name = GetUnreadNotifications, endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<u32, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::notifications::unread_count(&app_state()?.pool, &user).await
}

#[server(name = GetNotifications, endpoint = "notifications/page")]
pub async fn notifications_page() -> Result<NotificationsPage, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::notifications::page(&app_state()?.pool, &user).await
}

/// Marks one notification read, or every one when `id` is empty.
#[server(endpoint = "notifications/read")]
pub async fn mark_notification_read(id: Option<String>) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    let id = id.filter(|i| !i.is_empty());
    crate::server::notifications::mark_read(&app_state()?.pool, &user, id.as_deref()).await
}

/// Saves one kind's choice; unchecked boxes are absent from the form.
#[server(endpoint = "notifications/preference")]
pub async fn save_notification_preference(
    kind: String,
    enabled: Option<String>,
    email: Option<String>,
) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::notifications::set_preference(
        &app_state()?.pool,
        &user,
        &kind,
        enabled.is_some(),
        email.is_some(),
    )
    .await
}

#[server(endpoint = "notifications/no-contact/add")]
pub async fn add_no_contact_order(
    person: String,
    kind: String,
    until: String,
) -> Result<String, AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::notifications::add_no_contact(&app_state()?.pool, &user, &person, &kind, &until)
        .await
}

#[server(endpoint = "notifications/no-contact/lift")]
pub async fn lift_no_contact_order(id: String) -> Result<(), AppError> {
    use crate::server::auth::{app_state, current_user};
    let user = current_user().await?;
    crate::server::notifications::lift_no_contact(&app_state()?.pool, &user, &id).await
}
