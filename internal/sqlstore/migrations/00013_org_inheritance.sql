-- Security settings a parent passes down its subtree (issue 12, B4): a
-- session lifetime and a password length an org may set, each child only
-- tightening them; 0 means the org sets nothing of its own. Sub-orgs of
-- a type its catalogue numbers get a number of their own, counted per
-- account in sub_seq.

-- +goose Up
ALTER TABLE orgs ADD COLUMN session_hours INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN password_min_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN org_number TEXT;
ALTER TABLE orgs ADD COLUMN sub_seq INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX orgs_org_number ON orgs (org_number);

-- +goose Down
DROP INDEX orgs_org_number;
ALTER TABLE orgs DROP COLUMN sub_seq;
ALTER TABLE orgs DROP COLUMN org_number;
ALTER TABLE orgs DROP COLUMN password_min_length;
ALTER TABLE orgs DROP COLUMN session_hours;
