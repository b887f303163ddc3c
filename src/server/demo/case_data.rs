//! The demo cases and their timelines, relative to now so the deadlines are live.
use crate::model::case::CaseEventKind;

/// Who wrote a demo timeline entry.
#[derive(Clone, Copy)]
pub(super) enum By {
    /// The person who opened the case.
    Opener,
    Engineer,
}

/// One timeline entry, `minutes` before now.
pub(super) struct DemoEvent {
    pub minutes_ago: i64,
    pub kind: CaseEventKind,
    pub by: By,
    pub body: &'static str,
    /// New status or severity for changes; rating for surveys.
    pub value: Option<&'static str>,
}

const fn ev(
    minutes_ago: i64,
    kind: CaseEventKind,
    by: By,
    body: &'static str,
    value: Option<&'static str>,
) -> DemoEvent {
    DemoEvent {
        minutes_ago,
        kind,
        by,
        body,
        value,
    }
}

pub(super) struct DemoCase {
    pub opener: &'static str,
    pub array: &'static str,
    pub severity: u8,
    pub subject: &'static str,
    pub description: &'static str,
    pub business_impact: &'static str,
    pub minutes_ago: i64,
    pub events: &'static [DemoEvent],
    /// Creates the root-cause-analysis follow-up, as the job would have.
    pub rca: bool,
}

use CaseEventKind as K;
const H: i64 = 60;
const D: i64 = 24 * 60;

/// About a dozen cases in every state, opened relative to now so the deadlines are live.
pub(super) const CASES: &[DemoCase] = &[
    DemoCase {
        opener: "caller@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 2,
        subject: "Latency spikes on production volumes during backups",
        description: "Write latency rises above 20 ms every night between 01:00 and 03:00 while the backup jobs run.",
        business_impact: "Nightly batch jobs overrun into business hours.",
        minutes_ago: 12,
        events: &[],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Controller failover alert after maintenance",
        description: "An alert reported a controller failover at 06:10. The array is serving data but we want to understand why.",
        business_impact: "None so far; redundancy may be reduced.",
        minutes_ago: 3 * H,
        events: &[ev(2 * H, K::SeverityChange, By::Opener, "A second failover happened; we are running without redundancy.", Some("2"))],
        rca: false,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Replication lag to the DR site",
        description: "The replication lag to the DR array grows to 40 minutes during the day.",
        business_impact: "The recovery point objective of 15 minutes is not met.",
        minutes_ago: 2 * D,
        events: &[
            ev(2 * D - 40, K::SupportUpdate, By::Engineer, "Thanks, we are reviewing the replication statistics from the cloud connection.", None),
            ev(3 * H, K::InternalNote, By::Engineer, "Looks like WAN saturation; check with networking.", None),
            ev(3 * H, K::SupportUpdate, By::Engineer, "The link is saturated at peak hours. We suggest enabling replication throttling windows; details to follow.", None),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Portworx cluster boston-k8s",
        severity: 2,
        subject: "Portworx volume attach timeouts",
        description: "Pods stay in ContainerCreating: volume attach times out after 2 minutes on three nodes.",
        business_impact: "Two customer-facing services cannot scale out.",
        minutes_ago: 5 * H,
        events: &[ev(4 * H + 30, K::SupportUpdate, By::Engineer, "Please run pxctl status on the three nodes and attach the output.", None)],
        rca: false,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//C60 fra-backup-01",
        severity: 3,
        subject: "Backup window exceeded after firmware upgrade",
        description: "Since the upgrade last weekend the nightly backup takes 30% longer.",
        business_impact: "Backups end after 07:00.",
        minutes_ago: 3 * D,
        events: &[
            ev(3 * D - 90, K::SupportUpdate, By::Engineer, "We need the array's diagnostic bundle to compare before and after the upgrade.", None),
            ev(D, K::StatusChange, By::Engineer, "Waiting for the diagnostic bundle.", Some("waiting_on_customer")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 4,
        subject: "Question about call recording retention",
        description: "How long are call recordings kept by default, and can we change it per queue?",
        business_impact: "",
        minutes_ago: D + 3 * H,
        events: &[
            ev(D, K::SupportUpdate, By::Engineer, "Recordings are kept 90 days by default; retention can be set per queue under Quality > Policies.", None),
            ev(2 * H, K::StatusChange, By::Engineer, "Answered; please confirm.", Some("resolution_proposed")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 4,
        subject: "Agent dashboard shows the wrong time zone",
        description: "Agents in Boston see times in UTC on the dashboard.",
        business_impact: "",
        minutes_ago: 6 * D,
        events: &[
            ev(6 * D - 60, K::SupportUpdate, By::Engineer, "Could you send a screenshot of the user profile settings of an affected agent?", None),
            ev(6 * D - 59, K::StatusChange, By::Engineer, "", Some("waiting_on_customer")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "caller@acme.example",
        array: "Contact center org acme-cx",
        severity: 1,
        subject: "Inbound calls failing for all agents",
        description: "Since 14:05 every inbound call ends with a busy tone. Outbound calls work.",
        business_impact: "The customer service line is down for all customers.",
        minutes_ago: 3 * D,
        events: &[
            ev(3 * D - 6, K::SupportUpdate, By::Engineer, "Engineer assigned; we are on the bridge and looking at the trunk configuration.", None),
            ev(3 * D - 60, K::SupportUpdate, By::Engineer, "A carrier routing change caused the failure; it has been rolled back. Calls are flowing again.", None),
            ev(3 * D - 61, K::StatusChange, By::Engineer, "Service restored.", Some("resolution_proposed")),
            ev(2 * D, K::ResolutionConfirmed, By::Opener, "", Some("closed")),
            ev(2 * D - 5, K::Survey, By::Opener, "Fast response on the bridge, thank you.", Some("5")),
        ],
        rca: true,
    },
    DemoCase {
        opener: "admin@acme.example",
        array: "FlashArray//X70 boston-prod-01",
        severity: 3,
        subject: "Upgrade planning for the next Purity release",
        description: "We would like a recommended upgrade path and a maintenance window estimate.",
        business_impact: "",
        minutes_ago: 10 * D,
        events: &[
            ev(10 * D - 50, K::SupportUpdate, By::Engineer, "The recommended path and a checklist are attached to the knowledge article we sent.", None),
            ev(8 * D, K::StatusChange, By::Engineer, "", Some("resolution_proposed")),
            ev(7 * D, K::ResolutionConfirmed, By::Opener, "", Some("closed")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 2,
        subject: "Host connectivity lost on one iSCSI path",
        description: "Two ESXi hosts lost one of their two iSCSI paths to the array.",
        business_impact: "Running without path redundancy.",
        minutes_ago: 40,
        events: &[ev(10, K::SupportUpdate, By::Engineer, "We see the port flapping on CT1.ETH4; please check the switch port.", None)],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 3,
        subject: "Request for a performance report",
        description: "Please send the monthly performance report for the last quarter.",
        business_impact: "",
        minutes_ago: 5 * D,
        events: &[
            ev(5 * D - 100, K::SupportUpdate, By::Engineer, "The report is attached to this case.", None),
            ev(2 * D, K::StatusChange, By::Engineer, "Report delivered.", Some("closed")),
            ev(2 * D - 30, K::Survey, By::Opener, "", Some("4")),
        ],
        rca: false,
    },
    DemoCase {
        opener: "admin@globex.example",
        array: "FlashArray//X50 tokyo-prod-01",
        severity: 4,
        subject: "Documentation request: SNMP MIB files",
        description: "Where can we download the SNMP MIB files for our monitoring system?",
        business_impact: "",
        minutes_ago: 60,
        events: &[],
        rca: false,
    },
];
