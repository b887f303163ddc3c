//! An e-mail to one person that is no event of the notification kinds (an invitation link): it
//! takes the outbox like every other e-mail (same worker, retries, Message-ID), in the caller's
//! transaction, but no bell entry (the person may not be able to sign in yet), and neither
//! preferences nor no-contact orders apply: those are about support contacting the customer,
//! and this is the portal's answer to what someone of the organization just asked for.
use crate::model::AppError;
use crate::server::ids::new_id;
use sqlx::AnyConnection;

/// The events' `kind` of these e-mails; no `NotificationKind`, so no page lists them.
const KIND: &str = "invitation";

/// One e-mail to one address.
pub struct DirectEmail<'a> {
    pub organization_id: &'a str,
    pub user_id: &'a str,
    pub address: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    /// Path inside the portal the e-mail links to (the outbox adds the public address).
    pub link: &'a str,
    pub at: i64,
}

/// Queues the e-mail in the caller's transaction.
pub async fn email_one(conn: &mut AnyConnection, m: &DirectEmail<'_>) -> Result<(), AppError> {
    let event_id = new_id();
    sqlx::query(
        "INSERT INTO notification_events (id, kind, organization_id, case_id, title, body, link, dedupe_key, created_at) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6, NULL, $7)",
    )
    .bind(&event_id)
    .bind(KIND)
    .bind(m.organization_id)
    .bind(m.title)
    .bind(m.body)
    .bind(m.link)
    .bind(m.at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (id, event_id, recipient, user_id, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(new_id())
    .bind(&event_id)
    .bind(m.address.trim().to_lowercase())
    .bind(m.user_id)
    .bind(m.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
