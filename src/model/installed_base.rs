//! The installed base ("Manage", the guides' first portal section): the organization's arrays by
//! site, each with what its support package includes and where its contract stands.
use crate::model::contact::OrgRef;
use crate::model::remote_assist::SessionState;
use crate::sla::{ContractStatus, PackageItem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which of the organization's sites the page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SiteScope {
    /// Admins and vendor staff: every site of the organization.
    Every,
    /// Authorized callers and backup contacts: the sites where they are designated.
    Designated,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalledBase {
    /// `None`: vendor staff have not chosen an organization yet.
    pub organization: Option<OrgRef>,
    /// What vendor staff may choose from (empty for customers).
    pub organizations: Vec<OrgRef>,
    pub scope: SiteScope,
    pub sites: Vec<BaseSite>,
}

/// A site with its add-on, its delivery determination and its arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseSite {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub address: String,
    /// Business Critical Services: the 7.1.3 plans read the BCS column at this site.
    pub bcs: bool,
    /// The vendor's determination for the site: no local warehouse within a four-hour drive, so
    /// four-hour delivery becomes six hours where the plan says so.
    pub six_hour_radius: bool,
    pub arrays: Vec<BaseArray>,
}

impl BaseSite {
    /// The determination in the customer's words, shown up front.
    pub fn delivery_determination(&self) -> &'static str {
        if self.six_hour_radius {
            "Six-hour delivery window: there is no local inventory warehouse within a four-hour \
             drive of this site, so four-hour replacement parts arrive within six hours."
        } else {
            "Four-hour delivery window: a local inventory warehouse is within a four-hour drive \
             of this site."
        }
    }
}

/// An array (or Portworx cluster, or contact-center service) of the installed base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseArray {
    pub id: String,
    pub name: String,
    /// Empty when not recorded.
    pub model: String,
    pub serial: String,
    /// As stored: "array", "portworx" or "cloud_service".
    pub product_line: String,
    pub program_name: String,
    pub plan_name: String,
    /// The plan's row of the guide's package table, feature by feature.
    pub package: Vec<PackageItem>,
    /// The site's BCS add-on moves this plan to the BCS response column.
    pub bcs_applies: bool,
    /// How the site's delivery determination changes this plan's hardware commitment, if it does.
    pub delivery_at_site: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: NaiveDate,
    /// On today's date at the site.
    pub contract: ContractStatus,
    /// Empty when not recorded.
    pub software_version: String,
    /// False at a dark site: no cloud connection, no Remote Assist, no alerts.
    pub connected: bool,
    pub open_cases: i64,
    pub open_replacements: i64,
    pub remote_assist: Option<BaseSession>,
    /// The viewer may open a case for it (a designated contact, support active).
    pub can_open_case: bool,
}

/// A Remote Assist session that has not ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseSession {
    pub state: SessionState,
    /// When it ends (or, requested, when the request lapses), in the site's local time.
    pub until_local: String,
}

/// A stored product line as the customer reads it.
pub fn product_line_label(stored: &str) -> &'static str {
    match stored {
        "array" => "Array",
        "portworx" => "Portworx",
        "cloud_service" => "Contact-center service",
        _ => "Other",
    }
}

/// The contract's state in one sentence, for the page.
pub fn contract_sentence(status: &ContractStatus, end: NaiveDate) -> String {
    match status {
        ContractStatus::Active => format!("Active until {end}"),
        ContractStatus::Lapsing { days_left: 1 } => {
            format!("Lapsing: today ({end}) is the last day of support")
        }
        ContractStatus::Lapsing { days_left } => {
            format!("Lapsing: support ends after {end}, {days_left} days left")
        }
        ContractStatus::Lapsed {
            reinstatable_until,
            fees_waivable_until,
        } => {
            let mut s = format!("Lapsed on {end}; ");
            match reinstatable_until {
                Some(until) => s.push_str(&format!("reinstatable until {until}")),
                None => s.push_str("reinstatable (no time limit)"),
            }
            if let Some(f) = fees_waivable_until {
                s.push_str(&format!("; fees may be waived until {f}"));
            }
            s
        }
        ContractStatus::Expired => {
            format!(
                "Expired on {end}: reinstating it is at the vendor's discretion and may be refused"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn contract_sentences_say_the_days_and_the_dates() {
        let end = day("2027-02-15");
        assert_eq!(
            contract_sentence(&ContractStatus::Lapsing { days_left: 75 }, end),
            "Lapsing: support ends after 2027-02-15, 75 days left"
        );
        assert_eq!(
            contract_sentence(&ContractStatus::Lapsing { days_left: 1 }, end),
            "Lapsing: today (2027-02-15) is the last day of support"
        );
        assert_eq!(
            contract_sentence(
                &ContractStatus::Lapsed {
                    reinstatable_until: Some(day("2027-08-15")),
                    fees_waivable_until: None
                },
                end
            ),
            "Lapsed on 2027-02-15; reinstatable until 2027-08-15"
        );
        // 7.1.3: "Everpure may, in its sole discretion, deny reinstatement for the array if the
        // Subscription is expired for more than 6 months": may, not cannot.
        let expired = contract_sentence(&ContractStatus::Expired, end);
        assert!(expired.starts_with("Expired on"));
        assert!(expired.contains("may be refused") && !expired.contains("no longer"));
        assert_eq!(
            product_line_label("cloud_service"),
            "Contact-center service"
        );
    }
}
