-- Support contacts: the organization's team contact settings and invitations for people added
-- without an account. Same conventions as the initial schema: TEXT ids from the application,
-- BIGINT UTC milliseconds, 'YYYY-MM-DD' dates, BOOLEAN flags read back through CASE.
--
-- Who holds which role at which site is `site_contacts` (initial schema; UNIQUE (site_id,
-- user_id): one role per person per site). `users.role` stays the person's highest role across
-- the organization's sites (admin, then backup contact, then authorized caller), so the session
-- and every other feature read one role.

-- Bumped first by every contact change of the organization, inside the changing transaction:
-- that write takes the organization's row lock (PostgreSQL) or the database write lock (SQLite)
-- before anything is counted, so concurrent changes run one after the other and the counted
-- rules (five authorized callers per site, at least one admin, backup contacts only at a site
-- with an admin) cannot be beaten by two requests that both counted before either wrote.
ALTER TABLE organizations ADD COLUMN contacts_version BIGINT NOT NULL DEFAULT 0;

-- How the vendor reaches the whole team for critical alerts, and when it must not call.
CREATE TABLE organization_contact_settings (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id),
    -- An e-mail alias and a phone/pager number that reach the whole team (the guides' advice).
    team_email TEXT NOT NULL DEFAULT '',
    team_phone TEXT NOT NULL DEFAULT '',
    -- A no-contact order: the team is not called for critical alerts, until the end date
    -- (inclusive, 'YYYY-MM-DD') when there is one.
    no_contact BOOLEAN NOT NULL DEFAULT FALSE,
    no_contact_until TEXT,
    -- Free text, e.g. "Mon-Fri 08:00-18:00 Eastern".
    preferred_hours TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT REFERENCES users (id)
);

-- An invitation link lets a person added without a password set one. The link carries a random
-- 256-bit token; only its SHA-256 is stored (as the id), so a leaked table opens nothing.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Single use: set when the password is chosen (or when a newer link replaces this one).
    used_at BIGINT
);
CREATE INDEX invitations_user ON invitations (user_id);

-- The contacts page counts a site's contacts by role.
CREATE INDEX site_contacts_site_role ON site_contacts (site_id, role);
-- The history section reads an organization's contact entries, newest first.
CREATE INDEX audit_log_organization_entity ON audit_log (organization_id, entity, at);
