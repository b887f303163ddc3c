//! Business calendar of one site: weekly intervals in an IANA zone plus holidays as local dates.
//!
//! Arithmetic happens on UTC segments built from local intervals day by day, so DST days come out
//! 23 or 25 hours long by construction. Rules for local times that the zone skips or repeats:
//! - a nonexistent local time (spring forward) moves to the first valid instant after it, which is
//!   the instant of the change;
//! - an ambiguous local time (fall back) means its first occurrence, except an interval's closing
//!   time, which means its second occurrence, so an interval covers every instant whose wall clock
//!   reads inside it (a 00:00-24:00 day is 25 hours long).

use std::fmt;
use std::ops::ControlFlow;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::SlaError;
use super::explain::{fmt_business_duration, fmt_local, fmt_local_time};
use super::program::Program;

/// How far ahead a search for business time may go before the calendar is declared empty. Ten
/// years is far beyond any target and still bounds a calendar made of holidays only.
const MAX_SCAN_DAYS: u32 = 3_700;

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
    fn per_day(&self) -> [Vec<(u16, u16)>; 7] {
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

/// Why a local date contributed no business time.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Holiday,
    Closed,
}

/// Which occurrence an ambiguous local time means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Occurrence {
    First,
    Second,
}

/// Result of a business-time addition, with the spans it consumed (for the explanation).
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessAdd {
    pub due: DateTime<Utc>,
    pub spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Result of an "N business days" addition.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessDaysAdd {
    pub due: DateTime<Utc>,
    pub counted_from: DateTime<Utc>,
    pub skipped: Vec<(NaiveDate, SkipReason)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    tz: Tz,
    hours: WeeklyHours,
    days: [Vec<(u16, u16)>; 7],
    holidays: Vec<NaiveDate>,
}

fn out_of_range() -> SlaError {
    SlaError::OutOfRange
}

impl Calendar {
    pub fn new(
        tz: &str,
        hours: WeeklyHours,
        holidays: Vec<NaiveDate>,
    ) -> Result<Calendar, SlaError> {
        let tz: Tz = tz
            .parse()
            .map_err(|_| SlaError::UnknownTimeZone(tz.to_string()))?;
        hours.validate().map_err(|(field, msg)| {
            if field.is_empty() {
                SlaError::InvalidHours(msg)
            } else {
                SlaError::InvalidHours(format!("rule {field}: {msg}"))
            }
        })?;
        let mut holidays = holidays;
        holidays.sort_unstable();
        holidays.dedup();
        let days = hours.per_day();
        Ok(Calendar {
            tz,
            hours,
            days,
            holidays,
        })
    }

    /// The program's business hours at a site.
    pub fn for_program(
        program: &Program,
        tz: &str,
        holidays: Vec<NaiveDate>,
    ) -> Result<Calendar, SlaError> {
        Calendar::new(tz, program.business_hours.hours.clone(), holidays)
    }

    /// The same site and holidays, open around the clock: used for 24x7 targets so that their
    /// explanations still speak the site's local time.
    pub fn around_the_clock(&self) -> Calendar {
        let hours = WeeklyHours::always();
        Calendar {
            tz: self.tz,
            days: hours.per_day(),
            hours,
            holidays: Vec::new(),
        }
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn hours(&self) -> &WeeklyHours {
        &self.hours
    }

    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.binary_search(&d).is_ok()
    }

    /// A day with weekly hours that is not a holiday.
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !self.is_holiday(d) && !self.days[d.weekday().num_days_from_monday() as usize].is_empty()
    }

    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    pub fn format(&self, t: DateTime<Utc>) -> String {
        fmt_local(t, self.tz)
    }

    /// A local wall-clock time as an instant, with the module's rules for skipped and repeated times.
    pub fn local_to_utc(&self, ndt: NaiveDateTime) -> DateTime<Utc> {
        self.resolve(ndt, Occurrence::First)
    }

    fn resolve(&self, ndt: NaiveDateTime, occ: Occurrence) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&ndt) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                match occ {
                    Occurrence::First => lo,
                    Occurrence::Second => hi,
                }
            }
            LocalResult::None => self.gap_end(ndt),
        }
    }

    /// The first instant whose wall clock reads `ndt` or later: for a skipped time, the change itself.
    fn gap_end(&self, ndt: NaiveDateTime) -> DateTime<Utc> {
        let base = ndt.and_utc().timestamp();
        // No zone offset reaches 30 h, so the wall clock at `lo` reads before `ndt` and at `hi` after.
        let mut lo = base - 30 * 3600;
        let mut hi = base + 30 * 3600;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let reads =
                DateTime::from_timestamp(mid, 0).map(|t| t.with_timezone(&self.tz).naive_local());
            match reads {
                Some(local) if local >= ndt => hi = mid,
                _ => lo = mid,
            }
        }
        DateTime::from_timestamp(hi, 0).unwrap_or_else(|| ndt.and_utc())
    }

    fn segment(&self, date: NaiveDate, start: u16, end: u16) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = date.and_time(chrono::NaiveTime::MIN);
        let at = |m: u16| {
            midnight
                .checked_add_signed(Duration::minutes(i64::from(m)))
                .unwrap_or(NaiveDateTime::MAX)
        };
        let (s, e) = (at(start), at(end));
        (
            self.resolve(s, Occurrence::First),
            self.resolve(e, Occurrence::Second),
        )
    }

    /// Business segments of one local date, in order, without overlaps.
    pub fn day_segments(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        if self.is_holiday(date) {
            return out;
        }
        let mut last_end: Option<DateTime<Utc>> = None;
        for &(s, e) in &self.days[date.weekday().num_days_from_monday() as usize] {
            let (mut ss, ee) = self.segment(date, s, e);
            if let Some(le) = last_end {
                ss = ss.max(le);
            }
            if ss < ee {
                out.push((ss, ee));
                last_end = Some(ee);
            }
        }
        out
    }

    /// Walks the business segments that end after `from` (the first one clipped to start at `from`)
    /// until `f` breaks. Allocation-free: this is the hot path of every business-time target.
    fn scan<R>(
        &self,
        from: DateTime<Utc>,
        mut f: impl FnMut(DateTime<Utc>, DateTime<Utc>) -> ControlFlow<R>,
    ) -> Result<R, SlaError> {
        // A day's segments can start before its local midnight only through fall-back resolution,
        // so starting one day early never misses a segment that contains `from`.
        let mut date = self.local_date(from).pred_opt().ok_or_else(out_of_range)?;
        let mut last_end = from;
        for _ in 0..MAX_SCAN_DAYS {
            if !self.is_holiday(date) {
                for &(s, e) in &self.days[date.weekday().num_days_from_monday() as usize] {
                    let (ss, ee) = self.segment(date, s, e);
                    let ss = ss.max(last_end);
                    if ss >= ee {
                        continue;
                    }
                    last_end = ee;
                    if let ControlFlow::Break(r) = f(ss, ee) {
                        return Ok(r);
                    }
                }
            }
            date = date.succ_opt().ok_or_else(out_of_range)?;
        }
        Err(SlaError::NoBusinessTime {
            after: self.format(from),
            days: MAX_SCAN_DAYS,
        })
    }

    /// `t` itself when business time is running at `t`, else the next opening.
    pub fn next_open(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        self.scan(t, |s, _| ControlFlow::Break(s))
    }

    /// Inside business hours, counting the closing instant as inside (a deadline may fall on it).
    pub fn within(&self, t: DateTime<Utc>) -> bool {
        let d = self.local_date(t);
        [d.pred_opt(), Some(d)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.day_segments(d))
            .any(|(s, e)| s <= t && t <= e)
    }

    /// Consumes `d` of business time starting at `t`. A result that lands exactly on a closing time
    /// stays there (Tue 17:00, not Wed 08:00). `d <= 0` gives the next business instant.
    pub fn add_business(&self, t: DateTime<Utc>, d: Duration) -> Result<DateTime<Utc>, SlaError> {
        let mut remaining = d;
        self.scan(t, |s, e| {
            let len = e - s;
            if remaining <= len {
                ControlFlow::Break(s + remaining.max(Duration::zero()))
            } else {
                remaining -= len;
                ControlFlow::Continue(())
            }
        })
    }

    /// Like [`Calendar::add_business`], also returning the spans consumed.
    pub fn add_business_traced(
        &self,
        t: DateTime<Utc>,
        d: Duration,
    ) -> Result<BusinessAdd, SlaError> {
        let mut remaining = d;
        let mut spans = Vec::new();
        let due = self.scan(t, |s, e| {
            let len = e - s;
            if remaining <= len {
                let end = s + remaining.max(Duration::zero());
                spans.push((s, end));
                ControlFlow::Break(end)
            } else {
                remaining -= len;
                spans.push((s, e));
                ControlFlow::Continue(())
            }
        })?;
        Ok(BusinessAdd { due, spans })
    }

    /// Business time elapsed between `a` and `b` (zero when `b <= a`).
    pub fn business_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<Duration, SlaError> {
        if b <= a {
            return Ok(Duration::zero());
        }
        let mut total = Duration::zero();
        self.scan(a, |s, e| {
            if s >= b {
                return ControlFlow::Break(());
            }
            total += e.min(b) - s;
            if e >= b {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(total)
    }

    /// The `n`th business day after `d` (n = 0 gives `d`), with the days skipped on the way.
    pub fn nth_business_day_after(
        &self,
        d: NaiveDate,
        n: u32,
    ) -> Result<(NaiveDate, Vec<(NaiveDate, SkipReason)>), SlaError> {
        let mut date = d;
        let mut skipped = Vec::new();
        let mut counted = 0;
        let mut scanned = 0;
        while counted < n {
            date = date.succ_opt().ok_or_else(out_of_range)?;
            scanned += 1;
            if scanned > MAX_SCAN_DAYS {
                return Err(SlaError::NoBusinessTime {
                    after: d.to_string(),
                    days: MAX_SCAN_DAYS,
                });
            }
            if self.is_holiday(date) {
                skipped.push((date, SkipReason::Holiday));
            } else if self.day_segments(date).is_empty() {
                skipped.push((date, SkipReason::Closed));
            } else {
                counted += 1;
            }
        }
        Ok((date, skipped))
    }

    /// Closing time of the last interval of a business day.
    pub fn end_of_business_day(&self, d: NaiveDate) -> Option<DateTime<Utc>> {
        self.day_segments(d).last().map(|&(_, e)| e)
    }

    /// "N business days" read as the same local time of day on the Nth following business day
    /// (SLA_NOTES point 4), counted from `t` or, outside hours, from the next opening. When that
    /// time of day is not business time on the target day, the deadline moves to the next opening
    /// that day, or to its closing time when the day is already over.
    pub fn add_business_days(&self, t: DateTime<Utc>, n: u32) -> Result<BusinessDaysAdd, SlaError> {
        let counted_from = if self.within(t) {
            t
        } else {
            self.next_open(t)?
        };
        let local = counted_from.with_timezone(&self.tz);
        let (date, skipped) = self.nth_business_day_after(local.date_naive(), n)?;
        let wanted = self.local_to_utc(date.and_time(local.time()));
        let segs = self.day_segments(date);
        let due = if n == 0 {
            counted_from
        } else if let Some(&(s, _)) = segs.iter().find(|&&(_, e)| wanted <= e) {
            wanted.max(s)
        } else {
            segs.last()
                .map(|&(_, e)| e)
                .ok_or_else(|| SlaError::NoBusinessTime {
                    after: self.format(t),
                    days: MAX_SCAN_DAYS,
                })?
        };
        Ok(BusinessDaysAdd {
            due,
            counted_from,
            skipped,
        })
    }

    /// Words for a closed stretch between two business spans: "weekend skipped", a holiday, a break.
    pub fn describe_gap(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
        let a = self.local_date(from);
        let b = self.local_date(to);
        if a == b {
            return format!(
                "closed {} to {} (break between business intervals)",
                fmt_local_time(from, self.tz),
                fmt_local_time(to, self.tz)
            );
        }
        let mut holidays = Vec::new();
        let mut closed = Vec::new();
        let mut d = a.succ_opt();
        while let Some(day) = d {
            if day >= b {
                break;
            }
            if self.is_holiday(day) {
                holidays.push(day);
            } else {
                closed.push(day);
            }
            d = day.succ_opt();
        }
        let mut parts = Vec::new();
        let weekend_only = !closed.is_empty()
            && closed
                .iter()
                .all(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
        if weekend_only {
            parts.push("weekend skipped".to_string());
        } else if !closed.is_empty() {
            let names: Vec<String> = closed
                .iter()
                .map(|d| d.format("%a %-d %b").to_string())
                .collect();
            parts.push(format!("{} skipped (no business hours)", names.join(", ")));
        }
        for h in &holidays {
            parts.push(format!("holiday {} skipped", h.format("%a %-d %b")));
        }
        if parts.is_empty() {
            parts.push("closed overnight".to_string());
        }
        format!(
            "{}; business time resumes {}",
            parts.join("; "),
            fmt_local(to, self.tz)
        )
    }

    /// Human steps for a business-time addition: what was used of each day and what was skipped.
    pub fn describe_spans(&self, add: &BusinessAdd) -> Vec<String> {
        const MAX_SHOWN: usize = 6;
        let mut out = Vec::new();
        let n = add.spans.len();
        let mut prev_end: Option<DateTime<Utc>> = None;
        for (i, &(s, e)) in add.spans.iter().enumerate() {
            let elided = n > MAX_SHOWN && i >= MAX_SHOWN / 2 && i < n - MAX_SHOWN / 2;
            if elided {
                if i == MAX_SHOWN / 2 {
                    out.push(format!("… {} more business periods …", n - MAX_SHOWN));
                }
                prev_end = Some(e);
                continue;
            }
            if let Some(pe) = prev_end {
                if pe < s {
                    out.push(self.describe_gap(pe, s));
                }
            }
            let day = s.with_timezone(&self.tz).format("%a %-d %b");
            out.push(format!(
                "{} used {} ({} to {})",
                fmt_business_duration(e - s),
                day,
                fmt_local_time(s, self.tz),
                fmt_local_time(e, self.tz)
            ));
            prev_end = Some(e);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn t(s: &str) -> ClockTime {
        s.parse().unwrap()
    }

    fn office(tz: &str, holidays: &[&str]) -> Calendar {
        let h = holidays.iter().map(|d| d.parse().unwrap()).collect();
        Calendar::new(tz, WeeklyHours::weekdays(t("08:00"), t("17:00")), h).unwrap()
    }

    fn hours(n: i64) -> Duration {
        Duration::hours(n)
    }

    #[test]
    fn clock_time_parses_and_rejects() {
        assert_eq!(t("24:00"), ClockTime::END_OF_DAY);
        assert_eq!(t("08:30").minutes(), 510);
        for bad in ["24:01", "8:00", "08:60", "0800", "ab:cd", ""] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
        let json = serde_json::to_string(&t("17:05")).unwrap();
        assert_eq!(json, "\"17:05\"");
    }

    #[test]
    fn invalid_hours_and_zone_are_errors() {
        let overlap = WeeklyHours::new(vec![
            HoursRule {
                days: vec![Weekday::Mon],
                start: t("08:00"),
                end: t("12:00"),
            },
            HoursRule {
                days: vec![Weekday::Mon],
                start: t("11:00"),
                end: t("17:00"),
            },
        ]);
        let e = Calendar::new("UTC", overlap, vec![]).unwrap_err();
        assert!(e.to_string().contains("overlaps"), "{e}");
        let backwards = WeeklyHours::weekdays(t("17:00"), t("08:00"));
        assert!(Calendar::new("UTC", backwards, vec![]).is_err());
        assert!(Calendar::new("UTC", WeeklyHours::default(), vec![]).is_err());
        assert_eq!(
            Calendar::new("Mars/Olympus", WeeklyHours::always(), vec![]).unwrap_err(),
            SlaError::UnknownTimeZone("Mars/Olympus".into())
        );
    }

    #[test]
    fn friday_evening_opening_skips_the_weekend() {
        let cal = office("America/New_York", &[]);
        // Fri 3 Jan 16:30 EST: 30 business minutes left Friday, the rest on Monday.
        let add = cal
            .add_business_traced(utc("2025-01-03T21:30:00Z"), hours(1))
            .unwrap();
        assert_eq!(add.due, utc("2025-01-06T13:30:00Z"));
        let text = cal.describe_spans(&add).join("; ");
        assert!(text.contains("weekend skipped"), "{text}");
        assert!(text.contains("16:30 EST to 17:00 EST"), "{text}");
        // Opened after closing: the clock starts Monday 08:00.
        assert_eq!(
            cal.add_business(utc("2025-01-03T23:00:00Z"), hours(1))
                .unwrap(),
            utc("2025-01-06T14:00:00Z")
        );
    }

    #[test]
    fn a_deadline_on_closing_time_stays_there() {
        let cal = office("America/New_York", &[]);
        // Mon 08:00 EST + 9 business hours is Mon 17:00, not Tue 08:00.
        assert_eq!(
            cal.add_business(utc("2025-01-06T13:00:00Z"), hours(9))
                .unwrap(),
            utc("2025-01-06T22:00:00Z")
        );
        assert!(cal.within(utc("2025-01-06T22:00:00Z")));
        assert!(!cal.within(utc("2025-01-06T22:00:01Z")));
    }

    #[test]
    fn us_spring_forward_weekend() {
        let cal = office("America/New_York", &[]);
        // Fri 7 Mar 16:30 EST + 1 business hour: Mon 10 Mar 08:30 EDT (12:30Z, not 13:30Z).
        assert_eq!(
            cal.add_business(utc("2025-03-07T21:30:00Z"), hours(1))
                .unwrap(),
            utc("2025-03-10T12:30:00Z")
        );
        let always = cal.around_the_clock();
        // Sun 9 Mar has 23 hours.
        let len = always
            .business_between(utc("2025-03-09T05:00:00Z"), utc("2025-03-10T04:00:00Z"))
            .unwrap();
        assert_eq!(len, hours(23));
        assert_eq!(
            always.day_segments("2025-03-09".parse().unwrap()),
            vec![(utc("2025-03-09T05:00:00Z"), utc("2025-03-10T04:00:00Z"))]
        );
    }

    #[test]
    fn nonexistent_local_time_moves_to_the_change() {
        let cal = office("America/New_York", &[]);
        // 02:30 on 9 Mar 2025 does not exist; it becomes 03:00 EDT = 07:00Z.
        let ndt = NaiveDate::from_ymd_opt(2025, 3, 9)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(cal.local_to_utc(ndt), utc("2025-03-09T07:00:00Z"));
        let sunday = WeeklyHours::new(vec![HoursRule {
            days: vec![Weekday::Sun],
            start: t("02:30"),
            end: t("04:00"),
        }]);
        let cal = Calendar::new("America/New_York", sunday, vec![]).unwrap();
        assert_eq!(
            cal.day_segments("2025-03-09".parse().unwrap()),
            vec![(utc("2025-03-09T07:00:00Z"), utc("2025-03-09T08:00:00Z"))]
        );
    }

    #[test]
    fn us_fall_back_weekend_and_ambiguous_times() {
        let cal = office("America/New_York", &[]);
        // Fri 31 Oct 16:30 EDT + 1 business hour: Mon 3 Nov 08:30 EST = 13:30Z.
        assert_eq!(
            cal.add_business(utc("2025-10-31T20:30:00Z"), hours(1))
                .unwrap(),
            utc("2025-11-03T13:30:00Z")
        );
        let always = cal.around_the_clock();
        let len = always
            .business_between(utc("2025-11-02T04:00:00Z"), utc("2025-11-03T05:00:00Z"))
            .unwrap();
        assert_eq!(len, hours(25));
        // 01:30 happens twice: a point in time means the first (EDT), a closing time the second (EST).
        let ndt = NaiveDate::from_ymd_opt(2025, 11, 2)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(cal.local_to_utc(ndt), utc("2025-11-02T05:30:00Z"));
        let night = WeeklyHours::new(vec![HoursRule {
            days: vec![Weekday::Sun],
            start: t("00:00"),
            end: t("01:30"),
        }]);
        let cal = Calendar::new("America/New_York", night, vec![]).unwrap();
        assert_eq!(
            cal.day_segments("2025-11-02".parse().unwrap()),
            vec![(utc("2025-11-02T04:00:00Z"), utc("2025-11-02T06:30:00Z"))]
        );
    }

    #[test]
    fn eu_spring_and_autumn() {
        let cal = office("Europe/Berlin", &[]);
        // Fri 28 Mar 16:30 CET + 2 business hours: Mon 31 Mar 09:30 CEST = 07:30Z.
        assert_eq!(
            cal.add_business(utc("2025-03-28T15:30:00Z"), hours(2))
                .unwrap(),
            utc("2025-03-31T07:30:00Z")
        );
        // Fri 24 Oct 16:00 CEST + 2 business hours: Mon 27 Oct 09:00 CET = 08:00Z.
        assert_eq!(
            cal.add_business(utc("2025-10-24T14:00:00Z"), hours(2))
                .unwrap(),
            utc("2025-10-27T08:00:00Z")
        );
        let always = cal.around_the_clock();
        let mar30 = always.day_segments("2025-03-30".parse().unwrap());
        assert_eq!(mar30[0].1 - mar30[0].0, hours(23));
        let oct26 = always.day_segments("2025-10-26".parse().unwrap());
        assert_eq!(oct26[0].1 - oct26[0].0, hours(25));
        // A clock-time day stays 24 real hours across the change.
        assert_eq!(
            always
                .add_business(utc("2025-03-29T11:00:00Z"), hours(24))
                .unwrap(),
            utc("2025-03-30T11:00:00Z")
        );
    }

    #[test]
    fn holiday_is_skipped() {
        let cal = office("America/New_York", &["2025-12-25"]);
        // Wed 24 Dec 16:00 EST + 2 business hours: 1 h Wednesday, Christmas skipped, Fri 26 Dec 09:00.
        let add = cal
            .add_business_traced(utc("2025-12-24T21:00:00Z"), hours(2))
            .unwrap();
        assert_eq!(add.due, utc("2025-12-26T14:00:00Z"));
        let text = cal.describe_spans(&add).join("; ");
        assert!(text.contains("holiday Thu 25 Dec skipped"), "{text}");
    }

    #[test]
    fn new_year() {
        let cal = office("America/New_York", &["2026-01-01"]);
        // Wed 31 Dec 2025 16:30 EST + 1 business hour: Fri 2 Jan 2026 08:30 EST.
        assert_eq!(
            cal.add_business(utc("2025-12-31T21:30:00Z"), hours(1))
                .unwrap(),
            utc("2026-01-02T13:30:00Z")
        );
        let days = cal
            .add_business_days(utc("2025-12-31T15:00:00Z"), 1)
            .unwrap();
        assert_eq!(days.due, utc("2026-01-02T15:00:00Z"));
        assert_eq!(
            days.skipped,
            vec![("2026-01-01".parse().unwrap(), SkipReason::Holiday)]
        );
    }

    #[test]
    fn tokyo_holiday_is_a_local_date() {
        // Mon 13 Jan 2025 (Coming of Age Day) starts Sun 15:00Z; it must not shift a day (Zammad #3706).
        let cal = office("Asia/Tokyo", &["2025-01-13"]);
        // Fri 10 Jan 16:30 JST + 1 business hour: Tue 14 Jan 08:30 JST = Mon 23:30Z.
        assert_eq!(
            cal.add_business(utc("2025-01-10T07:30:00Z"), hours(1))
                .unwrap(),
            utc("2025-01-13T23:30:00Z")
        );
        assert!(!cal.is_business_day("2025-01-13".parse().unwrap()));
        assert!(cal.format(utc("2025-01-13T23:30:00Z")).ends_with("JST"));
    }

    #[test]
    fn split_shift_day() {
        let split = WeeklyHours::new(vec![
            HoursRule {
                days: MON_FRI.to_vec(),
                start: t("08:00"),
                end: t("12:00"),
            },
            HoursRule {
                days: MON_FRI.to_vec(),
                start: t("13:00"),
                end: t("17:00"),
            },
        ]);
        let cal = Calendar::new("Europe/Berlin", split, vec![]).unwrap();
        // Mon 6 Jan 11:30 CET + 1 business hour: lunch skipped, 13:30 CET.
        let add = cal
            .add_business_traced(utc("2025-01-06T10:30:00Z"), hours(1))
            .unwrap();
        assert_eq!(add.due, utc("2025-01-06T12:30:00Z"));
        assert!(cal
            .describe_spans(&add)
            .join("; ")
            .contains("break between business intervals"));
        // During lunch the clock is stopped.
        assert_eq!(
            cal.next_open(utc("2025-01-06T11:15:00Z")).unwrap(),
            utc("2025-01-06T12:00:00Z")
        );
    }

    #[test]
    fn week_with_a_missing_weekday() {
        let no_wed = WeeklyHours::new(vec![HoursRule {
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Thu, Weekday::Fri],
            start: t("08:00"),
            end: t("17:00"),
        }]);
        let cal = Calendar::new("America/Chicago", no_wed, vec![]).unwrap();
        // Tue 7 Jan 16:00 CST + 2 business hours: Wednesday closed, Thu 9 Jan 09:00 CST.
        let add = cal
            .add_business_traced(utc("2025-01-07T22:00:00Z"), hours(2))
            .unwrap();
        assert_eq!(add.due, utc("2025-01-09T15:00:00Z"));
        assert!(cal
            .describe_spans(&add)
            .join("; ")
            .contains("Wed 8 Jan skipped (no business hours)"));
        // Tue 10:00 + 1 business day: Thu 10:00.
        assert_eq!(
            cal.add_business_days(utc("2025-01-07T16:00:00Z"), 1)
                .unwrap()
                .due,
            utc("2025-01-09T16:00:00Z")
        );
    }

    #[test]
    fn business_day_reading() {
        let cal = office("America/New_York", &[]);
        // Mon 10:00 -> Tue 10:00; Fri 10:00 -> Mon 10:00; Sat -> counted from Mon 08:00 -> Tue 08:00.
        assert_eq!(
            cal.add_business_days(utc("2025-01-06T15:00:00Z"), 1)
                .unwrap()
                .due,
            utc("2025-01-07T15:00:00Z")
        );
        assert_eq!(
            cal.add_business_days(utc("2025-01-10T15:00:00Z"), 1)
                .unwrap()
                .due,
            utc("2025-01-13T15:00:00Z")
        );
        let sat = cal
            .add_business_days(utc("2025-01-11T15:00:00Z"), 1)
            .unwrap();
        assert_eq!(sat.counted_from, utc("2025-01-13T13:00:00Z"));
        assert_eq!(sat.due, utc("2025-01-14T13:00:00Z"));
        // Closing time counts as inside: Mon 17:00 -> Tue 17:00.
        assert_eq!(
            cal.add_business_days(utc("2025-01-06T22:00:00Z"), 1)
                .unwrap()
                .due,
            utc("2025-01-07T22:00:00Z")
        );
        // Not 24 business hours: that would be three days later.
        assert_ne!(
            cal.add_business(utc("2025-01-06T15:00:00Z"), hours(24))
                .unwrap(),
            utc("2025-01-07T15:00:00Z")
        );
    }

    #[test]
    fn holidays_everywhere_is_an_error_not_a_hang() {
        let one_day = WeeklyHours::new(vec![HoursRule {
            days: vec![Weekday::Mon],
            start: t("08:00"),
            end: t("09:00"),
        }]);
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let all: Vec<NaiveDate> = (0..4000)
            .filter_map(|i| start.checked_add_days(chrono::Days::new(i)))
            .collect();
        let cal = Calendar::new("UTC", one_day, all).unwrap();
        assert!(matches!(
            cal.add_business(utc("2025-01-01T00:00:00Z"), hours(1)),
            Err(SlaError::NoBusinessTime { .. })
        ));
    }

    // ---- properties ----

    const ZONES: [&str; 7] = [
        "America/New_York",
        "Europe/Berlin",
        "Asia/Tokyo",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "UTC",
    ];

    fn calendars() -> Vec<WeeklyHours> {
        vec![
            WeeklyHours::weekdays(t("08:00"), t("17:00")),
            WeeklyHours::new(vec![
                HoursRule {
                    days: MON_FRI.to_vec(),
                    start: t("08:00"),
                    end: t("12:00"),
                },
                HoursRule {
                    days: MON_FRI.to_vec(),
                    start: t("13:00"),
                    end: t("17:00"),
                },
            ]),
            WeeklyHours::new(vec![HoursRule {
                days: vec![Weekday::Mon, Weekday::Tue, Weekday::Thu, Weekday::Fri],
                start: t("09:00"),
                end: t("18:00"),
            }]),
            // A night shift around the DST changes.
            WeeklyHours::new(vec![
                HoursRule {
                    days: ALL_DAYS.to_vec(),
                    start: t("00:00"),
                    end: t("03:30"),
                },
                HoursRule {
                    days: ALL_DAYS.to_vec(),
                    start: t("22:00"),
                    end: t("24:00"),
                },
            ]),
            WeeklyHours::always(),
        ]
    }

    fn start_strategy() -> impl Strategy<Value = DateTime<Utc>> {
        // 2020..2031, minute resolution plus some odd seconds.
        (1_577_836_800i64..1_924_991_999).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    fn any_calendar() -> impl Strategy<Value = Calendar> {
        (
            0..ZONES.len(),
            0..5usize,
            prop::collection::vec(0u64..4000, 0..6),
        )
            .prop_map(|(z, h, hol)| {
                let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
                let holidays = hol
                    .into_iter()
                    .filter_map(|d| base.checked_add_days(chrono::Days::new(d)))
                    .collect();
                Calendar::new(ZONES[z], calendars()[h].clone(), holidays).unwrap()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn due_is_never_before_the_start(cal in any_calendar(), start in start_strategy(), mins in 0i64..20_000, days in 0u32..12) {
            let due = cal.add_business(start, Duration::minutes(mins)).unwrap();
            prop_assert!(due >= start);
            let bd = cal.add_business_days(start, days).unwrap();
            prop_assert!(bd.due >= start);
        }

        #[test]
        fn business_deadlines_fall_inside_business_hours(cal in any_calendar(), start in start_strategy(), mins in 1i64..20_000, days in 1u32..12) {
            let due = cal.add_business(start, Duration::minutes(mins)).unwrap();
            prop_assert!(cal.within(due), "{} not within hours", due);
            let bd = cal.add_business_days(start, days).unwrap();
            prop_assert!(cal.within(bd.due), "{} not within hours", bd.due);
            prop_assert_eq!(cal.business_between(start, due).unwrap(), Duration::minutes(mins));
        }

        #[test]
        fn two_steps_equal_one(cal in any_calendar(), start in start_strategy(), a in 1i64..10_000, b in 1i64..10_000) {
            let one = cal.add_business(start, Duration::minutes(a + b)).unwrap();
            let mid = cal.add_business(start, Duration::minutes(a)).unwrap();
            prop_assert_eq!(cal.add_business(mid, Duration::minutes(b)).unwrap(), one);
        }

        #[test]
        fn business_days_two_steps_equal_one(z in 0..ZONES.len(), start in start_strategy(), a in 1u32..8, b in 1u32..8) {
            // Holds on calendars whose business days all look alike (the reading keeps the time of day).
            let cal = Calendar::new(ZONES[z], WeeklyHours::weekdays(t("08:00"), t("17:00")), vec![]).unwrap();
            let one = cal.add_business_days(start, a + b).unwrap().due;
            let mid = cal.add_business_days(start, a).unwrap().due;
            prop_assert_eq!(cal.add_business_days(mid, b).unwrap().due, one);
        }
    }

    /// Deterministic sample of deadlines; printed by the probe and recomputed by the parent test.
    fn tz_sample() -> Vec<String> {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let hours = calendars();
        (0..200)
            .map(|_| {
                let cal = Calendar::new(
                    ZONES[(next() % ZONES.len() as u64) as usize],
                    hours[(next() % hours.len() as u64) as usize].clone(),
                    vec![],
                )
                .unwrap();
                let start =
                    DateTime::from_timestamp(1_577_836_800 + (next() % 350_000_000) as i64, 0)
                        .unwrap();
                let d = cal
                    .add_business(start, Duration::minutes((next() % 5000) as i64))
                    .unwrap();
                let bd = cal
                    .add_business_days(start, (next() % 6) as u32)
                    .unwrap()
                    .due;
                format!("{start} {d} {bd} {}", cal.format(d))
            })
            .collect()
    }

    #[test]
    #[ignore = "run by same_answer_whatever_the_process_tz in a child process"]
    fn tz_env_probe() {
        for line in tz_sample() {
            println!("PROBE {line}");
        }
    }

    /// The engine never consults the process time zone: children with other TZ values agree.
    #[test]
    fn same_answer_whatever_the_process_tz() {
        let expected = tz_sample();
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        // Test names leave out the crate, so the path works wherever the module is mounted.
        let module = module_path!();
        let module = module.split_once("::").map_or(module, |(_, rest)| rest);
        let probe = format!("{module}::tz_env_probe");
        for tz in [
            "UTC",
            "Asia/Tokyo",
            "America/Los_Angeles",
            "Pacific/Chatham",
        ] {
            let out = std::process::Command::new(&exe)
                .env("TZ", tz)
                .args([
                    "--ignored",
                    "--exact",
                    &probe,
                    "--nocapture",
                    "--test-threads=1",
                ])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let got: Vec<String> = text
                .lines()
                .filter_map(|l| l.find("PROBE ").map(|i| l[i + 6..].to_string()))
                .collect();
            assert_eq!(
                got.len(),
                expected.len(),
                "process TZ={tz}: probe printed {} lines",
                got.len()
            );
            for (g, e) in got.iter().zip(&expected) {
                assert_eq!(g, e, "process TZ={tz}");
            }
        }
    }
}
