use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl From<HashError> for crate::model::AppError {
    fn from(e: HashError) -> Self {
        crate::model::AppError::Internal(e.to_string())
    }
}

pub const MIN_PASSWORD_LEN: usize = 12;

/// argon2id with the crate's defaults (OWASP's recommended parameters).
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Burns the same time as a real verification, so a wrong e-mail address answers as slowly as a
/// wrong password and response times do not reveal which accounts exist.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash("not-a-real-password").ok()) {
        let _ = verify(password, phc);
    }
}

// ---- Bounded argon2 work ----
//
// Each argon2 run takes ~19 MiB and a core for tens of milliseconds. Unbounded, twenty parallel
// requests that hash (bogus invitation accepts, wrong passwords) took the process from 55 to
// 483 MB and every sign-in from 44 ms to 1.4 s. The server's request paths hash only through the
// functions below, which run at most one argon2 per core at a time; the rest wait their turn in
// order (the semaphore is fair), so memory stays bounded and a burst only queues.

/// The bound on concurrent argon2 runs: one per core.
pub fn max_concurrent() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// The permits of concurrent argon2 work, `max_concurrent()` of them. Public so that a test can
/// hold them all and show that a path answers without hashing.
pub fn hashing_slots() -> &'static Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| Arc::new(Semaphore::new(max_concurrent())))
}

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most argon2 runs this process ever had at once (for tests and diagnosis).
pub fn peak_concurrent() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Runs `work` on the blocking pool holding one permit. The permit moves into the blocking task,
/// so a request that goes away (client disconnected) does not free its slot while its hash runs.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let permit: OwnedSemaphorePermit = hashing_slots()
        .clone()
        .acquire_owned()
        .await
        .expect("the hashing semaphore is never closed");
    let task = tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        out
    });
    match task.await {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// [`hash`], one of at most `max_concurrent()` at a time.
pub async fn hash_bounded(password: String) -> Result<String, HashError> {
    bounded(move || hash(&password)).await
}

/// [`verify`], one of at most `max_concurrent()` at a time.
pub async fn verify_bounded(password: String, phc: String) -> bool {
    bounded(move || verify(&password, &phc)).await
}

/// [`verify_dummy`], one of at most `max_concurrent()` at a time.
pub async fn verify_dummy_bounded(password: String) {
    bounded(move || verify_dummy(&password)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("x", "not a phc string"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_one_argon2_per_core_runs_at_once() {
        let phc = hash("correct horse battery").expect("hash");
        let n = max_concurrent() * 4;
        let runs: Vec<_> = (0..n)
            .map(|i| {
                let phc = phc.clone();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        verify_bounded("wrong".into(), phc).await;
                    } else {
                        hash_bounded("another password".into()).await.unwrap();
                    }
                })
            })
            .collect();
        for r in runs {
            r.await.unwrap();
        }
        let peak = peak_concurrent();
        assert!(
            (1..=max_concurrent()).contains(&peak),
            "peak {peak}, bound {}",
            max_concurrent()
        );
    }
}
