//! The explanation's wording, the countdown and breach state, and the shared vectors.

use super::*;

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
