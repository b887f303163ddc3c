-- Hardware replacements and site logistics. Same conventions as the initial schema: TEXT ids
-- from the application, BIGINT UTC milliseconds, BOOLEAN flags read back through CASE.

-- What a field technician needs at a site ("the address of the datacenter and any pertinent
-- information within it, such as grid coordinates", "specifics for site security") and who
-- receives deliveries. One row per site once an admin has saved it; empty text means missing.
CREATE TABLE site_logistics (
    site_id TEXT PRIMARY KEY REFERENCES sites (id),
    datacenter_address TEXT NOT NULL DEFAULT '',
    grid_coordinates TEXT NOT NULL DEFAULT '',
    access_instructions TEXT NOT NULL DEFAULT '',
    delivery_contact_name TEXT NOT NULL DEFAULT '',
    delivery_contact_phone TEXT NOT NULL DEFAULT '',
    updated_by TEXT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

CREATE TABLE replacements (
    id TEXT PRIMARY KEY,
    -- Copied from the array's site so listing and authorization need no join through sites.
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    array_id TEXT NOT NULL REFERENCES arrays (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    part_type TEXT NOT NULL CHECK (part_type IN ('controller', 'drive', 'nvram', 'psu', 'fan', 'cable', 'chassis', 'other')),
    part_number TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    description TEXT NOT NULL DEFAULT '',
    technician_required BOOLEAN NOT NULL DEFAULT FALSE,
    -- How the defective part goes back: a prepaid label, or a returns kit (by country).
    return_method TEXT NOT NULL CHECK (return_method IN ('label', 'kit')),
    -- The customer keeps the replaced drives (extra-charge option): nothing to return.
    drive_retention BOOLEAN NOT NULL DEFAULT FALSE,
    stage TEXT NOT NULL CHECK (stage IN ('diagnosed', 'dispatched', 'shipped', 'delivered',
        'technician_scheduled', 'installed', 'returned', 'retained', 'cancelled')),
    created_by TEXT NOT NULL REFERENCES users (id),
    diagnosed_at BIGINT NOT NULL,
    dispatched_at BIGINT,
    -- The SLA engine's answer at dispatch (JSON of `sla::DeliveryDue`: kind, due, explanation,
    -- the document's words) and its due instant for sorting and the late-delivery flags. NULL
    -- due: best effort (same-day shipping) or not dispatched yet.
    delivery_json TEXT,
    delivery_due_at BIGINT,
    carrier TEXT,
    tracking_number TEXT,
    shipped_at BIGINT,
    delivered_at BIGINT,
    -- What the customer proposed for the technician's visit, then what support scheduled.
    proposed_window_start BIGINT,
    proposed_window_end BIGINT,
    window_start BIGINT,
    window_end BIGINT,
    scheduled_at BIGINT,
    installed_at BIGINT,
    -- The customer confirmed the site's access details for the technician.
    access_confirmed_at BIGINT,
    access_confirmed_by TEXT REFERENCES users (id),
    -- When the defective part should be back (set on delivery without a technician, or on
    -- installation), and when it came back or was kept.
    return_due_at BIGINT,
    closed_at BIGINT,
    cancelled_at BIGINT,
    cancel_reason TEXT,
    updated_at BIGINT NOT NULL,
    -- Bumped by every change; each writer's first statement is a conditional update of the row.
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((stage = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (stage IN ('diagnosed', 'cancelled') OR dispatched_at IS NOT NULL),
    CHECK (stage IN ('diagnosed', 'dispatched', 'cancelled') OR tracking_number IS NOT NULL),
    CHECK (stage <> 'retained' OR drive_retention)
);
CREATE INDEX replacements_org_stage ON replacements (organization_id, stage);
CREATE INDEX replacements_case ON replacements (case_id);
-- The late-delivery scan: parts on their way whose due time has passed.
CREATE INDEX replacements_stage_due ON replacements (stage, delivery_due_at);

-- The case timeline gets 'replacement' entries (created, dispatched, shipped, ...). SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt with the longer list (the same
-- statements work on PostgreSQL). 'alert' is listed too, for the alert-ingest work that adds it
-- at the same time: a later migration that rebuilds this table again must keep both.
CREATE TABLE case_events_new (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'customer_comment', 'support_update', 'internal_note',
        'severity_change', 'status_change', 'resolution_confirmed', 'reopened', 'survey',
        'stale_notice', 'auto_closed', 'rca_created', 'remote_assist', 'alert', 'replacement')),
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
