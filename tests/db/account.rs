//! Accounts people can keep safe, on SQLite and PostgreSQL: changing the password, the
//! "forgot password" link, the list of sessions and the password policy.
use crate::helpers;

use portal::model::AppError;
use portal::server::account::{self, RESET_MAX_PER_ACCOUNT, RESET_MAX_PER_ADDRESS};
use portal::server::auth::{sign_in, token_hash, user_for_token};
use portal::server::contacts;
use portal::server::ids::now_ms;
use portal::server::mailer::{MailConfig, Mailer};
use portal::server::outbox::{deliver_due, DeliveryConfig};
use portal::server::state::SessionConfig;
use sqlx::AnyPool;

const IP: &str = "192.0.2.1";
const CALLER: &str = "caller@acme.example";
const CALLER_PW: &str = "acme-caller-demo";
const MINUTE: i64 = 60_000;

fn field(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(e) => e.field().unwrap_or("<none>").to_string(),
        Ok(v) => panic!("expected a refusal, got {v:?}"),
    }
}

async fn alive(pool: &AnyPool, token: &str) -> bool {
    user_for_token(pool, &SessionConfig::default(), token)
        .await
        .unwrap()
        .is_some()
}

async fn count(pool: &AnyPool, sql: &str, key: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The path of the newest reset e-mail to `email` waiting in the outbox, if any.
async fn mailed_link(pool: &AnyPool, email: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT e.link FROM outbox o JOIN notification_events e ON e.id = o.event_id \
         WHERE o.recipient = $1 AND e.kind = 'password_reset' \
         ORDER BY e.created_at DESC, e.id LIMIT 1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn mailed_token(pool: &AnyPool, email: &str) -> String {
    let link = mailed_link(pool, email).await.expect("a reset e-mail");
    link.strip_prefix("/reset/")
        .unwrap_or_else(|| panic!("a reset link, got {link}"))
        .to_string()
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_only_other_sessions() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let here = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .unwrap();
        let elsewhere = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, "192.0.2.2")
            .await
            .unwrap();
        let me = helpers::user(&db.pool, CALLER).await;
        let new_pw = "a-brand-new-passphrase";

        let wrong =
            account::change_password(&db.pool, &me, &here, "not-my-password", new_pw, new_pw).await;
        assert_eq!(field(wrong), "current_password", "{b}");
        assert!(
            alive(&db.pool, &elsewhere).await,
            "{b}: a refusal ends nothing"
        );
        let empty = account::change_password(&db.pool, &me, &here, "", new_pw, new_pw).await;
        assert_eq!(field(empty), "current_password", "{b}");
        let differ =
            account::change_password(&db.pool, &me, &here, CALLER_PW, new_pw, "something-else")
                .await;
        assert_eq!(field(differ), "password_confirm", "{b}");
        // Refused: the old password still signs in.
        assert!(sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP).await.is_ok());

        let ended = account::change_password(&db.pool, &me, &here, CALLER_PW, new_pw, new_pw)
            .await
            .unwrap();
        assert_eq!(
            ended, 2,
            "{b}: the other session and the check's own sign-in"
        );
        assert!(alive(&db.pool, &here).await, "{b}: this session stays");
        assert!(!alive(&db.pool, &elsewhere).await, "{b}: the other ends");
        assert_eq!(
            sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP).await,
            Err(AppError::BadCredentials),
            "{b}: the old password no longer works"
        );
        assert!(sign_in(&db.pool, &cfg, CALLER, new_pw, IP).await.is_ok());
        let audited = count(
            &db.pool,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'account.password_change' \
             AND actor_user_id = $1",
            &me.id,
        )
        .await;
        assert_eq!(audited, 1, "{b}");
    }
}

#[tokio::test]
async fn common_passwords_are_refused_wherever_one_is_chosen() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let here = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .unwrap();
        let me = helpers::user(&db.pool, CALLER).await;
        // Twelve characters, so the length rule passes: only the list refuses these.
        for common in ["1q2w3e4r5t6y", "1QAZ2WSX3EDC", "Qwerty123456"] {
            let r = account::change_password(&db.pool, &me, &here, CALLER_PW, common, common).await;
            assert_eq!(field(r), "password", "{b}: {common}");
        }
        assert!(sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP).await.is_ok());

        let now = now_ms();
        account::request_reset(&db.pool, CALLER, IP, now)
            .await
            .unwrap();
        let token = mailed_token(&db.pool, CALLER).await;
        let r =
            account::complete_reset(&db.pool, &token, "1q2w3e4r5t6y", "1q2w3e4r5t6y", now).await;
        assert_eq!(field(r), "password", "{b}");
        // The refusal did not use the link up.
        account::complete_reset(
            &db.pool,
            &token,
            "a-long-enough-password",
            "a-long-enough-password",
            now,
        )
        .await
        .unwrap();

        let admin = helpers::user(&db.pool, "admin@acme.example").await;
        let site: String = sqlx::query_scalar("SELECT id FROM sites WHERE name = 'Acme Boston DC'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let added = contacts::add_contact(
            &db.pool,
            &admin,
            &portal::model::contact::NewContact {
                site_id: site,
                role: "authorized_caller".into(),
                email: "fresh.person@acme.example".into(),
                name: "Fresh Person".into(),
                phone: String::new(),
                time_zone: String::new(),
            },
        )
        .await
        .unwrap();
        let link = added.invitation.expect("invited");
        let r = contacts::accept_invitation(&db.pool, &link.token, "1q2w3e4r5t6y", "1q2w3e4r5t6y")
            .await;
        assert_eq!(
            field(r),
            "password",
            "{b}: invitations follow the same policy"
        );
    }
}

#[tokio::test]
async fn reset_links_are_hashed_single_use_and_expire_after_30_minutes() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let t0 = now_ms();
        let session = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .unwrap();
        account::request_reset(&db.pool, "  Caller@ACME.example ", IP, t0)
            .await
            .unwrap();
        let token = mailed_token(&db.pool, CALLER).await;
        // Only the token's hash is stored with the link.
        let stored = count(
            &db.pool,
            "SELECT COUNT(*) FROM password_resets WHERE id = $1",
            &token,
        )
        .await;
        let hashed = count(
            &db.pool,
            "SELECT COUNT(*) FROM password_resets WHERE id = $1",
            &token_hash(&token),
        )
        .await;
        assert_eq!((stored, hashed), (0, 1), "{b}");
        // The outbox delivers it like any e-mail (to the log here).
        let mailer = Mailer::new(&MailConfig::default()).unwrap();
        let report = deliver_due(
            &db.pool,
            &mailer,
            &DeliveryConfig::default(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(report.sent, 1, "{b}: {report:?}");

        let pw = "reset-via-the-link-1";
        account::complete_reset(&db.pool, &token, pw, pw, t0 + 29 * MINUTE)
            .await
            .unwrap();
        assert!(!alive(&db.pool, &session).await, "{b}: every session ends");
        assert!(sign_in(&db.pool, &cfg, CALLER, pw, IP).await.is_ok(), "{b}");
        let again = account::complete_reset(
            &db.pool,
            &token,
            "another-new-password",
            "another-new-password",
            t0 + 29 * MINUTE,
        )
        .await;
        assert!(
            matches!(again, Err(AppError::Conflict(_))),
            "{b}: single use: {again:?}"
        );
        assert_eq!(
            mailed_link(&db.pool, CALLER).await.as_deref(),
            Some("/forgot-password"),
            "{b}: the used link no longer sits in the outbox"
        );

        // A second link, tried 30 minutes after it was sent: expired, nothing changes.
        let t1 = t0 + MINUTE;
        account::request_reset(&db.pool, CALLER, IP, t1)
            .await
            .unwrap();
        let late = mailed_token(&db.pool, CALLER).await;
        let r = account::complete_reset(
            &db.pool,
            &late,
            "too-late-password",
            "too-late-password",
            t1 + 30 * MINUTE,
        )
        .await;
        match r {
            Err(AppError::Conflict(m)) => assert!(m.contains("expired"), "{b}: {m}"),
            other => panic!("{b}: expected an expired link, got {other:?}"),
        }
        assert!(
            sign_in(&db.pool, &cfg, CALLER, pw, IP).await.is_ok(),
            "{b}: password kept"
        );

        // A newer link replaces the older one.
        // An hour on, so the per-account limit (3 an hour) counts none of the above.
        let t2 = t0 + 61 * MINUTE;
        account::request_reset(&db.pool, CALLER, IP, t2)
            .await
            .unwrap();
        let older = mailed_token(&db.pool, CALLER).await;
        account::request_reset(&db.pool, CALLER, "192.0.2.77", t2 + 1)
            .await
            .unwrap();
        let newer = mailed_token(&db.pool, CALLER).await;
        assert_ne!(older, newer);
        let r = account::complete_reset(
            &db.pool,
            &older,
            "older-link-password",
            "older-link-password",
            t2 + 2,
        )
        .await;
        assert!(matches!(r, Err(AppError::Conflict(_))), "{b}: {r:?}");
        let unknown = account::complete_reset(
            &db.pool,
            "not-a-token",
            "unknown-link-password",
            "unknown-link-password",
            t2,
        )
        .await;
        assert!(
            matches!(unknown, Err(AppError::NotFound(_))),
            "{b}: {unknown:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_address_is_answered_like_a_known_one_and_both_are_rate_limited() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let now = now_ms();
        let known = account::request_reset(&db.pool, CALLER, IP, now).await;
        let unknown = account::request_reset(&db.pool, "nobody@acme.example", IP, now).await;
        assert_eq!(known, unknown, "{b}: the same answer");
        assert_eq!(known, Ok(()), "{b}");
        assert!(mailed_link(&db.pool, CALLER).await.is_some(), "{b}");
        assert_eq!(
            mailed_link(&db.pool, "nobody@acme.example").await,
            None,
            "{b}"
        );
        let malformed = account::request_reset(&db.pool, "no-at-sign", IP, now).await;
        assert_eq!(field(malformed), "email", "{b}");

        // Per account: the limit counts requests for the address, account or not.
        for email in [CALLER, "nobody@acme.example"] {
            for i in 1..RESET_MAX_PER_ACCOUNT {
                let ip = format!("198.51.100.{i}");
                assert_eq!(
                    account::request_reset(&db.pool, email, &ip, now + i).await,
                    Ok(())
                );
            }
            let r = account::request_reset(&db.pool, email, "203.0.113.9", now + 10).await;
            assert_eq!(r, Err(AppError::RateLimited), "{b}: {email}");
        }
        let mails = count(
            &db.pool,
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1",
            CALLER,
        )
        .await;
        assert_eq!(
            mails, RESET_MAX_PER_ACCOUNT,
            "{b}: a refused request sends nothing"
        );
        // An hour later the address may ask again.
        let later = now + account::RESET_WINDOW_MS + 1;
        assert_eq!(
            account::request_reset(&db.pool, CALLER, IP, later).await,
            Ok(())
        );

        // Per client address, across accounts.
        let sprayer = "198.51.100.200";
        for i in 0..RESET_MAX_PER_ADDRESS {
            let r =
                account::request_reset(&db.pool, &format!("u{i}@x.example"), sprayer, now).await;
            assert_eq!(r, Ok(()), "{b}");
        }
        let r = account::request_reset(&db.pool, "admin@acme.example", sprayer, now).await;
        assert_eq!(r, Err(AppError::RateLimited), "{b}");
    }
}

#[tokio::test]
async fn the_session_list_shows_each_client_and_signs_out_everywhere_else() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let here = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .unwrap();
        account::record_client(&db.pool, &here, "Firefox/140.0", IP)
            .await
            .unwrap();
        let phone = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, "192.0.2.50")
            .await
            .unwrap();
        let long_agent = format!("Pixel\u{7}{}", "x".repeat(5_000));
        account::record_client(&db.pool, &phone, &long_agent, "192.0.2.50")
            .await
            .unwrap();
        let other = sign_in(&db.pool, &cfg, "admin@acme.example", "acme-admin-demo", IP)
            .await
            .unwrap();
        let me = helpers::user(&db.pool, CALLER).await;

        let page = account::account_page(&db.pool, &cfg, &me, Some(&here), None)
            .await
            .unwrap();
        assert_eq!(
            page.sessions.len(),
            2,
            "{b}: only the caller's own sessions"
        );
        let current: Vec<_> = page.sessions.iter().filter(|s| s.current).collect();
        assert_eq!(current.len(), 1, "{b}");
        assert_eq!(current[0].user_agent, "Firefox/140.0");
        assert_eq!(current[0].ip, IP);
        let elsewhere = page.sessions.iter().find(|s| !s.current).unwrap();
        assert_eq!(elsewhere.ip, "192.0.2.50");
        assert!(
            elsewhere.user_agent.starts_with("Pixelx"),
            "{b}: control characters dropped"
        );
        assert_eq!(
            elsewhere.user_agent.chars().count(),
            account::USER_AGENT_MAX
        );

        assert_eq!(
            account::sign_out_others(&db.pool, &me, &here).await,
            Ok(1),
            "{b}"
        );
        assert!(alive(&db.pool, &here).await, "{b}");
        assert!(!alive(&db.pool, &phone).await, "{b}");
        assert!(
            alive(&db.pool, &other).await,
            "{b}: someone else's session is theirs"
        );
        let page = account::account_page(&db.pool, &cfg, &me, Some(&here), None)
            .await
            .unwrap();
        assert_eq!(page.sessions.len(), 1, "{b}");
    }
}

/// A stolen session gets no unlimited guesses at the password behind it: five wrong current
/// passwords within the window, and the form refuses further tries (the right one included)
/// until the window ends; parallel guesses cannot pass the count.
#[tokio::test]
async fn wrong_current_passwords_are_limited_per_account() {
    for db in helpers::seeded().await {
        let b = db.backend;
        let cfg = SessionConfig::default();
        let here = sign_in(&db.pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .unwrap();
        let me = helpers::user(&db.pool, CALLER).await;
        let new_pw = "a-brand-new-passphrase";
        let guesses = (0..8).map(|i| {
            let (pool, me, here) = (db.pool.clone(), me.clone(), here.clone());
            tokio::spawn(async move {
                let guess = format!("guess-number-{i}");
                account::change_password(&pool, &me, &here, &guess, new_pw, new_pw).await
            })
        });
        let mut wrong = 0;
        let mut limited = 0;
        for g in guesses {
            match g.await.unwrap() {
                Err(AppError::Invalid { field, .. }) if field == "current_password" => wrong += 1,
                Err(AppError::RateLimited) => limited += 1,
                other => panic!("{b}: {other:?}"),
            }
        }
        assert_eq!(
            (wrong, limited),
            (account::MAX_REAUTH_FAILURES as usize, 3),
            "{b}: five checked, the rest refused"
        );
        let right = account::change_password(&db.pool, &me, &here, CALLER_PW, new_pw, new_pw).await;
        assert!(
            matches!(right, Err(AppError::RateLimited)),
            "{b}: {right:?}"
        );
    }
}
