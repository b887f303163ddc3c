-- Files attached to cases (logs, screenshots, configuration files). The bytes live outside the
-- database, under the attachments folder, named by `id`; the row is what makes a file visible.
CREATE TABLE case_attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, uploaded_at);
