//! Who hears of what. `enqueue` runs inside the transaction of the change it reports: it records
//! the event, adds the bell's entry for each person who wants it and an outbox row for each
//! address to e-mail (the worker in `server::outbox` delivers them). Recipients: the case's site
//! contacts and its opener, the organization's team alias, support engineers for the kinds they
//! follow; each person's preferences and the organization's no-contact orders decide the rest.
use crate::model::case::{case_number_label, CaseEventKind};
use crate::model::notification::{
    NoContactOrder, NoContactSection, Notification, NotificationKind, NotificationsPage, OrgPerson,
    Preference, DEADLINE_WARNING_MINUTES, LIST_LIMIT,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::auth::map_db;
use crate::server::db::{begin_write, col, ms_to_dt};
use crate::server::ids::{new_id, now_ms};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};
use std::collections::{HashMap, HashSet};

/// Longest event text kept with a notification, in characters.
const BODY_MAX: usize = 2_000;

/// One event someone must hear of.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: NotificationKind,
    pub organization_id: Option<&'a str>,
    /// Whose contacts hear of it; `None` with an organization: all its active people.
    pub site_id: Option<&'a str>,
    pub case_id: Option<&'a str>,
    pub title: String,
    pub body: String,
    pub link: String,
    /// The person who acted hears nothing of their own action.
    pub actor: Option<&'a str>,
    /// Also the person who opened the case.
    pub case_opener: Option<&'a str>,
    /// A job may find the same event twice: the key makes the second one a no-op.
    pub dedupe_key: Option<String>,
    pub at: i64,
}

struct Recipient {
    user_id: String,
    email: String,
    customer: bool,
    /// Their preference for the notice's kind: the bell's entry, and an e-mail.
    bell: bool,
    mail: bool,
}

/// The orders in force for an organization: (person or None for everyone, kind or None for all).
async fn orders_in_force(
    conn: &mut AnyConnection,
    org: &str,
    today: NaiveDate,
) -> Result<Vec<(Option<String>, Option<String>)>, AppError> {
    let rows: Vec<(Option<String>, String, Option<String>)> = sqlx::query_as(
        "SELECT user_id, kind, until_day FROM no_contact_orders \
         WHERE organization_id = $1 AND lifted_at IS NULL",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    let today = today.to_string();
    Ok(rows
        .into_iter()
        .filter(|(_, _, until)| until.as_ref().is_none_or(|u| *u >= today))
        .map(|(user, kind, _)| (user, Some(kind).filter(|k| k != "*")))
        .collect())
}

/// The organization's contact settings: its team alias, and the older no-contact switch
/// (contacts page) that stops calls for monitoring alerts, in force or not on `today`.
async fn contact_settings(
    conn: &mut AnyConnection,
    org: &str,
    today: NaiveDate,
) -> Result<(Option<String>, bool), AppError> {
    let row: Option<(Option<String>, i64, Option<String>)> = sqlx::query_as(
        "SELECT team_email, CASE WHEN no_contact THEN 1 ELSE 0 END, no_contact_until \
         FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_db)?;
    Ok(match row {
        Some((alias, on, until)) => (
            alias,
            on != 0 && until.is_none_or(|u| u >= today.to_string()),
        ),
        None => (None, false),
    })
}

/// Everyone who may hear of the notice, in order (the organization's people of the site by
/// address, the case's opener, support engineers by address), each once, without the actor,
/// with their preference for its kind (bell, e-mail; both on when they set none). One query.
async fn recipients(conn: &mut AnyConnection, n: &Notice<'_>) -> Result<Vec<Recipient>, AppError> {
    const PERSON: &str = "u.id AS id, u.email AS email, \
        CASE WHEN p.user_id IS NULL OR p.enabled THEN 1 ELSE 0 END AS bell, \
        CASE WHEN p.user_id IS NULL OR p.email THEN 1 ELSE 0 END AS mail \
        FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = $5";
    // $6: customers hear of it; $7: support engineers do. Without a site: everyone of the
    // organization (`$2 IS NULL` matches every site).
    let sql = format!(
        "SELECT 0 AS grp, {PERSON} \
         WHERE $6 AND u.organization_id = $1 AND u.active AND ($2 IS NULL OR EXISTS \
             (SELECT 1 FROM site_contacts sc WHERE sc.user_id = u.id AND sc.site_id = $2)) \
         UNION ALL SELECT 1 AS grp, {PERSON} \
         WHERE $6 AND u.id = $3 AND u.organization_id = $1 AND u.active \
         UNION ALL SELECT 2 AS grp, {PERSON} \
         WHERE $7 AND u.role = $4 AND u.active \
         ORDER BY grp, email"
    );
    let customers = n.organization_id.is_some() && n.kind.for_customers();
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(&sql)
        .bind(n.organization_id)
        .bind(n.site_id)
        .bind(n.case_opener)
        .bind(Role::SupportEngineer.as_str())
        .bind(n.kind.as_str())
        .bind(customers)
        .bind(n.kind.for_staff())
        .fetch_all(&mut *conn)
        .await
        .map_err(map_db)?;
    let mut seen = HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|(_, id, ..)| Some(id.as_str()) != n.actor && seen.insert(id.clone()))
        .map(|(grp, user_id, email, bell, mail)| Recipient {
            user_id,
            email,
            customer: grp < 2,
            bell: bell != 0,
            mail: mail != 0,
        })
        .collect())
}

/// Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_INSERT: usize = 500;

/// The bell's entries of one event: one INSERT per `chunk` people.
async fn add_bell_entries(
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
        q.execute(&mut *conn).await.map_err(map_db)?;
    }
    Ok(())
}

/// The e-mails of one event: (address, person), one INSERT per `chunk` addresses. The same
/// address twice (a person whose address is also the alias) gets one e-mail: the first.
async fn add_emails(
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
        q.execute(&mut *conn).await.map_err(map_db)?;
    }
    Ok(())
}

/// Records the event and tells everyone who must hear of it, in the caller's transaction.
/// Returns the event's id, or `None` when an event with the same dedupe key exists already.
pub async fn enqueue(conn: &mut AnyConnection, n: &Notice<'_>) -> Result<Option<String>, AppError> {
    enqueue_in_chunks(conn, n, ROWS_PER_INSERT).await
}

/// `enqueue` writing its bell entries and e-mails `chunk` rows per statement (tests compare
/// chunk sizes: 1 is one statement per row).
#[doc(hidden)]
pub async fn enqueue_in_chunks(
    conn: &mut AnyConnection,
    n: &Notice<'_>,
    chunk: usize,
) -> Result<Option<String>, AppError> {
    let id = new_id();
    let body: String = n.body.chars().take(BODY_MAX).collect();
    let title: String = n.title.chars().take(300).collect();
    let inserted = sqlx::query(
        "INSERT INTO notification_events (id, kind, organization_id, case_id, title, body, link, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&id)
    .bind(n.kind.as_str())
    .bind(n.organization_id)
    .bind(n.case_id)
    .bind(&title)
    .bind(&body)
    .bind(&n.link)
    .bind(n.dedupe_key.as_deref())
    .bind(n.at)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?
    .rows_affected();
    if inserted == 0 {
        return Ok(None);
    }
    let people = recipients(conn, n).await?;
    let today = ms_to_dt(n.at)?.date_naive();
    let (orders, (alias, alert_switch)) = match n.organization_id {
        Some(org) => (
            orders_in_force(conn, org, today).await?,
            if n.kind.for_customers() {
                contact_settings(conn, org, today).await?
            } else {
                (None, false)
            },
        ),
        None => (Vec::new(), (None, false)),
    };
    let alert_off = n.kind == NotificationKind::Alert && alert_switch;
    let covers = |person: Option<&str>| {
        orders.iter().any(|(who, kind)| {
            (who.is_none() || who.as_deref() == person)
                && kind.as_deref().is_none_or(|k| k == n.kind.as_str())
        })
    };
    let mut bell: Vec<&str> = Vec::with_capacity(people.len());
    let mut emails: Vec<(&str, Option<&str>)> = Vec::with_capacity(people.len() + 1);
    for p in &people {
        if !p.bell {
            continue;
        }
        bell.push(&p.user_id);
        let barred = p.customer && (alert_off || covers(Some(&p.user_id)));
        if p.mail && !barred {
            emails.push((&p.email, Some(&p.user_id)));
        }
    }
    if let Some(alias) = alias.as_deref().filter(|a| !a.trim().is_empty()) {
        if !alert_off && !covers(None) {
            emails.push((alias, None));
        }
    }
    add_bell_entries(conn, &id, &bell, n.at, chunk).await?;
    add_emails(conn, &id, &emails, n.at, chunk).await?;
    Ok(Some(id))
}

// ---- Case events ----

/// What a case event means for notifications: its kind, or `None` when nobody is told.
fn kind_of_case_event(
    kind: CaseEventKind,
    public: bool,
    new_value: Option<&str>,
    from_alert: bool,
) -> Option<NotificationKind> {
    if !public {
        return None;
    }
    match kind {
        // The 'alert' entry that follows tells everyone once.
        CaseEventKind::Opened if from_alert => None,
        CaseEventKind::Opened => Some(NotificationKind::CaseOpened),
        CaseEventKind::SupportUpdate => Some(NotificationKind::SupportUpdate),
        CaseEventKind::SeverityChange => Some(NotificationKind::SeverityChange),
        CaseEventKind::StatusChange if new_value == Some("resolution_proposed") => {
            Some(NotificationKind::ResolutionProposed)
        }
        CaseEventKind::StaleNotice => Some(NotificationKind::StaleNotice),
        CaseEventKind::AutoClosed => Some(NotificationKind::AutoClosed),
        CaseEventKind::RcaCreated => Some(NotificationKind::RcaCreated),
        CaseEventKind::Alert => Some(NotificationKind::Alert),
        // A replacement's stage moves; the later stages are the customer's own doing.
        CaseEventKind::Replacement => match new_value {
            Some("dispatched") => Some(NotificationKind::ReplacementDispatched),
            Some("shipped") => Some(NotificationKind::ReplacementShipped),
            Some("delivered") => Some(NotificationKind::ReplacementDelivered),
            _ => None,
        },
        // Remote Assist sessions notify from their own service (they may have no case).
        _ => None,
    }
}

fn event_title(
    kind: NotificationKind,
    label: &str,
    subject: &str,
    new_value: Option<&str>,
) -> String {
    let what = match kind {
        NotificationKind::CaseOpened => format!("New case: {subject}"),
        NotificationKind::Alert => format!("Monitoring alert: {subject}"),
        NotificationKind::SupportUpdate => "Support posted an update".to_string(),
        NotificationKind::SeverityChange => {
            format!("Severity changed to {}", new_value.unwrap_or_default())
        }
        NotificationKind::ResolutionProposed => "Support proposed a resolution".to_string(),
        NotificationKind::StaleNotice => "Waiting for your answer".to_string(),
        NotificationKind::AutoClosed => "Case closed automatically".to_string(),
        NotificationKind::RcaCreated => "Root cause analysis case opened".to_string(),
        NotificationKind::ReplacementDispatched
        | NotificationKind::ReplacementShipped
        | NotificationKind::ReplacementDelivered => {
            format!("Replacement part {}", new_value.unwrap_or_default())
        }
        other => other.label().to_string(),
    };
    format!("{label} · {what}")
}

/// What a case event's notification needs of its case: number, organization, site, subject,
/// opener, opened from an alert (0/1), RCA parent.
pub(crate) type CaseNoticeFacts = (
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
);

/// Called by `cases::insert_event` for every timeline entry, in its transaction. `known`: what
/// the notification needs of the case, when the caller has just written it (read otherwise).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn on_case_event(
    conn: &mut AnyConnection,
    case_id: &str,
    known: Option<&CaseNoticeFacts>,
    kind: CaseEventKind,
    actor: Option<&str>,
    body: &str,
    public: bool,
    new_value: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    let read;
    let case = match known {
        Some(case) => case,
        None => {
            let row: Option<CaseNoticeFacts> = sqlx::query_as(
                "SELECT number, organization_id, site_id, subject, opened_by, \
                        CASE WHEN opened_from_alert THEN 1 ELSE 0 END, rca_parent_case_id \
                 FROM cases WHERE id = $1",
            )
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_db)?;
            let Some(row) = row else {
                return Ok(());
            };
            read = row;
            &read
        }
    };
    let (number, org, site, subject, opener, from_alert, rca_parent) = case;
    // A root-cause follow-up is announced by the parent's 'rca_created' entry.
    if kind == CaseEventKind::Opened && rca_parent.is_some() {
        return Ok(());
    }
    let Some(nkind) = kind_of_case_event(kind, public, new_value, *from_alert != 0) else {
        return Ok(());
    };
    let label = case_number_label(*number);
    enqueue(
        conn,
        &Notice {
            kind: nkind,
            organization_id: Some(org),
            site_id: Some(site),
            case_id: Some(case_id),
            title: event_title(nkind, &label, subject, new_value),
            body: body.to_string(),
            link: format!("/cases/{case_id}"),
            actor,
            case_opener: opener.as_deref(),
            dedupe_key: None,
            at,
        },
    )
    .await?;
    Ok(())
}

/// A job's notice, once per dedupe key, in its own transaction; whether it was new.
async fn enqueue_alone(pool: &AnyPool, n: Notice<'_>) -> Result<bool, AppError> {
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    let made = enqueue(&mut tx, &n).await?.is_some();
    tx.commit().await.map_err(map_db)?;
    Ok(made)
}

/// Warns support engineers of every case whose next SLA deadline falls within the next
/// `DEADLINE_WARNING_MINUTES`; once per case and deadline, whatever the number of instances
/// (the dedupe key). Returns how many warnings were new.
/// The redundant `CASE … = 0` term lets the query seek in `cases_open_queue` (migration 0009),
/// whose first column is that expression; without it the job scanned every open case.
pub async fn warn_deadlines(pool: &AnyPool, now: DateTime<Utc>) -> Result<u32, AppError> {
    let now_ms = now.timestamp_millis();
    let rows: Vec<(String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.number, c.organization_id, c.subject, c.next_deadline_at FROM cases c \
         WHERE c.status <> 'closed' \
           AND (CASE WHEN c.next_deadline_at IS NULL THEN 1 ELSE 0 END) = 0 \
           AND c.next_deadline_at > $1 AND c.next_deadline_at <= $2 \
         ORDER BY c.next_deadline_at LIMIT 200",
    )
    .bind(now_ms)
    .bind(now_ms + DEADLINE_WARNING_MINUTES * 60_000)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let mut warned = 0;
    for (id, number, org, subject, due) in rows {
        let minutes = (due - now_ms + 59_999) / 60_000;
        let made = enqueue_alone(
            pool,
            Notice {
                kind: NotificationKind::DeadlineSoon,
                organization_id: Some(&org),
                site_id: None,
                case_id: Some(&id),
                title: format!(
                    "{} · SLA deadline in {minutes} min: {subject}",
                    case_number_label(number)
                ),
                body: String::new(),
                link: format!("/cases/{id}"),
                actor: None,
                case_opener: None,
                dedupe_key: Some(format!("deadline:{id}:{due}")),
                at: now_ms,
            },
        )
        .await?;
        warned += u32::from(made);
    }
    Ok(warned)
}

/// Called by `server::remote_assist` in the transaction that starts or ends a session: the
/// array's site contacts hear of it, with or without a linked case.
pub(crate) async fn on_remote_assist(
    conn: &mut AnyConnection,
    session_id: &str,
    started: bool,
    body: &str,
    actor: Option<&str>,
    at: i64,
) -> Result<(), AppError> {
    let (org, site, array, case_id): (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT r.organization_id, a.site_id, a.name, r.case_id FROM remote_assist_sessions r \
         JOIN arrays a ON a.id = r.array_id WHERE r.id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_db)?;
    let kind = if started {
        NotificationKind::RemoteAssistStarted
    } else {
        NotificationKind::RemoteAssistEnded
    };
    enqueue(
        conn,
        &Notice {
            kind,
            organization_id: Some(&org),
            site_id: Some(&site),
            case_id: case_id.as_deref(),
            title: format!("{} on {array}", kind.label()),
            body: body.to_string(),
            link: case_id
                .as_deref()
                .map(|c| format!("/cases/{c}"))
                .unwrap_or_else(|| "/remote-assist".into()),
            actor,
            case_opener: None,
            dedupe_key: None,
            at,
        },
    )
    .await?;
    Ok(())
}

/// Tells the site's contacts and support of every replacement part still on its way after its
/// delivery due time; once per replacement and due time (the dedupe key). Returns how many.
pub async fn warn_late_replacements(pool: &AnyPool, now: DateTime<Utc>) -> Result<u32, AppError> {
    let now_ms = now.timestamp_millis();
    let rows: Vec<(String, String, String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT r.id, r.organization_id, r.site_id, r.case_id, c.number, r.delivery_due_at, r.part_number \
         FROM replacements r JOIN cases c ON c.id = r.case_id \
         WHERE r.stage IN ('dispatched', 'shipped') AND r.delivery_due_at IS NOT NULL \
             AND r.delivery_due_at < $1 \
         ORDER BY r.delivery_due_at LIMIT 200",
    )
    .bind(now_ms)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let mut warned = 0;
    for (id, org, site, case_id, number, due, part) in rows {
        let made = enqueue_alone(
            pool,
            Notice {
                kind: NotificationKind::ReplacementLate,
                organization_id: Some(&org),
                site_id: Some(&site),
                case_id: Some(&case_id),
                title: format!(
                    "{} · Replacement part {part} is late",
                    case_number_label(number)
                ),
                body: "The part has not been delivered by its delivery due time. Support is \
                       following up with the carrier."
                    .into(),
                link: format!("/cases/{case_id}"),
                actor: None,
                case_opener: None,
                dedupe_key: Some(format!("late:{id}:{due}")),
                at: now_ms,
            },
        )
        .await?;
        warned += u32::from(made);
    }
    Ok(warned)
}

// ---- The page ----

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
    .await
    .map_err(map_db)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn is_org_admin(user: &CurrentUser) -> Option<&str> {
    (user.role == Role::Admin)
        .then_some(user.organization_id.as_deref())
        .flatten()
}

pub async fn page(pool: &AnyPool, user: &CurrentUser) -> Result<NotificationsPage, AppError> {
    let rows = sqlx::query(
        "SELECT n.id, n.read_at, e.kind, e.title, e.body, e.link, e.created_at \
         FROM notifications n JOIN notification_events e ON e.id = n.event_id \
         WHERE n.user_id = $1 ORDER BY e.created_at DESC, n.id LIMIT $2",
    )
    .bind(&user.id)
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let items = rows
        .iter()
        .map(|r| {
            let kind: String = col(r, "kind")?;
            Ok(Notification {
                id: col(r, "id")?,
                kind: kind.parse()?,
                title: col(r, "title")?,
                body: col(r, "body")?,
                link: col(r, "link")?,
                created_at: ms_to_dt(col(r, "created_at")?)?,
                read: col::<Option<i64>>(r, "read_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let chosen: HashMap<String, (bool, bool)> = {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT kind, CASE WHEN enabled THEN 1 ELSE 0 END, CASE WHEN email THEN 1 ELSE 0 END \
             FROM notification_preferences WHERE user_id = $1",
        )
        .bind(&user.id)
        .fetch_all(pool)
        .await
        .map_err(map_db)?;
        rows.into_iter()
            .map(|(k, on, mail)| (k, (on != 0, mail != 0)))
            .collect()
    };
    let preferences = kinds_for(user)
        .into_iter()
        .map(|kind| {
            let (enabled, email) = chosen.get(kind.as_str()).copied().unwrap_or((true, true));
            Preference {
                kind,
                enabled,
                email,
            }
        })
        .collect();
    let no_contact = match is_org_admin(user) {
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

async fn no_contact_section(pool: &AnyPool, org: &str) -> Result<NoContactSection, AppError> {
    let rows = sqlx::query(
        "SELECT o.id, o.kind, o.until_day, o.created_at, u.name, u.email \
         FROM no_contact_orders o LEFT JOIN users u ON u.id = o.user_id \
         WHERE o.organization_id = $1 AND o.lifted_at IS NULL ORDER BY o.created_at",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    let orders = rows
        .iter()
        .map(|r| {
            let kind: String = col(r, "kind")?;
            let until: Option<String> = col(r, "until_day")?;
            let name: Option<String> = col(r, "name")?;
            let email: Option<String> = col(r, "email")?;
            Ok(NoContactOrder {
                id: col(r, "id")?,
                person: name.zip(email).map(|(n, e)| format!("{n} <{e}>")),
                kind: if kind == "*" {
                    None
                } else {
                    Some(kind.parse()?)
                },
                until: until.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                created_at: ms_to_dt(col(r, "created_at")?)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let people: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, name, email FROM users WHERE organization_id = $1 AND active ORDER BY name",
    )
    .bind(org)
    .fetch_all(pool)
    .await
    .map_err(map_db)?;
    Ok(NoContactSection {
        orders,
        people: people
            .into_iter()
            .map(|(id, name, email)| OrgPerson {
                id,
                label: format!("{name} <{email}>"),
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
    let mut w = begin_write(pool).await.map_err(map_db)?;
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
    .await
    .map_err(map_db)?
    .rows_affected();
    w.commit().await.map_err(map_db)?;
    if id.is_some() && changed == 0 {
        return Err(AppError::NotFound("Notification".into()));
    }
    Ok(())
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
    let mut w = begin_write(pool).await.map_err(map_db)?;
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
    .await
    .map_err(map_db)?;
    w.commit().await.map_err(map_db)
}

fn admin_org(user: &CurrentUser) -> Result<&str, AppError> {
    is_org_admin(user).ok_or(AppError::Forbidden)
}

/// An admin puts a no-contact order in place: for the whole organization (`person` empty) or
/// one of its people, for every event (`kind` empty or `*`) or one kind, until a last day or not.
pub async fn add_no_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    person: &str,
    kind: &str,
    until: &str,
) -> Result<String, AppError> {
    let org = admin_org(user)?;
    let person = Some(person.trim()).filter(|p| !p.is_empty());
    let kind = match kind.trim() {
        "" | "*" => "*".to_string(),
        k => k.parse::<NotificationKind>()?.as_str().to_string(),
    };
    let until = match until.trim() {
        "" => None,
        d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            AppError::invalid("until", "Enter a date as YYYY-MM-DD, or leave it empty.")
        })?),
    };
    if until.is_some_and(|u| u < Utc::now().date_naive()) {
        return Err(AppError::invalid(
            "until",
            "Choose today or a later date, or leave it empty for no end date.",
        ));
    }
    let now = now_ms();
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    let id = new_id();
    // The person must be one of the organization's: checked in the insert itself.
    let inserted = sqlx::query(
        "INSERT INTO no_contact_orders (id, organization_id, user_id, kind, until_day, created_by, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $3 AND organization_id = $2)",
    )
    .bind(&id)
    .bind(org)
    .bind(person)
    .bind(&kind)
    .bind(until.map(|d| d.to_string()))
    .bind(&user.id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if inserted == 0 {
        return Err(AppError::invalid(
            "person",
            "Choose one of your organization's people.",
        ));
    }
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "no_contact.add",
            entity: "no_contact_order",
            entity_id: &id,
            before: None,
            after: Some(
                json!({ "user_id": person, "kind": kind, "until": until.map(|d| d.to_string()) }),
            ),
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(id)
}

/// An admin lifts an order of the organization.
pub async fn lift_no_contact(pool: &AnyPool, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let org = admin_org(user)?;
    let now = now_ms();
    let mut tx = begin_write(pool).await.map_err(map_db)?;
    let changed = sqlx::query(
        "UPDATE no_contact_orders SET lifted_at = $3 \
         WHERE id = $1 AND organization_id = $2 AND lifted_at IS NULL",
    )
    .bind(id)
    .bind(org)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("No-contact order".into()));
    }
    crate::server::audit::record(
        &mut tx,
        crate::server::audit::AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "no_contact.lift",
            entity: "no_contact_order",
            entity_id: id,
            before: None,
            after: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_notes_and_comments_tell_nobody() {
        assert_eq!(
            kind_of_case_event(CaseEventKind::InternalNote, false, None, false),
            None
        );
        assert_eq!(
            kind_of_case_event(CaseEventKind::CustomerComment, true, None, false),
            None
        );
        assert_eq!(
            kind_of_case_event(
                CaseEventKind::StatusChange,
                true,
                Some("in_progress"),
                false
            ),
            None
        );
        assert_eq!(
            kind_of_case_event(
                CaseEventKind::StatusChange,
                true,
                Some("resolution_proposed"),
                false
            ),
            Some(NotificationKind::ResolutionProposed)
        );
        assert_eq!(
            kind_of_case_event(CaseEventKind::Alert, true, None, true),
            Some(NotificationKind::Alert)
        );
    }
}
