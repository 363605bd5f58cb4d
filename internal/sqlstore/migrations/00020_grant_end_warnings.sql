-- Warnings before a grant ends (issue 15, B1): the hourly sweep looks for
-- grants that end within the next week.

-- +goose Up
CREATE INDEX grants_expires ON grants (expires_at) WHERE expires_at <> 0;

-- +goose Down
DROP INDEX grants_expires;
