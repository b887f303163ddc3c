//! The history of an organization's contacts, from the audit log, one sentence per change.
use crate::model::contact::{action_label, HistoryEntry, RemovalNotice};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::rows::Millis;
use serde_json::Value;
use sqlx::AnyConnection;

/// One audit entry of the contacts' history, as stored.
#[derive(sqlx::FromRow)]
struct HistoryRow {
    #[sqlx(try_from = "i64")]
    at: Millis,
    action: String,
    before_json: Option<String>,
    after_json: Option<String>,
    actor_name: Option<String>,
}

async fn history_rows(conn: &mut AnyConnection, org: &str) -> Result<Vec<HistoryRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.at, a.action, a.before_json, a.after_json, u.name AS actor_name \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.organization_id = $1 AND a.entity IN ('contact', 'contact_settings') \
         ORDER BY a.at DESC, a.id LIMIT 100",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

/// One sentence for a history entry, from its stored before/after.
fn history_summary(action: &str, before: Option<&Value>, after: Option<&Value>) -> String {
    let s = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let role = |v: Option<&Value>| {
        s(v, "role")
            .parse::<Role>()
            .map(|r| r.label().to_string())
            .unwrap_or_default()
    };
    match action {
        "contact.add" => format!(
            "{} <{}> added as {} at {}",
            s(after, "name"),
            s(after, "email"),
            role(after),
            s(after, "site")
        ),
        "contact.remove" => format!(
            "{} <{}> removed as {} at {}",
            s(before, "name"),
            s(before, "email"),
            role(before),
            s(before, "site")
        ),
        "contact.update" => {
            let mut changes = Vec::new();
            for (k, label) in [
                ("name", "name"),
                ("phone", "phone"),
                ("time_zone", "time zone"),
            ] {
                if s(before, k) != s(after, k) {
                    changes.push(format!("{label} {:?} → {:?}", s(before, k), s(after, k)));
                }
            }
            if role(before) != role(after) {
                changes.push(format!("role {} → {}", role(before), role(after)));
            }
            let what = if changes.is_empty() {
                "no change".to_string()
            } else {
                changes.join(", ")
            };
            format!("{} at {}: {what}", s(after, "name"), s(after, "site"))
        }
        "contact.invite" => format!("New invitation link for {}", s(after, "email")),
        "invitation.accept" => format!("{} set a password", s(after, "email")),
        "contact.settings" => "Team contact settings changed".to_string(),
        _ => action.to_string(),
    }
}

#[derive(sqlx::FromRow)]
struct RemovalRow {
    before_json: Option<String>,
}

/// The removal of designation `contact_id` in the organization's audit log, as the page it lands
/// on says it. Read from the audit entry (the designation itself is gone), so the address carries
/// only an id and a made-up link cannot make the page say anything: an id the organization never
/// removed says nothing.
pub(super) async fn removal_notice(
    conn: &mut AnyConnection,
    org: &str,
    contact_id: &str,
    viewer: &CurrentUser,
) -> Result<Option<RemovalNotice>, AppError> {
    let row: Option<RemovalRow> = sqlx::query_as(
        "SELECT before_json FROM audit_log \
         WHERE organization_id = $1 AND entity = 'contact' AND entity_id = $2 \
           AND action = 'contact.remove' \
         ORDER BY at DESC, id LIMIT 1",
    )
    .bind(org)
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = row
        .and_then(|r| r.before_json)
        .and_then(|j| serde_json::from_str::<Value>(&j).ok())
    else {
        return Ok(None);
    };
    let s = |k: &str| {
        before
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let email = s("email");
    Ok(Some(RemovalNotice {
        was_me: email.eq_ignore_ascii_case(&viewer.email),
        name: s("name"),
        email,
        site_name: s("site"),
    }))
}

/// The organization's latest hundred changes of contacts and team settings, newest first.
pub(super) async fn history(
    conn: &mut AnyConnection,
    org: &str,
) -> Result<Vec<HistoryEntry>, AppError> {
    let rows = history_rows(conn, org).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let parse = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
            };
            let summary = history_summary(
                &r.action,
                parse(&r.before_json).as_ref(),
                parse(&r.after_json).as_ref(),
            );
            HistoryEntry {
                at: r.at.into(),
                actor_name: r.actor_name,
                action: action_label(&r.action).to_string(),
                summary,
                before: r.before_json,
                after: r.after_json,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn history_sentences() {
        let before = json!({"name": "Ann", "email": "a@x.io", "site": "HQ", "role": "authorized_caller", "phone": "", "time_zone": "UTC"});
        let mut after = before.clone();
        after["role"] = json!("admin");
        assert_eq!(
            history_summary("contact.update", Some(&before), Some(&after)),
            "Ann at HQ: role Authorized caller → Admin"
        );
        assert_eq!(
            history_summary("contact.remove", Some(&before), None),
            "Ann <a@x.io> removed as Authorized caller at HQ"
        );
    }
}
