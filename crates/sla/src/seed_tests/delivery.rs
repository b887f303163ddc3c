//! Hardware delivery for every plan, and reinstatement after the contract ends.

use super::*;

struct DelRow {
    program: &'static str,
    plan: &'static str,
    dispatched: &'static str,
    holidays: &'static [&'static str],
    six: bool,
    due: Option<&'static str>,
    seed: &'static str,
}

#[rustfmt::skip]
const DEL_ROWS: &[DelRow] = &[
    DelRow { program: "storage-classic", plan: "basic", dispatched: WED_10, holidays: &[], six: false, due: None, seed: "With Same-day Shipping there is no time-delivery commitment, the order is placed on the same day that the part has been diagnosed as faulty and replacement requested." },
    DelRow { program: "storage-classic", plan: "next-business-day", dispatched: WED_10, holidays: &[], six: false, due: Some("2025-01-09T22:00:00Z"), seed: "Next-business-day delivery" },
    DelRow { program: "storage-classic", plan: "four-hour", dispatched: WED_10, holidays: &[], six: true, due: Some("2025-01-08T19:00:00Z"), seed: "Four-hour delivery" },
    DelRow { program: "storage-7.1.3", plan: "basic", dispatched: "2025-01-11T03:00:00Z", holidays: &[], six: false, due: None, seed: "With same-day shipping there is no time-delivery commitment and is treated as a best effort." },
    // Friday 14:00 EST, before the cut-off: Monday 17:00.
    DelRow { program: "storage-7.1.3", plan: "advanced", dispatched: "2025-01-10T19:00:00Z", holidays: &[], six: false, due: Some("2025-01-13T22:00:00Z"), seed: "provided the order is received prior to the established cut-off time." },
    // Friday 15:30 EST, after the cut-off: accepted Monday, due Tuesday 17:00.
    DelRow { program: "storage-7.1.3", plan: "advanced", dispatched: "2025-01-10T20:30:00Z", holidays: &[], six: false, due: Some("2025-01-14T22:00:00Z"), seed: "Everpure shall deliver replacement parts to the designated site no later than the next Business Day (NBD) following receipt and acceptance of a valid order" },
    // Wed 24 Dec 14:00 EST before Christmas: Fri 26 Dec 17:00.
    DelRow { program: "storage-7.1.3", plan: "advanced", dispatched: "2025-12-24T19:00:00Z", holidays: &["2025-12-25"], six: false, due: Some("2025-12-26T22:00:00Z"), seed: "excluding weekends and recognized holidays." },
    // Saturday: accepted Monday, due Tuesday.
    DelRow { program: "storage-7.1.3", plan: "advanced", dispatched: "2025-01-11T15:00:00Z", holidays: &[], six: false, due: Some("2025-01-14T22:00:00Z"), seed: "excluding weekends and recognized holidays." },
    // Tue 22:30 EST: four hours across midnight.
    DelRow { program: "storage-7.1.3", plan: "premium", dispatched: "2025-01-08T03:30:00Z", holidays: &[], six: false, due: Some("2025-01-08T07:30:00Z"), seed: "Four-hour delivery" },
    DelRow { program: "storage-7.1.3", plan: "premium", dispatched: "2025-01-08T03:30:00Z", holidays: &[], six: true, due: Some("2025-01-08T09:30:00Z"), seed: "replacement parts will be delivered within a six (6) hour drive radius." },
];

#[test]
fn delivery_every_plan() {
    let ps = programs();
    for row in DEL_ROWS {
        let holidays = row.holidays.iter().map(|d| day(d)).collect();
        let d = delivery_due(
            &ps,
            row.program,
            row.plan,
            utc(row.dispatched),
            NY,
            holidays,
            row.six,
        )
        .unwrap();
        assert_eq!(
            d.due,
            row.due.map(utc),
            "{} {} (seed: \"{}\")\n{:#?}",
            row.program,
            row.plan,
            row.seed,
            d.explanation
        );
        assert!(!d.document_words.is_empty());
    }
    assert!(matches!(
        delivery_due(
            &ps,
            "contact-center",
            "standard",
            utc(WED_10),
            NY,
            vec![],
            false
        ),
        Err(SlaError::NoDeliveryRule { .. })
    ));
}

// ---------------------------------------------------------------- reinstatement

#[test]
fn entitlement_every_program() {
    let ps = programs();
    // 000_…: "If within the calendar quarter, we may waive reinstatement fees and penalties."
    let classic = ps.get("storage-classic").unwrap();
    assert_eq!(
        entitlement_on(classic, day("2025-03-31"), day("2025-03-31")),
        EntitlementState::Active
    );
    assert_eq!(
        entitlement_on(classic, day("2025-03-31"), day("2025-04-15")),
        EntitlementState::Lapsed {
            reinstatable_until: None,
            fees_waivable_until: Some(day("2025-06-30"))
        }
    );
    assert_eq!(
        entitlement_on(classic, day("2025-03-31"), day("2026-04-15")),
        EntitlementState::Lapsed {
            reinstatable_until: None,
            fees_waivable_until: None
        }
    );
    // 001_…: "Everpure may, in its sole discretion, deny reinstatement for the array if the
    // Subscription is expired for more than 6 months."
    let s713 = ps.get("storage-7.1.3").unwrap();
    assert_eq!(
        entitlement_on(s713, day("2025-01-31"), day("2025-07-31")),
        EntitlementState::Lapsed {
            reinstatable_until: Some(day("2025-07-31")),
            fees_waivable_until: None
        }
    );
    assert_eq!(
        entitlement_on(s713, day("2025-01-31"), day("2025-08-01")),
        EntitlementState::Expired
    );
    let cc = ps.get("contact-center").unwrap();
    assert_eq!(
        entitlement_on(cc, day("2025-01-31"), day("2025-02-01")),
        EntitlementState::Expired
    );
}
