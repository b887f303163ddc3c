//! Hardware replacements as they cross the wire: the stages a replaced part moves through, the
//! site logistics a field technician needs, and what each page shows.
//!
//! From the support guides: support "initiates the shipping of the replacement part and, if
//! required, dispatches a Field Technician"; the technician needs "the address of the datacenter
//! and any pertinent information within it, such as grid coordinates" and "specifics for site
//! security"; the customer returns the defective part "using the packaging in which the
//! replacement part was delivered" with a prepaid label or a returns kit, or keeps the drives
//! for an additional charge. The delivery commitment comes from the SLA engine
//! (`sla::delivery_due`), measured in the site's local time from dispatch.
use crate::model::AppError;
use crate::sla::DeliveryDue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The guides give no deadline for sending the defective part back; the portal asks for it
/// within this many days of delivery (or of installation, when a technician replaces it).
pub const RETURN_DAYS: i64 = 10;
/// Largest quantity of one part on one replacement.
pub const QUANTITY_MAX: i64 = 99;
/// Longest part number, carrier or tracking number, in characters.
pub const CODE_MAX: usize = 100;
/// Longest description, cancel reason or logistics field, in characters.
pub const TEXT_MAX: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartType {
    Controller,
    Drive,
    Nvram,
    Psu,
    Fan,
    Cable,
    Chassis,
    Other,
}

stored_enum!(PartType, "the type of part", "part_type", [
    Controller => "controller", "Controller",
    Drive => "drive", "Drive",
    Nvram => "nvram", "NVRAM",
    Psu => "psu", "Power supply",
    Fan => "fan", "Fan",
    Cable => "cable", "Cable",
    Chassis => "chassis", "Chassis",
    Other => "other", "Other part",
]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    /// A prepaid return label (on the packaging, or sent by e-mail).
    Label,
    /// A returns kit with instructions to arrange collection by the logistics provider.
    Kit,
}

stored_enum!(ReturnMethod, "how the part goes back", "return_method", [
    Label => "label", "Prepaid return label",
    Kit => "kit", "Returns kit (collection)",
]);

/// Where a replacement is. The order is the guides' own: diagnosed, dispatched, shipped,
/// delivered, then (with a field technician) scheduled and installed, then the defective part
/// returned, or retained under the drive-retention option. Cancelled ends it early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Diagnosed,
    Dispatched,
    Shipped,
    Delivered,
    TechnicianScheduled,
    Installed,
    Returned,
    Retained,
    Cancelled,
}

stored_enum!(Stage, "a stage", "stage", [
    Diagnosed => "diagnosed", "Diagnosed",
    Dispatched => "dispatched", "Dispatched",
    Shipped => "shipped", "Shipped",
    Delivered => "delivered", "Delivered",
    TechnicianScheduled => "technician_scheduled", "Technician scheduled",
    Installed => "installed", "Installed",
    Returned => "returned", "Defective part returned",
    Retained => "retained", "Drives retained",
    Cancelled => "cancelled", "Cancelled",
]);

impl Stage {
    /// Nothing happens after these.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Returned | Stage::Retained | Stage::Cancelled)
    }

    /// The part is on its way: the delivery commitment is running.
    pub fn in_transit(self) -> bool {
        matches!(self, Stage::Dispatched | Stage::Shipped)
    }

    /// Support may cancel until the part has arrived.
    pub fn can_cancel(self) -> bool {
        matches!(self, Stage::Diagnosed | Stage::Dispatched | Stage::Shipped)
    }

    /// The stages that may follow this one for a replacement with or without a technician
    /// and with or without the drive-retention option (cancelling aside).
    pub fn next(self, technician: bool, retention: bool) -> Vec<Stage> {
        let finish = || {
            if retention {
                vec![Stage::Retained]
            } else {
                vec![Stage::Returned]
            }
        };
        match self {
            Stage::Diagnosed => vec![Stage::Dispatched],
            Stage::Dispatched => vec![Stage::Shipped],
            Stage::Shipped => vec![Stage::Delivered],
            Stage::Delivered if technician => vec![Stage::TechnicianScheduled],
            Stage::Delivered => finish(),
            Stage::TechnicianScheduled => vec![Stage::Installed],
            Stage::Installed => finish(),
            Stage::Returned | Stage::Retained | Stage::Cancelled => Vec::new(),
        }
    }

    /// The stage a move to `self` must come from (for a replacement of this kind), used to
    /// explain a refused move.
    pub fn required_before(self, technician: bool) -> Option<Stage> {
        match self {
            Stage::Diagnosed | Stage::Cancelled => None,
            Stage::Dispatched => Some(Stage::Diagnosed),
            Stage::Shipped => Some(Stage::Dispatched),
            Stage::Delivered => Some(Stage::Shipped),
            Stage::TechnicianScheduled => Some(Stage::Delivered),
            Stage::Installed => Some(Stage::TechnicianScheduled),
            Stage::Returned | Stage::Retained if technician => Some(Stage::Installed),
            Stage::Returned | Stage::Retained => Some(Stage::Delivered),
        }
    }

    /// The stages a replacement of this kind passes through, in order (for the progress list).
    pub fn path(technician: bool, retention: bool) -> Vec<Stage> {
        let mut out = vec![
            Stage::Diagnosed,
            Stage::Dispatched,
            Stage::Shipped,
            Stage::Delivered,
        ];
        if technician {
            out.extend([Stage::TechnicianScheduled, Stage::Installed]);
        }
        out.push(if retention {
            Stage::Retained
        } else {
            Stage::Returned
        });
        out
    }
}

/// A whole quantity from a form value, 1 to `QUANTITY_MAX`.
pub fn parse_quantity(value: &str) -> Result<i64, AppError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=QUANTITY_MAX).contains(n))
        .ok_or_else(|| {
            AppError::invalid(
                "quantity",
                format!("Enter a quantity from 1 to {QUANTITY_MAX}."),
            )
        })
}

/// A checkbox's value: present ("on") or absent.
pub fn checked(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| matches!(v.trim(), "on" | "true" | "1" | "yes"))
}

/// What a field technician needs at a site and who receives deliveries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogisticsFields {
    pub datacenter_address: String,
    pub grid_coordinates: String,
    pub access_instructions: String,
    pub delivery_contact_name: String,
    pub delivery_contact_phone: String,
}

impl LogisticsFields {
    /// What is missing, in words for a message ("the datacenter address", ...).
    pub fn missing(&self) -> Vec<&'static str> {
        [
            (&self.datacenter_address, "the datacenter address"),
            (&self.grid_coordinates, "the grid coordinates"),
            (
                &self.access_instructions,
                "the site security and access instructions",
            ),
            (
                &self.delivery_contact_name,
                "the name of the site contact for deliveries",
            ),
            (
                &self.delivery_contact_phone,
                "the phone number of the site contact for deliveries",
            ),
        ]
        .into_iter()
        .filter(|(v, _)| v.trim().is_empty())
        .map(|(_, what)| what)
        .collect()
    }
}

/// "a, b and c".
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A site's logistics as the replacements page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLogistics {
    pub site_id: String,
    pub site_name: String,
    pub organization_name: String,
    pub time_zone: String,
    pub fields: LogisticsFields,
    /// What a technician dispatch would be refused for, in words; empty when complete.
    pub missing: Vec<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    /// The viewer is an admin of the site's organization.
    pub can_edit: bool,
}

/// Whether the part arrived within the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not dispatched yet: no clock.
    NotDispatched,
    /// Same-day shipping: no delivery commitment.
    BestEffort,
    /// On its way, due time not passed (when the server answered).
    OnTime,
    /// On its way and past its due time.
    Late,
    DeliveredOnTime,
    DeliveredLate,
    /// Cancelled before delivery.
    None,
}

impl DeliveryState {
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::NotDispatched => "Not dispatched yet",
            DeliveryState::BestEffort => "Best effort (no delivery commitment)",
            DeliveryState::OnTime => "On time",
            DeliveryState::Late => "Late",
            DeliveryState::DeliveredOnTime => "Delivered on time",
            DeliveryState::DeliveredLate => "Delivered late",
            DeliveryState::None => "No delivery",
        }
    }

    pub fn is_late(self) -> bool {
        matches!(self, DeliveryState::Late | DeliveryState::DeliveredLate)
    }

    /// The state from the stored facts at `now`.
    pub fn of(
        stage: Stage,
        dispatched: bool,
        due: Option<DateTime<Utc>>,
        delivered_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> DeliveryState {
        match (due, delivered_at) {
            _ if !dispatched && stage == Stage::Cancelled => DeliveryState::None,
            _ if !dispatched => DeliveryState::NotDispatched,
            (None, _) => DeliveryState::BestEffort,
            (Some(due), Some(at)) if at <= due => DeliveryState::DeliveredOnTime,
            (Some(_), Some(_)) => DeliveryState::DeliveredLate,
            (Some(_), None) if stage == Stage::Cancelled => DeliveryState::None,
            (Some(due), None) if now > due => DeliveryState::Late,
            (Some(_), None) => DeliveryState::OnTime,
        }
    }
}

/// The case a replacement belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementCase {
    pub id: String,
    pub number_label: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    pub id: String,
    pub organization_name: String,
    pub case: ReplacementCase,
    pub array_name: String,
    pub site_name: String,
    /// IANA zone of the site: every time is shown in the site's local time.
    pub site_tz: String,
    pub part_type: PartType,
    pub part_number: String,
    pub quantity: i64,
    pub description: String,
    pub technician_required: bool,
    pub return_method: ReturnMethod,
    pub drive_retention: bool,
    pub stage: Stage,
    pub created_by: String,
    pub diagnosed_at: DateTime<Utc>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub installed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// The SLA engine's answer at dispatch.
    pub delivery: Option<DeliveryDue>,
    pub delivery_due: Option<DateTime<Utc>>,
    /// As the server saw it; pages recompute "late" from the live clock.
    pub delivery_state: DeliveryState,
    pub proposed_window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub access_confirmed_at: Option<DateTime<Utc>>,
    pub access_confirmed_by: Option<String>,
    pub return_due: Option<DateTime<Utc>>,
    /// What the customer must do next, in words; `None` when nothing.
    pub next_step: Option<String>,
    /// What the site's logistics lack for a technician (only when one is needed).
    pub logistics_missing: Vec<String>,
    // What the viewer may do; the server enforces the same rules on every action.
    /// Stages a support engineer may move it to now.
    pub next_stages: Vec<Stage>,
    pub can_cancel: bool,
    pub can_confirm_access: bool,
    pub can_propose_window: bool,
}

impl Replacement {
    /// "Drive · PN-123 × 2".
    pub fn title(&self) -> String {
        let mut t = format!("{} · {}", self.part_type.label(), self.part_number);
        if self.quantity > 1 {
            t.push_str(&format!(" × {}", self.quantity));
        }
        t
    }
}

/// Everything the replacements page shows, already filtered for the viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplacementsOverview {
    /// Open ones first (by delivery due), then finished ones, newest first.
    pub replacements: Vec<Replacement>,
    pub sites: Vec<SiteLogistics>,
    pub is_staff: bool,
    /// The server's clock when it answered: the first render and the hydrated page tick from it.
    pub now: DateTime<Utc>,
}

/// An array a replacement may be created for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrayChoice {
    pub id: String,
    pub label: String,
}

/// The replacements panel of a case page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseReplacements {
    pub replacements: Vec<Replacement>,
    /// Support may create one (the case's organization has hardware arrays).
    pub can_create: bool,
    /// The organization's hardware arrays, the case's own first.
    pub arrays: Vec<ArrayChoice>,
    pub now: DateTime<Utc>,
}

/// Replacements whose part is past its delivery commitment and not delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateDeliveries {
    pub replacements: Vec<Replacement>,
    pub is_staff: bool,
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip() {
        for s in Stage::ALL {
            assert_eq!(s.as_str().parse::<Stage>(), Ok(s));
        }
        for p in PartType::ALL {
            assert_eq!(p.as_str().parse::<PartType>(), Ok(p));
        }
        for r in ReturnMethod::ALL {
            assert_eq!(r.as_str().parse::<ReturnMethod>(), Ok(r));
        }
        assert_eq!(
            "toaster".parse::<PartType>().unwrap_err().field(),
            Some("part_type")
        );
    }

    #[test]
    fn stages_follow_the_guides_order() {
        // Without a technician: straight from delivery to the return.
        assert_eq!(Stage::Delivered.next(false, false), vec![Stage::Returned]);
        assert_eq!(
            Stage::Delivered.next(true, false),
            vec![Stage::TechnicianScheduled]
        );
        assert_eq!(Stage::Installed.next(true, true), vec![Stage::Retained]);
        assert!(Stage::Returned.next(false, false).is_empty());
        // Every stage's required predecessor lists it as next.
        for tech in [false, true] {
            for retention in [false, true] {
                let path = Stage::path(tech, retention);
                for pair in path.windows(2) {
                    assert_eq!(pair[0].next(tech, retention), vec![pair[1]]);
                    assert_eq!(pair[1].required_before(tech), Some(pair[0]));
                }
            }
        }
        assert!(Stage::Shipped.can_cancel());
        assert!(!Stage::Delivered.can_cancel());
    }

    #[test]
    fn missing_logistics_in_words() {
        let mut f = LogisticsFields {
            datacenter_address: "1 Main St".into(),
            ..LogisticsFields::default()
        };
        assert_eq!(f.missing().len(), 4);
        f.grid_coordinates = "Hall 2, row C, rack 14".into();
        f.access_instructions = " ".into();
        f.delivery_contact_name = "Dock".into();
        f.delivery_contact_phone = "+1 555".into();
        assert_eq!(
            f.missing(),
            vec!["the site security and access instructions"]
        );
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
        assert_eq!(and_list(&["a"]), "a");
    }

    #[test]
    fn delivery_states() {
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h);
        let due = Some(t(4));
        use DeliveryState as D;
        assert_eq!(
            D::of(Stage::Diagnosed, false, None, None, t(0)),
            D::NotDispatched
        );
        assert_eq!(
            D::of(Stage::Dispatched, true, None, None, t(9)),
            D::BestEffort
        );
        assert_eq!(D::of(Stage::Shipped, true, due, None, t(3)), D::OnTime);
        assert_eq!(D::of(Stage::Shipped, true, due, None, t(5)), D::Late);
        assert_eq!(
            D::of(Stage::Delivered, true, due, Some(t(4)), t(9)),
            D::DeliveredOnTime
        );
        assert_eq!(
            D::of(Stage::Returned, true, due, Some(t(5)), t(9)),
            D::DeliveredLate
        );
        assert_eq!(D::of(Stage::Cancelled, true, due, None, t(9)), D::None);
        assert_eq!(parse_quantity(" 2 "), Ok(2));
        assert!(parse_quantity("0").is_err() && parse_quantity("100").is_err());
        assert!(checked(&Some("on".into())) && !checked(&None));
    }
}
