//! The guides' "Support Packages" tables, plan by plan, as the installed base shows them.

use super::*;
use crate::program::PackageFeature as F;

fn included(program: &str, plan: &str, feature: F) -> Option<String> {
    let ps = programs();
    let plan = ps.get(program).unwrap().plan(plan).unwrap().clone();
    plan.package
        .into_iter()
        .find(|i| i.feature == feature)
        .map(|i| i.included)
}

const SIX: [F; 6] = [
    F::Hotline,
    F::ResponseTime,
    F::ProactiveMonitoring,
    F::HardwareReplacement,
    F::RemoteSoftwareUpgrade,
    F::ControllerUpgrades,
];

/// "The following table outlines our maintenance and support packages" (classic) and "Our
/// maintenance and support packages are outlined in the following table" (7.1.3): every storage
/// plan lists the same six rows, in the table's order.
#[test]
fn every_storage_plan_lists_the_tables_six_rows() {
    for p in programs().iter().filter(|p| p.id.starts_with("storage-")) {
        for plan in &p.plans {
            let features: Vec<F> = plan.package.iter().map(|i| i.feature).collect();
            assert_eq!(features, SIX, "{} {}", p.id, plan.id);
        }
    }
}

/// "Proactive Monitoring No Yes Yes"; "Remote Software Upgrade Included Defect fixes only
/// Unlimited Unlimited"; "Hotline 365 x 24 x 7 365 x 24 x 7 365 x 24 x 7".
#[test]
fn each_plan_reads_its_own_column() {
    for (program, basic, middle, top) in [
        ("storage-classic", "basic", "next-business-day", "four-hour"),
        ("storage-7.1.3", "basic", "advanced", "premium"),
    ] {
        let pm = |plan| included(program, plan, F::ProactiveMonitoring).unwrap();
        assert_eq!(pm(basic), "No");
        assert!(pm(middle).starts_with("Yes") && pm(top).starts_with("Yes"));
        let rsu = |plan| included(program, plan, F::RemoteSoftwareUpgrade).unwrap();
        assert_eq!(rsu(basic), "Defect fixes only");
        assert_eq!(
            (rsu(middle), rsu(top)),
            ("Unlimited".into(), "Unlimited".into())
        );
        for plan in [basic, middle, top] {
            assert_eq!(included(program, plan, F::Hotline).unwrap(), "365 x 24 x 7");
            assert_eq!(
                included(program, plan, F::ControllerUpgrades).unwrap(),
                "Evergreen//Forever"
            );
        }
        let hw = |plan| included(program, plan, F::HardwareReplacement).unwrap();
        assert!(hw(basic).starts_with("Same-day shipping"));
        assert_eq!(hw(middle), "Next-business-day delivery");
        assert!(hw(top).starts_with("Four-hour delivery"));
    }
}

/// "Response Time (For Severity-1) - 15 Minutes 15 Minutes": 7.1.3's Basic has no target, which
/// its severity table says as "N/A".
#[test]
fn basic_7_1_3_promises_no_severity_1_response() {
    let rt = included("storage-7.1.3", "basic", F::ResponseTime).unwrap();
    assert!(rt.starts_with("No Severity 1 response target"), "{rt}");
    assert_eq!(
        included("storage-7.1.3", "premium", F::ResponseTime).unwrap(),
        "15 minutes"
    );
}

/// "Phone support For Severity 1 only 24x7x365" and "10 min. (phone)": the contact-center page
/// has no package table; the portal lists what it does say and nothing it does not.
#[test]
fn contact_center_lists_only_what_its_page_says() {
    let plan = programs()
        .get("contact-center")
        .unwrap()
        .plan("standard")
        .unwrap()
        .clone();
    let features: Vec<F> = plan.package.iter().map(|i| i.feature).collect();
    assert_eq!(features, [F::Hotline, F::ResponseTime]);
}

#[test]
fn a_feature_listed_twice_is_refused_naming_the_field() {
    let json = include_str!("../programs/contact-center.json").replacen(
        "\"feature\": \"response_time\"",
        "\"feature\": \"hotline\"",
        1,
    );
    let e = Program::from_json("cc.json", &json)
        .unwrap_err()
        .to_string();
    assert!(e.contains("plans[0].package[1].feature"), "{e}");
}
