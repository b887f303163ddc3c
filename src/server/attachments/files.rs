//! The files of an upload, written to disk before they are recorded: streamed with their
//! content and size checked as they arrive, and removed again unless the upload is recorded.
use super::quota::{self, Budget};
use super::sniff::{allowed_extensions, kind_of, Sniffer};
use crate::model::AppError;
use crate::server::ids::new_id;
use crate::server::state::AttachmentConfig;
use axum::extract::multipart::Field;
use axum::extract::Multipart;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

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

/// A file written to disk but not yet recorded.
pub(super) struct Pending {
    pub id: String,
    pub name: String,
    pub content_type: &'static str,
    pub size: u64,
    path: PathBuf,
}

/// The files of one upload on disk. Dropped without `keep`, it removes them: a refusal, an
/// error, or a request whose client went away midway (its future dropped at any await, where
/// no cleanup code after the await would run) leaves no file behind.
pub(super) struct Received {
    files: Vec<Pending>,
    kept: bool,
}

impl Received {
    pub fn files(&self) -> &[Pending] {
        &self.files
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The files are recorded: they stay. Returns how many there are.
    pub fn keep(mut self) -> usize {
        self.kept = true;
        self.files.len()
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        // Synchronous on purpose: a drop cannot await, and unlinking a file is quick.
        for f in &self.files {
            let _ = std::fs::remove_file(&f.path);
        }
    }
}

pub(super) fn stored_path(cfg: &AttachmentConfig, case_id: &str, id: &str) -> PathBuf {
    cfg.dir.join(case_id).join(id)
}

/// Writes the form's files to the case's folder, within `budget`.
pub(super) async fn receive_all(
    cfg: &AttachmentConfig,
    case_id: &str,
    budget: &Budget,
    multipart: &mut Multipart,
) -> Result<Received, AppError> {
    let dir = cfg.dir.join(case_id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(format!("attachments folder: {e}")))?;
    let mut received = Received {
        files: Vec::new(),
        kept: false,
    };
    let mut total: u64 = 0;
    while let Some(field) = next_field(cfg, multipart).await? {
        if field.name() != Some("files") {
            continue;
        }
        let name = clean_name(field.file_name().unwrap_or_default());
        if name.is_empty() {
            // The browser sends an empty part when no file was chosen.
            continue;
        }
        let size = receive_one(cfg, &dir, budget, total, field, name, &mut received).await?;
        total += size;
    }
    if received.files.is_empty() {
        return Err(invalid("Choose at least one file to attach.".into()));
    }
    Ok(received)
}

/// A form part that cannot be read is most likely one cut off by the body limit.
async fn next_field<'m>(
    cfg: &AttachmentConfig,
    multipart: &'m mut Multipart,
) -> Result<Option<Field<'m>>, AppError> {
    multipart
        .next_field()
        .await
        .map_err(|_| quota::file_too_big(cfg))
}

/// Streams one file to disk (registered in `received` before its first byte is written, so
/// that it is removed whatever happens next); returns its size.
async fn receive_one(
    cfg: &AttachmentConfig,
    dir: &Path,
    budget: &Budget,
    before: u64,
    mut field: Field<'_>,
    name: String,
    received: &mut Received,
) -> Result<u64, AppError> {
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
    received.files.push(Pending {
        id,
        name: name.clone(),
        content_type,
        size: 0,
        path,
    });
    let mut sniffer = Sniffer::new(kind);
    let mut size: u64 = 0;
    let mismatch = || invalid(format!("{name}: the content does not match its file type."));
    while let Some(chunk) = field.chunk().await.map_err(|_| quota::file_too_big(cfg))? {
        if !sniffer.feed(&chunk) {
            return Err(mismatch());
        }
        size += chunk.len() as u64;
        budget.check(cfg, size, before + size)?;
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
    if !sniffer.matched() {
        return Err(mismatch());
    }
    if let Some(p) = received.files.last_mut() {
        p.size = size;
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\logs\\array.log"), "array.log");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\n\"c\".txt"), "abc.txt");
    }
}
