-- The users tab lists an organization's API users and service accounts
-- apart from its people, by name (issue 17, item 7). Among 100,000
-- people that list walked every person's row in name order to find the
-- few machines (92 ms on SQLite); this index holds the machines alone.
-- A list of machines says "kind <> 'human'" in its WHERE, word for word,
-- so that both databases may use it.

-- +goose Up
CREATE INDEX users_org_machines ON users (org_id, first_name_key, id) WHERE kind <> 'human';

-- +goose Down
DROP INDEX users_org_machines;
