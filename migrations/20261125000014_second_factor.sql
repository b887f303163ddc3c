-- Two-step sign-in: an authenticator app's secret (TOTP, RFC 6238) and single-use recovery codes
-- per person, and the half-open session between the password and the code.
-- Same conventions as the initial schema: TEXT ids from the application, BIGINT UTC milliseconds.
CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- Base32, as authenticator apps take it. The server must compute codes from it, so it cannot
    -- be hashed like a password; it never leaves the server after enrolment.
    secret TEXT NOT NULL,
    -- NULL while being set up: the factor counts only once a code from the app was entered.
    confirmed_at BIGINT,
    -- The last 30-second step whose code was accepted: a code works once (RFC 6238 section 5.2),
    -- enforced by a conditional UPDATE, so two requests with one code cannot both pass.
    last_step BIGINT NOT NULL DEFAULT 0,
    -- The recovery codes in clear between their creation and the one page that shows them.
    new_codes TEXT,
    created_at BIGINT NOT NULL
);

-- A recovery code's SHA-256 (with the person's id): a code opens one sign-in, once.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- TRUE: the password was right and the code is awaited; such a session opens no page.
ALTER TABLE sessions ADD COLUMN pending_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN factor_failures BIGINT NOT NULL DEFAULT 0;

-- An organization's admin may require two-step sign-in of everyone in the organization.
ALTER TABLE organizations ADD COLUMN require_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
