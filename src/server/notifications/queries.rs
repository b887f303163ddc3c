//! The notification service's SQL: one function per statement, on the caller's connection.
use super::notice::Notice;
use crate::model::{AppError, Role};
use crate::server::ids::new_id;
use crate::server::rows::Flag;
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashSet;

/// Records the event, unless one with its dedupe key exists; whether it was new.
pub(super) async fn insert_event(
    conn: &mut AnyConnection,
    id: &str,
    n: &Notice<'_>,
    title: &str,
    body: &str,
) -> Result<bool, AppError> {
    let inserted = sqlx::query(
        "INSERT INTO notification_events (id, kind, organization_id, case_id, title, body, link, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(id)
    .bind(n.kind.as_str())
    .bind(n.organization_id)
    .bind(n.case_id)
    .bind(title)
    .bind(body)
    .bind(&n.link)
    .bind(n.dedupe_key.as_deref())
    .bind(n.at)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted > 0)
}

/// A no-contact order not lifted, as stored.
#[derive(sqlx::FromRow)]
struct OrderRow {
    user_id: Option<String>,
    kind: String,
    until_day: Option<String>,
}

/// The orders in force for an organization: (person or None for everyone, kind or None for all).
pub(super) async fn orders_in_force(
    conn: &mut AnyConnection,
    org: &str,
    today: NaiveDate,
) -> Result<Vec<(Option<String>, Option<String>)>, AppError> {
    let rows: Vec<OrderRow> = sqlx::query_as(
        "SELECT user_id, kind, until_day FROM no_contact_orders \
         WHERE organization_id = $1 AND lifted_at IS NULL",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let today = today.to_string();
    Ok(rows
        .into_iter()
        .filter(|r| r.until_day.as_ref().is_none_or(|u| *u >= today))
        .map(|r| (r.user_id, Some(r.kind).filter(|k| k != "*")))
        .collect())
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    team_email: Option<String>,
    #[sqlx(try_from = "i64")]
    no_contact: Flag,
    no_contact_until: Option<String>,
}

/// The organization's contact settings: its team alias, and the older no-contact switch
/// (contacts page) that stops calls for monitoring alerts, in force or not on `today`.
pub(super) async fn contact_settings(
    conn: &mut AnyConnection,
    org: &str,
    today: NaiveDate,
) -> Result<(Option<String>, bool), AppError> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT team_email, CASE WHEN no_contact THEN 1 ELSE 0 END AS no_contact, no_contact_until \
         FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => (
            r.team_email,
            r.no_contact.0 && r.no_contact_until.is_none_or(|u| u >= today.to_string()),
        ),
        None => (None, false),
    })
}

/// Someone who may hear of a notice.
pub(super) struct Recipient {
    pub user_id: String,
    pub email: String,
    pub customer: bool,
    /// Their preference for the notice's kind: the bell's entry, and an e-mail.
    pub bell: bool,
    pub mail: bool,
}

#[derive(sqlx::FromRow)]
struct RecipientRow {
    grp: i64,
    id: String,
    email: String,
    #[sqlx(try_from = "i64")]
    bell: Flag,
    #[sqlx(try_from = "i64")]
    mail: Flag,
}

/// Everyone who may hear of the notice, in order (the organization's people of the site by
/// address, the case's opener, support engineers by address), each once, without the actor,
/// with their preference for its kind (bell, e-mail; both on when they set none). One query.
pub(super) async fn recipients(
    conn: &mut AnyConnection,
    n: &Notice<'_>,
) -> Result<Vec<Recipient>, AppError> {
    const PERSON: &str = "u.id AS id, u.email AS email, \
        CASE WHEN p.user_id IS NULL OR p.enabled THEN 1 ELSE 0 END AS bell, \
        CASE WHEN p.user_id IS NULL OR p.email THEN 1 ELSE 0 END AS mail \
        FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = $5";
    // $6: customers hear of it; $7: support engineers do. Without a site: everyone of the
    // organization (`$2 IS NULL` matches every site). $8: the case; while an active engineer
    // owns it, support's notices about it go to the owner alone (everyone in support when it
    // is unassigned, or its owner was deactivated).
    let sql = format!(
        "SELECT 0 AS grp, {PERSON} \
         WHERE $6 AND u.organization_id = $1 AND u.active AND ($2 IS NULL OR EXISTS \
             (SELECT 1 FROM site_contacts sc WHERE sc.user_id = u.id AND sc.site_id = $2)) \
         UNION ALL SELECT 1 AS grp, {PERSON} \
         WHERE $6 AND u.id = $3 AND u.organization_id = $1 AND u.active \
         UNION ALL SELECT 2 AS grp, {PERSON} \
         WHERE $7 AND u.role = $4 AND u.active AND NOT EXISTS \
             (SELECT 1 FROM cases oc JOIN users ou ON ou.id = oc.owner_id \
              WHERE oc.id = $8 AND ou.active AND ou.id <> u.id) \
         ORDER BY grp, email"
    );
    let customers = n.organization_id.is_some() && n.kind.for_customers();
    let rows: Vec<RecipientRow> = sqlx::query_as(&sql)
        .bind(n.organization_id)
        .bind(n.site_id)
        .bind(n.case_opener)
        .bind(Role::SupportEngineer.as_str())
        .bind(n.kind.as_str())
        .bind(customers)
        .bind(n.kind.for_staff())
        .bind(n.case_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut seen = HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| Some(r.id.as_str()) != n.actor && seen.insert(r.id.clone()))
        .map(|r| Recipient {
            user_id: r.id,
            email: r.email,
            customer: r.grp < 2,
            bell: r.bell.0,
            mail: r.mail.0,
        })
        .collect())
}

/// The bell's entries of one event: one INSERT per `chunk` people.
pub(super) async fn add_bell_entries(
    conn: &mut AnyConnection,
    event_id: &str,
    user_ids: &[&str],
    at: i64,
    chunk: usize,
) -> Result<(), AppError> {
    for part in user_ids.chunks(chunk.max(1)) {
        let mut sql =
            String::from("INSERT INTO notifications (id, user_id, event_id, created_at) VALUES ");
        for i in 0..part.len() {
            let k = 3 + 2 * i;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${k}, ${}, $1, $2)", k + 1));
        }
        let mut q = sqlx::query(&sql).bind(event_id).bind(at);
        for user_id in part {
            q = q.bind(new_id()).bind(*user_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The e-mails of one event: (address, person), one INSERT per `chunk` addresses. The same
/// address twice (a person whose address is also the alias) gets one e-mail: the first.
pub(super) async fn add_emails(
    conn: &mut AnyConnection,
    event_id: &str,
    emails: &[(&str, Option<&str>)],
    at: i64,
    chunk: usize,
) -> Result<(), AppError> {
    let mut seen = HashSet::new();
    let rows: Vec<(String, Option<&str>)> = emails
        .iter()
        .map(|(address, user_id)| (address.trim().to_lowercase(), *user_id))
        .filter(|(address, _)| seen.insert(address.clone()))
        .collect();
    for part in rows.chunks(chunk.max(1)) {
        let mut sql = String::from(
            "INSERT INTO outbox (id, event_id, recipient, user_id, state, attempts, next_attempt_at, created_at) VALUES ",
        );
        for i in 0..part.len() {
            let k = 3 + 3 * i;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${k}, $1, ${}, ${}, 'pending', 0, $2, $2)",
                k + 1,
                k + 2
            ));
        }
        // Kept from the one-row statements: an address already queued for the event stays one.
        sql.push_str(" ON CONFLICT (event_id, recipient) DO NOTHING");
        let mut q = sqlx::query(&sql).bind(event_id).bind(at);
        for (address, user_id) in part {
            q = q.bind(new_id()).bind(address.as_str()).bind(*user_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
