//! The contacts service's SQL: one function per statement, run on the caller's connection (inside
//! its transaction for changes).
use crate::model::contact::ContactSettings;
use crate::model::{AppError, Role};
use crate::server::rows::Flag;
use chrono::{NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::{AnyConnection, AnyPool};

pub(super) fn stored_role(s: &str) -> Result<Role, AppError> {
    s.parse()
        .map_err(|_| AppError::Internal(format!("stored role {s:?}")))
}

/// What an unknown designation, or another organization's, is to the user.
pub(super) fn not_found() -> AppError {
    AppError::NotFound("Contact".into())
}

// ---- Designations ----

/// A designation with its site and person, as changes read it.
#[derive(sqlx::FromRow)]
pub(super) struct ContactRow {
    pub site_id: String,
    pub site_name: String,
    pub organization_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub time_zone: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

impl ContactRow {
    pub fn json(&self) -> Value {
        json!({
            "site": self.site_name,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "time_zone": self.time_zone,
            "role": self.role.as_str(),
        })
    }
}

pub(super) async fn load_contact(
    conn: &mut AnyConnection,
    contact_id: &str,
) -> Result<Option<ContactRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.site_id, s.name AS site_name, s.organization_id, c.user_id, c.role, \
                u.name, u.email, u.phone, u.time_zone \
         FROM site_contacts c JOIN sites s ON s.id = c.site_id JOIN users u ON u.id = c.user_id \
         WHERE c.id = $1",
    )
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub(super) async fn count_at_site(
    conn: &mut AnyConnection,
    site_id: &str,
    role: Role,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM site_contacts WHERE site_id = $1 AND role = $2")
            .bind(site_id)
            .bind(role.as_str())
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub(super) async fn count_admins(conn: &mut AnyConnection, org: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE s.organization_id = $1 AND c.role = 'admin'",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await?)
}

/// The roles a person holds, at any site.
pub(super) async fn roles_of(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<Role>, AppError> {
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM site_contacts WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?;
    roles.iter().map(|r| stored_role(r)).collect()
}

/// The role a person already holds at a site, as stored.
pub(super) async fn role_held(
    conn: &mut AnyConnection,
    site_id: &str,
    user_id: &str,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT role FROM site_contacts WHERE site_id = $1 AND user_id = $2")
            .bind(site_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// Left as `sqlx::Error`: the caller tells a unique violation (already designated) apart.
pub(super) async fn insert_designation(
    conn: &mut AnyConnection,
    contact_id: &str,
    site_id: &str,
    user_id: &str,
    role: Role,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(contact_id)
    .bind(site_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn set_role(
    conn: &mut AnyConnection,
    contact_id: &str,
    role: Role,
) -> Result<(), AppError> {
    sqlx::query("UPDATE site_contacts SET role = $2 WHERE id = $1")
        .bind(contact_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn delete_designation(
    conn: &mut AnyConnection,
    contact_id: &str,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM site_contacts WHERE id = $1")
        .bind(contact_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- Sites and people ----

#[derive(sqlx::FromRow)]
pub(super) struct SiteRow {
    pub name: String,
    pub time_zone: String,
}

/// One of the organization's sites.
pub(super) async fn site_of(
    conn: &mut AnyConnection,
    site_id: &str,
    org: &str,
) -> Result<Option<SiteRow>, AppError> {
    Ok(
        sqlx::query_as("SELECT name, time_zone FROM sites WHERE id = $1 AND organization_id = $2")
            .bind(site_id)
            .bind(org)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// An account with the address, whoever's it is.
#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    pub id: String,
    pub organization_id: Option<String>,
    #[sqlx(try_from = "i64")]
    pub has_password: Flag,
}

pub(super) async fn account_by_email(
    conn: &mut AnyConnection,
    address: &str,
) -> Result<Option<AccountRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, organization_id, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password \
         FROM users WHERE email = $1",
    )
    .bind(address)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A new account without a password.
pub(super) struct NewAccount<'a> {
    pub id: &'a str,
    pub org: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub time_zone: &'a str,
    pub role: Role,
    pub now: i64,
}

/// Left as `sqlx::Error`: the caller tells a unique violation (address taken) apart.
pub(super) async fn insert_account(
    conn: &mut AnyConnection,
    a: &NewAccount<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, organization_id, email, name, phone, time_zone, password_hash, role, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, TRUE, $8)",
    )
    .bind(a.id)
    .bind(a.org)
    .bind(a.email)
    .bind(a.name)
    .bind(a.phone)
    .bind(a.time_zone)
    .bind(a.role.as_str())
    .bind(a.now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn update_details(
    conn: &mut AnyConnection,
    user_id: &str,
    name: &str,
    phone: &str,
    time_zone: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET name = $2, phone = $3, time_zone = $4 WHERE id = $1")
        .bind(user_id)
        .bind(name)
        .bind(phone)
        .bind(time_zone)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn activate_as(
    conn: &mut AnyConnection,
    user_id: &str,
    role: Role,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET role = $2, active = TRUE WHERE id = $1")
        .bind(user_id)
        .bind(role.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn deactivate(conn: &mut AnyConnection, user_id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET active = FALSE WHERE id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn end_sessions(conn: &mut AnyConnection, user_id: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn has_password(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<bool, AppError> {
    let has: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(has != 0)
}

pub(super) async fn set_password(
    conn: &mut AnyConnection,
    user_id: &str,
    phc: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(phc)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn designation_count(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM site_contacts WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

// ---- Invitations ----

pub(super) async fn revoke_invitations(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new invitation row; its id is the token's hash.
pub(super) struct NewInvitation<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub org: &'a str,
    pub created_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub(super) async fn insert_invitation(
    conn: &mut AnyConnection,
    i: &NewInvitation<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO invitations (id, user_id, organization_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(i.id)
    .bind(i.user_id)
    .bind(i.org)
    .bind(i.created_by)
    .bind(i.now)
    .bind(i.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An invitation with whom it is for.
#[derive(sqlx::FromRow)]
pub(super) struct InvitationRow {
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub name: String,
    pub email: String,
    pub organization_name: String,
}

pub(super) async fn invitation(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<InvitationRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT i.expires_at, i.used_at, u.name, u.email, o.name AS organization_name \
         FROM invitations i JOIN users u ON u.id = i.user_id \
         JOIN organizations o ON o.id = i.organization_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Uses the link up if it is still usable; whether it was.
pub(super) async fn claim_invitation(
    conn: &mut AnyConnection,
    id: &str,
    now: i64,
) -> Result<bool, AppError> {
    let claimed = sqlx::query(
        "UPDATE invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(claimed > 0)
}

/// The person a claimed invitation is for.
#[derive(sqlx::FromRow)]
pub(super) struct InviteeRow {
    pub user_id: String,
    pub organization_id: String,
    pub email: String,
    #[sqlx(try_from = "i64")]
    pub active: Flag,
}

pub(super) async fn invitee(conn: &mut AnyConnection, id: &str) -> Result<InviteeRow, AppError> {
    Ok(sqlx::query_as(
        "SELECT i.user_id, i.organization_id, u.email, CASE WHEN u.active THEN 1 ELSE 0 END AS active \
         FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

// ---- Team settings ----

#[derive(sqlx::FromRow)]
struct SettingsRow {
    team_email: String,
    team_phone: String,
    #[sqlx(try_from = "i64")]
    no_contact: Flag,
    no_contact_until: Option<String>,
    preferred_hours: String,
}

pub(super) async fn settings_of(
    conn: &mut AnyConnection,
    org: &str,
) -> Result<ContactSettings, AppError> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT team_email, team_phone, CASE WHEN no_contact THEN 1 ELSE 0 END AS no_contact, \
                no_contact_until, preferred_hours \
         FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else {
        return Ok(ContactSettings::default());
    };
    let until = r
        .no_contact_until
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| AppError::Internal(format!("stored date {d:?}")))
        })
        .transpose()?;
    let no_contact = r.no_contact.0;
    let today = Utc::now().date_naive();
    Ok(ContactSettings {
        team_email: r.team_email,
        team_phone: r.team_phone,
        no_contact,
        no_contact_until: until,
        preferred_hours: r.preferred_hours,
        no_contact_in_force: no_contact && until.is_none_or(|u| u >= today),
    })
}

/// The settings a form submitted, validated.
pub(super) struct SettingsValues<'a> {
    pub team_email: &'a str,
    pub team_phone: &'a str,
    pub no_contact: bool,
    pub until: Option<NaiveDate>,
    pub preferred_hours: &'a str,
}

pub(super) async fn save_settings(
    conn: &mut AnyConnection,
    org: &str,
    s: &SettingsValues<'_>,
    now: i64,
    by: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO organization_contact_settings \
             (organization_id, team_email, team_phone, no_contact, no_contact_until, preferred_hours, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (organization_id) DO UPDATE SET team_email = excluded.team_email, \
             team_phone = excluded.team_phone, no_contact = excluded.no_contact, \
             no_contact_until = excluded.no_contact_until, \
             preferred_hours = excluded.preferred_hours, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
    )
    .bind(org)
    .bind(s.team_email)
    .bind(s.team_phone)
    .bind(s.no_contact)
    .bind(s.until.map(|d| d.to_string()))
    .bind(s.preferred_hours)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- Audit ----

#[allow(clippy::too_many_arguments)]
pub(super) async fn audit(
    conn: &mut AnyConnection,
    org: &str,
    actor: Option<&str>,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<Value>,
    after: Option<Value>,
    at: i64,
) -> Result<(), AppError> {
    crate::server::audit::record(
        conn,
        crate::server::audit::AuditEntry {
            organization_id: Some(org),
            actor,
            action,
            entity,
            entity_id,
            before,
            after,
            at,
        },
    )
    .await
}

pub(super) fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
