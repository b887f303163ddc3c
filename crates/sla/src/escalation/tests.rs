//! The acknowledgment due time on the programs' business hours (Mon–Fri 08:00–17:00 local).

use super::*;
use crate::program::ProgramSet;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn sev(n: u8) -> Severity {
    Severity::new(n).unwrap()
}

fn program(id: &str) -> Program {
    ProgramSet::builtin().unwrap().program(id).unwrap().clone()
}

fn new_york(p: &Program, holidays: &[&str]) -> Calendar {
    let h = holidays.iter().map(|d| d.parse().unwrap()).collect();
    p.calendar("America/New_York", h).unwrap()
}

#[test]
fn every_builtin_program_holds_the_default_targets() {
    for p in &ProgramSet::builtin().unwrap() {
        let rule = p.escalation_ack.as_ref().expect(&p.id);
        assert_eq!(
            rule.targets,
            EscalationAck::default_rule().targets,
            "{}",
            p.id
        );
    }
}

#[test]
fn severity_1_and_2_run_30_minutes_of_clock_time_even_on_a_weekend() {
    let p = program("storage-classic");
    let cal = new_york(&p, &[]);
    // Saturday 2026-12-05 10:00 in New York (15:00 UTC).
    let at = utc("2026-12-05T15:00:00Z");
    for n in [1, 2] {
        let due = escalation_ack_due(&p, &cal, sev(n), at).unwrap();
        assert_eq!(due, utc("2026-12-05T15:30:00Z"));
    }
}

#[test]
fn severity_3_within_hours_is_one_business_hour_later() {
    let p = program("storage-7.1.3");
    let cal = new_york(&p, &[]);
    // Thursday 2026-12-03 10:15 New York (15:15 UTC) → 11:15.
    let due = escalation_ack_due(&p, &cal, sev(3), utc("2026-12-03T15:15:00Z")).unwrap();
    assert_eq!(due, utc("2026-12-03T16:15:00Z"));
}

#[test]
fn severity_4_late_friday_carries_over_the_weekend() {
    let p = program("contact-center");
    let cal = new_york(&p, &[]);
    // Friday 2026-12-04 16:30 New York: 30 minutes on Friday, 30 on Monday from 08:00.
    let due = escalation_ack_due(&p, &cal, sev(4), utc("2026-12-04T21:30:00Z")).unwrap();
    assert_eq!(due, utc("2026-12-07T13:30:00Z"));
}

#[test]
fn a_site_holiday_is_skipped() {
    let p = program("storage-classic");
    let cal = new_york(&p, &["2026-12-07"]);
    let due = escalation_ack_due(&p, &cal, sev(3), utc("2026-12-04T21:30:00Z")).unwrap();
    assert_eq!(due, utc("2026-12-08T13:30:00Z"));
}

#[test]
fn a_saturday_request_of_severity_3_is_due_at_9_on_monday() {
    let p = program("storage-classic");
    let cal = new_york(&p, &[]);
    let due = escalation_ack_due(&p, &cal, sev(3), utc("2026-12-05T15:00:00Z")).unwrap();
    assert_eq!(due, utc("2026-12-07T14:00:00Z"));
}

#[test]
fn a_program_without_targets_uses_the_default() {
    let mut p = program("storage-classic");
    p.escalation_ack = None;
    assert_eq!(p.escalation_ack_rule(), EscalationAck::default_rule());
}

#[test]
fn validation_wants_every_severity_once() {
    let mut rule = EscalationAck::default_rule();
    rule.targets.pop();
    let (field, msg) = rule.validate().unwrap_err();
    assert_eq!(field, "escalation_ack.targets");
    assert!(msg.contains("severity 4"), "{msg}");
    let mut p = program("storage-classic");
    let mut bad = EscalationAck::default_rule();
    bad.targets[0].target.amount = 0;
    p.escalation_ack = Some(bad);
    let (field, _) = p.validate().unwrap_err();
    assert_eq!(field, "escalation_ack.targets[0].target.amount");
}
