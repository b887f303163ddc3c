//! Support contacts: who may see and change an organization's contacts, the rules on roles per
//! site, invitations, and every change written with its audit entry in one transaction.
//!
//! Concurrency: every change starts by bumping `organizations.contacts_version` (a write), so it
//! holds the organization's row lock on PostgreSQL and the write lock on SQLite before it reads
//! anything. Changes of one organization therefore run one at a time, and the rules are checked
//! *after* the change is written, inside the same transaction: a change that breaks one is rolled
//! back whole. Twenty requests adding callers to one site at once end with exactly five.
use crate::model::contact::{
    action_label, Contact, ContactAdded, ContactSettings, ContactUpdate, ContactsPage,
    HistoryEntry, InvitationInfo, InvitationLink, NewContact, OrgRef, SettingsInput, SiteContacts,
    CONTACT_ROLES, EMAIL_MAX, HOURS_MAX, INVITATION_DAYS, MAX_CALLERS_PER_SITE, NAME_MAX,
    PHONE_MAX,
};
use crate::model::{AppError, CurrentUser, Role};
use crate::server::auth::{map_db, token_hash};
use crate::server::db::{col, ms_to_dt};
use crate::server::ids::{new_id, new_token, now_ms};
use crate::server::password;
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use sqlx::{AnyConnection, AnyPool};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn stored_role(s: &str) -> Result<Role, AppError> {
    s.parse()
        .map_err(|_| AppError::Internal(format!("stored role {s:?}")))
}

fn not_found() -> AppError {
    AppError::NotFound("Contact".into())
}

// ---- Input validation (field names are the form's input names) ----

fn text(field: &str, value: &str, max: usize, required: Option<&str>) -> Result<String, AppError> {
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
fn email(field: &str, value: &str, required: bool) -> Result<String, AppError> {
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
fn phone(field: &str, value: &str) -> Result<String, AppError> {
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

fn time_zone(field: &str, value: &str, default: &str) -> Result<String, AppError> {
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

fn contact_role(field: &str, value: &str) -> Result<Role, AppError> {
    value
        .trim()
        .parse::<Role>()
        .ok()
        .filter(|r| CONTACT_ROLES.contains(r))
        .ok_or_else(|| {
            AppError::invalid(field, "Choose admin, backup contact or authorized caller.")
        })
}

fn date(field: &str, value: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::invalid(field, "Enter a date as YYYY-MM-DD."))
}

// ---- Who may do what ----

/// A customer's designated contact: their organization.
fn customer_org(user: &CurrentUser) -> Result<&str, AppError> {
    match (user.role, user.organization_id.as_deref()) {
        (Role::Admin | Role::AuthorizedCaller | Role::BackupContact, Some(org)) => Ok(org),
        _ => Err(AppError::Forbidden),
    }
}

/// Admins, and backup contacts at a site where the organization has an admin, administer the
/// organization's contacts ("backup contacts ... can do the admin's duties"). Read from the
/// designations, not the session's role, so a change takes effect on the next request.
async fn can_manage(conn: &mut AnyConnection, user_id: &str, org: &str) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE c.user_id = $1 AND s.organization_id = $2 \
           AND (c.role = 'admin' OR (c.role = 'backup_contact' AND EXISTS ( \
                SELECT 1 FROM site_contacts a WHERE a.site_id = c.site_id AND a.role = 'admin')))",
    )
    .bind(user_id)
    .bind(org)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_db)?;
    Ok(n > 0)
}

/// Takes the organization's contacts lock (see the module comment). Must be the transaction's
/// first statement: on SQLite a transaction that reads before it writes fails when another
/// writer got in between, while one that writes first waits for the lock.
async fn lock_org(conn: &mut AnyConnection, org: &str) -> Result<(), AppError> {
    let n = sqlx::query(
        "UPDATE organizations SET contacts_version = contacts_version + 1 WHERE id = $1",
    )
    .bind(org)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

// ---- Rows ----

struct ContactRow {
    site_id: String,
    site_name: String,
    organization_id: String,
    user_id: String,
    name: String,
    email: String,
    phone: String,
    time_zone: String,
    role: Role,
}

impl ContactRow {
    fn json(&self) -> Value {
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

async fn load_contact(
    conn: &mut AnyConnection,
    contact_id: &str,
) -> Result<Option<ContactRow>, AppError> {
    let row = sqlx::query(
        "SELECT c.site_id, s.name AS site_name, s.organization_id, c.user_id, c.role, \
                u.name, u.email, u.phone, u.time_zone \
         FROM site_contacts c JOIN sites s ON s.id = c.site_id JOIN users u ON u.id = c.user_id \
         WHERE c.id = $1",
    )
    .bind(contact_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_db)?;
    row.map(|r| {
        Ok(ContactRow {
            site_id: col(&r, "site_id")?,
            site_name: col(&r, "site_name")?,
            organization_id: col(&r, "organization_id")?,
            user_id: col(&r, "user_id")?,
            name: col(&r, "name")?,
            email: col(&r, "email")?,
            phone: col(&r, "phone")?,
            time_zone: col(&r, "time_zone")?,
            role: stored_role(&col::<String>(&r, "role")?)?,
        })
    })
    .transpose()
}

#[allow(clippy::too_many_arguments)]
async fn audit(
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

async fn count_at_site(
    conn: &mut AnyConnection,
    site_id: &str,
    role: Role,
) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM site_contacts WHERE site_id = $1 AND role = $2")
        .bind(site_id)
        .bind(role.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(map_db)
}

/// The rules a change may break, checked after it is written (the caller holds the lock).
async fn check_rules(
    conn: &mut AnyConnection,
    org: &str,
    site_id: &str,
    site_name: &str,
) -> Result<(), AppError> {
    if count_at_site(conn, site_id, Role::AuthorizedCaller).await? > MAX_CALLERS_PER_SITE {
        return Err(AppError::invalid(
            "role",
            format!(
                "{site_name} already has {MAX_CALLERS_PER_SITE} authorized callers, the most a \
                 site can have. Remove one before adding another."
            ),
        ));
    }
    if count_at_site(conn, site_id, Role::BackupContact).await? > 0
        && count_at_site(conn, site_id, Role::Admin).await? == 0
    {
        return Err(AppError::invalid(
            "role",
            format!(
                "Backup contacts must be at a site where your organization has an admin, and \
                 {site_name} would have none. Make someone admin at {site_name} first."
            ),
        ));
    }
    let admins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE s.organization_id = $1 AND c.role = 'admin'",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_db)?;
    if admins == 0 {
        return Err(AppError::invalid(
            "role",
            "Your organization must always have an admin. Make someone else admin first.",
        ));
    }
    Ok(())
}

/// Keeps the account in step with the person's designations: `users.role` is their highest role;
/// with none left they can no longer sign in, their sessions end and their open links die.
async fn sync_user(conn: &mut AnyConnection, user_id: &str, now: i64) -> Result<(), AppError> {
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT role FROM site_contacts WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_db)?;
    let roles = roles
        .iter()
        .map(|r| stored_role(r))
        .collect::<Result<Vec<_>, _>>()?;
    let highest = CONTACT_ROLES.into_iter().find(|r| roles.contains(r));
    match highest {
        Some(role) => {
            sqlx::query("UPDATE users SET role = $2, active = TRUE WHERE id = $1")
                .bind(user_id)
                .bind(role.as_str())
                .execute(&mut *conn)
                .await
                .map_err(map_db)?;
        }
        None => {
            sqlx::query("UPDATE users SET active = FALSE WHERE id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await
                .map_err(map_db)?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await
                .map_err(map_db)?;
            revoke_invitations(conn, user_id, now).await?;
        }
    }
    Ok(())
}

async fn revoke_invitations(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(map_db)?;
    Ok(())
}

/// A new single-use link for a person without a password; earlier links stop working.
async fn create_invitation(
    conn: &mut AnyConnection,
    org: &str,
    actor: &str,
    user_id: &str,
    email: &str,
    now: i64,
) -> Result<InvitationLink, AppError> {
    revoke_invitations(conn, user_id, now).await?;
    let token = new_token();
    let expires_at = now + INVITATION_DAYS * DAY_MS;
    sqlx::query(
        "INSERT INTO invitations (id, user_id, organization_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(org)
    .bind(actor)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await
    .map_err(map_db)?;
    let link = InvitationLink {
        token,
        expires_at: ms_to_dt(expires_at)?,
    };
    // Until notifications exist, the log is how the link reaches the person (besides the
    // admin's page): the operator forwards it.
    tracing::info!(
        email,
        link = %link.path(),
        expires_at = %link.expires_at.to_rfc3339(),
        "contact invitation created"
    );
    Ok(link)
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

// ---- Reads ----

/// The contacts page for the viewer's organization (vendor staff: the one they chose, read-only).
/// Another organization's id answers "not found", like an unknown one.
pub async fn contacts_page(
    pool: &AnyPool,
    user: &CurrentUser,
    org_id: Option<&str>,
) -> Result<ContactsPage, AppError> {
    let mut conn = pool.acquire().await.map_err(map_db)?;
    let (org, organizations) = if user.role.is_staff() {
        let rows = sqlx::query("SELECT id, name FROM organizations ORDER BY name")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_db)?;
        let orgs = rows
            .iter()
            .map(|r| {
                Ok(OrgRef {
                    id: col(r, "id")?,
                    name: col(r, "name")?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let Some(wanted) = org_id.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(ContactsPage {
                organization: None,
                sites: Vec::new(),
                settings: ContactSettings::default(),
                can_manage: false,
                history: None,
                organizations: orgs,
            });
        };
        let org = orgs
            .iter()
            .find(|o| o.id == wanted)
            .cloned()
            .ok_or_else(|| AppError::NotFound("Organization".into()))?;
        (org, orgs)
    } else {
        let own = customer_org(user)?;
        if org_id.is_some_and(|o| !o.trim().is_empty() && o.trim() != own) {
            return Err(AppError::NotFound("Organization".into()));
        }
        let name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
            .bind(own)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_db)?
            .ok_or(AppError::Forbidden)?;
        (
            OrgRef {
                id: own.to_string(),
                name,
            },
            Vec::new(),
        )
    };
    let manage = !user.role.is_staff() && can_manage(&mut conn, &user.id, &org.id).await?;
    let now = now_ms();
    let rows = sqlx::query(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone AS site_tz, \
                c.id, c.role, u.id AS user_id, u.name, u.email, u.phone, u.time_zone, \
                CASE WHEN u.active AND u.password_hash IS NOT NULL THEN 1 ELSE 0 END AS can_sign_in, \
                CASE WHEN u.password_hash IS NULL AND EXISTS ( \
                    SELECT 1 FROM invitations i WHERE i.user_id = u.id AND i.used_at IS NULL \
                      AND i.expires_at > $2) THEN 1 ELSE 0 END AS invitation_pending \
         FROM sites s \
         LEFT JOIN site_contacts c ON c.site_id = s.id \
         LEFT JOIN users u ON u.id = c.user_id \
         WHERE s.organization_id = $1 \
         ORDER BY s.name, s.id, u.name, u.email",
    )
    .bind(&org.id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    let mut sites: Vec<SiteContacts> = Vec::new();
    for r in &rows {
        let site_id: String = col(r, "site_id")?;
        if sites.last().is_none_or(|s| s.site_id != site_id) {
            sites.push(SiteContacts {
                site_id,
                site_name: col(r, "site_name")?,
                time_zone: col(r, "site_tz")?,
                contacts: Vec::new(),
                caller_count: 0,
                caller_limit: MAX_CALLERS_PER_SITE,
                has_admin: false,
            });
        }
        let Some(site) = sites.last_mut() else {
            continue;
        };
        let Some(id) = col::<Option<String>>(r, "id")? else {
            continue;
        };
        let user_id: String = col(r, "user_id")?;
        let role = stored_role(&col::<String>(r, "role")?)?;
        site.caller_count += i64::from(role == Role::AuthorizedCaller);
        site.has_admin |= role == Role::Admin;
        site.contacts.push(Contact {
            id,
            is_me: user_id == user.id,
            user_id,
            name: col(r, "name")?,
            email: col(r, "email")?,
            phone: col(r, "phone")?,
            time_zone: col(r, "time_zone")?,
            role,
            can_sign_in: col::<i64>(r, "can_sign_in")? != 0,
            invitation_pending: col::<i64>(r, "invitation_pending")? != 0,
        });
    }
    for site in &mut sites {
        // Stable sort: by role, names stay in the query's order within a role.
        site.contacts.sort_by_key(|c| {
            CONTACT_ROLES
                .iter()
                .position(|r| *r == c.role)
                .unwrap_or(CONTACT_ROLES.len())
        });
    }
    let settings = settings_of(&mut conn, &org.id).await?;
    let history = if manage {
        Some(history(&mut conn, &org.id).await?)
    } else {
        None
    };
    Ok(ContactsPage {
        organization: Some(org),
        sites,
        settings,
        can_manage: manage,
        history,
        organizations,
    })
}

async fn settings_of(conn: &mut AnyConnection, org: &str) -> Result<ContactSettings, AppError> {
    let row = sqlx::query(
        "SELECT team_email, team_phone, CASE WHEN no_contact THEN 1 ELSE 0 END AS no_contact, \
                no_contact_until, preferred_hours \
         FROM organization_contact_settings WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_db)?;
    let Some(r) = row else {
        return Ok(ContactSettings::default());
    };
    let until: Option<String> = col(&r, "no_contact_until")?;
    let until = until
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| AppError::Internal(format!("stored date {d:?}")))
        })
        .transpose()?;
    let no_contact = col::<i64>(&r, "no_contact")? != 0;
    let today = Utc::now().date_naive();
    Ok(ContactSettings {
        team_email: col(&r, "team_email")?,
        team_phone: col(&r, "team_phone")?,
        no_contact,
        no_contact_until: until,
        preferred_hours: col(&r, "preferred_hours")?,
        no_contact_in_force: no_contact && until.is_none_or(|u| u >= today),
    })
}

fn settings_json(s: &ContactSettings) -> Value {
    json!({
        "team_email": s.team_email,
        "team_phone": s.team_phone,
        "no_contact": s.no_contact,
        "no_contact_until": s.no_contact_until.map(|d| d.to_string()),
        "preferred_hours": s.preferred_hours,
    })
}

/// One sentence for a history entry, from its stored before/after.
fn history_summary(action: &str, before: Option<&Value>, after: Option<&Value>) -> String {
    let s = |v: Option<&Value>, k: &str| {
        v.and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let role = |v: Option<&Value>| {
        s(v, "role")
            .parse::<Role>()
            .map(|r| r.label().to_string())
            .unwrap_or_default()
    };
    match action {
        "contact.add" => format!(
            "{} <{}> added as {} at {}",
            s(after, "name"),
            s(after, "email"),
            role(after),
            s(after, "site")
        ),
        "contact.remove" => format!(
            "{} <{}> removed as {} at {}",
            s(before, "name"),
            s(before, "email"),
            role(before),
            s(before, "site")
        ),
        "contact.update" => {
            let mut changes = Vec::new();
            for (k, label) in [
                ("name", "name"),
                ("phone", "phone"),
                ("time_zone", "time zone"),
            ] {
                if s(before, k) != s(after, k) {
                    changes.push(format!("{label} {:?} → {:?}", s(before, k), s(after, k)));
                }
            }
            if role(before) != role(after) {
                changes.push(format!("role {} → {}", role(before), role(after)));
            }
            let what = if changes.is_empty() {
                "no change".to_string()
            } else {
                changes.join(", ")
            };
            format!("{} at {}: {what}", s(after, "name"), s(after, "site"))
        }
        "contact.invite" => format!("New invitation link for {}", s(after, "email")),
        "invitation.accept" => format!("{} set a password", s(after, "email")),
        "contact.settings" => "Team contact settings changed".to_string(),
        _ => action.to_string(),
    }
}

async fn history(conn: &mut AnyConnection, org: &str) -> Result<Vec<HistoryEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT a.at, a.action, a.before_json, a.after_json, u.name AS actor_name \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.organization_id = $1 AND a.entity IN ('contact', 'contact_settings') \
         ORDER BY a.at DESC, a.id LIMIT 100",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_db)?;
    rows.iter()
        .map(|r| {
            let action: String = col(r, "action")?;
            let before: Option<String> = col(r, "before_json")?;
            let after: Option<String> = col(r, "after_json")?;
            let parse = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
            };
            let summary = history_summary(&action, parse(&before).as_ref(), parse(&after).as_ref());
            Ok(HistoryEntry {
                at: ms_to_dt(col(r, "at")?)?,
                actor_name: col(r, "actor_name")?,
                action: action_label(&action).to_string(),
                summary,
                before,
                after,
            })
        })
        .collect()
}

// ---- Changes ----

/// Starts a change of the organization's contacts: validates first, then locks, then checks
/// that the user may manage contacts (after the lock, so a concurrent demotion counts).
async fn begin_managed(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<(crate::server::db::WriteTx, String), AppError> {
    let org = customer_org(user)?.to_string();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    lock_org(&mut tx, &org).await?;
    if !can_manage(&mut tx, &user.id, &org).await? {
        return Err(AppError::Forbidden);
    }
    Ok((tx, org))
}

/// Designates a person at a site. A person without an account gets one, with an invitation link.
pub async fn add_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &NewContact,
) -> Result<ContactAdded, AppError> {
    customer_org(user)?;
    let site_id = input.site_id.trim();
    if site_id.is_empty() {
        return Err(AppError::invalid("site_id", "Choose a site."));
    }
    let role = contact_role("role", &input.role)?;
    let address = email("email", &input.email, true)?;
    let name = text("name", &input.name, NAME_MAX, Some("the person's name"))?;
    let phone = phone("phone", &input.phone)?;

    let now = now_ms();
    let (mut tx, org) = begin_managed(pool, user).await?;
    let site =
        sqlx::query("SELECT name, time_zone FROM sites WHERE id = $1 AND organization_id = $2")
            .bind(site_id)
            .bind(&org)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_db)?
            .ok_or_else(|| {
                AppError::invalid("site_id", "Choose one of your organization's sites.")
            })?;
    let site_name: String = col(&site, "name")?;
    let site_tz: String = col(&site, "time_zone")?;
    let tz = time_zone("time_zone", &input.time_zone, &site_tz)?;

    let existing = sqlx::query(
        "SELECT id, organization_id, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password \
         FROM users WHERE email = $1",
    )
    .bind(&address)
    .fetch_optional(&mut *tx)
    .await
    .map_err(map_db)?;
    let (user_id, needs_invitation) = match existing {
        Some(r) => {
            let other_org: Option<String> = col(&r, "organization_id")?;
            if other_org.as_deref() != Some(org.as_str()) {
                // Vendor staff and other customers' people cannot be designated; the wording
                // does not say which, so nothing about other customers leaks.
                return Err(AppError::invalid(
                    "email",
                    "This e-mail address cannot be used for a contact of your organization.",
                ));
            }
            let id: String = col(&r, "id")?;
            let held: Option<String> = sqlx::query_scalar(
                "SELECT role FROM site_contacts WHERE site_id = $1 AND user_id = $2",
            )
            .bind(site_id)
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_db)?;
            if let Some(held) = held {
                return Err(AppError::invalid(
                    "email",
                    format!(
                        "This person is already {} at {site_name}; one person holds one role \
                         at a site. Edit their role instead.",
                        stored_role(&held)?.label().to_lowercase()
                    ),
                ));
            }
            // An earlier contact keeps their own details; only the designation is new.
            (id, col::<i64>(&r, "has_password")? == 0)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO users (id, organization_id, email, name, phone, time_zone, password_hash, role, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, TRUE, $8)",
            )
            .bind(&id)
            .bind(&org)
            .bind(&address)
            .bind(&name)
            .bind(&phone)
            .bind(&tz)
            .bind(role.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if unique_violation(&e) {
                    AppError::invalid(
                        "email",
                        "This e-mail address cannot be used for a contact of your organization.",
                    )
                } else {
                    map_db(e)
                }
            })?;
            (id, true)
        }
    };
    let contact_id = new_id();
    sqlx::query(
        "INSERT INTO site_contacts (id, site_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&contact_id)
    .bind(site_id)
    .bind(&user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            AppError::invalid(
                "email",
                format!("This person already holds a role at {site_name}."),
            )
        } else {
            map_db(e)
        }
    })?;
    check_rules(&mut tx, &org, site_id, &site_name).await?;
    sync_user(&mut tx, &user_id, now).await?;
    let invitation = if needs_invitation {
        Some(create_invitation(&mut tx, &org, &user.id, &user_id, &address, now).await?)
    } else {
        None
    };
    let row = load_contact(&mut tx, &contact_id)
        .await?
        .ok_or_else(not_found)?;
    let mut after = row.json();
    after["invited"] = json!(invitation.is_some());
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.add",
        "contact",
        &contact_id,
        None,
        Some(after),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(ContactAdded {
        contact_id,
        invitation,
    })
}

/// Changes a contact's details and, for those who manage contacts, their role at the site.
/// Everyone else may change only their own details.
pub async fn update_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
    input: &ContactUpdate,
) -> Result<(), AppError> {
    let org = customer_org(user)?.to_string();
    let name = text("name", &input.name, NAME_MAX, Some("the person's name"))?;
    let phone = phone("phone", &input.phone)?;
    let role = input
        .role
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| contact_role("role", r))
        .transpose()?;

    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    lock_org(&mut tx, &org).await?;
    let before = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    let manager = can_manage(&mut tx, &user.id, &org).await?;
    if !manager && before.user_id != user.id {
        return Err(AppError::Forbidden);
    }
    let role = role.unwrap_or(before.role);
    if role != before.role && !manager {
        return Err(AppError::Forbidden);
    }
    let tz = time_zone("time_zone", &input.time_zone, &before.time_zone)?;
    sqlx::query("UPDATE users SET name = $2, phone = $3, time_zone = $4 WHERE id = $1")
        .bind(&before.user_id)
        .bind(&name)
        .bind(&phone)
        .bind(&tz)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    if role != before.role {
        sqlx::query("UPDATE site_contacts SET role = $2 WHERE id = $1")
            .bind(contact_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_db)?;
        check_rules(&mut tx, &org, &before.site_id, &before.site_name).await?;
        sync_user(&mut tx, &before.user_id, now).await?;
    }
    let after = load_contact(&mut tx, contact_id)
        .await?
        .ok_or_else(not_found)?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.update",
        "contact",
        contact_id,
        Some(before.json()),
        Some(after.json()),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

/// Ends a person's role at a site. With no role left, they can no longer sign in and their
/// sessions end at once.
pub async fn remove_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
) -> Result<(), AppError> {
    let now = now_ms();
    let (mut tx, org) = begin_managed(pool, user).await?;
    let before = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    sqlx::query("DELETE FROM site_contacts WHERE id = $1")
        .bind(contact_id)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    check_rules(&mut tx, &org, &before.site_id, &before.site_name)
        .await
        .map_err(|e| match e {
            // The form that failed is a remove button: say it without pointing at a field.
            AppError::Invalid { message, .. } => AppError::Conflict(message),
            other => other,
        })?;
    sync_user(&mut tx, &before.user_id, now).await?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.remove",
        "contact",
        contact_id,
        Some(before.json()),
        None,
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

/// A new invitation link for a contact who has not set a password yet (the old one stops).
pub async fn reinvite_contact(
    pool: &AnyPool,
    user: &CurrentUser,
    contact_id: &str,
) -> Result<InvitationLink, AppError> {
    let now = now_ms();
    let (mut tx, org) = begin_managed(pool, user).await?;
    let c = load_contact(&mut tx, contact_id)
        .await?
        .filter(|c| c.organization_id == org)
        .ok_or_else(not_found)?;
    let has_password: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END FROM users WHERE id = $1",
    )
    .bind(&c.user_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_db)?;
    if has_password != 0 {
        return Err(AppError::Conflict(format!(
            "{} already has a password and can sign in.",
            c.name
        )));
    }
    let link = create_invitation(&mut tx, &org, &user.id, &c.user_id, &c.email, now).await?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.invite",
        "contact",
        contact_id,
        None,
        Some(json!({ "email": c.email, "expires_at": link.expires_at.timestamp_millis() })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)?;
    Ok(link)
}

/// The team alias, phone/pager, no-contact order and preferred hours.
pub async fn update_settings(
    pool: &AnyPool,
    user: &CurrentUser,
    input: &SettingsInput,
) -> Result<(), AppError> {
    customer_org(user)?;
    let team_email = email("team_email", &input.team_email, false)?;
    let team_phone = phone("team_phone", &input.team_phone)?;
    let until = if input.no_contact {
        date("no_contact_until", &input.no_contact_until)?
    } else {
        None
    };
    if until.is_some_and(|u| u < Utc::now().date_naive()) {
        return Err(AppError::invalid(
            "no_contact_until",
            "Choose today or a later date, or leave it empty for no end date.",
        ));
    }
    let preferred_hours = text("preferred_hours", &input.preferred_hours, HOURS_MAX, None)?;

    let now = now_ms();
    let (mut tx, org) = begin_managed(pool, user).await?;
    let before = settings_of(&mut tx, &org).await?;
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
    .bind(&org)
    .bind(&team_email)
    .bind(&team_phone)
    .bind(input.no_contact)
    .bind(until.map(|d| d.to_string()))
    .bind(&preferred_hours)
    .bind(now)
    .bind(&user.id)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?;
    let after = settings_of(&mut tx, &org).await?;
    audit(
        &mut tx,
        &org,
        Some(&user.id),
        "contact.settings",
        "contact_settings",
        &org,
        Some(settings_json(&before)),
        Some(settings_json(&after)),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
}

// ---- Invitations (no session: the link is the credential) ----

fn invitation_gone(expired: bool) -> AppError {
    if expired {
        AppError::Conflict(
            "This invitation link has expired. Ask your organization's admin for a new one.".into(),
        )
    } else {
        AppError::Conflict(
            "This invitation link was already used. Sign in with your password, or ask your \
             organization's admin for a new link."
                .into(),
        )
    }
}

fn link_not_found() -> AppError {
    AppError::NotFound("Invitation link".into())
}

/// Who the link is for, if it can still be used.
pub async fn invitation_info(pool: &AnyPool, token: &str) -> Result<InvitationInfo, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(link_not_found());
    }
    let row = sqlx::query(
        "SELECT i.expires_at, i.used_at, u.name, u.email, o.name AS organization_name \
         FROM invitations i JOIN users u ON u.id = i.user_id \
         JOIN organizations o ON o.id = i.organization_id WHERE i.id = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await
    .map_err(map_db)?
    .ok_or_else(link_not_found)?;
    let expires_at: i64 = col(&row, "expires_at")?;
    let used_at: Option<i64> = col(&row, "used_at")?;
    if used_at.is_some() {
        return Err(invitation_gone(false));
    }
    if expires_at <= now_ms() {
        return Err(invitation_gone(true));
    }
    Ok(InvitationInfo {
        name: col(&row, "name")?,
        email: col(&row, "email")?,
        organization_name: col(&row, "organization_name")?,
        expires_at: ms_to_dt(expires_at)?,
    })
}

/// Sets the invited person's password and uses the link up. Claiming the link is the
/// transaction's first statement (`WHERE used_at IS NULL`), so two submissions cannot both win.
pub async fn accept_invitation(
    pool: &AnyPool,
    token: &str,
    new_password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(link_not_found());
    }
    if new_password.chars().count() < password::MIN_PASSWORD_LEN {
        return Err(AppError::invalid(
            "password",
            format!(
                "Choose a password of at least {} characters.",
                password::MIN_PASSWORD_LEN
            ),
        ));
    }
    if new_password.len() > 1024 {
        return Err(AppError::invalid(
            "password",
            "Keep the password to 1024 characters at most.",
        ));
    }
    if new_password != confirm {
        return Err(AppError::invalid(
            "password_confirm",
            "The two passwords are not the same.",
        ));
    }
    // Hash before opening the transaction: argon2 is slow and must not hold the write lock.
    let pw = new_password.to_string();
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;

    let id = token_hash(token);
    let now = now_ms();
    let mut tx = crate::server::db::begin_write(pool).await.map_err(map_db)?;
    let claimed = sqlx::query(
        "UPDATE invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(&id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(map_db)?
    .rows_affected();
    if claimed == 0 {
        drop(tx);
        // Tell the person why, from what the link is now.
        return Err(match invitation_info(pool, token).await {
            Ok(_) => invitation_gone(false),
            Err(e) => e,
        });
    }
    let row = sqlx::query(
        "SELECT i.user_id, i.organization_id, u.email, CASE WHEN u.active THEN 1 ELSE 0 END AS active \
         FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.id = $1",
    )
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_db)?;
    let user_id: String = col(&row, "user_id")?;
    let org: String = col(&row, "organization_id")?;
    let address: String = col(&row, "email")?;
    let designations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM site_contacts WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_db)?;
    if col::<i64>(&row, "active")? == 0 || designations == 0 {
        // Removed after the link was made: the link must not bring them back.
        return Err(AppError::Conflict(
            "You are no longer a contact of this organization. Ask its admin.".into(),
        ));
    }
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(&user_id)
        .bind(&phc)
        .execute(&mut *tx)
        .await
        .map_err(map_db)?;
    revoke_invitations(&mut tx, &user_id, now).await?;
    audit(
        &mut tx,
        &org,
        Some(&user_id),
        "invitation.accept",
        "contact",
        &user_id,
        None,
        Some(json!({ "email": address })),
        now,
    )
    .await?;
    tx.commit().await.map_err(map_db)
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

    #[test]
    fn page_and_server_agree_on_password_length() {
        assert_eq!(
            crate::model::contact::MIN_PASSWORD_CHARS,
            password::MIN_PASSWORD_LEN
        );
    }

    #[test]
    fn history_sentences() {
        let before = json!({"name": "Ann", "email": "a@x.io", "site": "HQ", "role": "authorized_caller", "phone": "", "time_zone": "UTC"});
        let mut after = before.clone();
        after["role"] = json!("admin");
        assert_eq!(
            history_summary("contact.update", Some(&before), Some(&after)),
            "Ann at HQ: role Authorized caller → Admin"
        );
        assert_eq!(
            history_summary("contact.remove", Some(&before), None),
            "Ann <a@x.io> removed as Authorized caller at HQ"
        );
    }
}
