-- The case list's default view (open cases, nearest deadline first, 50 a page) read every case
-- of the organization and sorted them: 26 ms at 100,000 cases on SQLite. These partial indexes
-- hold only open cases, in exactly the list's order (cases without a pending deadline last), so
-- a page is read in order and the scan stops after 50 rows (0.06 ms), and the open-case count
-- touches only open cases. The expression must stay identical to the ORDER BY in
-- `server::cases::list_statements`. They replace the status-prefixed indexes, which served the
-- same queries worse.
DROP INDEX cases_org_status_deadline;
DROP INDEX cases_status_deadline;
CREATE INDEX cases_open_by_deadline
    ON cases (organization_id, (CASE WHEN next_deadline_at IS NULL THEN 1 ELSE 0 END), next_deadline_at, number)
    WHERE status <> 'closed';
-- The support queue: every organization's open cases.
CREATE INDEX cases_open_queue
    ON cases ((CASE WHEN next_deadline_at IS NULL THEN 1 ELSE 0 END), next_deadline_at, number)
    WHERE status <> 'closed';
