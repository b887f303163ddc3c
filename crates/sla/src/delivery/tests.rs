//! Issue 7's delivery cases, each in a site's own time zone and quoting the seed sentence it
//! reads (`docs/seeds/000_…`, `001_…`). The plan tables in `seed_tests/delivery.rs` cover New
//! York.

use super::*;

const NY: &str = "America/New_York";
const BERLIN: &str = "Europe/Berlin";
const TOKYO: &str = "Asia/Tokyo";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 instant")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// (program, plan, dispatched, zone, holidays, six-hour site) → the engine's answer.
fn due(
    plan: (&str, &str),
    dispatched: &str,
    tz: &str,
    holidays: &[&str],
    six_hour_radius: bool,
) -> DeliveryDue {
    let programs = ProgramSet::builtin().expect("built-in programs");
    delivery_due(
        &programs,
        plan.0,
        plan.1,
        at(dispatched),
        tz,
        holidays.iter().map(|d| day(d)).collect(),
        six_hour_radius,
    )
    .expect("delivery due")
}

const NBD: (&str, &str) = ("storage-7.1.3", "advanced");
const FOUR_HOUR: (&str, &str) = ("storage-7.1.3", "premium");

#[test]
fn nbd_friday_before_cutoff_is_due_monday_end_of_day() {
    // 001: "Everpure shall deliver replacement parts to the designated site no later than
    // the next Business Day (NBD) following receipt and acceptance of a valid order, provided
    // the order is received prior to the established cut-off time."
    // Fri 10 Jan 2025 14:59 CET, before 15:00 at the site: accepted Friday, due Mon 17:00 CET.
    let d = due(NBD, "2025-01-10T13:59:00Z", BERLIN, &[], false);
    assert_eq!(
        d.due,
        Some(at("2025-01-13T16:00:00Z")),
        "{:#?}",
        d.explanation
    );
    assert_eq!(d.kind, DeliveryKind::NextBusinessDay);
}

#[test]
fn nbd_friday_after_cutoff_in_site_time_is_due_tuesday() {
    // 001: "provided the order is received prior to the established cut-off time."
    // 14:30 UTC is before 15:00 in UTC but 15:30 CET at the site: the cut-off is the
    // site's ("SLA measurement begins in the customer’s local time once the dispatch is
    // submitted"). Accepted Mon 13 Jan, due Tue 14 Jan 17:00 CET.
    let d = due(NBD, "2025-01-10T14:30:00Z", BERLIN, &[], false);
    assert_eq!(
        d.due,
        Some(at("2025-01-14T16:00:00Z")),
        "{:#?}",
        d.explanation
    );
    assert!(d
        .explanation
        .iter()
        .any(|s| s.text.contains("after the 15:00 cut-off")));
}

#[test]
fn nbd_friday_before_a_monday_holiday_skips_it() {
    // 001: "Next Business Day (NBD) means delivery, arrival, or service completion by the end
    // of the next business day following order acceptance or incident confirmation,
    // excluding weekends and recognized holidays."
    // Fri 17 Jan 2025 10:00 EST, Mon 20 Jan a site holiday: due Tue 21 Jan 17:00 EST.
    let d = due(NBD, "2025-01-17T15:00:00Z", NY, &["2025-01-20"], false);
    assert_eq!(
        d.due,
        Some(at("2025-01-21T22:00:00Z")),
        "{:#?}",
        d.explanation
    );
}

#[test]
fn nbd_after_cutoff_before_a_holiday_is_accepted_after_it() {
    // 001: "excluding weekends and recognized holidays."
    // Wed 24 Dec 2025 16:00 EST, after the cut-off; 25 Dec is a holiday: accepted Fri 26 Dec,
    // due Mon 29 Dec 17:00 EST.
    let d = due(NBD, "2025-12-24T21:00:00Z", NY, &["2025-12-25"], false);
    assert_eq!(
        d.due,
        Some(at("2025-12-29T22:00:00Z")),
        "{:#?}",
        d.explanation
    );
    // The classic guide's plan reads the same way ("Next-business-day delivery").
    let classic = due(
        ("storage-classic", "next-business-day"),
        "2025-12-24T21:00:00Z",
        NY,
        &["2025-12-25"],
        false,
    );
    assert_eq!(classic.due, d.due);
}

#[test]
fn four_hours_run_across_midnight() {
    // 001: "Four-hour delivery"; "SLA measurement begins in the customer’s local time once
    // the dispatch is submitted". Wed 8 Jan 2025 22:30 JST: due Thu 9 Jan 02:30 JST.
    let d = due(FOUR_HOUR, "2025-01-08T13:30:00Z", TOKYO, &[], false);
    assert_eq!(
        d.due,
        Some(at("2025-01-08T17:30:00Z")),
        "{:#?}",
        d.explanation
    );
    // Four hours of clock time even on the night clocks spring forward: Sun 9 Mar 2025
    // 00:30 EST is due 05:30 EDT, four real hours later.
    let d = due(FOUR_HOUR, "2025-03-09T05:30:00Z", NY, &[], false);
    assert_eq!(
        d.due,
        Some(at("2025-03-09T09:30:00Z")),
        "{:#?}",
        d.explanation
    );
    // 000: "Four-hour delivery. Applies to time after diagnoses and dispatch; not after the
    // ticket is opened." Saturday night counts like any other.
    let d = due(
        ("storage-classic", "four-hour"),
        "2025-01-11T22:00:00Z",
        BERLIN,
        &[],
        false,
    );
    assert_eq!(d.due, Some(at("2025-01-12T02:00:00Z")));
}

#[test]
fn six_hour_sites() {
    // 001: "In regions where Everpure does not have a local inventory warehouse within a
    // four (4) hour drive radius, replacement parts will be delivered within a six (6) hour
    // drive radius." Fri 10 Jan 2025 23:00 CET at a six-hour site: due Sat 05:00 CET.
    let d = due(FOUR_HOUR, "2025-01-10T22:00:00Z", BERLIN, &[], true);
    assert_eq!(
        d.due,
        Some(at("2025-01-11T04:00:00Z")),
        "{:#?}",
        d.explanation
    );
    assert!(d.explanation.iter().any(|s| s.text.contains("6 hours")));
    // The same site without the flag: four hours.
    let d = due(FOUR_HOUR, "2025-01-10T22:00:00Z", BERLIN, &[], false);
    assert_eq!(d.due, Some(at("2025-01-11T02:00:00Z")));
    // 001: "Existing customers with a four (4) hour commitment shall remain unaffected."
    // The classic plan ignores the flag.
    let d = due(
        ("storage-classic", "four-hour"),
        "2025-01-10T22:00:00Z",
        BERLIN,
        &[],
        true,
    );
    assert_eq!(d.due, Some(at("2025-01-11T02:00:00Z")));
}

#[test]
fn same_day_shipping_ships_on_the_site_local_day() {
    // 001: "With same-day shipping there is no time-delivery commitment and is treated as a
    // best effort. The RMA dispatch replacement order is placed on the same day the product
    // was diagnosed as faulty."
    // 03:00 UTC on Sat 11 Jan is still Friday evening in New York and Saturday noon in Tokyo.
    let ny = due(
        ("storage-7.1.3", "basic"),
        "2025-01-11T03:00:00Z",
        NY,
        &[],
        false,
    );
    assert_eq!(ny.due, None);
    assert_eq!(ny.kind, DeliveryKind::BestEffort);
    assert_eq!(ny.ships_on, Some(day("2025-01-10")));
    let tokyo = due(
        ("storage-7.1.3", "basic"),
        "2025-01-11T03:00:00Z",
        TOKYO,
        &[],
        false,
    );
    assert_eq!(tokyo.ships_on, Some(day("2025-01-11")));
    assert!(tokyo
        .explanation
        .iter()
        .any(|s| s.text.contains("Sat 11 Jan")));
    // 000: "With Same-day Shipping there is no time-delivery commitment, the order is placed
    // on the same day that the part has been diagnosed as faulty and replacement requested."
    // Thu 9 Jan 00:30 JST is 8 Jan in UTC: the part ships on the 9th, the site's day.
    let classic = due(
        ("storage-classic", "basic"),
        "2025-01-08T15:30:00Z",
        TOKYO,
        &[],
        false,
    );
    assert_eq!(classic.due, None);
    assert_eq!(classic.ships_on, Some(day("2025-01-09")));
    // Plans with a commitment carry no ship date of their own.
    assert_eq!(
        due(NBD, "2025-01-10T13:59:00Z", BERLIN, &[], false).ships_on,
        None
    );
}
