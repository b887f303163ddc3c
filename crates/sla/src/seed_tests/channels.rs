//! How customers reach support, channel by channel, as the guides list them.

use super::*;
use crate::program::ChannelKind;

fn contact(program: &str) -> crate::ContactSpec {
    programs()
        .get(program)
        .unwrap()
        .contact
        .clone()
        .expect("every built-in program says how to reach support")
}

/// 002: "Phone support For Severity 1 only 24x7x365"; "1 – Critical Impact (Code Red) 10 min.
/// (phone)"; "2 – High Impact 1 business hour (web)": Severity 1 is a phone call, the others go
/// through the web portal.
#[test]
fn contact_center_severity_1_is_phone_only() {
    let c = contact("contact-center");
    let one = c.for_severity(sev(1));
    assert!(one.call_only);
    assert_eq!(one.phones.len(), 1);
    assert_eq!(one.phones[0].hours, "24x7x365");
    for n in 2..=4 {
        let r = c.for_severity(sev(n));
        assert!(!r.call_only && r.phones.is_empty(), "severity {n}");
    }
    let web = c.channels.iter().find(|ch| ch.kind == ChannelKind::Web);
    assert_eq!(web.map(|w| w.hours.as_str()), Some("8:00am to 5:00pm"));
}

/// 002: "See status.mypurecloud.com for PureCloud's operational, system availability, and incident
/// information." and "Gather the following: Organization short name … Organization ID …
/// Conversation ID … Description of the issue and its business impact".
#[test]
fn contact_center_status_page_and_checklist() {
    let c = contact("contact-center");
    assert_eq!(
        c.status_page.and_then(|l| l.address).as_deref(),
        Some("status.mypurecloud.com")
    );
    let list = c.before_you_contact.join("\n");
    for item in [
        "Organization short name",
        "Organization ID",
        "Conversation ID",
        "Description of the issue and its business impact",
        "Customer areas of responsibility",
    ] {
        assert!(list.contains(item), "{item}");
    }
}

/// 000: "Phone (Us) +1 (866) 244-7121 or +1 (650) 729-4088"; 001: "+1-866-244-7121 (Global Toll)
/// +1-650-729-4088 (US)"; both: "Hotline 365 x 24 x 7" on every plan. The hotline takes every
/// severity, and the web portal too ("When possible, Pure Storage recommends opening new cases via
/// the support portal").
#[test]
fn storage_hotlines_take_every_severity_around_the_clock() {
    for (program, numbers) in [
        ("storage-classic", ["+18662447121", "+16507294088"]),
        ("storage-7.1.3", ["+18662447121", "+16507294088"]),
    ] {
        let c = contact(program);
        for n in 1..=4 {
            let r = c.for_severity(sev(n));
            assert!(!r.call_only, "{program} {n}");
            let tels: Vec<String> = r.phones[0].numbers.iter().map(|p| p.tel()).collect();
            assert_eq!(tels, numbers, "{program}");
            assert_eq!(r.phones[0].hours, "365 x 24 x 7");
        }
        assert!(c.channels.iter().any(|ch| ch.kind == ChannelKind::Email
            && ch.address.as_deref() == Some("support@purestorage.com")));
    }
}
