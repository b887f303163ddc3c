//! What an upload may contain: the accepted types (by extension *and* content), the size limits,
//! and the files written to disk before they are recorded.
use crate::model::AppError;
use crate::server::ids::new_id;
use crate::server::state::AttachmentConfig;
use axum::extract::Multipart;
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

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

pub(super) fn invalid(message: String) -> AppError {
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
pub(super) struct Pending {
    pub id: String,
    pub name: String,
    pub content_type: &'static str,
    pub size: u64,
    path: PathBuf,
}

pub(super) async fn discard(files: &[Pending]) {
    for f in files {
        let _ = tokio::fs::remove_file(&f.path).await;
    }
}

pub(super) fn stored_path(cfg: &AttachmentConfig, case_id: &str, id: &str) -> PathBuf {
    cfg.dir.join(case_id).join(id)
}

/// Writes the form's files to the case's folder; on any error removes what it wrote.
pub(super) async fn receive_all(
    cfg: &AttachmentConfig,
    case_id: &str,
    already: u64,
    multipart: &mut Multipart,
) -> Result<Vec<Pending>, AppError> {
    let dir = cfg.dir.join(case_id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(format!("attachments folder: {e}")))?;
    let mut pending: Vec<Pending> = Vec::new();
    let result = receive(cfg, &dir, already, multipart, &mut pending).await;
    if let Err(e) = result {
        discard(&pending).await;
        return Err(e);
    }
    if pending.is_empty() {
        return Err(invalid("Choose at least one file to attach.".into()));
    }
    Ok(pending)
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
