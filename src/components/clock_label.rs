//! How the pages name the SLA engine's clocks.
use crate::sla::Clock;

pub fn clock_label(c: Clock) -> &'static str {
    match c {
        Clock::InitialResponse => "Initial response",
        Clock::Update => "Next update",
        Clock::Restoration => "Restoration",
        Clock::StaleNotice => "Stale-case notice",
        Clock::AutoClose => "Automatic closure",
        Clock::ResolutionProposedAutoClose => "Resolution-proposed closure",
        Clock::Rca => "Root cause analysis",
        Clock::Delivery => "Delivery",
        Clock::Entitlement => "Entitlement",
        Clock::Case => "Case",
    }
}
