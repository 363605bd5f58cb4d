-- When a session last proved its user (password, and the second factor
-- where enrolled): sensitive changes ask for a recent proof, so a stolen
-- session cookie alone cannot take over an account.

-- +goose Up
ALTER TABLE sessions ADD COLUMN auth_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN auth_at;
