-- An organization's time zone (issue 15, B1): end and due dates are read
-- and given in it; empty follows the parent, UTC at the top.

-- +goose Up
ALTER TABLE orgs ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE orgs DROP COLUMN time_zone;
