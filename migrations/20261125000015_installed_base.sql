-- The installed base page (issue 18): what an array is and runs, and when its contract began.
-- Same conventions as the initial schema: calendar dates are TEXT 'YYYY-MM-DD'. Empty text means
-- not recorded (arrays registered before this migration): the page shows "not recorded" rather
-- than a made-up value.
ALTER TABLE arrays ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE arrays ADD COLUMN software_version TEXT NOT NULL DEFAULT '';
ALTER TABLE arrays ADD COLUMN contract_start TEXT NOT NULL DEFAULT '';
