//! Who may change an organization's contacts, and the lock every change takes first.
use crate::model::{AppError, CurrentUser};
use crate::server::access::customer_org;
use crate::server::db::{begin_write, WriteTx};
use sqlx::{AnyConnection, AnyPool};

/// Admins, and backup contacts at a site where the organization has an admin, administer the
/// organization's contacts ("backup contacts ... can do the admin's duties"). Read from the
/// designations, not the session's role, so a change takes effect on the next request.
pub(super) async fn can_manage(
    conn: &mut AnyConnection,
    user_id: &str,
    org: &str,
) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM site_contacts c JOIN sites s ON s.id = c.site_id \
         WHERE c.user_id = $1 AND s.organization_id = $2 \
           AND (c.role = 'admin' OR (c.role = 'backup_contact' AND EXISTS ( \
                SELECT 1 FROM site_contacts a WHERE a.site_id = c.site_id AND a.role = 'admin')))",
    )
    .bind(user_id)
    .bind(org)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Takes the organization's contacts lock (see the module comment). Must be the transaction's
/// first statement: on SQLite a transaction that reads before it writes fails when another
/// writer got in between, while one that writes first waits for the lock.
pub(super) async fn lock_org(conn: &mut AnyConnection, org: &str) -> Result<(), AppError> {
    let n = sqlx::query(
        "UPDATE organizations SET contacts_version = contacts_version + 1 WHERE id = $1",
    )
    .bind(org)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Starts a change of the organization's contacts: validates first, then locks, then checks
/// that the user may manage contacts (after the lock, so a concurrent demotion counts).
pub(super) async fn begin_managed(
    pool: &AnyPool,
    user: &CurrentUser,
) -> Result<(WriteTx, String), AppError> {
    let org = customer_org(user)?.to_string();
    let mut tx = begin_write(pool).await?;
    lock_org(&mut tx, &org).await?;
    if !can_manage(&mut tx, &user.id, &org).await? {
        return Err(AppError::Forbidden);
    }
    Ok((tx, org))
}
