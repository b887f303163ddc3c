//! Business calendar of one site: weekly intervals in an IANA zone plus holidays as local dates.
//!
//! Arithmetic happens on UTC segments built from local intervals day by day, so DST days come out
//! 23 or 25 hours long by construction. Rules for local times that the zone skips or repeats:
//! - a nonexistent local time (spring forward) moves to the first valid instant after it, which is
//!   the instant of the change;
//! - an ambiguous local time (fall back) means its first occurrence, except an interval's closing
//!   time, which means its second occurrence, so an interval covers every instant whose wall clock
//!   reads inside it (a 00:00-24:00 day is 25 hours long).

use std::ops::ControlFlow;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::error::SlaError;
use super::explain::{fmt_business_duration, fmt_local, fmt_local_time};
use super::hours::WeeklyHours;

/// How far ahead a search for business time may go before the calendar is declared empty. Ten
/// years is far beyond any target and still bounds a calendar made of holidays only.
const MAX_SCAN_DAYS: u32 = 3_700;

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
mod tests;
