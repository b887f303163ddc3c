//! What a new password must be: long enough, not one of the most common passwords, confirmed.
//! One rule for every place a person chooses a password (invitation, change, reset).
use crate::model::AppError;
use crate::server::password::MIN_PASSWORD_LEN;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Longest password accepted: argon2 hashes any length, but a megabyte of it is a denial of
/// service, not a password.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Committed with the code (no download at build time); its header says where it came from.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `password` is on the list, whatever its letters' case ("Password" is "password").
pub fn is_common(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

/// The password a person chose, if it is acceptable and typed the same twice. Errors name the
/// field they belong to (`password`, `password_confirm`).
pub fn check_new_password(new_password: &str, confirm: &str) -> Result<(), AppError> {
    if new_password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            "password",
            format!("Choose a password of at least {MIN_PASSWORD_LEN} characters."),
        ));
    }
    if new_password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(
            "password",
            "Keep the password to 1024 characters at most.",
        ));
    }
    if is_common(new_password) {
        return Err(AppError::invalid(
            "password",
            "This password is one of the most common ones and easy to guess. Choose another.",
        ));
    }
    if new_password != confirm {
        return Err(AppError::invalid(
            "password_confirm",
            "The two passwords are not the same.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_the_ten_thousand_and_matches_any_case() {
        assert_eq!(common_passwords().len(), 10_000);
        assert!(is_common("password"));
        assert!(is_common("PassWord"));
        assert!(is_common("1QAZ2WSX3EDC"));
        assert!(!is_common("acme-admin-demo"));
    }

    #[test]
    fn long_common_passwords_are_refused_and_others_pass() {
        // On the list and long enough for the length rule: only the list refuses it.
        let e = check_new_password("1Q2W3E4R5T6Y", "1Q2W3E4R5T6Y").unwrap_err();
        assert_eq!(e.field(), Some("password"));
        assert!(e.to_string().contains("most common"), "{e}");
        assert_eq!(
            check_new_password("short", "short").unwrap_err().field(),
            Some("password")
        );
        assert_eq!(
            check_new_password("a-long-enough-password", "a-long-enough-passwort")
                .unwrap_err()
                .field(),
            Some("password_confirm")
        );
        assert_eq!(
            check_new_password("a-long-enough-password", "a-long-enough-password"),
            Ok(())
        );
    }
}
