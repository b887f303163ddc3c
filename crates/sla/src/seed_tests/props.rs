//! Properties over the programs.

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
