//! Designation is per site (issue 20, "People and sites"): an authorized caller or backup
//! contact acts (opens, comments, raises, confirms, attaches, requests Remote Assist) only for
//! the arrays of the sites where they are designated; an admin, designated at any site of the
//! organization, acts for all of the organization's sites. What a contact may *read* is not
//! narrowed here (see `access::can_see` and the README): a contact follows every case of their
//! organization, because colleagues at another site often work on the same problem.
//!
//! Read from `site_contacts`, not the session's role, so a change of designation counts on the
//! next request. Staff are never designated: the vendor acts through its own workflow.
use crate::model::{AppError, CurrentUser, Role};
use crate::server::access::customer_org;
use sqlx::AnyConnection;

/// Why a contact may not act at a site, in words that name the site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteAccessError {
    #[error(
        "You are not a designated contact at {site}: you can follow its cases, but only its own \
         contacts and your organization's admins can act for its arrays."
    )]
    NotDesignated { site: String },
}

impl From<SiteAccessError> for AppError {
    fn from(e: SiteAccessError) -> Self {
        AppError::NotAllowedHere(e.to_string())
    }
}

/// One designation of the user at a site of their organization.
#[derive(sqlx::FromRow)]
struct DesignationRow {
    site_id: String,
    #[sqlx(try_from = "String")]
    role: Role,
}

/// A site where the user may act, with the role they act in there (`Admin` at every site for
/// an admin of the organization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingSite {
    pub site_id: String,
    pub role: Role,
}

/// The user's designations at the sites of their organization.
async fn designations(
    conn: &mut AnyConnection,
    user_id: &str,
    org: &str,
) -> Result<Vec<DesignationRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.site_id, c.role FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE c.user_id = $1 AND s.organization_id = $2 ORDER BY s.name, s.id",
    )
    .bind(user_id)
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

/// Every site where the user may act: all of the organization's for an admin, the designated
/// ones for anyone else, none for staff.
pub async fn acting_sites(
    conn: &mut AnyConnection,
    user: &CurrentUser,
) -> Result<Vec<ActingSite>, AppError> {
    let Ok(org) = customer_org(user) else {
        return Ok(Vec::new());
    };
    let held = designations(conn, &user.id, org).await?;
    if !held.iter().any(|d| d.role == Role::Admin) {
        return Ok(held
            .into_iter()
            .map(|d| ActingSite {
                site_id: d.site_id,
                role: d.role,
            })
            .collect());
    }
    let every: Vec<String> =
        sqlx::query_scalar("SELECT id FROM sites WHERE organization_id = $1 ORDER BY name, id")
            .bind(org)
            .fetch_all(&mut *conn)
            .await?;
    Ok(every
        .into_iter()
        .map(|site_id| ActingSite {
            site_id,
            role: Role::Admin,
        })
        .collect())
}

/// The role the user acts in at this site of their organization, if they may act there.
pub async fn role_at(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    site_id: &str,
) -> Result<Option<Role>, AppError> {
    Ok(acting_sites(conn, user)
        .await?
        .into_iter()
        .find(|s| s.site_id == site_id)
        .map(|s| s.role))
}

/// Whether the user may act for the arrays of this site.
pub async fn may_act_at(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    site_id: &str,
) -> Result<bool, AppError> {
    Ok(role_at(conn, user, site_id).await?.is_some())
}

/// The user's role at the site, or the refusal naming the site (a 403: the contact sees the
/// site's cases, so the refusal reveals nothing they could not read).
pub async fn require_act_at(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    site_id: &str,
) -> Result<Role, AppError> {
    if let Some(role) = role_at(conn, user, site_id).await? {
        return Ok(role);
    }
    Err(refusal(conn, site_id).await?.into())
}

/// The refusal for a site where the user is not designated.
pub async fn refusal(conn: &mut AnyConnection, site_id: &str) -> Result<SiteAccessError, AppError> {
    let site: Option<String> = sqlx::query_scalar("SELECT name FROM sites WHERE id = $1")
        .bind(site_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(SiteAccessError::NotDesignated {
        site: site.unwrap_or_else(|| "this site".into()),
    })
}

/// The guides' "local administrator" of an array's site, who opens Remote Assist sessions: an
/// admin of the organization, or a backup contact designated at that site (see the README).
pub fn is_local_admin(role: Role) -> bool {
    matches!(role, Role::Admin | Role::BackupContact)
}
