//! Two-step sign-in: setting up an authenticator app (a secret shown once as a QR code, confirmed
//! by its first code), the recovery codes made then, turning it off (password and a code), whether
//! an account must have it, and the second step of signing in (`sign_in`).
pub mod codes;
mod queries;
mod sign_in;

pub use sign_in::{complete_sign_in, pending_sign_in, MAX_CODE_FAILURES, PENDING_MINUTES};

use super::queries::organization_of;
use crate::model::account::{SecondFactor, SecondFactorPage};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::audit::{record, AuditEntry};
use crate::server::db::begin_write;
use crate::server::ids::now_ms;
use crate::server::shown_once::ShownOnce;
use codes::{generator, matching_step, new_recovery_code, new_secret, recovery_code_id};
use queries::FactorRow;
use sqlx::AnyPool;

/// What the Account page shows of the person's two-step sign-in. Recovery codes made by the last
/// confirmation are handed over here, this once (`queries::take_new_codes`).
pub async fn page(
    pool: &AnyPool,
    user: &CurrentUser,
    staff_required: bool,
) -> Result<SecondFactorPage, AppError> {
    page_showing(pool, user, staff_required, None).await
}

/// `page`, with the new recovery codes taken once per request (`ShownOnce`).
pub async fn page_showing(
    pool: &AnyPool,
    user: &CurrentUser,
    staff_required: bool,
    memo: Option<&ShownOnce<Vec<String>>>,
) -> Result<SecondFactorPage, AppError> {
    let row = queries::factor(pool, &user.id).await?;
    let factor = match row {
        None => SecondFactor::Off,
        Some(r) if r.confirmed_at.is_none() => setting_up(&r, &user.email)?,
        Some(_) => SecondFactor::On {
            recovery_codes_left: queries::recovery_codes_left(pool, &user.id).await?,
            // Always through the memo, even when this read saw none: a build of the same page
            // that started first may have taken them a moment ago (`server::shown_once`).
            new_recovery_codes: ShownOnce::take(memo, || queries::take_new_codes(pool, &user.id))
                .await?,
        },
    };
    let org = org_requirement(pool, user).await?;
    Ok(SecondFactorPage {
        factor,
        required: (user.role.is_staff() && staff_required) || org == Some(true),
        organization_requires: if user.role == Role::Admin { org } else { None },
    })
}

fn setting_up(r: &FactorRow, email: &str) -> Result<SecondFactor, AppError> {
    let t = generator(&r.secret, email)?;
    let otpauth_url = t.get_url();
    let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
        .map_err(|e| AppError::Internal(format!("QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(SecondFactor::SettingUp {
        secret: r.secret.clone(),
        otpauth_url,
        qr_svg,
    })
}

/// Whether the person's organization requires two-step sign-in (`None` for vendor staff).
async fn org_requirement(pool: &AnyPool, user: &CurrentUser) -> Result<Option<bool>, AppError> {
    match &user.organization_id {
        Some(org) => Ok(Some(queries::org_requires(pool, org).await?)),
        None => Ok(None),
    }
}

/// Makes a new secret to set up (replacing one being set up); refused while one is on.
pub async fn start(pool: &AnyPool, user: &CurrentUser) -> Result<(), AppError> {
    let mut tx = begin_write(pool).await?;
    if let Some(r) = queries::factor(&mut *tx, &user.id).await? {
        if r.confirmed_at.is_some() {
            return Err(AppError::Conflict(
                "Two-step sign-in is already on. Turn it off first to set up another app.".into(),
            ));
        }
    }
    queries::put_secret(&mut tx, &user.id, &new_secret(), now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the factor on with the app's first code, and makes the recovery codes (shown once).
pub async fn confirm(pool: &AnyPool, user: &CurrentUser, code: &str) -> Result<(), AppError> {
    if code.trim().is_empty() || code.len() > 32 {
        return Err(AppError::invalid(
            "code",
            "Enter the six-digit code your app shows.",
        ));
    }
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let Some(r) = queries::factor(&mut *tx, &user.id).await? else {
        return Err(AppError::Conflict("Start setting up an app first.".into()));
    };
    if r.confirmed_at.is_some() {
        return Err(AppError::Conflict("Two-step sign-in is already on.".into()));
    }
    let t = generator(&r.secret, &user.email)?;
    let unix = u64::try_from(now / 1000).unwrap_or(0);
    let Some(step) = matching_step(&t, code, unix) else {
        return Err(AppError::invalid(
            "code",
            "That code is not right. Check that your phone's clock is set automatically, then enter the code the app shows now.",
        ));
    };
    let new_codes: Vec<String> = (0..codes::RECOVERY_CODES)
        .map(|_| new_recovery_code())
        .collect();
    let ids: Vec<String> = new_codes
        .iter()
        .map(|c| recovery_code_id(&user.id, c))
        .collect();
    queries::replace_recovery_codes(&mut tx, &user.id, &ids).await?;
    queries::confirm(&mut tx, &user.id, now, step, &new_codes.join(" ")).await?;
    audit(&mut tx, user, "account.second_factor_on", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the factor off, given the password and a current code (or a recovery code). Refused
/// where the account must keep one.
pub async fn turn_off(
    pool: &AnyPool,
    user: &CurrentUser,
    staff_required: bool,
    password: &str,
    code: &str,
) -> Result<(), AppError> {
    if required(pool, user, staff_required).await? {
        return Err(AppError::Conflict(
            "Your account must keep two-step sign-in. To move to a new phone, use a recovery code to sign in, then ask support to reset it.".into(),
        ));
    }
    if password.is_empty() || password.len() > super::policy::MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(
            "current_password",
            "Enter your password.",
        ));
    }
    if code.trim().is_empty() || code.len() > 32 {
        return Err(AppError::invalid(
            "code",
            "Enter a code from your app, or a recovery code.",
        ));
    }
    if !super::check_current_password(pool, &user.id, password).await? {
        return Err(AppError::invalid(
            "current_password",
            "The password is not right.",
        ));
    }
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    if !sign_in::accept_code(&mut tx, &user.id, &user.email, code, now).await? {
        return Err(AppError::invalid("code", "That code is not right."));
    }
    queries::remove(&mut tx, &user.id).await?;
    audit(&mut tx, user, "account.second_factor_off", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the account must have a second factor: vendor staff (unless the deployment says
/// otherwise), and everyone in an organization whose admin requires it. `user_for_token` reads
/// the same rule in its session query.
async fn required(
    pool: &AnyPool,
    user: &CurrentUser,
    staff_required: bool,
) -> Result<bool, AppError> {
    Ok(
        (user.role.is_staff() && staff_required)
            || org_requirement(pool, user).await? == Some(true),
    )
}

/// An admin requires (or stops requiring) two-step sign-in of everyone in the organization.
pub async fn set_org_requirement(
    pool: &AnyPool,
    user: &CurrentUser,
    required: bool,
) -> Result<(), AppError> {
    let (Role::Admin, Some(org)) = (user.role, user.organization_id.as_deref()) else {
        return Err(AppError::Forbidden);
    };
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let before = queries::org_requires(&mut *tx, org).await?;
    queries::set_org_requires(&mut tx, org, required).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: Some(org),
            actor: Some(&user.id),
            action: "organization.second_factor_requirement",
            entity: "organization",
            entity_id: org,
            before: Some(serde_json::json!({ "required": before })),
            after: Some(serde_json::json!({ "required": required })),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Vendor staff reset a person's factor (a lost phone and no recovery code left): the person
/// signs in with the password alone and, where required, sets up a new app at once.
pub async fn reset_by_staff(
    pool: &AnyPool,
    email: &str,
    actor: Option<&str>,
) -> Result<bool, AppError> {
    let now = now_ms();
    let mut tx = begin_write(pool).await?;
    let Some(user_id) = queries::user_by_email(&mut tx, email).await? else {
        return Ok(false);
    };
    let removed = queries::remove(&mut tx, &user_id).await?;
    let org = organization_of(&mut tx, &user_id).await?;
    record(
        &mut tx,
        AuditEntry {
            organization_id: org.as_deref(),
            actor,
            action: "account.second_factor_reset",
            entity: "user",
            entity_id: &user_id,
            before: Some(serde_json::json!({ "had_factor": removed })),
            after: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn audit(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    action: &str,
    now: i64,
) -> Result<(), AppError> {
    let org = organization_of(conn, &user.id).await?;
    record(
        conn,
        AuditEntry {
            organization_id: org.as_deref(),
            actor: Some(&user.id),
            action,
            entity: "user",
            entity_id: &user.id,
            before: None,
            after: None,
            at: now,
        },
    )
    .await
}
