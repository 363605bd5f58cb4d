-- An invitation may give its roles until a date (issue 15, B1): the
-- grants made when it is accepted end then.

-- +goose Up
ALTER TABLE invitations ADD COLUMN access_until BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE invitations DROP COLUMN access_until;
