use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArraySummary {
    pub id: String,
    pub name: String,
    pub serial: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    /// ISO date (YYYY-MM-DD), the last day of the support contract.
    pub contract_end: String,
    /// Dark sites are not connected to the vendor's cloud.
    pub connected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub address: String,
    pub arrays: Vec<ArraySummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub sites: Vec<SiteSummary>,
}

/// What the signed-in person may see: their own organization, or every one for vendor staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub organizations: Vec<OrgSummary>,
    /// How this customer reaches support, for the programs of the arrays they see (empty for
    /// vendor staff).
    pub reach: Vec<crate::model::reach::ProgramReach>,
}
