//! The notice of a Remote Assist session starting or ending.
use super::enqueue::enqueue;
use super::notice::Notice;
use crate::model::notification::NotificationKind;
use crate::model::AppError;
use sqlx::AnyConnection;

/// Where a session runs: its organization, the array's site and name, its case if any.
#[derive(sqlx::FromRow)]
struct SessionPlace {
    organization_id: String,
    site_id: String,
    name: String,
    case_id: Option<String>,
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
    let place: SessionPlace = sqlx::query_as(
        "SELECT r.organization_id, a.site_id, a.name, r.case_id FROM remote_assist_sessions r \
         JOIN arrays a ON a.id = r.array_id WHERE r.id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *conn)
    .await?;
    let kind = if started {
        NotificationKind::RemoteAssistStarted
    } else {
        NotificationKind::RemoteAssistEnded
    };
    let case_id = place.case_id.as_deref();
    enqueue(
        conn,
        &Notice {
            kind,
            organization_id: Some(&place.organization_id),
            site_id: Some(&place.site_id),
            case_id,
            title: format!("{} on {}", kind.label(), place.name),
            body: body.to_string(),
            link: case_id
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
