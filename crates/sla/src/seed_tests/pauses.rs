//! Waiting on the customer, support updates, resolution and reopening: what each does to the
//! update, initial-response and restoration clocks.

use super::*;

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
