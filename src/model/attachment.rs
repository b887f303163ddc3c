use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The file types support accepts (checked on the server by extension and content).
pub const ACCEPTED_EXTENSIONS: &str =
    "log, txt, conf, cfg, ini, json, xml, yaml, yml, csv, png, jpg, jpeg, gz, tgz, zip";

/// A file attached to a case, as listed on the case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// "2.4 MB", "812 KB", "95 B".
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else if b >= KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{bytes} B")
    }
}
