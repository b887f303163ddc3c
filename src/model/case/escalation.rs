//! Escalation as the case page shows it: support's escalation (specialists join, the owner stays
//! the point of contact) and a designated contact's request for it, with its acknowledgment
//! deadline.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest reason (or acknowledgment note) accepted.
pub const ESCALATION_REASON_MAX: usize = 1_000;

stored_enum!(EscalationState, unknown "escalation request state", [
    Requested => "requested", "Requested",
    Acknowledged => "acknowledged", "Acknowledged",
    Closed => "closed", "Closed",
]);

/// The states a request passes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EscalationState {
    Requested,
    Acknowledged,
    Closed,
}

impl EscalationState {
    pub fn is_open(self) -> bool {
        self != EscalationState::Closed
    }
}

/// A contact's request for escalation, with what support did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRequest {
    pub id: String,
    pub state: EscalationState,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// When support must acknowledge it (the program's `escalation_ack` target).
    pub ack_due: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub ack_note: String,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Everything the case page shows about escalation, for either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEscalation {
    /// When support escalated the case (`None`: not escalated).
    pub escalated_at: Option<DateTime<Utc>>,
    /// The latest request, open or closed.
    pub request: Option<EscalationRequest>,
    /// The viewer may ask for escalation now (a contact, open case, no open request).
    pub can_request: bool,
    /// The viewer may escalate (support, open case, not escalated yet).
    pub can_escalate: bool,
}

/// What the customer reads once the case is escalated, naming the owner (the guides: "The
/// original TSE, however, remains as the point of contact for the customer.").
pub fn escalated_words(owner: Option<&str>) -> String {
    match owner {
        Some(name) => format!("Escalated to specialists; {name} remains your point of contact."),
        None => "Escalated to specialists.".to_string(),
    }
}
