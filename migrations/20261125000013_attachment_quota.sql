-- Running totals of attachment bytes, per case and per organization, so an upload reserves its
-- bytes with one conditional UPDATE ("... WHERE attachment_bytes + n <= limit") inside the
-- transaction that records it: the UPDATE takes the row's lock, so two uploads (on one instance
-- or several) can never both pass the check against the same total.
ALTER TABLE cases ADD COLUMN attachment_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN attachment_bytes BIGINT NOT NULL DEFAULT 0;

UPDATE cases SET attachment_bytes = (
    SELECT COALESCE(SUM(a.size_bytes), 0) FROM case_attachments a WHERE a.case_id = cases.id
);
UPDATE organizations SET attachment_bytes = (
    SELECT COALESCE(SUM(a.size_bytes), 0)
    FROM case_attachments a JOIN cases c ON c.id = a.case_id
    WHERE c.organization_id = organizations.id
);
