//! Table-driven tests: every row of every program's tables, each quoting the seed sentence it
//! comes from, plus the case-clock rules (raise, pause, updates, resolution).

mod channels;
mod closure;
mod delivery;
mod documents;
mod explanation;
mod package;
mod pauses;
mod props;
mod raise;
mod tables;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sev(n: u8) -> Severity {
    Severity::new(n).unwrap()
}

fn programs() -> ProgramSet {
    ProgramSet::builtin().unwrap()
}

const NY: &str = "America/New_York";
/// Wed 8 Jan 2025 10:00 EST: a plain weekday morning.
const WED_10: &str = "2025-01-08T15:00:00Z";
/// Fri 10 Jan 2025 16:30 EST: thirty business minutes before the weekend.
const FRI_1630: &str = "2025-01-10T21:30:00Z";

fn facts(program: &str, plan: &str, severity: u8, opened: &str) -> CaseFacts {
    CaseFacts::opened(program, plan, NY, utc(opened), sev(severity))
}

fn deadlines(f: &CaseFacts) -> CaseDeadlines {
    case_deadlines(&programs(), f).unwrap()
}
