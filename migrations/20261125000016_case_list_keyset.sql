-- Every view of the case list in index order, and pages by position instead of OFFSET.
--
-- Measured at 100,000 cases (SQLite): the default view (open, nearest deadline) had indexes in
-- its order; every other view sorted the whole history: "all" 475 ms, "all" + severity 577 ms,
-- "closed" 160 ms; and page N walked N pages. Now each sort has an index in its order for a
-- customer (organization first) and for support's queue (every organization), full and for open
-- cases only, so a page reads its 26 rows in order and stops; the filters (status, severity,
-- site) ride along as trailing columns, checked in the index without reading the row.
--
-- `due_key` is the deadline sort key as a plain column: the next pending deadline, or the
-- largest BIGINT when there is none (those cases sort last). A page continues from the row
-- value `(due_key, number)` of its neighbour's last row; both databases seek a row-value
-- comparison on plain columns, but neither seeks one whose first term is an expression (what
-- the previous indexes used). The application writes it with `next_deadline_at`
-- (`cases::queries::store_deadlines`, `insert_case_row`).
ALTER TABLE cases ADD COLUMN due_key BIGINT NOT NULL DEFAULT 9223372036854775807;
UPDATE cases SET due_key = COALESCE(next_deadline_at, 9223372036854775807);

DROP INDEX cases_open_by_deadline;
DROP INDEX cases_open_queue;
DROP INDEX cases_org_opened;

-- A customer's views.
CREATE INDEX cases_org_due ON cases (organization_id, due_key, number, status, severity, site_id);
CREATE INDEX cases_org_severity_due ON cases (organization_id, severity, due_key, number, status, site_id);
CREATE INDEX cases_org_opened ON cases (organization_id, opened_at, number, status, severity, site_id);
CREATE INDEX cases_org_open_due ON cases (organization_id, due_key, number) WHERE status <> 'closed';
CREATE INDEX cases_org_open_severity_due ON cases (organization_id, severity, due_key, number) WHERE status <> 'closed';

-- Support's queue across every organization (and the deadline-warning job: `cases_open_due`).
CREATE INDEX cases_due ON cases (due_key, number, status, severity, site_id);
CREATE INDEX cases_severity_due ON cases (severity, due_key, number, status, site_id);
CREATE INDEX cases_opened ON cases (opened_at, number, status, severity, site_id);
CREATE INDEX cases_open_due ON cases (due_key, number) WHERE status <> 'closed';
CREATE INDEX cases_open_severity_due ON cases (severity, due_key, number) WHERE status <> 'closed';
