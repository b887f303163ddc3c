//! Input validation of the contact forms (field names are the form's input names).
use crate::model::contact::{CONTACT_ROLES, EMAIL_MAX, PHONE_MAX};
use crate::model::{AppError, Role};
use chrono::NaiveDate;
use chrono_tz::Tz;

pub(super) fn text(
    field: &str,
    value: &str,
    max: usize,
    required: Option<&str>,
) -> Result<String, AppError> {
    let v = value.trim();
    if let (true, Some(what)) = (v.is_empty(), required) {
        return Err(AppError::invalid(field, format!("Enter {what}.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep it to {max} characters at most."),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "Remove the control characters."));
    }
    Ok(v.to_string())
}

/// A plausible address, lower-cased (the users table compares addresses exactly).
pub(super) fn email(field: &str, value: &str, required: bool) -> Result<String, AppError> {
    let v = value.trim().to_lowercase();
    if v.is_empty() && !required {
        return Ok(v);
    }
    let ok = v.len() <= EMAIL_MAX
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if ok {
        Ok(v)
    } else {
        Err(AppError::invalid(
            field,
            "Enter an e-mail address such as name@example.com.",
        ))
    }
}

/// Optional phone or pager number: digits and the usual separators.
pub(super) fn phone(field: &str, value: &str) -> Result<String, AppError> {
    let v = text(field, value, PHONE_MAX, None)?;
    if v.is_empty() {
        return Ok(v);
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c) || c == 'x');
    if digits < 5 || !allowed {
        return Err(AppError::invalid(
            field,
            "Enter a phone number with its country or area code.",
        ));
    }
    Ok(v)
}

pub(super) fn time_zone(field: &str, value: &str, default: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(default.to_string());
    }
    v.parse::<Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            AppError::invalid(
                field,
                "Enter a time zone such as America/New_York or Europe/Berlin.",
            )
        })
}

pub(super) fn contact_role(field: &str, value: &str) -> Result<Role, AppError> {
    value
        .trim()
        .parse::<Role>()
        .ok()
        .filter(|r| CONTACT_ROLES.contains(r))
        .ok_or_else(|| {
            AppError::invalid(field, "Choose admin, backup contact or authorized caller.")
        })
}

pub(super) fn date(field: &str, value: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::invalid(field, "Enter a date as YYYY-MM-DD."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_emails_phones_zones() {
        assert_eq!(
            email("e", " Ann@Example.COM ", true).unwrap(),
            "ann@example.com"
        );
        assert!(email("e", "ann", true).is_err());
        assert!(email("e", "a b@example.com", true).is_err());
        assert!(email("e", "", true).is_err());
        assert_eq!(email("e", "", false).unwrap(), "");
        assert_eq!(phone("p", "+1 617 555 0100").unwrap(), "+1 617 555 0100");
        assert!(phone("p", "call me").is_err());
        assert_eq!(time_zone("t", "", "Asia/Tokyo").unwrap(), "Asia/Tokyo");
        assert_eq!(
            time_zone("t", "Europe/Berlin", "UTC").unwrap(),
            "Europe/Berlin"
        );
        assert!(time_zone("t", "Mars/Olympus", "UTC").is_err());
        assert!(contact_role("r", "support_engineer").is_err());
        assert_eq!(
            contact_role("r", "backup_contact").unwrap(),
            Role::BackupContact
        );
    }
}
