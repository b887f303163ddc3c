-- Notifications: what someone must hear of, who hears it in the portal (the bell) and by e-mail
-- (the outbox), what each person wants, and the no-contact orders customers put in place.
-- Same conventions as the initial schema: TEXT ids from the application, BIGINT UTC
-- milliseconds, 'YYYY-MM-DD' dates, BOOLEAN flags read back through CASE.

-- One row per event someone must hear of, written in the transaction of the change itself, so a
-- change that rolls back tells nobody and a committed one is never forgotten.
CREATE TABLE notification_events (
    id TEXT PRIMARY KEY,
    -- `model::notification::NotificationKind` (case_opened, support_update, alert, ...).
    kind TEXT NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    case_id TEXT REFERENCES cases (id),
    -- One line (bell, e-mail subject) and the event's own text.
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    -- Path inside the portal the notification opens, e.g. /cases/<id>.
    link TEXT NOT NULL DEFAULT '/notifications',
    -- Events a job may find more than once (a deadline warning) carry a key: the second insert,
    -- from any instance, conflicts and tells nobody again.
    dedupe_key TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX notification_events_case ON notification_events (case_id);

-- In-app notifications: one per person and event; read_at set when the person marks it read.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES notification_events (id),
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_user_read ON notifications (user_id, read_at);
CREATE INDEX notifications_user_created ON notifications (user_id, created_at);

-- E-mails to deliver: one per event and address. The worker claims a row with a conditional
-- update that takes a lease (owner + expiry) and counts the attempt; it marks the row sent with
-- another conditional update on its own lease, so two instances never both deliver one row.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES notification_events (id),
    recipient TEXT NOT NULL,
    -- NULL for the organization's team alias.
    user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    sent_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (event_id, recipient),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- What a person wants to hear of; no row means everything, in the portal and by e-mail.
CREATE TABLE notification_preferences (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- FALSE: this kind of event is not notified at all (neither bell nor e-mail).
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    email BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- A no-contact order: support must not e-mail the whole organization (user_id NULL, team alias
-- included) or one person about the events it covers, until its last day (inclusive, UTC) when it
-- has one, or until it is lifted. The in-app notification is still recorded: it contacts nobody.
-- The organization's older switch (organization_contact_settings.no_contact) covers monitoring
-- alerts for the whole organization, as the guides word it.
CREATE TABLE no_contact_orders (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    -- '*' for every event, else one NotificationKind.
    kind TEXT NOT NULL,
    until_day TEXT,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    lifted_at BIGINT
);
CREATE INDEX no_contact_orders_org ON no_contact_orders (organization_id, lifted_at);
