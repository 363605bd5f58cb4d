-- SIM history and idempotent SIM requests (issue 15, B5). An inventory
-- load is recorded like a transfer, and each SIM names the load that
-- brought it; a SIM's history is its load and the transfers whose ranges
-- hold it, replayed in order. A request sent with an Idempotency-Key
-- keeps its answer here, so a retry gets the first answer and moves
-- nothing twice.

-- +goose Up
CREATE TABLE sim_loads (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL, -- no foreign key: history outlives a deleted org
    actor_id   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    sim_count  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE sims ADD COLUMN load_id TEXT NOT NULL DEFAULT '';
CREATE INDEX transfer_ranges_start ON transfer_ranges (start_iccid);

CREATE TABLE idempotency_keys (
    actor_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    operation    TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP INDEX transfer_ranges_start;
ALTER TABLE sims DROP COLUMN load_id;
DROP TABLE sim_loads;
