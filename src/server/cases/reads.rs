//! The SQL of what the pages show besides the case and its timeline: the open-case form's
//! arrays, the survey, related cases and attached files.
use crate::model::attachment::AttachmentInfo;
use crate::model::case::CaseStatus;
use crate::model::AppError;
use crate::server::rows::{Flag, Millis};
use sqlx::AnyConnection;

/// One array of the organization, with its site, for the open-case form.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct FormArray {
    pub site_id: String,
    pub site_name: String,
    pub time_zone: String,
    #[sqlx(try_from = "i64")]
    pub bcs: Flag,
    pub array_id: String,
    pub array_name: String,
    pub serial: String,
    pub product_line: String,
    pub program_id: String,
    pub plan_id: String,
    pub contract_end: String,
}

/// The organization's arrays, site by site (sites and arrays by name).
pub(super) async fn form_arrays(
    conn: &mut AnyConnection,
    organization_id: &str,
) -> Result<Vec<FormArray>, AppError> {
    Ok(sqlx::query_as::<_, FormArray>(
        "SELECT s.id AS site_id, s.name AS site_name, s.time_zone, \
                CASE WHEN s.bcs THEN 1 ELSE 0 END AS bcs, \
                a.id AS array_id, a.name AS array_name, a.serial, a.product_line, a.program_id, \
                a.plan_id, a.contract_end \
         FROM sites s JOIN arrays a ON a.site_id = s.id \
         WHERE s.organization_id = $1 ORDER BY s.name, a.name",
    )
    .bind(organization_id)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct SurveyRow {
    pub rating: i64,
    pub comment: String,
    #[sqlx(try_from = "i64")]
    pub at: Millis,
}

pub(super) async fn survey(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<SurveyRow>, AppError> {
    Ok(sqlx::query_as::<_, SurveyRow>(
        "SELECT rating, comment, at FROM case_surveys WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A related case, for a link: the RCA parent (by id) or follow-up (by parent).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct LinkRow {
    pub id: String,
    pub number: i64,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
}

pub(super) async fn rca_parent(
    conn: &mut AnyConnection,
    parent_id: &str,
) -> Result<Option<LinkRow>, AppError> {
    Ok(
        sqlx::query_as::<_, LinkRow>("SELECT id, number, subject, status FROM cases WHERE id = $1")
            .bind(parent_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub(super) async fn rca_follow_up(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<LinkRow>, AppError> {
    Ok(sqlx::query_as::<_, LinkRow>(
        "SELECT id, number, subject, status FROM cases WHERE rca_parent_case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A file attached to the case, as the page lists it.
#[derive(Debug, sqlx::FromRow)]
struct AttachmentRow {
    id: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    #[sqlx(try_from = "i64")]
    uploaded_at: Millis,
    uploaded_by: String,
}

/// The files of a case, oldest first (the caller has already been authorized for the case).
/// On the caller's connection: a request that holds a connection and waits for a second
/// deadlocks the pool under load (every connection held, every holder waiting).
pub(super) async fn attachments(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<Vec<AttachmentInfo>, AppError> {
    let rows = sqlx::query_as::<_, AttachmentRow>(
        "SELECT a.id, a.file_name, a.content_type, a.size_bytes, a.uploaded_at, u.name AS uploaded_by \
         FROM case_attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.case_id = $1 ORDER BY a.uploaded_at, a.file_name",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AttachmentInfo {
            id: r.id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            uploaded_at: r.uploaded_at.into(),
            uploaded_by: r.uploaded_by,
        })
        .collect())
}
