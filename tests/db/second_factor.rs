//! Two-step sign-in on SQLite and PostgreSQL: setting an authenticator app up, the code after
//! the password (computed here from the enrolment secret, as the app would), a code that works
//! once, recovery codes, the limit on wrong codes, and accounts that must have a factor.
use crate::helpers;

use axum::body::Body;
use http::{header, Request, StatusCode};
use portal::model::account::SecondFactor;
use portal::model::{AppError, CurrentUser};
use portal::server::account::second_factor::{self, codes, complete_sign_in, MAX_CODE_FAILURES};
use portal::server::auth::{sign_in_step, user_for_token};
use portal::server::state::SessionConfig;
use sqlx::AnyPool;
use tower::ServiceExt;

const IP: &str = "192.0.2.7";
const CALLER: &str = "caller@acme.example";
const CALLER_PW: &str = "acme-caller-demo";
const ENGINEER: &str = "engineer@support.example";
const ENGINEER_PW: &str = "support-demo";

fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).expect("after 1970")
}

/// The code the person's app shows `offset` steps from now.
fn app_code(secret: &str, email: &str, offset: i64) -> String {
    let t = codes::generator(secret, email).expect("generator");
    let at = unix_now() as i64 + offset * codes::STEP_SECONDS as i64;
    t.generate(u64::try_from(at).expect("positive"))
}

/// Sets an app up for `user` and turns it on; returns the secret and the recovery codes.
async fn enrol(pool: &AnyPool, user: &CurrentUser) -> (String, Vec<String>) {
    second_factor::start(pool, user).await.expect("start");
    let page = second_factor::page(pool, user, false).await.expect("page");
    let SecondFactor::SettingUp {
        secret,
        otpauth_url,
        qr_svg,
    } = page.factor
    else {
        panic!("setting up, got {:?}", page.factor);
    };
    assert!(otpauth_url.starts_with("otpauth://totp/"), "{otpauth_url}");
    assert!(
        otpauth_url.contains(&format!("secret={secret}")),
        "{otpauth_url}"
    );
    assert!(qr_svg.contains("<svg"), "the QR code is an SVG");
    // The previous step's code: the one a sign-in right after may not reuse is the current one.
    second_factor::confirm(pool, user, &app_code(&secret, &user.email, -1))
        .await
        .expect("the app's code turns it on");
    let page = second_factor::page(pool, user, false).await.expect("page");
    let SecondFactor::On {
        recovery_codes_left,
        new_recovery_codes,
    } = page.factor
    else {
        panic!("on, got {:?}", page.factor);
    };
    assert_eq!(recovery_codes_left, codes::RECOVERY_CODES as i64);
    assert_eq!(new_recovery_codes.len(), codes::RECOVERY_CODES);
    let again = second_factor::page(pool, user, false).await.expect("page");
    assert!(
        matches!(again.factor, SecondFactor::On { ref new_recovery_codes, .. } if new_recovery_codes.is_empty()),
        "the recovery codes are shown once"
    );
    (secret, new_recovery_codes)
}

async fn signed_in(pool: &AnyPool, token: &str) -> Option<CurrentUser> {
    user_for_token(pool, &SessionConfig::default(), token)
        .await
        .expect("lookup")
}

#[tokio::test]
async fn a_code_from_the_app_completes_the_sign_in_once() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let cfg = SessionConfig::default();
        let me = helpers::user(pool, CALLER).await;
        let wrong = second_factor::confirm(pool, &me, "000000").await;
        assert!(
            matches!(wrong, Err(AppError::Conflict(_))),
            "{b}: nothing to confirm yet"
        );
        let (secret, recovery) = enrol(pool, &me).await;

        // The password alone now opens a half-open session that opens no page.
        let first = sign_in_step(pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        assert!(first.needs_code, "{b}");
        assert!(
            signed_in(pool, &first.token).await.is_none(),
            "{b}: no page before the code"
        );
        let pending = second_factor::pending_sign_in(pool, &first.token)
            .await
            .expect("pending");
        assert_eq!(pending.as_deref(), Some(CALLER), "{b}");

        let bad = complete_sign_in(pool, &cfg, &first.token, "123 45x").await;
        assert_eq!(
            bad.err()
                .and_then(|e| e.field().map(str::to_string))
                .as_deref(),
            Some("code"),
            "{b}"
        );
        let code = app_code(&secret, CALLER, 0);
        let full = complete_sign_in(pool, &cfg, &first.token, &code)
            .await
            .expect("the code");
        assert_ne!(
            full, first.token,
            "{b}: a new token, the waiting one is not promoted"
        );
        assert_eq!(
            signed_in(pool, &full).await.map(|u| u.email).as_deref(),
            Some(CALLER),
            "{b}"
        );
        assert!(
            second_factor::pending_sign_in(pool, &first.token)
                .await
                .expect("lookup")
                .is_none(),
            "{b}: the half-open session is gone"
        );

        // RFC 6238 5.2: "the verifier MUST NOT accept the second attempt of the OTP after the
        // successful validation has been issued for the first OTP".
        let second = sign_in_step(pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        let replay = complete_sign_in(pool, &cfg, &second.token, &code).await;
        assert!(
            matches!(replay, Err(AppError::Invalid { .. })),
            "{b}: a used code is refused"
        );
        // The code that confirmed the app (the previous step) is spent too.
        let older =
            complete_sign_in(pool, &cfg, &second.token, &app_code(&secret, CALLER, -1)).await;
        assert!(
            older.is_err(),
            "{b}: an older step than the last used is refused"
        );

        // A recovery code signs in once.
        let rescued = complete_sign_in(pool, &cfg, &second.token, &recovery[0].to_uppercase())
            .await
            .expect("a recovery code");
        assert!(signed_in(pool, &rescued).await.is_some(), "{b}");
        let third = sign_in_step(pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        let spent = complete_sign_in(pool, &cfg, &third.token, &recovery[0]).await;
        assert!(spent.is_err(), "{b}: a recovery code works once");
        let page = second_factor::page(pool, &me, false).await.expect("page");
        assert!(
            matches!(
                page.factor,
                SecondFactor::On {
                    recovery_codes_left: 9,
                    ..
                }
            ),
            "{b}: {:?}",
            page.factor
        );
        // Stored as hashes only.
        let clear: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE id = $1")
            .bind(&recovery[1])
            .fetch_one(pool)
            .await
            .expect("count");
        assert_eq!(clear, 0, "{b}: no recovery code is stored in clear");
    }
}

#[tokio::test]
async fn five_wrong_codes_end_the_half_open_sign_in() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let cfg = SessionConfig::default();
        let me = helpers::user(pool, CALLER).await;
        let (secret, _) = enrol(pool, &me).await;
        let s = sign_in_step(pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        let right = app_code(&secret, CALLER, 0);
        let wrong = if right == "111111" {
            "222222"
        } else {
            "111111"
        };
        for i in 0..MAX_CODE_FAILURES {
            let r = complete_sign_in(pool, &cfg, &s.token, wrong).await;
            assert!(
                matches!(r, Err(AppError::Invalid { .. })),
                "{b}: wrong code {i}"
            );
        }
        let after = complete_sign_in(pool, &cfg, &s.token, &right).await;
        assert!(
            matches!(after, Err(AppError::Conflict(_))),
            "{b}: {after:?}"
        );
        assert!(second_factor::pending_sign_in(pool, &s.token)
            .await
            .expect("lookup")
            .is_none());
    }
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let me = helpers::user(pool, CALLER).await;
        let (secret, recovery) = enrol(pool, &me).await;
        let no_pw = second_factor::turn_off(pool, &me, true, "wrong-password", &recovery[0]).await;
        assert_eq!(
            no_pw
                .err()
                .and_then(|e| e.field().map(str::to_string))
                .as_deref(),
            Some("current_password"),
            "{b}"
        );
        let no_code = second_factor::turn_off(pool, &me, true, CALLER_PW, "not-a-code").await;
        assert_eq!(
            no_code
                .err()
                .and_then(|e| e.field().map(str::to_string))
                .as_deref(),
            Some("code"),
            "{b}"
        );
        second_factor::turn_off(pool, &me, true, CALLER_PW, &app_code(&secret, CALLER, 0))
            .await
            .expect("off");
        let s = sign_in_step(pool, &SessionConfig::default(), CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        assert!(!s.needs_code, "{b}: the password alone again");
    }
}

async fn post(
    app: &axum::Router,
    uri: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Option<String>) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(helpers::form_body(form)))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("router answers");
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    (res.status(), cookie)
}

/// Vendor staff see every customer: with the production default, an engineer without a factor
/// may only set one up; an organization's admin can require it of everyone.
#[tokio::test]
async fn accounts_that_must_have_a_factor_may_only_set_one_up() {
    for db in helpers::seeded().await {
        let (b, pool) = (db.backend, &db.pool);
        let mut state = helpers::state(pool.clone());
        state.sessions.staff_second_factor = true;
        let app = portal::router::build(state);
        let (status, cookie) = post(
            &app,
            "/api/login",
            "",
            &[("email", ENGINEER), ("password", ENGINEER_PW)],
        )
        .await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{b}: {status}"
        );
        let cookie = cookie.expect("a session");
        let (refused, _) = post(&app, "/api/cases/list", &cookie, &[]).await;
        assert_eq!(
            refused,
            StatusCode::FORBIDDEN,
            "{b}: nothing before the factor"
        );
        let (started, _) = post(&app, "/api/account/two-factor/start", &cookie, &[]).await;
        assert!(
            started.is_success() || started.is_redirection(),
            "{b}: {started}"
        );

        let engineer = helpers::user(pool, ENGINEER).await;
        let cfg = SessionConfig::default();
        let token = cookie
            .split_once('=')
            .map(|(_, t)| t.to_string())
            .expect("token");
        let before = user_for_token(pool, &cfg, &token)
            .await
            .expect("lookup")
            .expect("user");
        assert!(before.second_factor_missing, "{b}");
        enrol(pool, &engineer).await;
        let after = user_for_token(pool, &cfg, &token)
            .await
            .expect("lookup")
            .expect("user");
        assert!(!after.second_factor_missing, "{b}");
        let off = second_factor::turn_off(pool, &engineer, true, ENGINEER_PW, "000000").await;
        assert!(
            matches!(off, Err(AppError::Conflict(_))),
            "{b}: staff keep their factor"
        );

        // The organization's rule, set by its admin only.
        let caller = helpers::user(pool, CALLER).await;
        let denied = second_factor::set_org_requirement(pool, &caller, true).await;
        assert!(matches!(denied, Err(AppError::Forbidden)), "{b}");
        let admin = helpers::user(pool, "admin@acme.example").await;
        second_factor::set_org_requirement(pool, &admin, true)
            .await
            .expect("admin");
        let s = sign_in_step(pool, &cfg, CALLER, CALLER_PW, IP)
            .await
            .expect("password");
        let u = user_for_token(pool, &cfg, &s.token)
            .await
            .expect("lookup")
            .expect("user");
        assert!(
            u.second_factor_missing,
            "{b}: the caller must set one up now"
        );
        let globex = sign_in_step(pool, &cfg, "admin@globex.example", "globex-admin-demo", IP)
            .await
            .expect("password");
        let g = user_for_token(pool, &cfg, &globex.token)
            .await
            .expect("lookup")
            .expect("user");
        assert!(
            !g.second_factor_missing,
            "{b}: another organization is not bound by it"
        );

        // Support resets a lost factor (audited): the password alone again.
        assert!(second_factor::reset_by_staff(pool, ENGINEER, None)
            .await
            .expect("reset"));
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'account.second_factor_reset'",
        )
        .fetch_one(pool)
        .await
        .expect("audit");
        assert_eq!(audited, 1, "{b}");
    }
}
