-- Who owns a case: the support engineer (the guides' TSE) who is the customer's point of contact
-- ("The original TSE, however, remains as the point of contact for the customer."). Optional: a
-- new case is unassigned until an engineer takes it or is assigned it.
ALTER TABLE cases ADD COLUMN owner_id TEXT REFERENCES users (id);

-- Support's queue filtered to "mine" (owner_id = me) or "unassigned" (owner_id IS NULL), in each
-- sort's order: the owner first, then the columns of that sort's queue index (migration 0016),
-- with status, severity and site trailing so those filters are checked in the index too.
CREATE INDEX cases_owner_due ON cases (owner_id, due_key, number, status, severity, site_id);
CREATE INDEX cases_owner_severity_due ON cases (owner_id, severity, due_key, number, status, site_id);
CREATE INDEX cases_owner_opened ON cases (owner_id, opened_at, number, status, severity, site_id);

-- The timeline gets 'owner_change' entries ("Owner: — → Sam Support"). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with the longer list, as migration 0006 did
-- (the same statements work on PostgreSQL; nothing references case_events). A later migration
-- that rebuilds this table again must keep every kind listed here.
CREATE TABLE case_events_new (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'customer_comment', 'support_update', 'internal_note',
        'severity_change', 'status_change', 'resolution_confirmed', 'reopened', 'survey',
        'stale_notice', 'auto_closed', 'rca_created', 'remote_assist', 'alert', 'replacement',
        'owner_change')),
    body TEXT NOT NULL DEFAULT '',
    old_value TEXT,
    new_value TEXT,
    public BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (case_id, seq)
);
INSERT INTO case_events_new (id, case_id, seq, at, actor_user_id, kind, body, old_value, new_value, public)
    SELECT id, case_id, seq, at, actor_user_id, kind, body, old_value, new_value, public FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_new RENAME TO case_events;
