//! The notices the background jobs send: SLA deadlines close, replacement parts late. Each
//! notice has its own transaction and a dedupe key, so every instance may run the job.
use super::enqueue::enqueue_alone;
use super::notice::Notice;
use crate::model::case::case_number_label;
use crate::model::notification::{NotificationKind, DEADLINE_WARNING_MINUTES};
use crate::model::AppError;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// An open case with its next deadline.
#[derive(sqlx::FromRow)]
struct DeadlineRow {
    id: String,
    number: i64,
    organization_id: String,
    subject: String,
    next_deadline_at: i64,
}

/// Warns support engineers of every case whose next SLA deadline falls within the next
/// `DEADLINE_WARNING_MINUTES`; once per case and deadline, whatever the number of instances
/// (the dedupe key). Returns how many warnings were new.
/// Seeks in `cases_open_due` (migration 0016): `due_key` is `next_deadline_at` where there is one.
pub async fn warn_deadlines(pool: &AnyPool, now: DateTime<Utc>) -> Result<u32, AppError> {
    let now_ms = now.timestamp_millis();
    let rows: Vec<DeadlineRow> = sqlx::query_as(
        "SELECT c.id, c.number, c.organization_id, c.subject, c.next_deadline_at FROM cases c \
         WHERE c.status <> 'closed' AND c.due_key > $1 AND c.due_key <= $2 \
         ORDER BY c.due_key, c.number LIMIT 200",
    )
    .bind(now_ms)
    .bind(now_ms + DEADLINE_WARNING_MINUTES * 60_000)
    .fetch_all(pool)
    .await?;
    let mut warned = 0;
    for c in rows {
        let (id, due) = (&c.id, c.next_deadline_at);
        let minutes = (due - now_ms + 59_999) / 60_000;
        let made = enqueue_alone(
            pool,
            Notice {
                kind: NotificationKind::DeadlineSoon,
                organization_id: Some(&c.organization_id),
                site_id: None,
                case_id: Some(id),
                title: format!(
                    "{} · SLA deadline in {minutes} min: {}",
                    case_number_label(c.number),
                    c.subject
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

/// A replacement on its way past its delivery due time.
#[derive(sqlx::FromRow)]
struct LateRow {
    id: String,
    organization_id: String,
    site_id: String,
    case_id: String,
    number: i64,
    delivery_due_at: i64,
    part_number: String,
}

/// Tells the site's contacts and support of every replacement part still on its way after its
/// delivery due time; once per replacement and due time (the dedupe key). Returns how many.
pub async fn warn_late_replacements(pool: &AnyPool, now: DateTime<Utc>) -> Result<u32, AppError> {
    let now_ms = now.timestamp_millis();
    let rows: Vec<LateRow> = sqlx::query_as(
        "SELECT r.id, r.organization_id, r.site_id, r.case_id, c.number, r.delivery_due_at, r.part_number \
         FROM replacements r JOIN cases c ON c.id = r.case_id \
         WHERE r.stage IN ('dispatched', 'shipped') AND r.delivery_due_at IS NOT NULL \
             AND r.delivery_due_at < $1 \
         ORDER BY r.delivery_due_at LIMIT 200",
    )
    .bind(now_ms)
    .fetch_all(pool)
    .await?;
    let mut warned = 0;
    for r in rows {
        let case_id = &r.case_id;
        let made = enqueue_alone(
            pool,
            Notice {
                kind: NotificationKind::ReplacementLate,
                organization_id: Some(&r.organization_id),
                site_id: Some(&r.site_id),
                case_id: Some(case_id),
                title: format!(
                    "{} · Replacement part {} is late",
                    case_number_label(r.number),
                    r.part_number
                ),
                body: "The part has not been delivered by its delivery due time. Support is \
                       following up with the carrier."
                    .into(),
                link: format!("/cases/{case_id}"),
                actor: None,
                case_opener: None,
                dedupe_key: Some(format!("late:{}:{}", r.id, r.delivery_due_at)),
                at: now_ms,
            },
        )
        .await?;
        warned += u32::from(made);
    }
    Ok(warned)
}
