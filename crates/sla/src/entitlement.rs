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
