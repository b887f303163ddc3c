//! The calendar's DST, holiday and split-shift cases, and properties over many zones and hours.

use super::*;
use crate::hours::{ClockTime, HoursRule, ALL_DAYS, MON_FRI};
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
                DateTime::from_timestamp(1_577_836_800 + (next() % 350_000_000) as i64, 0).unwrap();
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
