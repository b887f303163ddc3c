-- Remote Assist sessions. Same conventions as the initial schema: TEXT ids from the application,
-- BIGINT UTC milliseconds, flags read back through CASE.

CREATE TABLE remote_assist_sessions (
    id TEXT PRIMARY KEY,
    array_id TEXT NOT NULL REFERENCES arrays (id),
    -- The array's organization, copied so listing and authorization need no join through sites.
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- The case the session serves; its timeline gets 'remote_assist' events for start and end.
    case_id TEXT REFERENCES cases (id),
    requested_by TEXT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('requested', 'active', 'ended')),
    -- Whole hours asked for; the deadline is set from it when the session starts.
    requested_hours BIGINT NOT NULL CHECK (requested_hours BETWEEN 1 AND 24),
    requested_at BIGINT NOT NULL,
    started_at BIGINT,
    -- Active: start (or latest extension) + duration, when the job ends it. Requested: when the
    -- request lapses unstarted. The job ends every open session past this instant.
    deadline_at BIGINT NOT NULL,
    ended_at BIGINT,
    -- NULL when the job ended it.
    ended_by_user TEXT REFERENCES users (id),
    end_reason TEXT CHECK (end_reason IN ('customer', 'engineer', 'timed_out')),
    extensions BIGINT NOT NULL DEFAULT 0,
    -- Bumped by every change; a writer's first statement updates the row, which takes the lock.
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
    CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
    CHECK (state <> 'active' OR started_at IS NOT NULL)
);
-- The guides' rule "only one Remote Assist session can be active at any time" per device, held by
-- the database itself so it holds across app instances: at most one session per array that has
-- not ended. Partial unique indexes work the same on SQLite and PostgreSQL.
CREATE UNIQUE INDEX remote_assist_one_open_per_array ON remote_assist_sessions (array_id)
    WHERE state <> 'ended';
CREATE INDEX remote_assist_org_requested ON remote_assist_sessions (organization_id, requested_at);
-- The expiry job's scan.
CREATE INDEX remote_assist_state_deadline ON remote_assist_sessions (state, deadline_at);

-- Support engineers who joined a session (several may share one); joining twice is one row.
CREATE TABLE remote_assist_participants (
    session_id TEXT NOT NULL REFERENCES remote_assist_sessions (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    joined_at BIGINT NOT NULL,
    UNIQUE (session_id, user_id)
);
