//! Case attachments: uploaded as a plain multipart form (works without JavaScript), checked on the
//! server (type by extension *and* content, size per file and per case), stored on disk outside
//! the database, downloadable only by the case's organization and by support staff.
use crate::model::attachment::AttachmentInfo;
use crate::model::{AppError, CurrentUser};
use crate::server::auth::{map_db, token_from_cookie_header, user_for_token};
use crate::server::cases::{audit, can_see, load_case};
use crate::server::db::ms_to_dt;
use crate::server::ids::{new_id, now_ms};
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::Row;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// Where files go and how big they may be.
#[derive(Debug, Clone)]
pub struct AttachmentConfig {
    pub dir: PathBuf,
    pub max_file_bytes: u64,
    pub max_case_bytes: u64,
}

impl Default for AttachmentConfig {
    fn default() -> Self {
        AttachmentConfig {
            dir: PathBuf::from("data/attachments"),
            max_file_bytes: 25 * 1024 * 1024,
            max_case_bytes: 100 * 1024 * 1024,
        }
    }
}

/// What support asks for: logs, screenshots, configuration files, and archives of them.
const ALLOWED: &[(&str, &str, Kind)] = &[
    ("log", "text/plain", Kind::Text),
    ("txt", "text/plain", Kind::Text),
    ("conf", "text/plain", Kind::Text),
    ("cfg", "text/plain", Kind::Text),
    ("ini", "text/plain", Kind::Text),
    ("json", "application/json", Kind::Text),
    ("xml", "application/xml", Kind::Text),
    ("yaml", "text/plain", Kind::Text),
    ("yml", "text/plain", Kind::Text),
    ("csv", "text/csv", Kind::Text),
    ("png", "image/png", Kind::Magic(b"\x89PNG\r\n\x1a\n")),
    ("jpg", "image/jpeg", Kind::Magic(b"\xff\xd8\xff")),
    ("jpeg", "image/jpeg", Kind::Magic(b"\xff\xd8\xff")),
    ("gz", "application/gzip", Kind::Magic(b"\x1f\x8b")),
    ("tgz", "application/gzip", Kind::Magic(b"\x1f\x8b")),
    ("zip", "application/zip", Kind::Magic(b"PK\x03\x04")),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Plain text: no NUL byte in the first block.
    Text,
    /// A binary format recognised by its first bytes.
    Magic(&'static [u8]),
}

pub fn allowed_extensions() -> String {
    ALLOWED
        .iter()
        .map(|(e, _, _)| *e)
        .collect::<Vec<_>>()
        .join(", ")
}

fn invalid(message: String) -> AppError {
    AppError::Invalid {
        field: "files".into(),
        message,
    }
}

/// A file name safe to show and to put in a header: no path, no control characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    cleaned.trim().to_string()
}

fn kind_of(name: &str) -> Option<(&'static str, Kind)> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    ALLOWED
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map(|(_, ct, k)| (*ct, *k))
}

fn content_matches(kind: Kind, head: &[u8]) -> bool {
    match kind {
        Kind::Text => !head.contains(&0),
        Kind::Magic(m) => head.starts_with(m),
    }
}

/// A file written to disk but not yet recorded.
struct Pending {
    id: String,
    name: String,
    content_type: &'static str,
    size: u64,
    path: PathBuf,
}

async fn discard(files: &[Pending]) {
    for f in files {
        let _ = tokio::fs::remove_file(&f.path).await;
    }
}

fn stored_path(cfg: &AttachmentConfig, case_id: &str, id: &str) -> PathBuf {
    cfg.dir.join(case_id).join(id)
}

async fn user_of(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, AppError> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token_from_cookie_header);
    match token {
        Some(t) => user_for_token(&state.pool, &state.sessions, t).await,
        None => Ok(None),
    }
}

/// Stores every file of the form, all or nothing; returns how many were attached.
async fn store(
    state: &AppState,
    user: &CurrentUser,
    case_id: &str,
    multipart: &mut Multipart,
) -> Result<usize, AppError> {
    let cfg = &state.attachments;
    let organization_id = {
        let mut conn = state.pool.acquire().await.map_err(map_db)?;
        let row = load_case(&mut conn, case_id)
            .await?
            .filter(|r| can_see(user, r))
            .ok_or_else(|| AppError::NotFound("Case".into()))?;
        if !row.status.is_open() {
            return Err(AppError::Conflict(
                "This case is closed: files can no longer be attached.".into(),
            ));
        }
        row.organization_id
    };
    let already: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM case_attachments WHERE case_id = $1",
    )
    // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one integer type on both backends.
    .bind(case_id)
    .fetch_one(&state.pool)
    .await
    .map_err(map_db)?;

    let dir = cfg.dir.join(case_id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(format!("attachments folder: {e}")))?;
    let mut pending: Vec<Pending> = Vec::new();
    let result = receive(cfg, &dir, already.max(0) as u64, multipart, &mut pending).await;
    if let Err(e) = result {
        discard(&pending).await;
        return Err(e);
    }
    if pending.is_empty() {
        return Err(invalid("Choose at least one file to attach.".into()));
    }

    let now = now_ms();
    let recorded = async {
        let mut tx = crate::server::db::begin_write(&state.pool).await.map_err(map_db)?;
        for f in &pending {
            sqlx::query(
                "INSERT INTO case_attachments (id, case_id, file_name, content_type, size_bytes, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&f.id)
            .bind(case_id)
            .bind(&f.name)
            .bind(f.content_type)
            .bind(f.size as i64)
            .bind(&user.id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_db)?;
        }
        let names: Vec<&str> = pending.iter().map(|f| f.name.as_str()).collect();
        audit(
            &mut tx,
            Some(&organization_id),
            Some(&user.id),
            "case.attach",
            case_id,
            None,
            Some(serde_json::json!({ "files": names })),
            now,
        )
        .await?;
        tx.commit().await.map_err(map_db)
    }
    .await;
    if let Err(e) = recorded {
        discard(&pending).await;
        return Err(e);
    }
    Ok(pending.len())
}

async fn receive(
    cfg: &AttachmentConfig,
    dir: &std::path::Path,
    already: u64,
    multipart: &mut Multipart,
    pending: &mut Vec<Pending>,
) -> Result<(), AppError> {
    let mut case_total = already;
    let too_big = || {
        invalid(format!(
            "The upload is too large: at most {} MB per file and {} MB per case.",
            cfg.max_file_bytes / (1024 * 1024),
            cfg.max_case_bytes / (1024 * 1024)
        ))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_big())? {
        if field.name() != Some("files") {
            continue;
        }
        let name = clean_name(field.file_name().unwrap_or_default());
        if name.is_empty() {
            // The browser sends an empty part when no file was chosen.
            continue;
        }
        let (content_type, kind) = kind_of(&name).ok_or_else(|| {
            invalid(format!(
                "{name}: this type of file is not accepted. Accepted: {}.",
                allowed_extensions()
            ))
        })?;
        let id = new_id();
        let path = dir.join(&id);
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AppError::Internal(format!("attachment file: {e}")))?;
        pending.push(Pending {
            id,
            name: name.clone(),
            content_type,
            size: 0,
            path,
        });
        let mut size: u64 = 0;
        let mut checked = false;
        while let Some(chunk) = field.chunk().await.map_err(|_| too_big())? {
            if !checked {
                if !content_matches(kind, &chunk[..chunk.len().min(8192)]) {
                    return Err(invalid(format!(
                        "{name}: the content does not match its file type."
                    )));
                }
                checked = true;
            }
            size += chunk.len() as u64;
            case_total += chunk.len() as u64;
            if size > cfg.max_file_bytes || case_total > cfg.max_case_bytes {
                return Err(too_big());
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| AppError::Internal(format!("attachment write: {e}")))?;
        }
        file.flush()
            .await
            .map_err(|e| AppError::Internal(format!("attachment write: {e}")))?;
        if size == 0 {
            return Err(invalid(format!("{name} is empty.")));
        }
        if let Some(p) = pending.last_mut() {
            p.size = size;
        }
    }
    Ok(())
}

fn encode(s: &str) -> String {
    crate::model::url::encode_component(s)
}

/// `POST /cases/{id}/attachments` (multipart, field `files`, several allowed). Answers with a
/// redirect back to the case; an error travels in the URL and the case page shows it with its
/// status code.
pub async fn upload(
    State(state): State<AppState>,
    Path(case_id): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let back = format!("/cases/{}", encode(&case_id));
    let user = match user_of(&state, &headers).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to(&format!("/login?next={back}")).into_response(),
        Err(e) => {
            return (
                StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                e.to_string(),
            )
                .into_response()
        }
    };
    match store(&state, &user, &case_id, &mut multipart).await {
        Ok(n) => Redirect::to(&format!("{back}?attached={n}")).into_response(),
        Err(e @ AppError::NotFound(_)) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        Err(AppError::Internal(detail)) => {
            tracing::error!(%detail, "attachment upload failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The files could not be stored.",
            )
                .into_response()
        }
        Err(e) => {
            Redirect::to(&format!("{back}?upload_error={}", encode(&e.to_string()))).into_response()
        }
    }
}

/// `GET /attachments/{id}`: the file, to its case's organization and to support staff only.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve_file(&state, &id, &headers).await {
        Ok(r) => r,
        Err(e) => {
            let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::NOT_FOUND);
            (status, e.to_string()).into_response()
        }
    }
}

async fn serve_file(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Response, AppError> {
    let user = user_of(state, headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let row =
        sqlx::query("SELECT case_id, file_name, content_type FROM case_attachments WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.pool)
            .await
            .map_err(map_db)?
            .ok_or_else(|| AppError::NotFound("File".into()))?;
    let case_id: String = row.try_get("case_id").map_err(map_db)?;
    let name: String = row.try_get("file_name").map_err(map_db)?;
    let content_type: String = row.try_get("content_type").map_err(map_db)?;
    let mut conn = state.pool.acquire().await.map_err(map_db)?;
    load_case(&mut conn, &case_id)
        .await?
        .filter(|r| can_see(&user, r))
        .ok_or_else(|| AppError::NotFound("File".into()))?;
    drop(conn);
    let bytes = tokio::fs::read(stored_path(&state.attachments, &case_id, id))
        .await
        .map_err(|_| AppError::NotFound("File".into()))?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(&name)
    );
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// The files of a case, oldest first (the caller has already been authorized for the case).
/// On the caller's connection when it holds one: a request that holds a connection and waits
/// for a second deadlocks the pool under load (every connection held, every holder waiting).
pub async fn list<'e, E>(db: E, case_id: &str) -> Result<Vec<AttachmentInfo>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT a.id, a.file_name, a.content_type, a.size_bytes, a.uploaded_at, u.name AS uploaded_by \
         FROM case_attachments a JOIN users u ON u.id = a.uploaded_by \
         WHERE a.case_id = $1 ORDER BY a.uploaded_at, a.file_name",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
    .map_err(map_db)?;
    rows.iter()
        .map(|r| {
            Ok(AttachmentInfo {
                id: r.try_get("id").map_err(map_db)?,
                file_name: r.try_get("file_name").map_err(map_db)?,
                content_type: r.try_get("content_type").map_err(map_db)?,
                size_bytes: r.try_get("size_bytes").map_err(map_db)?,
                uploaded_at: ms_to_dt(r.try_get("uploaded_at").map_err(map_db)?)?,
                uploaded_by: r.try_get("uploaded_by").map_err(map_db)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_lists_what_the_server_accepts() {
        assert_eq!(
            allowed_extensions(),
            crate::model::attachment::ACCEPTED_EXTENSIONS
        );
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\logs\\array.log"), "array.log");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n\"c\".txt"), "abc.txt");
    }

    #[test]
    fn types_are_checked_by_extension_and_content() {
        let (_, png) = kind_of("shot.PNG").expect("png allowed");
        assert!(content_matches(png, b"\x89PNG\r\n\x1a\nrest"));
        assert!(!content_matches(png, b"GIF89a"));
        let (_, text) = kind_of("array.log").expect("log allowed");
        assert!(content_matches(text, b"plain text"));
        assert!(!content_matches(text, b"MZ\x00\x00"));
        assert!(kind_of("setup.exe").is_none());
        assert!(kind_of("noextension").is_none());
    }
}
