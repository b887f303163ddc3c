//! The attachment rows: what a case holds, one file's row, and a new file's record.
use super::files::Pending;
use crate::model::attachment::AttachmentInfo;
use crate::model::AppError;
use crate::server::rows::Millis;

/// The running totals of attachment bytes of a case and of its organization.
#[derive(sqlx::FromRow)]
pub(super) struct TotalsRow {
    pub case_bytes: i64,
    pub org_bytes: i64,
}

pub(super) async fn totals(pool: &sqlx::AnyPool, case_id: &str) -> Result<TotalsRow, AppError> {
    Ok(sqlx::query_as(
        "SELECT c.attachment_bytes AS case_bytes, o.attachment_bytes AS org_bytes \
         FROM cases c JOIN organizations o ON o.id = c.organization_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(pool)
    .await?)
}

/// Adds `bytes` to the case's total unless that passes `limit`: 1 if it did, 0 if refused.
pub(super) async fn add_case_bytes(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
    bytes: i64,
    limit: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE cases SET attachment_bytes = attachment_bytes + $2 \
         WHERE id = $1 AND attachment_bytes + $2 <= $3",
    )
    .bind(case_id)
    .bind(bytes)
    .bind(limit)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Adds `bytes` to the organization's total unless that passes `limit`: 1 if it did, 0 if not.
pub(super) async fn add_org_bytes(
    conn: &mut sqlx::AnyConnection,
    organization_id: &str,
    bytes: i64,
    limit: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE organizations SET attachment_bytes = attachment_bytes + $2 \
         WHERE id = $1 AND attachment_bytes + $2 <= $3",
    )
    .bind(organization_id)
    .bind(bytes)
    .bind(limit)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// What a download needs of its attachment's row.
#[derive(sqlx::FromRow)]
pub(super) struct StoredFileRow {
    pub case_id: String,
    pub file_name: String,
    pub content_type: String,
}

/// The attachment `id`'s row, if there is one.
pub(super) async fn stored_file(
    pool: &sqlx::AnyPool,
    id: &str,
) -> Result<Option<StoredFileRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT case_id, file_name, content_type FROM case_attachments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Records one file of an upload.
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
    f: &Pending,
    uploaded_by: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO case_attachments (id, case_id, file_name, content_type, size_bytes, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&f.id)
    .bind(case_id)
    .bind(&f.name)
    .bind(f.content_type)
    .bind(f.size as i64)
    .bind(uploaded_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The files of a case, oldest first (the caller has already been authorized for the case).
/// On the caller's connection when it holds one: a request that holds a connection and waits
/// for a second deadlocks the pool under load (every connection held, every holder waiting).
pub async fn list<'e, E>(db: E, case_id: &str) -> Result<Vec<AttachmentInfo>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<AttachmentRow> = sqlx::query_as(
        "SELECT a.id, a.file_name, a.content_type, a.size_bytes, a.uploaded_at, u.name AS uploaded_by \
         FROM case_attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.case_id = $1 ORDER BY a.uploaded_at, a.file_name",
    )
    .bind(case_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(AttachmentInfo::from).collect())
}

/// A row of `list`.
#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    #[sqlx(try_from = "i64")]
    uploaded_at: Millis,
    uploaded_by: String,
}

impl From<AttachmentRow> for AttachmentInfo {
    fn from(r: AttachmentRow) -> Self {
        AttachmentInfo {
            id: r.id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            uploaded_at: r.uploaded_at.into(),
            uploaded_by: r.uploaded_by,
        }
    }
}
