//! Support programs as data: the three seed documents, each a JSON file, parsed and validated.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::error::SlaError;
use super::escalation::EscalationAck;
use super::hours::{ClockTime, WeeklyHours};
use super::targets::Target;

mod contact;
mod validate;

pub use contact::{Channel, ChannelKind, ContactSpec, Link, PhoneNumber, SeverityReach};

/// Severity 1 (most severe) to 4.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(try_from = "u8", into = "u8")]
pub struct Severity(u8);

impl Severity {
    pub fn new(n: u8) -> Result<Severity, SlaError> {
        if (1..=4).contains(&n) {
            Ok(Severity(n))
        } else {
            Err(SlaError::InvalidSeverity(n))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// A lower number is more severe: going from 3 to 1 is a raise.
    pub fn is_raise_from(self, before: Severity) -> bool {
        self.0 < before.0
    }
}

impl TryFrom<u8> for Severity {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Severity::new(n).map_err(|e| e.to_string())
    }
}

impl From<Severity> for u8 {
    fn from(s: Severity) -> u8 {
        s.0
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Severity {}", self.0)
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProductLine {
    /// FlashArray / FlashBlade hardware and its software.
    #[default]
    Array,
    Portworx,
}

impl ProductLine {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductLine::Array => "array",
            ProductLine::Portworx => "portworx",
        }
    }
}

/// The initial-response column of storage-7.1.3's table.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Entitlement {
    Basic,
    Standard,
    /// "Business Critical Services (BCS) and Evergreen//One".
    Bcs,
}

impl Entitlement {
    pub fn label(self) -> &'static str {
        match self {
            Entitlement::Basic => "Basic",
            Entitlement::Standard => "Standard",
            Entitlement::Bcs => "Business Critical Services (BCS) and Evergreen//One",
        }
    }
}

/// A reading of vague document words: the words themselves and what the engine does with them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub topic: String,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursSpec {
    pub hours: WeeklyHours,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// Same-day shipping: no delivery commitment.
    BestEffort,
    /// By the end of the next business day after order acceptance; orders after the cut-off are
    /// accepted the next business day.
    NextBusinessDay,
    /// A fixed number of clock hours from dispatch.
    Hours,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRule {
    pub kind: DeliveryKind,
    /// Local order cut-off for `next_business_day`.
    #[serde(default)]
    pub cutoff: Option<ClockTime>,
    /// Clock hours for `hours`.
    #[serde(default)]
    pub hours: Option<u32>,
    /// Hours that apply instead when the site has no warehouse within a four-hour drive; `None`
    /// means the program has no such rule and the site flag is ignored.
    #[serde(default)]
    pub six_hour_radius_hours: Option<u32>,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub document_words: String,
    /// Column of a per-entitlement table this plan reads; `None` for tables with a single column.
    #[serde(default)]
    pub entitlement: Option<Entitlement>,
    /// Whether the site's BCS flag moves this plan to the `bcs` column.
    #[serde(default)]
    pub bcs_column_with_flag: bool,
    #[serde(default)]
    pub delivery: Option<DeliveryRule>,
    /// What the package includes, row by row of the guide's package table (in its order). Empty
    /// for a program whose document has no such table.
    #[serde(default)]
    pub package: Vec<PackageItem>,
}

/// A row of the guides' "Support Packages" table.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum PackageFeature {
    Hotline,
    /// The Severity 1 initial response the table promises.
    ResponseTime,
    ProactiveMonitoring,
    /// "SLA for Hardware Replacement".
    HardwareReplacement,
    /// "Remote Software Upgrade Included".
    RemoteSoftwareUpgrade,
    /// "Included Controller Upgrades": the Evergreen subscription.
    ControllerUpgrades,
}

impl PackageFeature {
    pub fn label(self) -> &'static str {
        match self {
            PackageFeature::Hotline => "Hotline",
            PackageFeature::ResponseTime => "Response time (Severity 1)",
            PackageFeature::ProactiveMonitoring => "Proactive monitoring",
            PackageFeature::HardwareReplacement => "Hardware replacement",
            PackageFeature::RemoteSoftwareUpgrade => "Remote software upgrades",
            PackageFeature::ControllerUpgrades => "Controller upgrades (Evergreen)",
        }
    }
}

/// What one plan's column of the package table says about one feature.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackageItem {
    pub feature: PackageFeature,
    /// This plan's cell, in plain words for the customer.
    pub included: String,
    /// The table's row as the document prints it (every plan's column).
    pub document_words: String,
}

/// One cell of the initial-response table. `entitlement: None` means the single column of a
/// table without entitlement columns. `target: None` is the document's "N/A".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnTarget {
    #[serde(default)]
    pub entitlement: Option<Entitlement>,
    pub target: Option<Target>,
    pub document_words: String,
    pub interpretation: String,
}

/// The update-frequency column. `cadence: None` with `as_agreed` means only an agreed date counts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpdateRule {
    pub cadence: Option<Target>,
    pub as_agreed: bool,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RestorationRule {
    pub target: Option<Target>,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeverityRow {
    pub severity: Severity,
    pub name: String,
    pub definition: String,
    pub initial_response: Vec<ColumnTarget>,
    pub update: UpdateRule,
    #[serde(default)]
    pub restoration: Option<RestorationRule>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeverityTable {
    pub id: String,
    pub name: String,
    /// Product lines this table serves; empty means every product line.
    #[serde(default)]
    pub products: Vec<ProductLine>,
    pub rows: Vec<SeverityRow>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RaiseRule {
    /// The new severity's target runs from the raise, but never ends later than the deadline the
    /// case already had.
    FromRaise,
    /// The new severity's target applies retroactively from opening ("retroactive start").
    FromOpening,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeverityRaise {
    pub rule: RaiseRule,
    pub document_words: String,
    pub interpretation: String,
}

/// Which clocks stop while a case waits on the customer. The initial-response clock never stops.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WaitingOnCustomer {
    pub pauses_update_clock: bool,
    pub pauses_restoration_clock: bool,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StaleCaseRule {
    /// From the moment the case starts waiting on the customer to the closure notice.
    pub notice_after: Target,
    /// From the notice to the automatic closure.
    pub close_after_notice: Target,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResolutionProposedRule {
    /// Closed at the end of this business day following the day of the proposal.
    pub business_days: u32,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RcaRule {
    /// Severity of the resolved case that calls for a root cause analysis.
    pub severity: Severity,
    pub follow_up_severity: Severity,
    pub due: Target,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReinstatementRule {
    /// Months after the contract end during which reinstatement is possible; `None`: no limit.
    pub limit_months: Option<u32>,
    /// Reinstatement fees may be waived until the end of the calendar quarter of the lapse.
    #[serde(default)]
    pub fees_waivable_within_quarter: bool,
    pub document_words: String,
    pub interpretation: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub id: String,
    pub name: String,
    /// File name of the seed document the program encodes.
    pub source_document: String,
    pub business_hours: BusinessHoursSpec,
    pub plans: Vec<Plan>,
    pub severity_tables: Vec<SeverityTable>,
    pub severity_raise: SeverityRaise,
    pub waiting_on_customer: WaitingOnCustomer,
    /// Program-wide readings of vague words ("hours" vs "business hours", business day, ...).
    #[serde(default)]
    pub readings: Vec<Reading>,
    #[serde(default)]
    pub stale_case: Option<StaleCaseRule>,
    #[serde(default)]
    pub resolution_proposed_auto_close: Option<ResolutionProposedRule>,
    #[serde(default)]
    pub rca: Option<RcaRule>,
    #[serde(default)]
    pub reinstatement: Option<ReinstatementRule>,
    /// How customers reach support (channels, numbers, hours, status page, self-help).
    #[serde(default)]
    pub contact: Option<ContactSpec>,
    /// How soon support acknowledges a customer's escalation request (the portal's choice; the
    /// default when absent is `EscalationAck::default_rule`).
    #[serde(default)]
    pub escalation_ack: Option<EscalationAck>,
}

impl Program {
    pub fn plan(&self, id: &str) -> Result<&Plan, SlaError> {
        self.plans
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| SlaError::UnknownPlan {
                program: self.id.clone(),
                plan: id.to_string(),
                known: self
                    .plans
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    pub fn table_for(&self, product: ProductLine) -> Result<&SeverityTable, SlaError> {
        self.severity_tables
            .iter()
            .find(|t| t.products.contains(&product))
            .or_else(|| self.severity_tables.iter().find(|t| t.products.is_empty()))
            .ok_or_else(|| SlaError::NoTableForProduct {
                program: self.id.clone(),
                product: product.as_str().to_string(),
            })
    }

    /// The program's business hours at a site.
    pub fn calendar(&self, tz: &str, holidays: Vec<NaiveDate>) -> Result<Calendar, SlaError> {
        Calendar::new(tz, self.business_hours.hours.clone(), holidays)
    }

    /// The column a plan reads, given the site's BCS flag.
    pub fn column(&self, plan: &Plan, bcs: bool) -> Option<Entitlement> {
        if bcs && plan.bcs_column_with_flag {
            Some(Entitlement::Bcs)
        } else {
            plan.entitlement
        }
    }

    /// Parses and validates one program file; errors name the file and the field.
    pub fn from_json(file: &str, contents: &str) -> Result<Program, SlaError> {
        let program: Program = serde_json::from_str(contents).map_err(|e| SlaError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        program
            .validate()
            .map_err(|(field, message)| SlaError::Invalid {
                file: file.to_string(),
                field,
                message,
            })?;
        Ok(program)
    }
}

const BUILTIN: [(&str, &str); 3] = [
    (
        "storage-classic.json",
        include_str!("programs/storage-classic.json"),
    ),
    (
        "storage-7.1.3.json",
        include_str!("programs/storage-7.1.3.json"),
    ),
    (
        "contact-center.json",
        include_str!("programs/contact-center.json"),
    ),
];

/// The programs the portal runs, in a stable order.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ProgramSet {
    programs: Vec<Program>,
}

impl ProgramSet {
    /// The three programs shipped in the binary.
    pub fn builtin() -> Result<ProgramSet, SlaError> {
        ProgramSet::from_json_files(&BUILTIN)
    }

    /// Exactly the programs of these files (name, contents); a duplicate id is an error.
    pub fn from_json_files(files: &[(&str, &str)]) -> Result<ProgramSet, SlaError> {
        let mut set = ProgramSet::default();
        let mut origin: Vec<&str> = Vec::new();
        for &(file, contents) in files {
            let p = Program::from_json(file, contents)?;
            if let Some(i) = set.programs.iter().position(|q| q.id == p.id) {
                return Err(SlaError::DuplicateProgram {
                    id: p.id,
                    file: file.to_string(),
                    other_file: origin[i].to_string(),
                });
            }
            set.programs.push(p);
            origin.push(file);
        }
        Ok(set)
    }

    /// This set with `other`'s programs replacing those of the same id and the rest appended.
    pub fn merge(mut self, other: ProgramSet) -> ProgramSet {
        for p in other.programs {
            match self.programs.iter_mut().find(|q| q.id == p.id) {
                Some(slot) => *slot = p,
                None => self.programs.push(p),
            }
        }
        self
    }

    /// The built-in programs overridden by every `*.json` file of `dir` (server start-up).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<ProgramSet, SlaError> {
        let dir = dir.as_ref();
        let io = |path: &std::path::Path, e: std::io::Error| SlaError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().and_then(|e| e.to_str()) == Some("json") {
                let contents = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.push((path.display().to_string(), contents));
            }
        }
        files.sort();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_str()))
            .collect();
        Ok(ProgramSet::builtin()?.merge(ProgramSet::from_json_files(&refs)?))
    }

    pub fn get(&self, id: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.id == id)
    }

    pub fn program(&self, id: &str) -> Result<&Program, SlaError> {
        self.get(id)
            .ok_or_else(|| SlaError::UnknownProgram(id.to_string()))
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Program> {
        self.programs.iter()
    }

    pub fn len(&self) -> usize {
        self.programs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }
}

impl<'a> IntoIterator for &'a ProgramSet {
    type Item = &'a Program;
    type IntoIter = std::slice::Iter<'a, Program>;
    fn into_iter(self) -> Self::IntoIter {
        self.programs.iter()
    }
}
