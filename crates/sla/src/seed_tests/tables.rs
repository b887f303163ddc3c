//! Every row of every program's tables: initial response (with storage-7.1.3's columns), update
//! frequency and restoration, each quoting the seed sentence it comes from.

use super::*;

struct IrRow {
    program: &'static str,
    plan: &'static str,
    bcs: bool,
    product: ProductLine,
    severity: u8,
    opened: &'static str,
    due: Option<&'static str>,
    seed: &'static str,
}

// One call per table row keeps the table readable; a struct literal per row would triple it.
#[allow(clippy::too_many_arguments)]
const fn ir(
    program: &'static str,
    plan: &'static str,
    bcs: bool,
    product: ProductLine,
    severity: u8,
    opened: &'static str,
    due: Option<&'static str>,
    seed: &'static str,
) -> IrRow {
    IrRow {
        program,
        plan,
        bcs,
        product,
        severity,
        opened,
        due,
        seed,
    }
}

use ProductLine::{Array, Portworx};

#[rustfmt::skip]
const IR_ROWS: &[IrRow] = &[
    // storage-classic, array table (000_…): "Severity  Definition  Initial Response  Update Frequency"
    ir("storage-classic", "basic", false, Array, 1, WED_10, Some("2025-01-08T15:15:00Z"), "15 Minutes  Continuous updates"),
    ir("storage-classic", "next-business-day", false, Array, 2, WED_10, Some("2025-01-08T15:30:00Z"), "30 minutes Updates daily or as agreed"),
    ir("storage-classic", "four-hour", false, Array, 3, WED_10, Some("2025-01-08T16:00:00Z"), "1 Business Hour"),
    ir("storage-classic", "basic", false, Array, 3, FRI_1630, Some("2025-01-13T13:30:00Z"), "1 Business Hour"),
    ir("storage-classic", "basic", false, Array, 4, WED_10, Some("2025-01-08T17:00:00Z"), "2 Business Hours  Updates as agreed"),
    ir("storage-classic", "basic", false, Array, 4, FRI_1630, Some("2025-01-13T14:30:00Z"), "2 Business Hours  Updates as agreed"),
    ir("storage-classic", "basic", false, Array, 1, FRI_1630, Some("2025-01-10T21:45:00Z"), "15 Minutes  Continuous updates"),
    // storage-classic, Portworx table
    ir("storage-classic", "basic", false, Portworx, 1, WED_10, Some("2025-01-08T16:00:00Z"), "Portworx shall initially respond to the customer within one (1) hour."),
    ir("storage-classic", "basic", false, Portworx, 2, WED_10, Some("2025-01-08T21:00:00Z"), "Portworx shall initially respond to the customer within six (6) hours."),
    ir("storage-classic", "basic", false, Portworx, 3, WED_10, Some("2025-01-09T15:00:00Z"), "Portworx shall initially respond to the customer within one (1) day."),
    ir("storage-classic", "basic", false, Portworx, 4, WED_10, Some("2025-01-15T15:00:00Z"), "Portworx shall initially respond to the customer within five (5) business days."),
    ir("storage-classic", "basic", false, Portworx, 4, FRI_1630, Some("2025-01-17T21:30:00Z"), "Portworx shall initially respond to the customer within five (5) business days."),
    // storage-7.1.3 (001_…): "Severity Definition Basic Standard Business Critical Services (BCS) and Evergreen//One Updates Frequency"
    ir("storage-7.1.3", "basic", false, Array, 1, WED_10, None, "N/A 15 Minutes  15 Minutes Continuous updates"),
    ir("storage-7.1.3", "advanced", false, Array, 1, WED_10, Some("2025-01-08T15:15:00Z"), "N/A 15 Minutes  15 Minutes Continuous updates"),
    ir("storage-7.1.3", "premium", true, Array, 1, WED_10, Some("2025-01-08T15:15:00Z"), "N/A 15 Minutes  15 Minutes Continuous updates"),
    ir("storage-7.1.3", "basic", false, Array, 2, WED_10, Some("2025-01-08T16:00:00Z"), "1 Hour  1 Hour  30 Minutes"),
    ir("storage-7.1.3", "advanced", false, Portworx, 2, WED_10, Some("2025-01-08T16:00:00Z"), "1 Hour  1 Hour  30 Minutes"),
    ir("storage-7.1.3", "premium", true, Portworx, 2, WED_10, Some("2025-01-08T15:30:00Z"), "1 Hour  1 Hour  30 Minutes"),
    ir("storage-7.1.3", "basic", false, Array, 3, WED_10, Some("2025-01-08T17:00:00Z"), "2 Hours  2 Hours  1 Hour"),
    ir("storage-7.1.3", "premium", false, Array, 3, WED_10, Some("2025-01-08T17:00:00Z"), "2 Hours  2 Hours  1 Hour"),
    ir("storage-7.1.3", "advanced", true, Array, 3, WED_10, Some("2025-01-08T16:00:00Z"), "2 Hours  2 Hours  1 Hour"),
    ir("storage-7.1.3", "basic", false, Array, 4, WED_10, Some("2025-01-08T19:00:00Z"), "4 Hours 4 Hours 2 Hours Updates as agreed"),
    ir("storage-7.1.3", "advanced", false, Array, 4, FRI_1630, Some("2025-01-11T01:30:00Z"), "4 Hours 4 Hours 2 Hours Updates as agreed"),
    ir("storage-7.1.3", "basic", true, Portworx, 4, WED_10, Some("2025-01-08T17:00:00Z"), "4 Hours 4 Hours 2 Hours Updates as agreed"),
    // contact-center (002_…): "Severity level Standard initial response time"
    ir("contact-center", "standard", false, Array, 1, FRI_1630, Some("2025-01-10T21:40:00Z"), "1 – Critical Impact (Code Red) 10 min. (phone)"),
    ir("contact-center", "standard", false, Array, 2, FRI_1630, Some("2025-01-13T13:30:00Z"), "2 – High Impact 1 business hour (web)"),
    ir("contact-center", "standard", false, Portworx, 3, FRI_1630, Some("2025-01-13T14:30:00Z"), "3 – Medium Impact 2 business hours (web)"),
    ir("contact-center", "standard", false, Array, 4, FRI_1630, Some("2025-01-13T21:30:00Z"), "4 – Low Impact 1 business day (web)"),
    ir("contact-center", "standard", false, Array, 4, WED_10, Some("2025-01-09T15:00:00Z"), "4 – Low Impact 1 business day (web)"),
];

#[test]
fn initial_response_every_row() {
    for row in IR_ROWS {
        let mut f = facts(row.program, row.plan, row.severity, row.opened);
        f.bcs = row.bcs;
        f.product = row.product;
        let d = deadlines(&f);
        assert_eq!(
            d.initial_response_due,
            row.due.map(utc),
            "{} {} {:?} S{} (seed: \"{}\")\n{:#?}",
            row.program,
            row.plan,
            row.product,
            row.severity,
            row.seed,
            d.explanation
        );
        // Before the first response the update clock is the initial-response clock.
        if row.due.is_some() {
            assert_eq!(d.next_update_due, d.initial_response_due);
        }
    }
}

#[test]
fn seven_one_three_columns_follow_plan_and_bcs_flag() {
    // "Business Critical Services (BCS) and Evergreen//One" is a column chosen by the site flag.
    let ps = programs();
    let p = ps.get("storage-7.1.3").unwrap();
    let col = |plan: &str, bcs: bool| p.column(p.plan(plan).unwrap(), bcs);
    assert_eq!(col("basic", false), Some(Entitlement::Basic));
    assert_eq!(col("advanced", false), Some(Entitlement::Standard));
    assert_eq!(col("premium", false), Some(Entitlement::Standard));
    assert_eq!(col("premium", true), Some(Entitlement::Bcs));
    let classic = ps.get("storage-classic").unwrap();
    assert_eq!(
        classic.column(classic.plan("four-hour").unwrap(), true),
        None
    );
}

// ---------------------------------------------------------------- update frequency, every row

struct UpdRow {
    program: &'static str,
    plan: &'static str,
    product: ProductLine,
    severity: u8,
    first_update: &'static str,
    next_due: Option<&'static str>,
    seed: &'static str,
}

#[rustfmt::skip]
const UPD_ROWS: &[UpdRow] = &[
    // Wed 8 Jan 2025: responses at 10:05, 10:20 or 10:30 EST.
    UpdRow { program: "storage-classic", plan: "basic", product: Array, severity: 1, first_update: "2025-01-08T15:05:00Z", next_due: Some("2025-01-08T16:05:00Z"), seed: "Continuous updates" },
    UpdRow { program: "storage-classic", plan: "basic", product: Array, severity: 2, first_update: "2025-01-08T15:20:00Z", next_due: Some("2025-01-09T15:20:00Z"), seed: "Updates daily or as agreed" },
    UpdRow { program: "storage-classic", plan: "basic", product: Array, severity: 3, first_update: "2025-01-08T15:30:00Z", next_due: Some("2025-01-10T15:30:00Z"), seed: "Every other business day or as agreed" },
    UpdRow { program: "storage-classic", plan: "basic", product: Array, severity: 4, first_update: "2025-01-08T15:30:00Z", next_due: None, seed: "Updates as agreed" },
    UpdRow { program: "storage-classic", plan: "basic", product: Portworx, severity: 1, first_update: "2025-01-08T15:30:00Z", next_due: Some("2025-01-08T16:30:00Z"), seed: "Portworx shall initially respond to the customer within one (1) hour." },
    UpdRow { program: "storage-classic", plan: "basic", product: Portworx, severity: 3, first_update: "2025-01-08T15:30:00Z", next_due: Some("2025-01-10T15:30:00Z"), seed: "Portworx shall initially respond to the customer within one (1) day." },
    UpdRow { program: "storage-7.1.3", plan: "advanced", product: Array, severity: 1, first_update: "2025-01-08T15:05:00Z", next_due: Some("2025-01-08T16:05:00Z"), seed: "Continuous updates" },
    UpdRow { program: "storage-7.1.3", plan: "advanced", product: Array, severity: 2, first_update: "2025-01-08T15:20:00Z", next_due: Some("2025-01-09T15:20:00Z"), seed: "Updates daily or as agreed" },
    // Friday update: "every other business day" skips the weekend.
    UpdRow { program: "storage-7.1.3", plan: "basic", product: Portworx, severity: 3, first_update: "2025-01-10T15:30:00Z", next_due: Some("2025-01-14T15:30:00Z"), seed: "Every other business day or as agreed" },
    UpdRow { program: "storage-7.1.3", plan: "premium", product: Array, severity: 4, first_update: "2025-01-08T15:30:00Z", next_due: None, seed: "Updates as agreed" },
    UpdRow { program: "contact-center", plan: "standard", product: Array, severity: 2, first_update: "2025-01-08T15:30:00Z", next_due: None, seed: "Support Engineers aim to reach resolution of your issue within the following target restoration times." },
];

#[test]
fn update_frequency_every_row() {
    for row in UPD_ROWS {
        let mut f = facts(row.program, row.plan, row.severity, WED_10);
        f.product = row.product;
        f.support_updates = vec![utc(row.first_update)];
        let d = deadlines(&f);
        assert_eq!(d.initial_response_met_at, Some(utc(row.first_update)));
        assert_eq!(
            d.next_update_due,
            row.next_due.map(utc),
            "{} S{} (seed: \"{}\")\n{:#?}",
            row.program,
            row.severity,
            row.seed,
            d.explanation
        );
    }
}

#[test]
fn as_agreed_date_replaces_the_cadence() {
    // "Updates daily or as agreed": an agreed date wins over the daily cadence…
    let mut f = facts("storage-classic", "basic", 2, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:20:00Z")];
    f.agreed_update_due = Some(utc("2025-01-13T15:00:00Z"));
    assert_eq!(
        deadlines(&f).next_update_due,
        Some(utc("2025-01-13T15:00:00Z"))
    );
    // …until a support update after it is given and the cadence resumes.
    f.support_updates.push(utc("2025-01-13T16:00:00Z"));
    assert_eq!(
        deadlines(&f).next_update_due,
        Some(utc("2025-01-14T16:00:00Z"))
    );
    // "Updates as agreed": the agreed date is the only deadline.
    let mut f = facts("storage-7.1.3", "advanced", 4, WED_10);
    f.support_updates = vec![utc("2025-01-08T16:00:00Z")];
    f.agreed_update_due = Some(utc("2025-01-20T15:00:00Z"));
    assert_eq!(
        deadlines(&f).next_update_due,
        Some(utc("2025-01-20T15:00:00Z"))
    );
    // contact-center has no "as agreed" wording: the agreed date is ignored.
    let mut f = facts("contact-center", "standard", 2, WED_10);
    f.support_updates = vec![utc("2025-01-08T16:00:00Z")];
    f.agreed_update_due = Some(utc("2025-01-20T15:00:00Z"));
    assert_eq!(deadlines(&f).next_update_due, None);
}

// ---------------------------------------------------------------- restoration, every row

#[test]
fn restoration_every_row() {
    // 002_…: "Target restoration times"
    let rows: [(u8, Option<&str>, &str); 4] = [
        (
            1,
            Some("2025-01-10T21:45:00Z"),
            "Mean time to restore is 15 minutes.",
        ),
        (
            2,
            Some("2025-01-13T21:30:00Z"),
            "Mean time to restore is 72 hours.",
        ),
        (3, None, "3 – Medium Impact N/A"),
        (4, None, "4 – Low Impact N/A"),
    ];
    for (s, due, seed) in rows {
        let d = deadlines(&facts("contact-center", "standard", s, FRI_1630));
        assert_eq!(d.restoration_due, due.map(utc), "S{s} (seed: \"{seed}\")");
    }
    // The storage guides state no restoration target.
    assert_eq!(
        deadlines(&facts("storage-classic", "basic", 1, WED_10)).restoration_due,
        None
    );
}
