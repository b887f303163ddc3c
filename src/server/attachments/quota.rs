//! How many bytes an upload may add: per file, per case and per organization. The totals are
//! read before streaming only to refuse a too-large upload early; what holds under concurrency
//! (several uploads at once, on one app instance or several) is `reserve`, in the transaction
//! that records the files.
use super::files::invalid;
use super::queries;
use crate::model::AppError;
use crate::server::state::AttachmentConfig;
use sqlx::AnyConnection;

const MB: u64 = 1024 * 1024;

/// What the case and its organization could still take when the upload began.
pub(super) struct Budget {
    case_left: u64,
    org_left: u64,
}

impl Budget {
    /// Refuses a file of `file_bytes` that brings the upload to `upload_bytes`.
    pub fn check(
        &self,
        cfg: &AttachmentConfig,
        file_bytes: u64,
        upload_bytes: u64,
    ) -> Result<(), AppError> {
        if file_bytes > cfg.max_file_bytes {
            return Err(file_too_big(cfg));
        }
        if upload_bytes > self.case_left {
            return Err(case_full(cfg));
        }
        if upload_bytes > self.org_left {
            return Err(org_full(cfg));
        }
        Ok(())
    }
}

pub(super) async fn budget(
    pool: &sqlx::AnyPool,
    cfg: &AttachmentConfig,
    case_id: &str,
) -> Result<Budget, AppError> {
    let totals = queries::totals(pool, case_id).await?;
    Ok(Budget {
        case_left: cfg
            .max_case_bytes
            .saturating_sub(totals.case_bytes.max(0) as u64),
        org_left: cfg
            .max_org_bytes
            .saturating_sub(totals.org_bytes.max(0) as u64),
    })
}

/// Adds the upload's bytes to the case's and then the organization's running total, each with
/// a conditional UPDATE that refuses to pass the limit. Each UPDATE locks its row until the
/// transaction ends, so a concurrent upload waits and then sees this one's bytes (PostgreSQL
/// re-checks the condition on the row as committed; SQLite writes one transaction at a time).
/// The case row first, as every change of a case locks it first.
pub(super) async fn reserve(
    conn: &mut AnyConnection,
    cfg: &AttachmentConfig,
    case_id: &str,
    organization_id: &str,
    bytes: u64,
) -> Result<(), AppError> {
    let bytes = as_i64(bytes);
    if queries::add_case_bytes(conn, case_id, bytes, as_i64(cfg.max_case_bytes)).await? == 0 {
        return Err(case_full(cfg));
    }
    if queries::add_org_bytes(conn, organization_id, bytes, as_i64(cfg.max_org_bytes)).await? == 0 {
        return Err(org_full(cfg));
    }
    Ok(())
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn file_too_big(cfg: &AttachmentConfig) -> AppError {
    invalid(format!(
        "The upload is too large: at most {} MB per file and {} MB per case.",
        cfg.max_file_bytes / MB,
        cfg.max_case_bytes / MB
    ))
}

fn case_full(cfg: &AttachmentConfig) -> AppError {
    invalid(format!(
        "The upload does not fit: a case holds at most {} MB of files.",
        cfg.max_case_bytes / MB
    ))
}

fn org_full(cfg: &AttachmentConfig) -> AppError {
    invalid(format!(
        "The upload does not fit: your organization's cases hold at most {} MB of files in all.",
        cfg.max_org_bytes / MB
    ))
}
