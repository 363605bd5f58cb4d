-- Audit retention (issue 15, B6): the sweep deletes events older than the
-- deployment's retention, by time.

-- +goose Up
CREATE INDEX events_created ON events (created_at);

-- +goose Down
DROP INDEX events_created;
