-- When a throttled key last saw an attempt, so that an address's failures
-- are forgotten after a quiet while instead of by any success.

-- +goose Up
ALTER TABLE throttle ADD COLUMN last_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE throttle DROP COLUMN last_at;
