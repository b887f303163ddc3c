//! The arithmetic of two-step sign-in, without a database: authenticator codes (TOTP, RFC 6238:
//! HMAC-SHA1, six digits, 30-second steps, what every authenticator app speaks) and recovery
//! codes.
use crate::model::AppError;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// The name authenticator apps list the account under.
pub const ISSUER: &str = "Support Portal";
/// Recovery codes made at enrolment, each good for one sign-in.
pub const RECOVERY_CODES: usize = 10;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
const SECRET_BYTES: usize = 20;

/// A new secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes).to_encoded().to_string()
}

/// The generator of `secret` (base32) for the account `email`.
pub fn generator(secret: &str, email: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("stored authenticator secret: {e:?}")))?;
    // Skew 0: the neighbouring steps are tried one by one in `matching_step`, which must know
    // which step matched to refuse its reuse.
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_string()),
        email.to_string(),
    )
    .map_err(|e| AppError::Internal(format!("authenticator generator: {e:?}")))
}

/// The code as typed: digits only (apps show "123 456"; people paste with spaces).
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// Whether `typed` looks like an authenticator code rather than a recovery code.
pub fn is_app_code(typed: &str) -> bool {
    let c = normalize_code(typed);
    c.len() == DIGITS && c.bytes().all(|b| b.is_ascii_digit())
}

/// The 30-second step whose code `typed` is, trying the current step first and then one step
/// either side (a phone's clock a little off, a code typed as it changed); `None` if none.
pub fn matching_step(t: &TOTP, typed: &str, unix_secs: u64) -> Option<i64> {
    let code = normalize_code(typed);
    let now = unix_secs / STEP_SECONDS;
    [now, now.saturating_sub(1), now + 1]
        .into_iter()
        .find(|step| t.check(&code, step * STEP_SECONDS))
        .and_then(|step| i64::try_from(step).ok())
}

/// Ten characters from an alphabet without look-alikes, shown as "xxxxx-xxxxx": 50 bits each,
/// and only five tries per half-open sign-in.
pub fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let chars: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// What a recovery code is stored as: its SHA-256 with the person's id, so equal codes of two
/// people differ and a leaked table gives no code.
pub fn recovery_code_id(user_id: &str, typed: &str) -> String {
    let code = normalize_code(typed).to_lowercase();
    let mut h = Sha256::new();
    h.update(user_id.as_bytes());
    h.update(b":");
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" gives 94287082 at T = 59 s
    /// (eight digits); the six-digit code is its last six digits.
    #[test]
    fn rfc_6238_test_vector() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = generator(&secret, "a@example.com").expect("generator");
        assert_eq!(t.generate(59), "287082");
        assert_eq!(t.generate(1_111_111_109), "081804");
        assert_eq!(matching_step(&t, "287 082", 59), Some(1));
    }

    #[test]
    fn neighbouring_steps_match_and_others_do_not() {
        let secret = new_secret();
        let t = generator(&secret, "a@example.com").expect("generator");
        let now = 1_800_000_000;
        let step = (now / STEP_SECONDS) as i64;
        let previous = t.generate(now - STEP_SECONDS);
        let next = t.generate(now + STEP_SECONDS);
        assert_eq!(matching_step(&t, &previous, now), Some(step - 1));
        assert_eq!(matching_step(&t, &next, now), Some(step + 1));
        let old = t.generate(now - 3 * STEP_SECONDS);
        // A code three steps old could coincide with a current one by chance (1 in 10^6).
        if old != previous && old != next && old != t.generate(now) {
            assert_eq!(matching_step(&t, &old, now), None);
        }
    }

    #[test]
    fn recovery_codes_are_unique_and_hashed_per_person() {
        let a = new_recovery_code();
        assert_eq!(a.len(), 11);
        assert_ne!(a, new_recovery_code());
        assert_eq!(
            recovery_code_id("u1", &a),
            recovery_code_id("u1", &a.to_uppercase())
        );
        assert_ne!(recovery_code_id("u1", &a), recovery_code_id("u2", &a));
        assert!(!is_app_code(&a));
        assert!(is_app_code("123 456"));
    }
}
