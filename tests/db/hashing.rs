//! argon2 is the one expensive thing an anonymous request can make the server do: at most one
//! run per core at a time, and never for an invitation link that does not exist.
use crate::helpers;

use portal::model::AppError;
use portal::server::auth::sign_in;
use portal::server::contacts::{self, MAX_ACCEPT_FAILURES_PER_ADDRESS};
use portal::server::password;
use portal::server::state::SessionConfig;
use std::time::Duration;

const PASSWORD: &str = "a-long-enough-password";

/// Twenty parallel accepts of made-up links hashed twenty passwords first (55 → 483 MB, every
/// sign-in 30 times slower). With every hashing slot held, an accept that hashed would wait
/// forever; one that checks the link first answers at once.
#[tokio::test]
async fn a_made_up_invitation_link_is_refused_without_hashing() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let slots = password::hashing_slots()
            .clone()
            .acquire_many_owned(password::max_concurrent() as u32)
            .await
            .unwrap();
        let r = tokio::time::timeout(
            Duration::from_secs(10),
            contacts::accept_invitation_from(
                &db.pool,
                "made-up-token",
                PASSWORD,
                PASSWORD,
                "203.0.113.5",
            ),
        )
        .await;
        drop(slots);
        let r = r.unwrap_or_else(|_| panic!("{b}: the accept waited for a hashing slot"));
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
    }
}

/// Accepts whose link fails are limited per address; other addresses are not affected.
#[tokio::test]
async fn failed_invitation_accepts_are_limited_per_address() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let accept = |ip: &'static str| {
            contacts::accept_invitation_from(&db.pool, "made-up-token", PASSWORD, PASSWORD, ip)
        };
        for _ in 0..MAX_ACCEPT_FAILURES_PER_ADDRESS {
            let r = accept("203.0.113.5").await;
            assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        }
        assert_eq!(
            accept("203.0.113.5").await,
            Err(AppError::RateLimited),
            "{b}"
        );
        let r = accept("198.51.100.20").await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{b}: {r:?}");
        // Typing a short password is not guessing: it does not count.
        for _ in 0..MAX_ACCEPT_FAILURES_PER_ADDRESS + 1 {
            let r = contacts::accept_invitation_from(
                &db.pool,
                "made-up-token",
                "short",
                "short",
                "192.0.2.44",
            )
            .await;
            assert!(matches!(r, Err(AppError::Invalid { .. })), "{b}: {r:?}");
        }
    }
}

/// A burst of sign-ins (each an argon2 run, real or dummy) never has more runs at once than the
/// bound: the peak is the process's, so every test of this binary that hashed is under it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_sign_ins_run_at_most_one_argon2_per_core() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let runs: Vec<_> = (0..4 * password::max_concurrent())
            .map(|i| {
                let (pool, cfg) = (db.pool.clone(), cfg.clone());
                tokio::spawn(async move {
                    let email = format!("nobody{i}@acme.example");
                    let ip = format!("198.51.100.{}", 100 + i);
                    sign_in(&pool, &cfg, &email, "whatever-password", &ip).await
                })
            })
            .collect();
        for r in runs {
            assert_eq!(r.await.unwrap(), Err(AppError::BadCredentials), "{b}");
        }
        let peak = password::peak_concurrent();
        assert!(
            (1..=password::max_concurrent()).contains(&peak),
            "{b}: {peak} argon2 runs at once, bound {}",
            password::max_concurrent()
        );
    }
}
