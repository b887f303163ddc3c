-- The sign-in and invitation limits: one counter row per key ('account:<e-mail>',
-- 'pair:<e-mail>|<address>', 'address:<address>', 'accept:<address>'). An attempt takes its rows'
-- locks (the upsert that creates or reads a row locks it on PostgreSQL; SQLite has one writer),
-- decides, and counts itself as pending before any password is checked, all in one transaction:
-- parallel attempts, from one app instance or several, cannot all pass one check.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    -- Counts start again once a window (15 minutes) has passed since this.
    window_start BIGINT NOT NULL,
    -- Attempts of this window that failed.
    failures BIGINT NOT NULL,
    -- Attempts let through and not answered yet: counted against the limit like failures.
    pending BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);
