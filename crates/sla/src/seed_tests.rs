//! Table-driven tests: every row of every program's tables, each quoting the seed sentence it
//! comes from, plus the case-clock rules (raise, pause, updates, resolution).

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

// ---------------------------------------------------------------- the documents themselves

/// The seed documents are versioned with the code (`docs/seeds/`), so this check always runs.
fn seeds_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/seeds")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every quoted `document_words` (split at sentence ends) appears in its seed document, so the UI
/// shows the document's words and not a paraphrase.
#[test]
fn document_words_are_verbatim_seed_text() {
    let dir = seeds_dir();
    for p in programs().iter() {
        let seed = squash(&std::fs::read_to_string(dir.join(&p.source_document)).unwrap());
        let mut quotes: Vec<(String, &str)> = vec![
            (
                "business_hours".into(),
                p.business_hours.document_words.as_str(),
            ),
            (
                "severity_raise".into(),
                p.severity_raise.document_words.as_str(),
            ),
            (
                "waiting_on_customer".into(),
                p.waiting_on_customer.document_words.as_str(),
            ),
        ];
        for t in &p.severity_tables {
            for r in &t.rows {
                quotes.push((format!("{} {} definition", t.id, r.severity), &r.definition));
                for c in &r.initial_response {
                    quotes.push((
                        format!("{} {} initial response", t.id, r.severity),
                        &c.document_words,
                    ));
                }
                if !r.update.document_words.starts_with('(') {
                    quotes.push((
                        format!("{} {} update", t.id, r.severity),
                        &r.update.document_words,
                    ));
                }
                if let Some(rest) = &r.restoration {
                    quotes.push((
                        format!("{} {} restoration", t.id, r.severity),
                        &rest.document_words,
                    ));
                }
            }
        }
        for pl in &p.plans {
            if let Some(d) = &pl.delivery {
                quotes.push((format!("plan {} delivery", pl.id), &d.document_words));
            }
        }
        if let Some(r) = &p.stale_case {
            quotes.push(("stale_case".into(), &r.document_words));
        }
        if let Some(r) = &p.resolution_proposed_auto_close {
            quotes.push(("resolution_proposed_auto_close".into(), &r.document_words));
        }
        if let Some(r) = &p.rca {
            quotes.push(("rca".into(), &r.document_words));
        }
        if let Some(r) = &p.reinstatement {
            quotes.push(("reinstatement".into(), &r.document_words));
        }
        for (what, words) in quotes {
            for piece in squash(words).split(". ") {
                assert!(
                    seed.contains(
                        piece
                            .trim_start_matches("Portworx: ")
                            .trim_start_matches("Everpure: ")
                    ),
                    "{}: {what}: `{piece}` is not in {}",
                    p.id,
                    p.source_document
                );
            }
        }
    }
}

// ---------------------------------------------------------------- initial response, every row

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

// ---------------------------------------------------------------- stale case, auto-close, RCA

#[test]
fn stale_case_notice_and_close() {
    // "Tickets that have not been adequately responded to in three business days are subject to
    // closure with advanced notice."
    let mut f = facts("contact-center", "standard", 3, WED_10);
    f.support_updates = vec![utc("2025-01-08T16:00:00Z")];
    f.status_history = vec![StatusChange {
        at: utc("2025-01-13T15:00:00Z"),
        status: CaseStatus::WaitingOnCustomer,
    }];
    let d = deadlines(&f);
    assert_eq!(d.stale_notice_due, Some(utc("2025-01-16T15:00:00Z")));
    assert_eq!(d.auto_close_due, Some(utc("2025-01-20T15:00:00Z")));
    // With Martin Luther King Day as a site holiday the closure moves a day.
    f.holidays = vec![day("2025-01-20")];
    assert_eq!(
        deadlines(&f).auto_close_due,
        Some(utc("2025-01-21T15:00:00Z"))
    );
    // The customer answered: no stale clock.
    f.status_history.push(StatusChange {
        at: utc("2025-01-14T15:00:00Z"),
        status: CaseStatus::Open,
    });
    let d = deadlines(&f);
    assert_eq!((d.stale_notice_due, d.auto_close_due), (None, None));
    // The storage programs have no stale-case policy.
    let mut f = facts("storage-classic", "basic", 3, WED_10);
    f.status_history = vec![StatusChange {
        at: utc("2025-01-13T15:00:00Z"),
        status: CaseStatus::WaitingOnCustomer,
    }];
    assert_eq!(deadlines(&f).stale_notice_due, None);
}

#[test]
fn resolution_proposed_closes_at_end_of_third_business_day() {
    // "Likewise, tickets that are in Resolution Proposed status, with no reported issues, are
    // closed at the end of the third business day."
    let mut f = facts("contact-center", "standard", 3, WED_10);
    f.support_updates = vec![utc("2025-01-08T16:00:00Z")];
    f.status_history = vec![StatusChange {
        at: utc("2025-01-13T16:00:00Z"),
        status: CaseStatus::ResolutionProposed,
    }];
    let d = deadlines(&f);
    assert_eq!(
        d.resolution_proposed_auto_close_due,
        Some(utc("2025-01-16T22:00:00Z"))
    );
    assert_eq!(d.next_update_due, None);
    // Proposed on a Friday: Mon, Tue, Wed -> Wed 17:00.
    f.status_history = vec![StatusChange {
        at: utc("2025-01-10T16:00:00Z"),
        status: CaseStatus::ResolutionProposed,
    }];
    assert_eq!(
        deadlines(&f).resolution_proposed_auto_close_due,
        Some(utc("2025-01-15T22:00:00Z"))
    );
}

#[test]
fn rca_after_severity_one_resolution() {
    // "Support provides a comprehensive RCA to the customer within five business days of the
    // resolution of the outage."
    let mut f = facts("contact-center", "standard", 1, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:05:00Z")];
    f.status_history = vec![StatusChange {
        at: utc("2025-01-14T17:00:00Z"),
        status: CaseStatus::Resolved,
    }];
    let d = deadlines(&f);
    assert_eq!(d.rca_due, Some(utc("2025-01-21T17:00:00Z")));
    assert_eq!(d.rca_follow_up_severity, Some(sev(3)));
    assert_eq!(d.restored_at, Some(utc("2025-01-14T17:00:00Z")));
    // Reopened: no RCA yet.
    f.status_history.push(StatusChange {
        at: utc("2025-01-15T15:00:00Z"),
        status: CaseStatus::Open,
    });
    assert_eq!(deadlines(&f).rca_due, None);
    // A Severity 2 outage gets none.
    let mut f = facts("contact-center", "standard", 2, WED_10);
    f.status_history = vec![StatusChange {
        at: utc("2025-01-14T17:00:00Z"),
        status: CaseStatus::Resolved,
    }];
    assert_eq!(deadlines(&f).rca_due, None);
}

// ---------------------------------------------------------------- severity raise

#[test]
fn raise_before_response_counts_from_the_raise_but_never_later() {
    // "If the severity is raised, the new severity level continues through the life of the case."
    let mut f = facts("storage-classic", "basic", 3, WED_10);
    f.severity_history.push(SeverityChange {
        at: utc("2025-01-08T15:20:00Z"),
        severity: sev(1),
    });
    let d = deadlines(&f);
    assert_eq!(d.severity, sev(1));
    // Sev 3 was due 11:00; Sev 1 from the 10:20 raise is due 10:35.
    assert_eq!(d.initial_response_due, Some(utc("2025-01-08T15:35:00Z")));
    // 7.1.3 Basic: Sev 4 due 14:00 (4 h); raised to Sev 2 at 13:30, 1 h would be 14:30: 14:00 stays.
    let mut f = facts("storage-7.1.3", "basic", 4, WED_10);
    f.severity_history.push(SeverityChange {
        at: utc("2025-01-08T18:30:00Z"),
        severity: sev(2),
    });
    let d = deadlines(&f);
    assert_eq!(d.initial_response_due, Some(utc("2025-01-08T19:00:00Z")));
    assert!(d
        .explanation
        .iter()
        .any(|s| s.text.contains("never moves a deadline later")));
}

#[test]
fn raise_after_response_moves_only_the_update_clock() {
    let mut f = facts("storage-classic", "basic", 3, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:30:00Z")];
    f.severity_history.push(SeverityChange {
        at: utc("2025-01-08T17:00:00Z"),
        severity: sev(1),
    });
    let d = deadlines(&f);
    assert_eq!(d.initial_response_due, Some(utc("2025-01-08T16:00:00Z")));
    assert_eq!(d.initial_response_met_at, Some(utc("2025-01-08T15:30:00Z")));
    // "Continuous updates" (60 min) from the raise at 12:00 EST.
    assert_eq!(d.next_update_due, Some(utc("2025-01-08T18:00:00Z")));
}

#[test]
fn lowering_counts_the_lower_target_from_the_change() {
    let mut f = facts("storage-classic", "basic", 1, WED_10);
    f.severity_history.push(SeverityChange {
        at: utc("2025-01-08T15:05:00Z"),
        severity: sev(3),
    });
    assert_eq!(
        deadlines(&f).initial_response_due,
        Some(utc("2025-01-08T16:05:00Z"))
    );
}

#[test]
fn retroactive_raise_rule_is_data() {
    let mut ps = programs();
    let mut p = ps.get("storage-classic").unwrap().clone();
    p.id = "storage-retro".into();
    p.severity_raise.rule = RaiseRule::FromOpening;
    ps = ps.merge(
        ProgramSet::from_json_files(&[("retro.json", &serde_json::to_string(&p).unwrap())])
            .unwrap(),
    );
    let mut f = facts("storage-retro", "basic", 3, WED_10);
    f.severity_history.push(SeverityChange {
        at: utc("2025-01-08T15:20:00Z"),
        severity: sev(1),
    });
    // Opening + 15 min = 10:15, already past at the 10:20 raise: retroactive start.
    assert_eq!(
        case_deadlines(&ps, &f).unwrap().initial_response_due,
        Some(utc("2025-01-08T15:15:00Z"))
    );
}

// ---------------------------------------------------------------- pauses and resolution

#[test]
fn waiting_on_customer_pauses_the_update_clock_only() {
    let mut f = facts("storage-classic", "basic", 3, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:30:00Z")];
    f.status_history = vec![StatusChange {
        at: utc("2025-01-08T16:00:00Z"),
        status: CaseStatus::WaitingOnCustomer,
    }];
    let d = deadlines(&f);
    assert_eq!(d.next_update_due, None);
    assert_eq!(d.update_paused_since, Some(utc("2025-01-08T16:00:00Z")));
    // Customer answers Thu 09:00 EST: 7 business hours waited (Wed 11-17, Thu 8-9) are added to
    // Fri 10:30 -> Fri 17:00 uses 6.5 h, Mon 08:30 EST.
    f.status_history.push(StatusChange {
        at: utc("2025-01-09T14:00:00Z"),
        status: CaseStatus::Open,
    });
    let d = deadlines(&f);
    assert_eq!(d.next_update_due, Some(utc("2025-01-13T13:30:00Z")));
    assert!(
        d.explanation
            .iter()
            .any(|s| s.text.contains("paused 7 h of business time")),
        "{:#?}",
        d.explanation
    );
}

#[test]
fn waiting_never_pauses_the_initial_response() {
    let mut f = facts("storage-classic", "basic", 3, WED_10);
    f.status_history = vec![StatusChange {
        at: utc("2025-01-08T15:10:00Z"),
        status: CaseStatus::WaitingOnCustomer,
    }];
    let d = deadlines(&f);
    assert_eq!(d.initial_response_due, Some(utc("2025-01-08T16:00:00Z")));
    assert_eq!(d.next_update_due, d.initial_response_due);
}

#[test]
fn next_update_after_each_support_update() {
    let mut f = facts("storage-classic", "basic", 1, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:05:00Z"), utc("2025-01-08T15:50:00Z")];
    let d = deadlines(&f);
    assert_eq!(d.initial_response_met_at, Some(utc("2025-01-08T15:05:00Z")));
    assert_eq!(d.next_update_due, Some(utc("2025-01-08T16:50:00Z")));
}

#[test]
fn no_update_clock_after_resolution() {
    for status in [
        CaseStatus::ResolutionProposed,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ] {
        let mut f = facts("storage-classic", "basic", 1, WED_10);
        f.support_updates = vec![utc("2025-01-08T15:05:00Z")];
        f.status_history = vec![StatusChange {
            at: utc("2025-01-08T16:00:00Z"),
            status,
        }];
        assert_eq!(deadlines(&f).next_update_due, None, "{status:?}");
    }
    // Reopened: the cadence runs again from the reopening.
    let mut f = facts("storage-classic", "basic", 1, WED_10);
    f.support_updates = vec![utc("2025-01-08T15:05:00Z")];
    f.status_history = vec![
        StatusChange {
            at: utc("2025-01-08T16:00:00Z"),
            status: CaseStatus::Resolved,
        },
        StatusChange {
            at: utc("2025-01-09T16:00:00Z"),
            status: CaseStatus::Open,
        },
    ];
    assert_eq!(
        deadlines(&f).next_update_due,
        Some(utc("2025-01-09T17:00:00Z"))
    );
}

#[test]
fn update_clock_never_overrides_the_initial_response_clock() {
    // Zammad #5177: before the first response, every program and severity shows the initial
    // response as the next update, even where the update cadence is shorter.
    let ps = programs();
    for p in ps.iter() {
        for plan in &p.plans {
            for t in &p.severity_tables {
                for r in &t.rows {
                    let mut f = CaseFacts::opened(
                        &p.id,
                        &plan.id,
                        "Europe/Berlin",
                        utc(FRI_1630),
                        r.severity,
                    );
                    f.product = t.products.first().copied().unwrap_or_default();
                    let d = case_deadlines(&ps, &f).unwrap();
                    if d.initial_response_due.is_some() {
                        assert_eq!(
                            d.next_update_due, d.initial_response_due,
                            "{} {} {}",
                            p.id, plan.id, r.severity
                        );
                    }
                }
            }
        }
    }
    // 7.1.3 Basic Severity 1 has no initial-response target ("N/A"): continuous updates from opening.
    let d = deadlines(&facts("storage-7.1.3", "basic", 1, WED_10));
    assert_eq!(d.initial_response_due, None);
    assert_eq!(d.next_update_due, Some(utc("2025-01-08T16:00:00Z")));
}

#[test]
fn restoration_pauses_while_waiting() {
    // Sev 2 opened Fri 16:30 EST: 72 h -> Mon 21:30Z; 2 h waiting on Saturday push it 2 h later.
    let mut f = facts("contact-center", "standard", 2, FRI_1630);
    f.support_updates = vec![utc("2025-01-10T21:35:00Z")];
    f.status_history = vec![
        StatusChange {
            at: utc("2025-01-11T15:00:00Z"),
            status: CaseStatus::WaitingOnCustomer,
        },
        StatusChange {
            at: utc("2025-01-11T17:00:00Z"),
            status: CaseStatus::Open,
        },
    ];
    assert_eq!(
        deadlines(&f).restoration_due,
        Some(utc("2025-01-13T23:30:00Z"))
    );
}

// ---------------------------------------------------------------- hardware delivery, every plan

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

// ---------------------------------------------------------------- program files

#[test]
fn builtin_programs_load() {
    let ps = programs();
    let ids: Vec<&str> = ps.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["storage-classic", "storage-7.1.3", "contact-center"]);
    let plans = |id: &str| {
        ps.get(id)
            .unwrap()
            .plans
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        plans("storage-classic"),
        ["basic", "next-business-day", "four-hour"]
    );
    assert_eq!(plans("storage-7.1.3"), ["basic", "advanced", "premium"]);
    assert_eq!(plans("contact-center"), ["standard"]);
    // Round trip: what the server serves the browser parses back to the same program.
    for p in ps.iter() {
        let back = Program::from_json("x.json", &serde_json::to_string(p).unwrap()).unwrap();
        assert_eq!(&back, p);
    }
}

#[test]
fn a_wrong_file_names_the_file_and_the_field() {
    let good = serde_json::to_value(programs().get("storage-classic").unwrap()).unwrap();
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][2]["initial_response"][0]["target"]["amount"] = 0.into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())]).unwrap_err();
    assert_eq!(e.to_string(), "program file `acme.json`: field `severity_tables[0].rows[2].initial_response[0].target.amount`: must be positive");
    let mut bad = good.clone();
    bad["plans"][1]["delivery"]["kind"] = "tomorrow".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("acme.json") && e.contains("unknown variant `tomorrow`"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["business_hours"]["hours"][0]["end"] = "07:00".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("business_hours.hours[0].end"), "{e}");
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][0]["severity"] = 5.into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("severity must be 1 to 4"), "{e}");
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][0]["colour"] = "red".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `colour`"), "{e}");
    let e = ProgramSet::from_json_files(&[
        ("a.json", &good.to_string()),
        ("b.json", &good.to_string()),
    ])
    .unwrap_err();
    assert!(matches!(e, SlaError::DuplicateProgram { .. }));
    let e = ProgramSet::from_json_files(&[("broken.json", "{")])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("program file `broken.json`"), "{e}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn from_dir_overrides_builtin_programs() {
    let dir = std::env::temp_dir().join(format!("sla-programs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut p = programs().get("contact-center").unwrap().clone();
    p.name = "Overridden".into();
    std::fs::write(dir.join("cc.json"), serde_json::to_string(&p).unwrap()).unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let set = ProgramSet::from_dir(&dir).unwrap();
    assert_eq!(set.len(), 3);
    assert_eq!(set.get("contact-center").unwrap().name, "Overridden");
    std::fs::write(dir.join("zz.json"), "{\"id\": 3}").unwrap();
    let e = ProgramSet::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("zz.json"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_names_are_clear_errors() {
    let ps = programs();
    let mut f = facts("storage-classic", "gold", 1, WED_10);
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err().to_string(),
        "program `storage-classic` has no plan `gold` (plans: basic, next-business-day, four-hour)"
    );
    f.plan_id = "basic".into();
    f.tz = "Mars/Olympus".into();
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err(),
        SlaError::UnknownTimeZone("Mars/Olympus".into())
    );
    f.program_id = "nope".into();
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err(),
        SlaError::UnknownProgram("nope".into())
    );
    let mut f = facts("storage-classic", "basic", 1, WED_10);
    f.severity_history.clear();
    assert!(matches!(
        case_deadlines(&ps, &f),
        Err(SlaError::InvalidFacts(_))
    ));
    assert!(Severity::new(0).is_err() && Severity::new(5).is_err());
}

// ---------------------------------------------------------------- explanation, countdown, breach

#[test]
fn explanation_reads_like_a_person_wrote_it() {
    let d = deadlines(&facts("storage-classic", "basic", 3, FRI_1630));
    let text: Vec<&str> = d
        .explanation
        .iter()
        .filter(|s| s.clock == Clock::InitialResponse)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(
        text,
        [
            "1 business hour from Fri 10 Jan 16:30 EST",
            "30 min of business time used Fri 10 Jan (16:30 EST to 17:00 EST)",
            "weekend skipped; business time resumes Mon 13 Jan 08:00 EST",
            "30 min of business time used Mon 13 Jan (08:00 EST to 08:30 EST)",
            "due Mon 13 Jan 08:30 EST",
        ]
    );
    assert!(d
        .document_words
        .iter()
        .any(|w| w.clock == Clock::InitialResponse && w.document_words == "1 Business Hour"));
}

#[test]
fn countdown_and_breach() {
    let now = utc("2025-01-08T15:00:00Z");
    let after = |d: Duration| now + d;
    assert_eq!(
        format_countdown(after(Duration::minutes(134) + Duration::seconds(59)), now),
        "in 2 h 14 min"
    );
    assert_eq!(
        format_countdown(after(-Duration::minutes(5)), now),
        "overdue by 5 min"
    );
    assert_eq!(
        format_countdown(after(Duration::hours(76) + Duration::minutes(30)), now),
        "in 3 d 4 h"
    );
    assert_eq!(
        format_countdown(after(Duration::seconds(45)), now),
        "in 45 s"
    );
    assert_eq!(format_countdown(after(Duration::hours(2)), now), "in 2 h");
    let soon = Duration::minutes(30);
    assert_eq!(
        breach_state(after(Duration::hours(1)), now, soon),
        BreachState::OnTrack
    );
    assert_eq!(
        breach_state(after(Duration::minutes(30)), now, soon),
        BreachState::DueSoon
    );
    assert_eq!(breach_state(now, now, soon), BreachState::DueSoon);
    assert_eq!(
        breach_state(after(-Duration::seconds(1)), now, soon),
        BreachState::Breached
    );
}

#[test]
fn shared_vectors_pass() {
    let n = check_vectors(BUILTIN_VECTORS).unwrap_or_else(|e| panic!("{e}"));
    assert!(n >= 30, "only {n} vectors");
}

#[test]
fn vector_mismatches_are_reported() {
    let json = r#"{"vectors": [{"kind": "countdown", "name": "wrong", "due": "2025-01-08T15:00:45Z", "now": "2025-01-08T15:00:00Z", "expect": "in 46 s"}]}"#;
    let e = check_vectors(json).unwrap_err();
    assert!(e.contains("`wrong`") && e.contains("in 45 s"), "{e}");
}

// ---------------------------------------------------------------- properties over the programs

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every deadline of a fresh case lies at or after its opening, in any zone, any program.
        #[test]
        fn case_deadlines_never_precede_opening(
            secs in 1_577_836_800i64..1_924_991_999,
            z in 0usize..5,
            pick in 0usize..7,
            s in 1u8..=4,
            bcs in any::<bool>(),
        ) {
            let zones = ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"];
            let plans = [
                ("storage-classic", "basic"), ("storage-classic", "next-business-day"), ("storage-classic", "four-hour"),
                ("storage-7.1.3", "basic"), ("storage-7.1.3", "advanced"), ("storage-7.1.3", "premium"),
                ("contact-center", "standard"),
            ];
            let opened = DateTime::from_timestamp(secs, 0).unwrap();
            let (program, plan) = plans[pick];
            let mut f = CaseFacts::opened(program, plan, zones[z], opened, sev(s));
            f.bcs = bcs;
            let d = case_deadlines(&programs(), &f).unwrap();
            for due in [d.initial_response_due, d.next_update_due, d.restoration_due].into_iter().flatten() {
                prop_assert!(due >= opened);
            }
        }
    }
}
