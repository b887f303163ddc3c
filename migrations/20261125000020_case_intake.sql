-- Intake on the customer's behalf: "a Customer Support Specialist (CSS) fields the call, performs
-- basic analysis, and creates a case in our management and tracking system" (guides). How the
-- case came in, and the support engineer who logged it. `opened_by` stays the designated contact
-- who reported it, so the customer's own notifications and "opened by" read as for a web case;
-- `logged_by` is NULL for a case the customer opened themselves (or an alert opened).
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'web'
    CHECK (channel IN ('web', 'phone', 'email', 'monitoring_alert'));
ALTER TABLE cases ADD COLUMN logged_by TEXT REFERENCES users (id);
-- Cases the alert ingest API opened came in by monitoring alert.
UPDATE cases SET channel = 'monitoring_alert' WHERE opened_from_alert;
