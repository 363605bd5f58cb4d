-- Long background jobs (the portal's inventory load) are recorded, so
-- that one cut off by a shutdown or a crash is marked failed and seen by
-- the operator instead of vanishing (issue 11, item 4). instance names
-- the process running it; beat_at is when that process last said so.

-- +goose Up
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL,
    error       TEXT NOT NULL,
    instance    TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    beat_at     BIGINT NOT NULL,
    finished_at BIGINT NOT NULL
);
CREATE INDEX jobs_kind ON jobs (kind, started_at);
CREATE INDEX jobs_running ON jobs (status, beat_at);

-- +goose Down
DROP TABLE jobs;
