-- Accounts people can keep safe: where each session was opened (for the Account page's list),
-- password-reset links, and the reset requests the rate limits count.
-- Same conventions as the initial schema: TEXT ids from the application, BIGINT UTC
-- milliseconds.

-- As recorded at sign-in; '' where the client sent none (and for sessions opened before this).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';

-- A "forgot password" link: like a session, only the token's SHA-256 is stored. Single use
-- (used_at), valid until expires_at (30 minutes). The e-mail that carries the link is an
-- outbox message of event_id; its link is blanked once the token is used.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id TEXT REFERENCES notification_events (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Every accepted reset request, whether or not the address has an account (the limits per
-- address and per account must not tell which).
CREATE TABLE password_reset_requests (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX password_reset_requests_email ON password_reset_requests (email, at);
CREATE INDEX password_reset_requests_ip ON password_reset_requests (ip, at);
