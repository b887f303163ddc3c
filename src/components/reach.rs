//! How to reach support: each program's channels with their numbers and hours, its status page,
//! self-help and what to gather first. Shown on the dashboard and the open-case page, so a
//! customer never has to look for the number in a PDF while an array is down.
use crate::components::phone::PhoneLink;
use crate::model::reach::ProgramReach;
use crate::sla::{Channel, ChannelKind, Severity};
use leptos::prelude::*;

/// "every severity", "Severity 1 only", "Severities 2, 3 and 4".
pub fn severities_label(severities: &[Severity]) -> String {
    let mut n: Vec<u8> = severities.iter().map(|s| s.get()).collect();
    n.sort_unstable();
    match n.as_slice() {
        [] | [1, 2, 3, 4] => "every severity".to_string(),
        [one] => format!("Severity {one} only"),
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(u8::to_string).collect();
            format!("Severities {} and {last}", rest.join(", "))
        }
    }
}

/// A web or e-mail address as a link; words ("the Phone numbers page of …") as text.
#[component]
fn Address(kind: ChannelKind, address: String) -> impl IntoView {
    if address.contains(' ') {
        return view! { <span>{address}</span> }.into_any();
    }
    let href = match kind {
        ChannelKind::Email => format!("mailto:{address}"),
        _ => format!("https://{address}"),
    };
    view! { <a href=href>{address}</a> }.into_any()
}

/// One channel: its name, hours and severities, then its numbers or address.
#[component]
pub fn ChannelLine(channel: Channel) -> impl IntoView {
    let numbers = channel.numbers.clone();
    let kind = channel.kind;
    view! {
        <strong>{channel.label.clone()}</strong>
        {format!(" — {}, {}", channel.hours, severities_label(&channel.severities))}
        {(!numbers.is_empty()).then(|| view! {
            ": "
            {numbers.into_iter().enumerate().map(|(i, n)| view! {
                {(i > 0).then_some(", ")}
                <PhoneLink phone=n.number/>
                {format!(" ({})", n.label)}
            }).collect_view()}
        })}
        {channel.address.map(|a| view! {
            {if kind == ChannelKind::Phone { "; more numbers: " } else { ": " }}
            <Address kind address=a/>
        })}
    }
}

#[component]
fn ProgramBlock(reach: ProgramReach) -> impl IntoView {
    let c = reach.contact;
    let heading = format!("reach-{}", reach.program_id);
    let labelled_by = heading.clone();
    view! {
        <section class="stack" aria-labelledby=labelled_by>
            <h3 id=heading>{reach.program_name}</h3>
            <ul>
                {c.channels.into_iter().map(|ch| view! { <li><ChannelLine channel=ch/></li> }).collect_view()}
                {c.status_page.map(|s| view! {
                    <li><strong>"Service status"</strong>": "
                        {match s.address {
                            Some(a) => view! { <Address kind=ChannelKind::Web address=a/> }.into_any(),
                            None => view! { <span>{s.label}</span> }.into_any(),
                        }}
                    </li>
                })}
                {(!c.self_help.is_empty()).then(|| view! {
                    <li><strong>"Self-help"</strong>": "
                        {c.self_help.into_iter().enumerate().map(|(i, l)| view! {
                            {(i > 0).then_some("; ")}
                            {match l.address {
                                Some(a) => view! { <span>{l.label}" ("<Address kind=ChannelKind::Web address=a/>")"</span> }.into_any(),
                                None => view! { <span>{l.label}</span> }.into_any(),
                            }}
                        }).collect_view()}
                    </li>
                })}
            </ul>
            {(!c.before_you_contact.is_empty()).then(|| view! {
                <p><strong>"Before you contact support:"</strong></p>
                <ul>
                    {c.before_you_contact.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// Every program's ways in, under one heading (nothing when no program says).
#[component]
pub fn HowToReach(reach: Vec<ProgramReach>) -> impl IntoView {
    (!reach.is_empty()).then(|| {
        view! {
            <section class="card stack reach" aria-labelledby="reach-h">
                <h2 id="reach-h">"How to reach support"</h2>
                {reach.into_iter().map(|r| view! { <ProgramBlock reach=r/> }).collect_view()}
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::severities_label;
    use crate::sla::Severity;

    fn sev(n: &[u8]) -> Vec<Severity> {
        n.iter().map(|n| Severity::new(*n).unwrap()).collect()
    }

    #[test]
    fn severities_in_words() {
        assert_eq!(severities_label(&[]), "every severity");
        assert_eq!(severities_label(&sev(&[1, 2, 3, 4])), "every severity");
        assert_eq!(severities_label(&sev(&[1])), "Severity 1 only");
        assert_eq!(severities_label(&sev(&[4, 2, 3])), "Severities 2, 3 and 4");
    }
}
