//! Recording an event and deciding who hears of it, in the transaction of the change it reports.
use super::notice::Notice;
use super::queries::{
    add_bell_entries, add_emails, contact_settings, insert_event, orders_in_force, recipients,
    Recipient,
};
use crate::model::notification::NotificationKind;
use crate::model::AppError;
use crate::server::db::{begin_write, ms_to_dt};
use crate::server::ids::new_id;
use sqlx::{AnyConnection, AnyPool};

/// Longest event text kept with a notification, in characters.
const BODY_MAX: usize = 2_000;

/// Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const ROWS_PER_INSERT: usize = 500;

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
    if !insert_event(conn, &id, n, &title, &body).await? {
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
    let bars = Bars {
        kind: n.kind,
        orders,
        alert_off: n.kind == NotificationKind::Alert && alert_switch,
    };
    let (bell, emails) = deliveries(&people, alias.as_deref(), &bars);
    add_bell_entries(conn, &id, &bell, n.at, chunk).await?;
    add_emails(conn, &id, &emails, n.at, chunk).await?;
    Ok(Some(id))
}

/// What keeps e-mails from a customer's people: the no-contact orders in force, (person or
/// `None` for everyone, kind or `None` for all), and the contacts page's switch for alerts.
struct Bars {
    kind: NotificationKind,
    orders: Vec<(Option<String>, Option<String>)>,
    alert_off: bool,
}

impl Bars {
    fn covers(&self, person: Option<&str>) -> bool {
        self.orders.iter().any(|(who, kind)| {
            (who.is_none() || who.as_deref() == person)
                && kind.as_deref().is_none_or(|k| k == self.kind.as_str())
        })
    }
}

/// The bell's entries (people) and the e-mails (address, person) of one event.
type Deliveries<'p> = (Vec<&'p str>, Vec<(&'p str, Option<&'p str>)>);

/// Who gets the bell's entry and who an e-mail: everyone who wants the bell, an e-mail to those
/// who also want one unless an order bars it, and the team alias unless one does.
fn deliveries<'p>(people: &'p [Recipient], alias: Option<&'p str>, bars: &Bars) -> Deliveries<'p> {
    let mut bell: Vec<&str> = Vec::with_capacity(people.len());
    let mut emails: Vec<(&str, Option<&str>)> = Vec::with_capacity(people.len() + 1);
    for p in people {
        if !p.bell {
            continue;
        }
        bell.push(&p.user_id);
        let barred = p.customer && (bars.alert_off || bars.covers(Some(&p.user_id)));
        if p.mail && !barred {
            emails.push((&p.email, Some(&p.user_id)));
        }
    }
    if let Some(alias) = alias.filter(|a| !a.trim().is_empty()) {
        if !bars.alert_off && !bars.covers(None) {
            emails.push((alias, None));
        }
    }
    (bell, emails)
}

/// A job's notice, once per dedupe key, in its own transaction; whether it was new.
pub(super) async fn enqueue_alone(pool: &AnyPool, n: Notice<'_>) -> Result<bool, AppError> {
    let mut tx = begin_write(pool).await?;
    let made = enqueue(&mut tx, &n).await?.is_some();
    tx.commit().await?;
    Ok(made)
}
