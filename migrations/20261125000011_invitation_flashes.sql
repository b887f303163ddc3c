-- A new invitation link, shown once on the contacts page of the session that made it (the
-- "flash"): the link no longer travels in the page's address (browser history, proxy and access
-- logs, Referer) nor in the server log. The contacts page reads and deletes the session's rows
-- in one statement, so a reload shows the link no more. The token is held in clear as long as
-- the flash lives, like the e-mail that carries the same link to the person (the outbox); it
-- goes with the session (sign-out, expiry) and with the invitation's row.
-- Same conventions as the initial schema: TEXT ids from the application, BIGINT UTC milliseconds.
CREATE TABLE invitation_flashes (
    id TEXT PRIMARY KEY,
    -- `sessions.id`: the SHA-256 of the cookie token of the person who made the link.
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- `invitations.id`: the token's hash; the page shows the link only while it can be used.
    invitation_id TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX invitation_flashes_session ON invitation_flashes (session_id);
