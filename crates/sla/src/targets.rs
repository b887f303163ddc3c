//! Targets ("15 minutes", "1 business hour", "5 business days") and how they turn into due times.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, SkipReason};
use super::error::SlaError;
use super::explain::{fmt_business_duration, fmt_duration, fmt_local};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Minutes,
    Hours,
    Days,
}

/// Clock time runs 24x7 in real elapsed seconds; business time runs only in the site's hours.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Clock,
    Business,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub amount: u32,
    pub unit: Unit,
    pub basis: Basis,
}

/// A closed stretch during which a clock does not run (waiting on the customer).
pub type Pause = (DateTime<Utc>, DateTime<Utc>);

#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub due: DateTime<Utc>,
    pub steps: Vec<String>,
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Target {
    pub const fn new(amount: u32, unit: Unit, basis: Basis) -> Target {
        Target {
            amount,
            unit,
            basis,
        }
    }

    /// The target in words, with its reading: "1 business hour", "1 day (24 h of clock time)".
    pub fn describe(&self) -> String {
        let n = self.amount;
        match (self.basis, self.unit) {
            (Basis::Clock, Unit::Minutes) => {
                format!("{} of clock time (24x7)", plural(n, "minute", "minutes"))
            }
            (Basis::Clock, Unit::Hours) => {
                format!("{} of clock time (24x7)", plural(n, "hour", "hours"))
            }
            (Basis::Clock, Unit::Days) => {
                format!(
                    "{} ({} h of clock time)",
                    plural(n, "day", "days"),
                    u64::from(n) * 24
                )
            }
            (Basis::Business, Unit::Minutes) => plural(n, "business minute", "business minutes"),
            (Basis::Business, Unit::Hours) => plural(n, "business hour", "business hours"),
            (Basis::Business, Unit::Days) => plural(n, "business day", "business days"),
        }
    }

    /// Length as elapsed time; business days have none (they are a calendar step, not a duration).
    pub fn duration(&self) -> Option<Duration> {
        let n = i64::from(self.amount);
        match (self.basis, self.unit) {
            (_, Unit::Minutes) => Some(Duration::minutes(n)),
            (_, Unit::Hours) => Some(Duration::hours(n)),
            (Basis::Clock, Unit::Days) => Some(Duration::hours(24 * n)),
            (Basis::Business, Unit::Days) => None,
        }
    }

    /// Due time without pauses. `cal` is the site calendar; clock targets ignore its hours.
    pub fn due(&self, cal: &Calendar, start: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        match (self.basis, self.duration()) {
            (Basis::Clock, Some(d)) => start.checked_add_signed(d).ok_or(SlaError::OutOfRange),
            (Basis::Business, Some(d)) => cal.add_business(start, d),
            (_, None) => Ok(cal.add_business_days(start, self.amount)?.due),
        }
    }
}

fn extend(
    cal: &Calendar,
    basis: Basis,
    due: DateTime<Utc>,
    extra: Duration,
) -> Result<DateTime<Utc>, SlaError> {
    match basis {
        Basis::Clock => due.checked_add_signed(extra).ok_or(SlaError::OutOfRange),
        Basis::Business => cal.add_business(due, extra),
    }
}

fn paused_within(
    cal: &Calendar,
    basis: Basis,
    pauses: &[Pause],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Duration, SlaError> {
    let mut total = Duration::zero();
    for &(ps, pe) in pauses {
        let (a, b) = (ps.max(from), pe.min(to));
        if a < b {
            total += match basis {
                Basis::Clock => b - a,
                Basis::Business => cal.business_between(a, b)?,
            };
        }
    }
    Ok(total)
}

/// Due time of `target` counted from `start`, pushed later by the pauses that fall before it, with
/// the steps that explain it.
pub fn apply_target(
    cal: &Calendar,
    start: DateTime<Utc>,
    target: &Target,
    pauses: &[Pause],
) -> Result<Applied, SlaError> {
    let tz = cal.tz();
    let mut steps = Vec::new();
    let due = match (target.basis, target.duration()) {
        (Basis::Clock, Some(d)) => clock_due(cal, start, target, d, &mut steps)?,
        (Basis::Business, Some(d)) => business_due(cal, start, target, d, &mut steps)?,
        (_, None) => business_days_due(cal, start, target, &mut steps)?,
    };
    let (due, accounted) = after_pauses(cal, target.basis, pauses, start, due)?;
    if accounted > Duration::zero() {
        steps.push(paused_words(
            cal,
            target.basis,
            pauses,
            start,
            due,
            accounted,
        ));
    }
    steps.push(format!("due {}", fmt_local(due, tz)));
    Ok(Applied { due, steps })
}

fn clock_due(
    cal: &Calendar,
    start: DateTime<Utc>,
    target: &Target,
    d: Duration,
    steps: &mut Vec<String>,
) -> Result<DateTime<Utc>, SlaError> {
    let due = start.checked_add_signed(d).ok_or(SlaError::OutOfRange)?;
    steps.push(format!(
        "{} from {}, weekends and holidays included",
        target.describe(),
        fmt_local(start, cal.tz())
    ));
    Ok(due)
}

fn business_due(
    cal: &Calendar,
    start: DateTime<Utc>,
    target: &Target,
    d: Duration,
    steps: &mut Vec<String>,
) -> Result<DateTime<Utc>, SlaError> {
    let tz = cal.tz();
    let add = cal.add_business_traced(start, d)?;
    steps.push(format!(
        "{} from {}",
        target.describe(),
        fmt_local(start, tz)
    ));
    if let Some(&(s, _)) = add.spans.first() {
        if s > start {
            steps.push(format!(
                "outside business hours; the clock starts at the next opening, {}",
                fmt_local(s, tz)
            ));
        }
    }
    steps.extend(cal.describe_spans(&add));
    Ok(add.due)
}

fn business_days_due(
    cal: &Calendar,
    start: DateTime<Utc>,
    target: &Target,
    steps: &mut Vec<String>,
) -> Result<DateTime<Utc>, SlaError> {
    let tz = cal.tz();
    let add = cal.add_business_days(start, target.amount)?;
    steps.push(format!(
        "{} from {}, read as the same local time on the {} following business day",
        target.describe(),
        fmt_local(start, tz),
        ordinal(target.amount)
    ));
    if add.counted_from > start {
        steps.push(format!(
            "outside business hours; counting starts at the next opening, {}",
            fmt_local(add.counted_from, tz)
        ));
    }
    let holidays: Vec<String> = add
        .skipped
        .iter()
        .filter(|(_, r)| *r == SkipReason::Holiday)
        .map(|(d, _)| d.format("%a %-d %b").to_string())
        .collect();
    let closed = add.skipped.len() - holidays.len();
    if closed > 0 {
        steps.push(format!(
            "{} without business hours skipped",
            plural(closed as u32, "day", "days")
        ));
    }
    if !holidays.is_empty() {
        steps.push(format!("holidays skipped: {}", holidays.join(", ")));
    }
    Ok(add.due)
}

/// `due` pushed later by the paused time before it, and that paused time.
fn after_pauses(
    cal: &Calendar,
    basis: Basis,
    pauses: &[Pause],
    start: DateTime<Utc>,
    mut due: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Duration), SlaError> {
    // Each extension can run into a later pause, hence the loop; it ends after every pause is counted.
    let mut accounted = Duration::zero();
    for _ in 0..=pauses.len() {
        let paused = paused_within(cal, basis, pauses, start, due)?;
        let extra = paused - accounted;
        if extra <= Duration::zero() {
            break;
        }
        due = extend(cal, basis, due, extra)?;
        accounted = paused;
    }
    Ok((due, accounted))
}

fn paused_words(
    cal: &Calendar,
    basis: Basis,
    pauses: &[Pause],
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    accounted: Duration,
) -> String {
    let tz = cal.tz();
    let amount = match basis {
        Basis::Clock => fmt_duration(accounted),
        Basis::Business => fmt_business_duration(accounted),
    };
    let spans: Vec<String> = pauses
        .iter()
        .filter(|&&(ps, pe)| ps < due && pe > start)
        .map(|&(ps, pe)| format!("{} to {}", fmt_local(ps.max(start), tz), fmt_local(pe, tz)))
        .collect();
    format!(
        "paused {} while waiting on the customer ({}); the deadline moves later by as much",
        amount,
        spans.join(", ")
    )
}

pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
