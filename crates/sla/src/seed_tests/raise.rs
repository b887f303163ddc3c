//! Severity raised or lowered: which target runs from when, per the program's raise rule.

use super::*;

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
