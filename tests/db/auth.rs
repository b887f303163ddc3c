//! Sessions, sign-in rules and organization isolation, on SQLite and PostgreSQL.
use crate::helpers;

use portal::model::{AppError, Role};
use portal::server::auth::{self, sign_in, sign_out, user_for_token};
use portal::server::state::SessionConfig;
use portal::server::{demo, orgs};
use std::time::Duration;

const IP: &str = "192.0.2.1";

#[tokio::test]
async fn migrations_and_demo_seed_are_idempotent() {
    for db in helpers::backends().await {
        assert!(
            demo::seed(&db.pool).await.unwrap(),
            "{}: first seed",
            db.backend
        );
        assert!(
            !demo::seed(&db.pool).await.unwrap(),
            "{}: second seed is a no-op",
            db.backend
        );
        portal::server::db::migrate(&db.pool).await.unwrap();
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(users, demo::DEMO_LOGINS.len() as i64, "{}", db.backend);
    }
}

/// Issue 19, finding 1: demo logins (one sees every organization, its password is published)
/// never land in a database that already holds a real customer.
#[tokio::test]
async fn demo_seed_refuses_a_database_with_other_organizations() {
    for db in helpers::backends().await {
        sqlx::query(
            "INSERT INTO organizations (id, name, created_at) VALUES ('real-1', 'Initech', 0)",
        )
        .execute(&db.pool)
        .await
        .unwrap();
        let err = demo::seed(&db.pool).await.expect_err("refused");
        assert!(
            matches!(err, demo::DemoError::NotADemoDatabase(1)),
            "{}: {err}",
            db.backend
        );
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(users, 0, "{}: nothing seeded", db.backend);
    }
}

#[tokio::test]
async fn every_demo_login_signs_in_with_its_role() {
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        for login in demo::DEMO_LOGINS {
            let token = sign_in(&db.pool, &cfg, login.email, login.password, IP)
                .await
                .unwrap_or_else(|e| panic!("{}: {} cannot sign in: {e}", db.backend, login.email));
            let user = user_for_token(&db.pool, &cfg, &token)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(user.email, login.email);
            assert_eq!(user.role.as_str(), login.role);
            assert_eq!(user.organization_name.as_deref(), login.organization);
        }
    }
}

/// Lets every address that failed try again at once (as if its slow-down had passed), so a test
/// can reach a count limit without waiting for the growing delays.
async fn skip_slowdowns(pool: &sqlx::AnyPool) {
    sqlx::query("UPDATE login_throttle SET last_failure_at = 0")
        .execute(pool)
        .await
        .expect("age the sign-in counters");
}

#[tokio::test]
async fn bad_credentials_are_generic_and_rate_limited() {
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        let unknown = sign_in(
            &db.pool,
            &cfg,
            "nobody@acme.example",
            "whatever-password",
            IP,
        )
        .await;
        assert_eq!(unknown, Err(AppError::BadCredentials), "{}", db.backend);
        for _ in 0..auth::MAX_FAILURES_PER_PAIR - 1 {
            let r = sign_in(&db.pool, &cfg, "caller@acme.example", "wrong", IP).await;
            assert_eq!(r, Err(AppError::BadCredentials), "{}", db.backend);
            skip_slowdowns(&db.pool).await;
        }
        let r = sign_in(&db.pool, &cfg, "CALLER@acme.example", "wrong", IP).await;
        assert_eq!(r, Err(AppError::BadCredentials));
        // The limit counts per account and address: this address is refused even the right password.
        let r = sign_in(
            &db.pool,
            &cfg,
            "caller@acme.example",
            "acme-caller-demo",
            IP,
        )
        .await;
        assert_eq!(r, Err(AppError::RateLimited), "{}", db.backend);
        // Another account from another address is unaffected.
        assert!(sign_in(
            &db.pool,
            &cfg,
            "admin@acme.example",
            "acme-admin-demo",
            "192.0.2.9"
        )
        .await
        .is_ok());
    }
}

/// Five wrong passwords from anywhere used to lock the account, the right one included: anyone
/// could keep its owner out. Now the guesser's address is refused, and the owner, from an
/// address that has not failed, signs in at once.
#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_owner_out() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let (attacker, owner) = ("203.0.113.66", "198.51.100.20");
        for _ in 0..auth::MAX_FAILURES_PER_PAIR + 3 {
            let r = sign_in(&db.pool, &cfg, "caller@acme.example", "guess", attacker).await;
            assert!(
                matches!(r, Err(AppError::BadCredentials | AppError::RateLimited)),
                "{b}: {r:?}"
            );
            skip_slowdowns(&db.pool).await;
        }
        let r = sign_in(
            &db.pool,
            &cfg,
            "caller@acme.example",
            "acme-caller-demo",
            attacker,
        )
        .await;
        assert_eq!(r, Err(AppError::RateLimited), "{b}: the guesser is refused");
        let token = sign_in(
            &db.pool,
            &cfg,
            "caller@acme.example",
            "acme-caller-demo",
            owner,
        )
        .await
        .unwrap_or_else(|e| panic!("{b}: the owner is locked out: {e}"));
        assert!(user_for_token(&db.pool, &cfg, &token)
            .await
            .unwrap()
            .is_some());
    }
}

/// The per-account slow-down: once the account failed `SLOWDOWN_AFTER` times (from anywhere), an
/// address that failed on it must wait before its next try; one that has not failed need not.
#[tokio::test]
async fn addresses_that_failed_on_an_account_slow_down() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let email = "caller@acme.example";
        let guessers: Vec<String> = (0..auth::SLOWDOWN_AFTER)
            .map(|i| format!("203.0.113.{}", 10 + i))
            .collect();
        for ip in &guessers {
            let r = sign_in(&db.pool, &cfg, email, "guess", ip).await;
            assert_eq!(r, Err(AppError::BadCredentials), "{b}: first try from {ip}");
        }
        // Each guesser failed once; the account SLOWDOWN_AFTER times: the next try waits.
        let last = guessers.last().unwrap();
        let r = sign_in(&db.pool, &cfg, email, "acme-caller-demo", last).await;
        assert_eq!(
            r,
            Err(AppError::RateLimited),
            "{b}: too soon after a failure"
        );
        // A fresh address is checked (and fails on its own merits), and the owner signs in.
        let r = sign_in(&db.pool, &cfg, email, "guess", "203.0.113.99").await;
        assert_eq!(
            r,
            Err(AppError::BadCredentials),
            "{b}: fresh address checked"
        );
        sign_in(&db.pool, &cfg, email, "acme-caller-demo", "198.51.100.20")
            .await
            .unwrap_or_else(|e| panic!("{b}: owner refused: {e}"));
        // Once its wait is over, the address that failed is checked again.
        skip_slowdowns(&db.pool).await;
        sign_in(&db.pool, &cfg, email, "acme-caller-demo", last)
            .await
            .unwrap_or_else(|e| panic!("{b}: refused after the wait: {e}"));
    }
}

/// Forty parallel wrong passwords from one address, through two pools (two app instances on one
/// database): the count is taken under a row lock before any password is checked, so at most
/// the limit of them reach verification (all forty did when counting and recording were two
/// steps).
#[tokio::test]
async fn parallel_guesses_are_counted_before_any_is_checked() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let second = portal::server::db::connect(&db.url, 8).await.unwrap();
        let attempts: Vec<_> = (0..40)
            .map(|i| {
                let pool = if i % 2 == 0 {
                    db.pool.clone()
                } else {
                    second.clone()
                };
                let cfg = cfg.clone();
                tokio::spawn(async move {
                    sign_in(&pool, &cfg, "caller@acme.example", "guess", "203.0.113.66").await
                })
            })
            .collect();
        let mut checked = 0;
        for a in attempts {
            match a.await.unwrap() {
                Err(AppError::BadCredentials) => checked += 1,
                Err(AppError::RateLimited) => {}
                other => panic!("{b}: {other:?}"),
            }
        }
        assert!(
            (1..=auth::MAX_FAILURES_PER_PAIR).contains(&checked),
            "{b}: {checked} of 40 parallel guesses had their password checked"
        );
        let recorded: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE email = 'caller@acme.example'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(recorded, checked, "{b}: one attempt row per checked guess");
        second.close().await;
    }
}

#[tokio::test]
async fn per_address_limit_stops_spraying_across_accounts() {
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        for i in 0..auth::MAX_FAILURES_PER_ADDRESS {
            let r = sign_in(
                &db.pool,
                &cfg,
                &format!("u{i}@x.example"),
                "pw",
                "198.51.100.7",
            )
            .await;
            assert_eq!(r, Err(AppError::BadCredentials));
        }
        let r = sign_in(
            &db.pool,
            &cfg,
            "admin@acme.example",
            "acme-admin-demo",
            "198.51.100.7",
        )
        .await;
        assert_eq!(r, Err(AppError::RateLimited), "{}", db.backend);
    }
}

#[tokio::test]
async fn sign_out_and_expiry_end_sessions_on_the_server() {
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        let token = sign_in(&db.pool, &cfg, "admin@acme.example", "acme-admin-demo", IP)
            .await
            .unwrap();
        sign_out(&db.pool, &token).await.unwrap();
        assert_eq!(user_for_token(&db.pool, &cfg, &token).await.unwrap(), None);

        // Idle expiry: age the session beyond the idle limit.
        let token = sign_in(&db.pool, &cfg, "admin@acme.example", "acme-admin-demo", IP)
            .await
            .unwrap();
        let idle = cfg.idle.as_millis() as i64;
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
            .bind(idle + 1)
            .execute(&db.pool)
            .await
            .unwrap();
        assert_eq!(
            user_for_token(&db.pool, &cfg, &token).await.unwrap(),
            None,
            "{}",
            db.backend
        );

        // Absolute expiry, however active.
        let short = SessionConfig {
            absolute: Duration::from_millis(1),
            ..SessionConfig::default()
        };
        let token = sign_in(
            &db.pool,
            &short,
            "admin@acme.example",
            "acme-admin-demo",
            IP,
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(
            user_for_token(&db.pool, &short, &token).await.unwrap(),
            None
        );
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(left, 0, "{}: expired sessions are deleted", db.backend);
    }
}

#[tokio::test]
async fn inactive_or_undesignated_people_cannot_sign_in() {
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        let token = sign_in(
            &db.pool,
            &cfg,
            "caller@acme.example",
            "acme-caller-demo",
            IP,
        )
        .await
        .unwrap();
        sqlx::query("UPDATE users SET active = FALSE WHERE email = 'caller@acme.example'")
            .execute(&db.pool)
            .await
            .unwrap();
        // A deactivated person's open session no longer works either.
        assert_eq!(user_for_token(&db.pool, &cfg, &token).await.unwrap(), None);
        let r = sign_in(
            &db.pool,
            &cfg,
            "caller@acme.example",
            "acme-caller-demo",
            IP,
        )
        .await;
        assert_eq!(r, Err(AppError::BadCredentials), "{}", db.backend);

        // Not a designated contact of any site: refused.
        sqlx::query("DELETE FROM site_contacts WHERE user_id = (SELECT id FROM users WHERE email = 'admin@globex.example')")
            .execute(&db.pool)
            .await
            .unwrap();
        let r = sign_in(
            &db.pool,
            &cfg,
            "admin@globex.example",
            "globex-admin-demo",
            IP,
        )
        .await;
        assert_eq!(r, Err(AppError::BadCredentials), "{}", db.backend);
    }
}

#[tokio::test]
async fn dashboards_show_only_the_callers_organization() {
    let programs = portal::sla::ProgramSet::builtin().expect("programs");
    for db in helpers::seeded().await {
        let cfg = SessionConfig::default();
        let user_of = |email: &'static str, pw: &'static str| {
            let pool = db.pool.clone();
            let cfg = cfg.clone();
            async move {
                let t = sign_in(&pool, &cfg, email, pw, IP).await.unwrap();
                user_for_token(&pool, &cfg, &t).await.unwrap().unwrap()
            }
        };
        let acme = user_of("admin@acme.example", "acme-admin-demo").await;
        let d = orgs::dashboard(&db.pool, &programs, &acme).await.unwrap();
        let names: Vec<_> = d.organizations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Acme Corp"], "{}", db.backend);
        let sites: Vec<_> = d.organizations[0]
            .sites
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(sites, ["Acme Boston DC", "Acme Frankfurt DC"]);
        assert_eq!(d.organizations[0].sites[0].time_zone, "America/New_York");
        assert!(d.organizations[0]
            .sites
            .iter()
            .all(|s| !s.arrays.is_empty()));
        let dark = d.organizations[0].sites[1]
            .arrays
            .iter()
            .filter(|a| !a.connected)
            .count();
        assert_eq!(dark, 1, "{}: booleans round-trip", db.backend);
        // How to reach support, for the programs of Acme's arrays (its contact-center service
        // among them), each once.
        let reach: Vec<_> = d.reach.iter().map(|r| r.program_id.as_str()).collect();
        assert!(reach.contains(&"contact-center") && reach.contains(&"storage-7.1.3"));
        let mut unique = reach.clone();
        unique.dedup();
        assert_eq!(unique.len(), reach.len());

        let globex = user_of("admin@globex.example", "globex-admin-demo").await;
        let d = orgs::dashboard(&db.pool, &programs, &globex).await.unwrap();
        assert_eq!(d.organizations.len(), 1);
        assert_eq!(d.organizations[0].name, "Globex");

        let staff = user_of("engineer@support.example", "support-demo").await;
        assert_eq!(staff.role, Role::SupportEngineer);
        let d = orgs::dashboard(&db.pool, &programs, &staff).await.unwrap();
        assert_eq!(d.organizations.len(), 2, "{}", db.backend);
        assert!(d.reach.is_empty(), "support knows its own numbers");
    }
}

/// A page render asks for the user several times (header, bell, the page's resources); the
/// request's memo answers them all from one lookup, and a new request looks again.
#[tokio::test]
async fn a_request_looks_its_session_up_once() {
    use leptos::prelude::{provide_context, Owner};
    use leptos::reactive::computed::ScopedFuture;
    use portal::server::auth::{optional_user, RequestUser};

    for db in helpers::seeded().await {
        let state = helpers::state(db.pool.clone());
        let token = sign_in(
            &db.pool,
            &state.sessions,
            "admin@acme.example",
            "acme-admin-demo",
            IP,
        )
        .await
        .unwrap();
        let (parts, ()) = http::Request::get("/cases")
            .header(http::header::COOKIE, format!("portal_session={token}"))
            .body(())
            .unwrap()
            .into_parts();
        let request = |memo: RequestUser| {
            let owner = Owner::new();
            owner.with(|| {
                provide_context(state.clone());
                provide_context(parts.clone());
                provide_context(memo);
                ScopedFuture::new(optional_user())
            })
        };

        let memo = RequestUser::default();
        let first = request(memo.clone()).await.unwrap();
        assert_eq!(
            first.map(|u| u.email),
            Some("admin@acme.example".to_string())
        );
        // Signed out elsewhere mid-request: this request keeps the answer it started with...
        sign_out(&db.pool, &token).await.unwrap();
        let again = request(memo).await.unwrap();
        assert!(again.is_some(), "{}: the memo answered", db.backend);
        // ...and the next request looks the session up afresh.
        let next = request(RequestUser::default()).await.unwrap();
        assert_eq!(
            next, None,
            "{}: a new request sees the sign-out",
            db.backend
        );
    }
}
