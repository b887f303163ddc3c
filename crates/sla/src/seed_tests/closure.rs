//! Stale case, auto-close after Resolution Proposed, and the RCA after a Severity 1 resolution.

use super::*;

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
