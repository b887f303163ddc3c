-- Monitoring alerts: the ingest API's tokens, its per-token rate limit, and the alerts it received.
-- Same conventions as the initial schema: TEXT ids from the application, BIGINT UTC milliseconds.
-- (The case timeline's 'alert' entry kind is added by the replacements migration's rebuild of
-- case_events, which lists it.)

-- A bearer token an organization's admin issued to its monitoring system. The token is shown
-- once; only its SHA-256 is stored, so a leaked table opens nothing.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- The token's first characters, so people can tell their tokens apart.
    prefix TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users (id)
);
CREATE INDEX api_tokens_organization ON api_tokens (organization_id, created_at);

-- Requests per token and one-minute window, counted in the database so the limit holds across
-- app instances (an upsert increments the window's row and returns the new count).
CREATE TABLE api_token_usage (
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    window_start BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (token_id, window_start)
);

-- Every alert received, critical or not: the array page lists them.
CREATE TABLE monitoring_alerts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    array_id TEXT NOT NULL REFERENCES arrays (id),
    -- The monitoring system's own id: repeats of one alert share it.
    alert_id TEXT NOT NULL,
    code TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    summary TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    -- The case a critical alert opened or was added to.
    case_id TEXT REFERENCES cases (id),
    token_id TEXT REFERENCES api_tokens (id)
);
CREATE INDEX monitoring_alerts_array ON monitoring_alerts (array_id, received_at);

-- The case of a critical alert: one per array and alert id, held by the primary key, so two
-- deliveries of one alert racing on two instances still open one case.
CREATE TABLE alert_cases (
    array_id TEXT NOT NULL REFERENCES arrays (id),
    alert_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (array_id, alert_id)
);
