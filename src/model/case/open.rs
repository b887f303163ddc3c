//! The open-case form: what it needs to show (sites, arrays, programs) and what it submits.
use crate::sla::{EntitlementState, ProductLine, ProgramSet};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What the open-case form submits (already split into fields by the server function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewCase {
    pub site_id: String,
    pub array_id: String,
    pub severity: u8,
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub sev1_contact_name: String,
    pub sev1_contact_phone: String,
    /// The contact center's conversation ID, where the array's program asks for one.
    pub conversation_id: String,
}

/// The answer to opening a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCreated {
    pub id: String,
    pub number_label: String,
}

/// A severity level as the array's program defines it, shown beside the choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityOption {
    pub severity: u8,
    pub name: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseArray {
    pub id: String,
    pub name: String,
    pub serial: String,
    /// As stored: "array", "portworx" or "cloud_service".
    pub product_line: String,
    /// The severity table the engine reads for it.
    pub product: ProductLine,
    pub program_id: String,
    pub program_name: String,
    pub plan_id: String,
    pub plan_name: String,
    pub contract_end: NaiveDate,
    pub entitlement: EntitlementState,
    /// Cases may be opened only when this is true.
    pub support_active: bool,
    /// How to get support back, when it lapsed.
    pub reinstatement_message: Option<String>,
    pub severities: Vec<SeverityOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseSite {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// Business Critical Services: part of `CaseFacts`.
    pub bcs: bool,
    pub holidays: Vec<NaiveDate>,
    pub arrays: Vec<OpenCaseArray>,
}

/// What the open-case form needs: the caller's sites and arrays, and the programs, so the browser
/// can show the initial-response deadline a case would get with the same engine as the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCaseForm {
    pub sites: Vec<OpenCaseSite>,
    pub programs: ProgramSet,
    /// The server's clock: the default opening time of the deadline preview.
    pub now: DateTime<Utc>,
}
