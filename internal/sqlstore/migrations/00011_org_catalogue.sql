-- Each customer account is opened with a role catalogue (issue 12): the
-- seed portals' role models live side by side in one deployment. Orgs
-- made before this had the one customer catalogue there was, 1nce.

-- +goose Up
ALTER TABLE orgs ADD COLUMN catalogue TEXT NOT NULL DEFAULT '';
UPDATE orgs SET catalogue = CASE WHEN kind = 'platform' THEN 'platform' ELSE '1nce' END;

-- +goose Down
ALTER TABLE orgs DROP COLUMN catalogue;
