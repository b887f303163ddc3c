-- Support cases, their timeline and surveys. Same conventions as the initial schema: TEXT ids
-- from the application, BIGINT UTC milliseconds, BOOLEAN flags read back through CASE.
-- Attachments are not stored yet (no table): they come with the attachment storage work.

-- Human-friendly case numbers (CS-001042): one row, incremented inside the creating transaction
-- (`UPDATE ... RETURNING value`), so numbers are unique and in order on both backends, and a
-- failed creation rolls its number back instead of leaving a gap.
CREATE TABLE case_counter (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO case_counter (id, value) VALUES (1, 1000);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    array_id TEXT NOT NULL REFERENCES arrays (id),
    -- NULL for cases the system opens itself (root-cause-analysis follow-ups).
    opened_by TEXT REFERENCES users (id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    business_impact TEXT NOT NULL DEFAULT '',
    -- Current severity; its history lives in case_events ('opened' and 'severity_change').
    severity BIGINT NOT NULL CHECK (severity BETWEEN 1 AND 4),
    status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'waiting_on_customer', 'resolution_proposed', 'closed')),
    -- Severity 1 needs someone reachable at all times.
    sev1_contact_name TEXT,
    sev1_contact_phone TEXT,
    -- Update date agreed with the customer, for severities whose cadence is "as agreed".
    agreed_update_due BIGINT,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    close_reason TEXT,
    -- A follow-up root-cause-analysis case points at the case it analyses; the parent finds its
    -- follow-up through this column. UNIQUE: at most one follow-up per case, whatever the jobs do.
    rca_parent_case_id TEXT UNIQUE REFERENCES cases (id),
    opened_from_alert BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped by every change. Writers lock the row by updating it first; the background jobs
    -- claim a case with `WHERE version = <what they read>` so two instances never act twice.
    version BIGINT NOT NULL DEFAULT 0,
    -- Caches rebuilt from the event history by the SLA engine on every change, for sorting,
    -- the list page and the jobs. Never the source of truth.
    initial_response_due_at BIGINT,
    initial_response_met_at BIGINT,
    next_update_due_at BIGINT,
    -- Earliest pending initial-response / next-update deadline.
    next_deadline_at BIGINT,
    -- When a background job has something to do on this case (stale notice, auto-close, RCA).
    job_due_at BIGINT
);
CREATE INDEX cases_org_status_deadline ON cases (organization_id, status, next_deadline_at);
CREATE INDEX cases_org_opened ON cases (organization_id, opened_at);
CREATE INDEX cases_status_deadline ON cases (status, next_deadline_at);
CREATE INDEX cases_job_due ON cases (job_due_at);

CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    -- Order within the case: several events can share a millisecond.
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- NULL when the system acted (jobs).
    actor_user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'customer_comment', 'support_update', 'internal_note',
        'severity_change', 'status_change', 'resolution_confirmed', 'reopened', 'survey',
        'stale_notice', 'auto_closed', 'rca_created', 'remote_assist')),
    body TEXT NOT NULL DEFAULT '',
    old_value TEXT,
    new_value TEXT,
    -- FALSE: staff only (internal notes).
    public BOOLEAN NOT NULL DEFAULT TRUE,
    -- Also the index for reading a case's timeline.
    UNIQUE (case_id, seq)
);

CREATE TABLE case_surveys (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL
);
