-- Escalation. Support escalates a case ("team members with higher levels of expertise or
-- specialization join the effort"); the owner stays the customer's point of contact ("The
-- original TSE, however, remains as the point of contact for the customer."), so escalating
-- never touches owner_id. NULL: not escalated.
ALTER TABLE cases ADD COLUMN escalated_at BIGINT;

-- A designated contact's request for escalation: requested -> acknowledged -> closed. The
-- acknowledgment deadline is the SLA engine's (the program's `escalation_ack` target), fixed
-- when the request is made. At most one request per case is not closed: the partial unique
-- index is the last word, behind the case's row lock the service takes first.
CREATE TABLE escalation_requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    state TEXT NOT NULL CHECK (state IN ('requested', 'acknowledged', 'closed')),
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    ack_due_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT REFERENCES users (id),
    ack_note TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    closed_by TEXT REFERENCES users (id)
);
CREATE UNIQUE INDEX escalation_requests_one_open ON escalation_requests (case_id)
    WHERE state <> 'closed';
CREATE INDEX escalation_requests_case ON escalation_requests (case_id, requested_at);

-- The timeline gets 'escalation' (support escalated) and 'escalation_request' entries (new_value
-- is the request's state after the entry). SQLite cannot change a CHECK constraint in place, so
-- the table is rebuilt as migration 0017 did, keeping every kind listed there. A later migration
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
        'owner_change', 'escalation', 'escalation_request')),
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
