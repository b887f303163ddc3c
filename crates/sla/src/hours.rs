//! Weekly business hours as data: times of day, the rules that open a weekday, and their checks.
//! Plain wall-clock values with no zone; `calendar.rs` turns them into instants at a site.

use std::fmt;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// A wall-clock time of day in whole minutes, "HH:MM", where "24:00" closes a day.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime(u16);

impl ClockTime {
    pub const MIDNIGHT: ClockTime = ClockTime(0);
    pub const END_OF_DAY: ClockTime = ClockTime(1440);

    pub fn new(hour: u16, minute: u16) -> Option<ClockTime> {
        let m = hour.checked_mul(60)?.checked_add(minute)?;
        (minute < 60 && m <= 1440).then_some(ClockTime(m))
    }

    /// Minutes since local midnight, 0..=1440.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl TryFrom<String> for ClockTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for ClockTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a time of day HH:MM (00:00 to 24:00)");
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        ClockTime::new(h, m).ok_or_else(bad)
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        t.to_string()
    }
}

/// Open from `start` to `end` (local wall clock) on each of `days`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HoursRule {
    pub days: Vec<Weekday>,
    pub start: ClockTime,
    pub end: ClockTime,
}

/// The weekly business hours: several intervals per day are allowed (split shifts, lunch breaks),
/// days without any interval are closed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(transparent)]
pub struct WeeklyHours {
    pub rules: Vec<HoursRule>,
}

pub const MON_FRI: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

pub const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl WeeklyHours {
    pub fn new(rules: Vec<HoursRule>) -> WeeklyHours {
        WeeklyHours { rules }
    }

    /// Monday to Friday, one interval a day.
    pub fn weekdays(start: ClockTime, end: ClockTime) -> WeeklyHours {
        WeeklyHours::new(vec![HoursRule {
            days: MON_FRI.to_vec(),
            start,
            end,
        }])
    }

    /// 24x7x365: every instant is business time.
    pub fn always() -> WeeklyHours {
        WeeklyHours::new(vec![HoursRule {
            days: ALL_DAYS.to_vec(),
            start: ClockTime::MIDNIGHT,
            end: ClockTime::END_OF_DAY,
        }])
    }

    /// Checks the rules; the error names the offending rule (`[index].field`) and says why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.rules.is_empty() {
            return Err((String::new(), "no business hours in the week".into()));
        }
        for (i, r) in self.rules.iter().enumerate() {
            if r.days.is_empty() {
                return Err((format!("[{i}].days"), "lists no day".into()));
            }
            if r.start >= r.end {
                return Err((
                    format!("[{i}].end"),
                    format!("closes at {} which is not after opening {}", r.end, r.start),
                ));
            }
        }
        let mut per_day: [Vec<(u16, u16, usize)>; 7] = Default::default();
        for (i, r) in self.rules.iter().enumerate() {
            for d in &r.days {
                per_day[d.num_days_from_monday() as usize].push((r.start.0, r.end.0, i));
            }
        }
        for (wd, list) in per_day.iter_mut().enumerate() {
            list.sort_unstable();
            for w in list.windows(2) {
                if w[0].1 > w[1].0 {
                    return Err((
                        format!("[{}]", w[1].2),
                        format!("overlaps rule [{}] on {}", w[0].2, ALL_DAYS[wd]),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Intervals per weekday (Monday first), sorted, touching ones merged.
    pub(crate) fn per_day(&self) -> [Vec<(u16, u16)>; 7] {
        let mut out: [Vec<(u16, u16)>; 7] = Default::default();
        for r in &self.rules {
            for d in &r.days {
                out[d.num_days_from_monday() as usize].push((r.start.0, r.end.0));
            }
        }
        for list in out.iter_mut() {
            list.sort_unstable();
            let mut merged: Vec<(u16, u16)> = Vec::with_capacity(list.len());
            for &(s, e) in list.iter() {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            *list = merged;
        }
        out
    }
}
