//! The case's timeline (its event history, the truth the deadlines are computed from) and its
//! audit entries.
use super::queries::{self, EventRecord};
use crate::model::case::{CaseEvent, CaseEventKind};
use crate::model::{AppError, Role};
use crate::server::ids::new_id;
use sqlx::AnyConnection;

/// One timeline entry as stored, with its author.
#[derive(Debug, Clone)]
pub(crate) struct EventRow {
    pub event: CaseEvent,
}

impl From<EventRecord> for EventRow {
    fn from(r: EventRecord) -> Self {
        EventRow {
            event: CaseEvent {
                id: r.id,
                at: r.at.into(),
                kind: r.kind,
                actor_name: r.actor_name,
                actor_is_staff: r.actor_role.as_deref() == Some(Role::SupportEngineer.as_str()),
                body: r.body,
                old_value: r.old_value,
                new_value: r.new_value,
                public: r.public.into(),
            },
        }
    }
}

pub(crate) async fn load_events(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<EventRow>, AppError> {
    let records = queries::event_records(conn, case_id).await?;
    Ok(records.into_iter().map(EventRow::from).collect())
}

pub(crate) struct NewEvent<'a> {
    pub kind: CaseEventKind,
    pub actor: Option<&'a str>,
    pub body: &'a str,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub public: bool,
}

impl<'a> NewEvent<'a> {
    pub fn new(kind: CaseEventKind, actor: Option<&'a str>, body: &'a str) -> Self {
        NewEvent {
            kind,
            actor,
            body,
            old_value: None,
            new_value: None,
            public: kind != CaseEventKind::InternalNote,
        }
    }

    pub fn change(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.old_value = Some(old.into());
        self.new_value = Some(new.into());
        self
    }
}

pub(crate) async fn insert_event(
    conn: &mut AnyConnection,
    case_id: &str,
    at: i64,
    e: NewEvent<'_>,
) -> Result<String, AppError> {
    // Callers hold the case's row lock, so the next sequence number cannot be taken twice.
    let seq = queries::next_event_seq(conn, case_id).await?;
    write_event(conn, case_id, seq, at, e, None).await
}

/// Writes an event with its sequence number and tells whoever must hear of it. `case`: what the
/// notification needs of the case, when the caller has just written it (read otherwise).
pub(super) async fn write_event(
    conn: &mut AnyConnection,
    case_id: &str,
    seq: i64,
    at: i64,
    e: NewEvent<'_>,
    case: Option<&crate::server::notifications::CaseNoticeFacts>,
) -> Result<String, AppError> {
    let id = new_id();
    queries::insert_event_row(conn, &id, case_id, seq, at, &e).await?;
    // Whoever must hear of it is told in this same transaction (bell and e-mail outbox).
    crate::server::notifications::on_case_event(
        conn,
        case_id,
        case,
        e.kind,
        e.actor,
        e.body,
        e.public,
        e.new_value.as_deref(),
        at,
    )
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    organization_id: Option<&str>,
    actor: Option<&str>,
    action: &str,
    case_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: i64,
) -> Result<(), AppError> {
    crate::server::audit::record(
        conn,
        crate::server::audit::AuditEntry {
            organization_id,
            actor,
            action,
            entity: "case",
            entity_id: case_id,
            before,
            after,
            at,
        },
    )
    .await
}
