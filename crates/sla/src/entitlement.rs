//! Support entitlement on a date: active, lapsed but reinstatable, or expired beyond the limit.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::program::Program;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum EntitlementState {
    Active,
    Lapsed {
        /// Last day reinstatement is offered; `None`: the program sets no limit.
        reinstatable_until: Option<NaiveDate>,
        /// Last day reinstatement fees and penalties may be waived, where the program says so.
        fees_waivable_until: Option<NaiveDate>,
    },
    Expired,
}

/// Last day of the calendar quarter containing `d`.
fn quarter_end(d: NaiveDate) -> Option<NaiveDate> {
    let first_month_next = ((d.month0() / 3) + 1) * 3 + 1;
    let (y, m) = if first_month_next > 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), first_month_next)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The contract covers `contract_end` itself; support lapses the day after.
pub fn entitlement_on(
    program: &Program,
    contract_end: NaiveDate,
    on: NaiveDate,
) -> EntitlementState {
    if on <= contract_end {
        return EntitlementState::Active;
    }
    let Some(rule) = &program.reinstatement else {
        // The document offers no way back: the contract is simply over.
        return EntitlementState::Expired;
    };
    let reinstatable_until = match rule.limit_months {
        Some(m) => match contract_end.checked_add_months(Months::new(m)) {
            Some(d) => Some(d),
            None => return EntitlementState::Expired,
        },
        None => None,
    };
    if reinstatable_until.is_some_and(|until| on > until) {
        return EntitlementState::Expired;
    }
    let fees_waivable_until = if rule.fees_waivable_within_quarter {
        contract_end
            .succ_opt()
            .and_then(quarter_end)
            .filter(|q| on <= *q)
    } else {
        None
    };
    EntitlementState::Lapsed {
        reinstatable_until,
        fees_waivable_until,
    }
}

/// How long before a contract's end the portal warns that it is lapsing (the portal's choice:
/// the guides set no notice period; six months leaves time to renew).
pub const LAPSING_NOTICE_MONTHS: u32 = 6;

/// A support contract on a date, as the installed base shows it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ContractStatus {
    /// Support runs, and ends more than `LAPSING_NOTICE_MONTHS` from now.
    Active,
    /// Support runs but ends within `LAPSING_NOTICE_MONTHS`: `days_left` days of support remain,
    /// today included (1 on the contract's last day).
    Lapsing { days_left: i64 },
    /// Support ended; the program allows reinstating it (until a day, or without a limit).
    Lapsed {
        reinstatable_until: Option<NaiveDate>,
        fees_waivable_until: Option<NaiveDate>,
    },
    /// Support ended and the reinstatement window is over (the vendor may refuse to reinstate).
    Expired,
}

impl ContractStatus {
    /// Cases may be opened under the contract.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ContractStatus::Active | ContractStatus::Lapsing { .. }
        )
    }
}

/// The contract's status on `on` (a date at the array's site). Lapsing from exactly
/// `LAPSING_NOTICE_MONTHS` before `contract_end` (inclusive) to `contract_end`; afterwards the
/// program's reinstatement rule decides between lapsed and expired (`entitlement_on`).
pub fn contract_status(
    program: &Program,
    contract_end: NaiveDate,
    on: NaiveDate,
) -> ContractStatus {
    match entitlement_on(program, contract_end, on) {
        EntitlementState::Active => {
            let notice_from = contract_end.checked_sub_months(Months::new(LAPSING_NOTICE_MONTHS));
            if notice_from.is_none_or(|from| on >= from) {
                ContractStatus::Lapsing {
                    days_left: (contract_end - on).num_days() + 1,
                }
            } else {
                ContractStatus::Active
            }
        }
        EntitlementState::Lapsed {
            reinstatable_until,
            fees_waivable_until,
        } => ContractStatus::Lapsed {
            reinstatable_until,
            fees_waivable_until,
        },
        EntitlementState::Expired => ContractStatus::Expired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProgramSet;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn status(program: &str, end: &str, on: &str) -> ContractStatus {
        let programs = ProgramSet::builtin().unwrap();
        contract_status(programs.get(program).unwrap(), day(end), day(on))
    }

    #[test]
    fn lapsing_starts_exactly_six_months_before_the_end() {
        // Contract ends 30 Jun 2027; six months before is 30 Dec 2026.
        assert_eq!(
            status("storage-7.1.3", "2027-06-30", "2026-12-29"),
            ContractStatus::Active
        );
        assert_eq!(
            status("storage-7.1.3", "2027-06-30", "2026-12-30"),
            ContractStatus::Lapsing { days_left: 183 }
        );
        // Month ends clamp: six months before 31 Aug is 28 Feb (2027 is no leap year).
        assert_eq!(
            status("storage-classic", "2027-08-31", "2027-02-27"),
            ContractStatus::Active
        );
        assert!(matches!(
            status("storage-classic", "2027-08-31", "2027-02-28"),
            ContractStatus::Lapsing { .. }
        ));
    }

    #[test]
    fn the_last_day_is_covered_and_the_next_one_lapses() {
        // "The contract covers `contract_end` itself": one day left on it.
        assert_eq!(
            status("storage-7.1.3", "2026-12-31", "2026-12-31"),
            ContractStatus::Lapsing { days_left: 1 }
        );
        assert_eq!(
            status("storage-7.1.3", "2026-12-31", "2027-01-01"),
            ContractStatus::Lapsed {
                reinstatable_until: Some(day("2027-06-30")),
                fees_waivable_until: None,
            }
        );
        assert!(status("storage-7.1.3", "2026-12-31", "2026-12-31").is_active());
        assert!(!status("storage-7.1.3", "2026-12-31", "2027-01-01").is_active());
    }

    /// "Everpure may, in its sole discretion, deny reinstatement for the array if the
    /// Subscription is expired for more than 6 months." (storage-7.1.3)
    #[test]
    fn reinstatable_through_the_sixth_month_then_expired() {
        assert_eq!(
            status("storage-7.1.3", "2026-06-30", "2026-12-30"),
            ContractStatus::Lapsed {
                reinstatable_until: Some(day("2026-12-30")),
                fees_waivable_until: None,
            }
        );
        assert_eq!(
            status("storage-7.1.3", "2026-06-30", "2026-12-31"),
            ContractStatus::Expired
        );
    }

    /// "If within the calendar quarter, we may waive reinstatement fees and penalties."
    /// (storage-classic: no time limit on reinstatement)
    #[test]
    fn classic_contracts_stay_reinstatable_with_fees_waivable_in_the_quarter() {
        assert_eq!(
            status("storage-classic", "2026-06-30", "2026-09-30"),
            ContractStatus::Lapsed {
                reinstatable_until: None,
                fees_waivable_until: Some(day("2026-09-30")),
            }
        );
        assert_eq!(
            status("storage-classic", "2026-06-30", "2031-01-01"),
            ContractStatus::Lapsed {
                reinstatable_until: None,
                fees_waivable_until: None,
            }
        );
    }

    #[test]
    fn a_program_without_reinstatement_expires_the_day_after_the_end() {
        assert_eq!(
            status("contact-center", "2026-06-30", "2026-06-30"),
            ContractStatus::Lapsing { days_left: 1 }
        );
        assert_eq!(
            status("contact-center", "2026-06-30", "2026-07-01"),
            ContractStatus::Expired
        );
    }
}
