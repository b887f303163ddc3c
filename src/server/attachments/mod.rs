//! Case attachments: uploaded as a plain multipart form (works without JavaScript), checked on the
//! server (type by extension *and* content, size per file, per case and per organization),
//! stored on disk outside the database, downloadable only by the case's organization and by
//! support staff.
mod files;
mod queries;
mod quota;
mod sniff;
mod store;

/// Kept at its old path (main.rs and the tests name it here).
pub use crate::server::state::AttachmentConfig;
pub use files::clean_name;
pub use queries::list;
pub use sniff::allowed_extensions;

use crate::model::{AppError, CurrentUser};
use crate::server::auth::{token_from_cookie_header, user_for_token};
use crate::server::cases::{can_see, load_case};
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use files::stored_path;
use queries::StoredFileRow;

async fn user_of(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, AppError> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| token_from_cookie_header(h, &state.sessions));
    match token {
        Some(t) => user_for_token(&state.pool, &state.sessions, t).await,
        None => Ok(None),
    }
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
                e.into_public().to_string(),
            )
                .into_response()
        }
    };
    match store::store(&state, &user, &case_id, &mut multipart).await {
        Ok(n) => Redirect::to(&format!("{back}?attached={n}")).into_response(),
        Err(e @ AppError::NotFound(_)) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        Err(e @ AppError::Internal(_)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("The files could not be stored. {}", e.into_public()),
        )
            .into_response(),
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
            (status, e.into_public().to_string()).into_response()
        }
    }
}

async fn serve_file(state: &AppState, id: &str, headers: &HeaderMap) -> Result<Response, AppError> {
    let user = user_of(state, headers)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let StoredFileRow {
        case_id,
        file_name: name,
        content_type,
    } = queries::stored_file(&state.pool, id)
        .await?
        .ok_or_else(|| AppError::NotFound("File".into()))?;
    let mut conn = state.pool.acquire().await?;
    load_case(&mut conn, &case_id)
        .await?
        .filter(|r| can_see(&user, r))
        .ok_or_else(|| AppError::NotFound("File".into()))?;
    drop(conn);
    let bytes = tokio::fs::read(stored_path(&state.attachments, &case_id, id))
        .await
        .map_err(|_| AppError::NotFound("File".into()))?;
    Ok(file_response(bytes, &name, &content_type))
}

/// The file as a download under its own name, never cached.
fn file_response(bytes: Vec<u8>, name: &str, content_type: &str) -> Response {
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
        encode(name)
    );
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
