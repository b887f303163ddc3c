//! The /notifications page: the bell's list, each person's preferences and, for the
//! organization's admins, the no-contact orders; marking entries read and saving a preference.
use crate::model::notification::{
    NoContactOrder, NoContactSection, Notification, NotificationKind, NotificationsPage, OrgPerson,
    Preference, LIST_LIMIT,
};
use crate::model::{AppError, CurrentUser};
use crate::server::access::admin_org;
use crate::server::db::{begin_write, execute_gated};
use crate::server::ids::now_ms;
use crate::server::rows::{Flag, Millis};
use chrono::NaiveDate;
use sqlx::AnyPool;
use std::collections::HashMap;

fn kinds_for(user: &CurrentUser) -> Vec<NotificationKind> {
    NotificationKind::ALL
        .into_iter()
        .filter(|k| {
            if user.role.is_staff() {
                k.for_staff()
            } else {
                k.for_customers()
            }
        })
        .collect()
}

pub async fn unread_count(pool: &AnyPool, user: &CurrentUser) -> Result<u32, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(&user.id)
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub async fn page(pool: &AnyPool, user: &CurrentUser) -> Result<NotificationsPage, AppError> {
    let items = items(pool, &user.id).await?;
    let preferences = preferences(pool, user).await?;
    let no_contact = match admin_org(user).ok() {
        Some(org) => Some(no_contact_section(pool, org).await?),
        None => None,
    };
    Ok(NotificationsPage {
        unread: unread_count(pool, user).await?,
        items,
        preferences,
        no_contact,
    })
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    read_at: Option<i64>,
    #[sqlx(try_from = "String")]
    kind: NotificationKind,
    title: String,
    body: String,
    link: String,
    severity: Option<i64>,
    #[sqlx(try_from = "i64")]
    created_at: Millis,
}

/// The bell's list, newest first, each case's entry with the case's severity now.
async fn items(pool: &AnyPool, user_id: &str) -> Result<Vec<Notification>, AppError> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT n.id, n.read_at, e.kind, e.title, e.body, e.link, c.severity, e.created_at \
         FROM notifications n JOIN notification_events e ON e.id = n.event_id \
         LEFT JOIN cases c ON c.id = e.case_id \
         WHERE n.user_id = $1 ORDER BY e.created_at DESC, n.id LIMIT $2",
    )
    .bind(user_id)
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Notification {
            id: r.id,
            kind: r.kind,
            title: r.title,
            body: r.body,
            link: r.link,
            severity: r.severity.and_then(|s| u8::try_from(s).ok()),
            created_at: r.created_at.into(),
            read: r.read_at.is_some(),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct PreferenceRow {
    kind: String,
    #[sqlx(try_from = "i64")]
    enabled: Flag,
    #[sqlx(try_from = "i64")]
    email: Flag,
}

/// The person's choice for every kind they can receive (both on when they set none).
async fn preferences(pool: &AnyPool, user: &CurrentUser) -> Result<Vec<Preference>, AppError> {
    let rows: Vec<PreferenceRow> = sqlx::query_as(
        "SELECT kind, CASE WHEN enabled THEN 1 ELSE 0 END AS enabled, \
                CASE WHEN email THEN 1 ELSE 0 END AS email \
         FROM notification_preferences WHERE user_id = $1",
    )
    .bind(&user.id)
    .fetch_all(pool)
    .await?;
    let chosen: HashMap<String, (bool, bool)> = rows
        .into_iter()
        .map(|r| (r.kind, (r.enabled.0, r.email.0)))
        .collect();
    Ok(kinds_for(user)
        .into_iter()
        .map(|kind| {
            let (enabled, email) = chosen.get(kind.as_str()).copied().unwrap_or((true, true));
            Preference {
                kind,
                enabled,
                email,
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: String,
    kind: String,
    until_day: Option<String>,
    #[sqlx(try_from = "i64")]
    created_at: Millis,
    name: Option<String>,
    email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    name: String,
    email: String,
}

async fn no_contact_section(pool: &AnyPool, org: &str) -> Result<NoContactSection, AppError> {
    let rows: Vec<OrderRow> = sqlx::query_as(
        "SELECT o.id, o.kind, o.until_day, o.created_at, u.name, u.email \
         FROM no_contact_orders o LEFT JOIN users u ON u.id = o.user_id \
         WHERE o.organization_id = $1 AND o.lifted_at IS NULL ORDER BY o.created_at",
    )
    .bind(org)
    .fetch_all(pool)
    .await?;
    let orders = rows
        .into_iter()
        .map(|r| {
            Ok(NoContactOrder {
                id: r.id,
                person: r.name.zip(r.email).map(|(n, e)| format!("{n} <{e}>")),
                kind: if r.kind == "*" {
                    None
                } else {
                    Some(r.kind.parse()?)
                },
                until: r
                    .until_day
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                created_at: r.created_at.into(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let people: Vec<PersonRow> = sqlx::query_as(
        "SELECT id, name, email FROM users WHERE organization_id = $1 AND active ORDER BY name",
    )
    .bind(org)
    .fetch_all(pool)
    .await?;
    Ok(NoContactSection {
        orders,
        people: people
            .into_iter()
            .map(|p| OrgPerson {
                id: p.id,
                label: format!("{} <{}>", p.name, p.email),
            })
            .collect(),
    })
}

/// Marks one notification read, or all of them when `id` is `None`. Someone else's id is
/// "not found".
pub async fn mark_read(
    pool: &AnyPool,
    user: &CurrentUser,
    id: Option<&str>,
) -> Result<(), AppError> {
    let now = now_ms();
    let mut w = begin_write(pool).await?;
    let changed = match id {
        Some(id) => sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(&user.id)
        .bind(now),
        None => sqlx::query(
            "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(&user.id)
        .bind(now),
    }
    .execute(&mut *w)
    .await?
    .rows_affected();
    w.commit().await?;
    if id.is_some() && changed == 0 {
        return Err(AppError::NotFound("Notification".into()));
    }
    Ok(())
}

/// Marks the person's notifications about one case read: opening the case is reading them, so
/// the bell stops pointing at what they have seen. The caller has checked the person may see
/// the case and holds no connection of the pool (the write waits behind the write gate). Most
/// views have nothing unread: the count is read first, so they stay reads. Returns how many
/// were marked.
pub async fn mark_case_read(
    pool: &AnyPool,
    user: &CurrentUser,
    case_id: &str,
) -> Result<u64, AppError> {
    const OF_CASE: &str = "user_id = $1 AND read_at IS NULL AND event_id IN \
         (SELECT id FROM notification_events WHERE case_id = $2)";
    let unread: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM notifications WHERE {OF_CASE}"
    ))
    .bind(&user.id)
    .bind(case_id)
    .fetch_one(pool)
    .await?;
    if unread == 0 {
        return Ok(0);
    }
    let sql = format!("UPDATE notifications SET read_at = $3 WHERE {OF_CASE}");
    let done = execute_gated(
        pool,
        sqlx::query(&sql)
            .bind(&user.id)
            .bind(case_id)
            .bind(now_ms()),
    )
    .await?;
    Ok(done.rows_affected())
}

/// Saves what a person wants to receive for one kind of event.
pub async fn set_preference(
    pool: &AnyPool,
    user: &CurrentUser,
    kind: &str,
    enabled: bool,
    email: bool,
) -> Result<(), AppError> {
    let kind: NotificationKind = kind.parse()?;
    if !kinds_for(user).contains(&kind) {
        return Err(AppError::invalid("kind", "Choose a kind of notification."));
    }
    let mut w = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO notification_preferences (user_id, kind, enabled, email, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, kind) DO UPDATE SET \
             enabled = excluded.enabled, email = excluded.email, updated_at = excluded.updated_at",
    )
    .bind(&user.id)
    .bind(kind.as_str())
    .bind(enabled)
    .bind(email && enabled)
    .bind(now_ms())
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(())
}
