//! Delivers the outbox: every e-mail `server::notifications` queued, with retries and
//! exponential back-off, safe with several app instances on one database.
//!
//! A worker *claims* a due row with one conditional update that counts the attempt and takes a
//! lease (`lease_owner`, `lease_until`): only a row that is pending, due and not leased (or whose
//! lease expired) matches, so of two instances racing for it exactly one gets `rows_affected = 1`.
//! After the SMTP server accepted the message, the worker marks the row sent with a second
//! conditional update on its own lease. A failure releases the lease and sets the next attempt.
//!
//! Delivery is *at least once* at the SMTP boundary: if an instance dies after the server accepted
//! a message but before it marked the row sent, the lease expires and another instance sends it
//! again. The window is one database round trip; the lease (minutes) is far longer than the SMTP
//! time-out (seconds), so a slow send is never taken over while it runs. Every copy carries the
//! same Message-ID (the row's id), so a receiving system can drop the repeat.
use crate::model::case::case_number_label;
use crate::model::AppError;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::new_id;
use crate::server::mailer::{Mailer, OutgoingMail};
use crate::sla::explain::fmt_local;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::AnyPool;
use std::time::Duration;

/// How the worker retries.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// This worker's name in `lease_owner` (unique per process).
    pub owner: String,
    /// How long a claim holds a message.
    pub lease_ms: i64,
    /// The first retry waits this long; each further one twice as long, up to `retry_max_ms`.
    pub retry_base_ms: i64,
    pub retry_max_ms: i64,
    /// After this many attempts a message is set aside as failed (kept for an operator).
    pub max_attempts: i64,
    /// Messages claimed per run at most.
    pub batch: i64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            owner: format!("portal-{}", new_id()),
            lease_ms: 5 * 60_000,
            retry_base_ms: 30_000,
            retry_max_ms: 60 * 60_000,
            // 30 s doubling up to an hour: about two days of retries.
            max_attempts: 50,
            batch: 100,
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u32,
    pub retried: u32,
    pub failed: u32,
    /// Rows another worker claimed first.
    pub skipped: u32,
}

/// Wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff_ms(cfg: &DeliveryConfig, attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    cfg.retry_base_ms
        .saturating_mul(1_i64 << exp)
        .min(cfg.retry_max_ms)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a message is rendered from: its event and, for a case, the case and its site.
#[derive(sqlx::FromRow)]
struct MailRow {
    recipient: String,
    title: String,
    body: String,
    link: String,
    number: Option<i64>,
    severity: Option<i64>,
    subject: Option<String>,
    next_deadline_at: Option<i64>,
    time_zone: Option<String>,
    site_name: Option<String>,
}

/// Renders a claimed row: the event, and for a case its number, severity and next deadline in
/// the site's time zone as they are at sending time.
async fn render(pool: &AnyPool, mailer: &Mailer, id: &str) -> Result<OutgoingMail, AppError> {
    let r: MailRow = sqlx::query_as(
        "SELECT o.recipient, e.title, e.body, e.link, c.number, c.severity, c.subject, \
                c.next_deadline_at, s.time_zone, s.name AS site_name \
         FROM outbox o JOIN notification_events e ON e.id = o.event_id \
         LEFT JOIN cases c ON c.id = e.case_id LEFT JOIN sites s ON s.id = c.site_id \
         WHERE o.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    let link = format!("{}{}", mailer.base_url, r.link);
    let facts = case_facts(&r)?;
    let prefs = format!("{}/notifications", mailer.base_url);
    Ok(OutgoingMail {
        id: id.to_string(),
        text: text_body(&r.title, &r.body, &facts, &link, &prefs),
        html: html_body(&r.title, &r.body, &facts, &link, &prefs),
        to: r.recipient,
        subject: r.title,
    })
}

/// The case's number, subject, severity and next deadline (none for an event of no case).
fn case_facts(r: &MailRow) -> Result<Vec<(&'static str, String)>, AppError> {
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(number) = r.number {
        facts.push(("Case", case_number_label(number)));
        facts.push(("Subject", r.subject.clone().unwrap_or_default()));
        if let Some(sev) = r.severity {
            facts.push(("Severity", format!("Severity {sev}")));
        }
        let tz: Tz = r
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        if let Some(due) = r.next_deadline_at {
            facts.push((
                "Next deadline",
                format!(
                    "{} ({}{})",
                    fmt_local(ms_to_dt(due)?, tz),
                    tz.name(),
                    r.site_name
                        .as_ref()
                        .map(|s| format!(", {s}"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    Ok(facts)
}

fn text_body(title: &str, body: &str, facts: &[(&str, String)], link: &str, prefs: &str) -> String {
    let mut text = format!("{title}\n\n");
    if !body.is_empty() {
        text.push_str(body);
        text.push_str("\n\n");
    }
    for (k, v) in facts {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push_str(&format!(
        "\nOpen: {link}\n\n--\nSupport Portal. Choose what you receive: {prefs}\n"
    ));
    text
}

fn html_body(title: &str, body: &str, facts: &[(&str, String)], link: &str, prefs: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><h2>{}</h2>",
        escape(title)
    );
    if !body.is_empty() {
        html.push_str(&format!(
            "<p style=\"white-space:pre-wrap\">{}</p>",
            escape(body)
        ));
    }
    if !facts.is_empty() {
        html.push_str("<table>");
        for (k, v) in facts {
            html.push_str(&format!(
                "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
                escape(k),
                escape(v)
            ));
        }
        html.push_str("</table>");
    }
    html.push_str(&format!(
        "<p><a href=\"{0}\">{0}</a></p><p style=\"color:#666\">Support Portal. \
         <a href=\"{1}\">Choose what you receive</a>.</p></body></html>",
        escape(link),
        escape(prefs)
    ));
    html
}

/// Claims, sends and settles every message due at `now` (at most `cfg.batch`).
pub async fn deliver_due(
    pool: &AnyPool,
    mailer: &Mailer,
    cfg: &DeliveryConfig,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, AppError> {
    let now_ms = now.timestamp_millis();
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) \
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now_ms)
    .bind(cfg.batch)
    .fetch_all(pool)
    .await?;
    let mut report = DeliveryReport::default();
    for id in due {
        if !claim(pool, cfg, &id, now_ms).await? {
            report.skipped += 1;
            continue;
        }
        let outcome = match render(pool, mailer, &id).await {
            Ok(mail) => mailer.send(&mail).await,
            Err(e) => Err(format!("rendering: {e}")),
        };
        match outcome {
            Ok(()) => {
                mark_sent(pool, cfg, &id, now_ms).await?;
                report.sent += 1;
            }
            Err(error) => {
                if settle_failure(pool, cfg, &id, &error, now_ms).await? {
                    report.failed += 1;
                } else {
                    report.retried += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Takes the lease on a due message and counts the attempt; `false` if another worker has it.
async fn claim(
    pool: &AnyPool,
    cfg: &DeliveryConfig,
    id: &str,
    now_ms: i64,
) -> Result<bool, AppError> {
    // The claim: its own statement, committed at once, so the lease is visible to every
    // other worker before the (slow) SMTP conversation starts. Like every write, it queues
    // for the database's write gate rather than competing with the requests' writes.
    let mut w = begin_write(pool).await?;
    let claimed = sqlx::query(
        "UPDATE outbox SET lease_owner = $2, lease_until = $3, attempts = attempts + 1 \
         WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $4 \
             AND (lease_until IS NULL OR lease_until <= $4)",
    )
    .bind(id)
    .bind(&cfg.owner)
    .bind(now_ms + cfg.lease_ms)
    .bind(now_ms)
    .execute(&mut *w)
    .await?
    .rows_affected();
    w.commit().await?;
    Ok(claimed != 0)
}

/// Marks a message the SMTP server accepted as sent, if this worker still holds its lease.
async fn mark_sent(
    pool: &AnyPool,
    cfg: &DeliveryConfig,
    id: &str,
    now_ms: i64,
) -> Result<(), AppError> {
    let mut w = begin_write(pool).await?;
    sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = $3, lease_owner = NULL, \
             lease_until = NULL, last_error = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(&cfg.owner)
    .bind(now_ms)
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(())
}

/// Releases the lease of a message that was not delivered and sets its next attempt, or sets
/// it aside as failed after `cfg.max_attempts`; returns whether it gave up.
async fn settle_failure(
    pool: &AnyPool,
    cfg: &DeliveryConfig,
    id: &str,
    error: &str,
    now_ms: i64,
) -> Result<bool, AppError> {
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?;
    let give_up = attempts >= cfg.max_attempts;
    // The error may quote the SMTP server, which may quote the address: escaped (`?`).
    tracing::warn!(outbox = %id, attempts, ?error, give_up, "e-mail not delivered");
    let mut w = begin_write(pool).await?;
    sqlx::query(
        "UPDATE outbox SET state = $3, next_attempt_at = $4, lease_owner = NULL, \
             lease_until = NULL, last_error = $5 \
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(&cfg.owner)
    .bind(if give_up { "failed" } else { "pending" })
    .bind(now_ms + backoff_ms(cfg, attempts))
    .bind(error.chars().take(500).collect::<String>())
    .execute(&mut *w)
    .await?;
    w.commit().await?;
    Ok(give_up)
}

/// How often the notification worker looks for work.
pub const WORKER_INTERVAL: Duration = Duration::from_secs(5);

/// Runs the deadline warnings and the delivery until the process ends.
pub fn spawn_worker(
    pool: AnyPool,
    mailer: Mailer,
    cfg: DeliveryConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WORKER_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = crate::server::notifications::warn_deadlines(&pool, Utc::now()).await {
                tracing::warn!(error = %e, "deadline warnings could not run");
            }
            if let Err(e) =
                crate::server::notifications::warn_late_replacements(&pool, Utc::now()).await
            {
                tracing::warn!(error = %e, "late replacement warnings could not run");
            }
            match deliver_due(&pool, &mailer, &cfg, Utc::now()).await {
                Ok(r) if r.retried > 0 || r.failed > 0 => tracing::warn!(?r, "e-mail delivery"),
                Ok(r) if r.sent > 0 => tracing::debug!(?r, "e-mail delivery"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "e-mail delivery could not run"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let cfg = DeliveryConfig {
            retry_base_ms: 1_000,
            retry_max_ms: 10_000,
            ..Default::default()
        };
        assert_eq!(backoff_ms(&cfg, 1), 1_000);
        assert_eq!(backoff_ms(&cfg, 2), 2_000);
        assert_eq!(backoff_ms(&cfg, 4), 8_000);
        assert_eq!(backoff_ms(&cfg, 5), 10_000);
        assert_eq!(backoff_ms(&cfg, 500), 10_000);
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
