//! How a program's customers reach support: the channels with their numbers, hours and the
//! severities each takes, the status page and self-help, and what to gather before calling. Data,
//! like the rest of a program, so a vendor's real numbers replace the guides' in a program file.

use serde::{Deserialize, Serialize};

use super::Severity;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Web,
    Phone,
    Email,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PhoneNumber {
    /// "US", "Global Toll", …
    pub label: String,
    /// As dialled from anywhere: `+` and digits, spaces, dashes and brackets for reading.
    pub number: String,
}

impl PhoneNumber {
    /// The `tel:` form: `+` and the digits only.
    pub fn tel(&self) -> String {
        self.number
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: String,
    /// An address, or a page named in the guide when it gives no address.
    pub address: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub kind: ChannelKind,
    pub label: String,
    /// When it is staffed, in the guide's words ("24x7x365", "8:00am to 5:00pm").
    pub hours: String,
    /// The severities this channel takes; empty means every severity.
    #[serde(default)]
    pub severities: Vec<Severity>,
    #[serde(default)]
    pub numbers: Vec<PhoneNumber>,
    /// A web or e-mail address; for a phone channel, where more numbers are listed.
    #[serde(default)]
    pub address: Option<String>,
    pub document_words: String,
}

impl Channel {
    pub fn takes(&self, severity: Severity) -> bool {
        self.severities.is_empty() || self.severities.contains(&severity)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub status_page: Option<Link>,
    #[serde(default)]
    pub self_help: Vec<Link>,
    /// What to gather before opening a case (002's "Gather the following").
    #[serde(default)]
    pub before_you_contact: Vec<String>,
    /// Cases carry the customer's conversation ID (002: "Conversation ID (How do I get this?)").
    #[serde(default)]
    pub asks_conversation_id: bool,
    /// How the portal treats a severity its web channel does not take (the README's SLA section).
    pub interpretation: String,
}

/// How to reach support for one severity, as the open-case page and the case page say it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SeverityReach {
    /// The web portal does not take this severity: the customer must call (002's Severity 1).
    pub call_only: bool,
    /// The phone channels that take it, with their numbers and hours.
    pub phones: Vec<Channel>,
}

impl ContactSpec {
    pub fn for_severity(&self, severity: Severity) -> SeverityReach {
        let web_takes = self
            .channels
            .iter()
            .any(|c| c.kind == ChannelKind::Web && c.takes(severity));
        let phones: Vec<Channel> = self
            .channels
            .iter()
            .filter(|c| c.kind == ChannelKind::Phone && c.takes(severity))
            .cloned()
            .collect();
        SeverityReach {
            call_only: !web_takes && !phones.is_empty(),
            phones,
        }
    }

    /// (field path, message) of the first rule broken.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let err = |f: String, m: &str| Err((f, m.to_string()));
        if self.channels.is_empty() {
            return err("contact.channels".into(), "must list at least one channel");
        }
        for (i, c) in self.channels.iter().enumerate() {
            let at = format!("contact.channels[{i}]");
            if c.label.trim().is_empty() || c.hours.trim().is_empty() {
                return err(at, "needs a label and its hours");
            }
            for (j, n) in c.numbers.iter().enumerate() {
                let digits = n.tel();
                if !n.number.starts_with('+')
                    || !(8..=16).contains(&digits.len())
                    || n.number
                        .chars()
                        .any(|ch| !(ch.is_ascii_digit() || " +-()".contains(ch)))
                {
                    return err(
                        format!("{at}.numbers[{j}]"),
                        "must be an international number: + and digits (spaces, dashes, brackets allowed)",
                    );
                }
            }
            if c.kind == ChannelKind::Phone && c.numbers.is_empty() && c.address.is_none() {
                return err(at, "a phone channel needs numbers or where they are listed");
            }
            if c.kind != ChannelKind::Phone && !c.numbers.is_empty() {
                return err(format!("{at}.numbers"), "only a phone channel has numbers");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(kind: ChannelKind, severities: &[u8], numbers: &[&str]) -> Channel {
        Channel {
            kind,
            label: "x".into(),
            hours: "24x7".into(),
            severities: severities
                .iter()
                .map(|n| Severity::new(*n).unwrap())
                .collect(),
            numbers: numbers
                .iter()
                .map(|n| PhoneNumber {
                    label: "US".into(),
                    number: n.to_string(),
                })
                .collect(),
            address: None,
            document_words: String::new(),
        }
    }

    fn spec(channels: Vec<Channel>) -> ContactSpec {
        ContactSpec {
            channels,
            status_page: None,
            self_help: vec![],
            before_you_contact: vec![],
            asks_conversation_id: false,
            interpretation: String::new(),
        }
    }

    #[test]
    fn a_severity_the_web_does_not_take_is_call_only() {
        let s = spec(vec![
            channel(ChannelKind::Web, &[2, 3, 4], &[]),
            channel(ChannelKind::Phone, &[1], &["+1 (866) 244-7121"]),
        ]);
        let one = s.for_severity(Severity::new(1).unwrap());
        assert!(one.call_only);
        assert_eq!(one.phones.len(), 1);
        let two = s.for_severity(Severity::new(2).unwrap());
        assert!(!two.call_only && two.phones.is_empty());
    }

    #[test]
    fn numbers_are_checked_and_dialled_as_digits() {
        let n = PhoneNumber {
            label: "US".into(),
            number: "+1 (650) 729-4088".into(),
        };
        assert_eq!(n.tel(), "+16507294088");
        assert!(spec(vec![channel(
            ChannelKind::Phone,
            &[],
            &["+1 (650) 729-4088"]
        )])
        .validate()
        .is_ok());
        for bad in ["866 244 7121", "+1 866 CALL NOW", "+12"] {
            let (field, _) = spec(vec![channel(ChannelKind::Phone, &[], &[bad])])
                .validate()
                .unwrap_err();
            assert_eq!(field, "contact.channels[0].numbers[0]", "{bad}");
        }
        let (field, _) = spec(vec![channel(ChannelKind::Phone, &[], &[])])
            .validate()
            .unwrap_err();
        assert_eq!(field, "contact.channels[0]");
    }
}
