//! Parsing what people submit, shared by the services. Each error names the form's input
//! (`field`) it is about, so the page can show it next to that input.
use crate::model::case::{CONTACT_MAX, SUBJECT_MAX};
use crate::model::AppError;
use crate::sla::Severity;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Trimmed text that must be given and may be `max` characters long; `what` completes "Enter …".
pub fn required_text(field: &str, value: &str, max: usize, what: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("Enter {what}.")));
    }
    at_most(field, v, max)
}

/// Trimmed text, possibly empty, at most `max` characters long.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    at_most(field, value.trim(), max)
}

fn at_most(field: &str, v: &str, max: usize) -> Result<String, AppError> {
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep it to {max} characters at most."),
        ));
    }
    Ok(v.to_string())
}

/// Severity from a form value: 1 to 4.
pub fn parse_severity(field: &str, value: &str) -> Result<u8, AppError> {
    value
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=4).contains(n))
        .ok_or_else(|| AppError::invalid(field, "Choose a severity from 1 to 4."))
}

/// The engine's severity for a submitted level.
pub fn check_severity(field: &str, n: u8) -> Result<Severity, AppError> {
    Severity::new(n).map_err(|_| AppError::invalid(field, "Choose a severity from 1 to 4."))
}

/// A case's subject: given, trimmed, at most `SUBJECT_MAX` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub fn parse(value: &str) -> Result<Subject, AppError> {
        required_text("subject", value, SUBJECT_MAX, "a subject").map(Subject)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number reachable at all times (the Severity 1 contact's): given, with enough digits
/// for a country or area code, and nothing but digits and the usual separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(value: &str) -> Result<Phone, AppError> {
        let v = required_text(
            "sev1_contact_phone",
            value,
            CONTACT_MAX,
            "a phone number reachable at all times",
        )?;
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let allowed = v
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c) || c == 'x');
        if digits < 5 || !allowed {
            return Err(AppError::invalid(
                "sev1_contact_phone",
                "Enter a phone number with its country or area code.",
            ));
        }
        Ok(Phone(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// "2026-12-01T14:30:00Z" (RFC 3339) or a `datetime-local` value ("2026-12-01T09:30") read in
/// the site's time zone.
pub fn parse_due(text: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let bad = || AppError::invalid("due", "Enter a date and time, e.g. 2026-12-01T09:30.");
    let local = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| bad())?;
    // In a DST gap the time does not exist; in an overlap take the earlier instant.
    tz.from_local_datetime(&local)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            AppError::invalid(
                "due",
                "That time does not exist at the site (clocks change); choose another.",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug, AppError>) -> String {
        match r {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("s", "  hi ", 5, "x").unwrap(), "hi");
        assert_eq!(field(required_text("s", "   ", 5, "x")), "s");
        assert_eq!(field(required_text("s", "abcdef", 5, "x")), "s");
        assert_eq!(optional_text("o", "  ", 5).unwrap(), "");
        assert_eq!(field(optional_text("o", "abcdef", 5)), "o");
    }

    #[test]
    fn severities_and_phones() {
        assert_eq!(parse_severity("severity", " 2 ").unwrap(), 2);
        assert_eq!(field(parse_severity("severity", "5")), "severity");
        let phone = Phone::parse(" +1 (555) 010-2000 ").unwrap();
        assert_eq!(phone.as_str(), "+1 (555) 010-2000");
        assert_eq!(field(Phone::parse("1234")), "sev1_contact_phone");
        assert_eq!(field(Phone::parse("call 12345")), "sev1_contact_phone");
        assert_eq!(
            Subject::parse(" Array down ").unwrap().as_str(),
            "Array down"
        );
        assert_eq!(field(Subject::parse(" ")), "subject");
    }

    #[test]
    fn due_times_are_read_in_the_site_zone() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let d = parse_due("2026-12-01T09:30", tz).unwrap();
        assert_eq!(d.to_rfc3339(), "2026-12-01T08:30:00+00:00");
        assert_eq!(field(parse_due("tomorrow", tz)), "due");
        assert_eq!(field(parse_due("2026-03-29T02:30", tz)), "due");
    }
}
