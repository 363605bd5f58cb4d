-- Organizations and SIM cards: SIMs with their owner, transfers with their
-- ranges, workflows, service requests and contacts. orgs.sim_count is kept
-- in the transactions that move SIMs, so a parent lists its children's
-- totals in one query without counting millions of rows.

-- +goose Up
ALTER TABLE orgs ADD COLUMN sim_count BIGINT NOT NULL DEFAULT 0;

CREATE TABLE transfers (
    id         TEXT PRIMARY KEY,
    from_org   TEXT NOT NULL, -- no foreign keys: history outlives a deleted org
    to_org     TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    sim_count  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX transfers_from ON transfers (from_org, created_at);
CREATE INDEX transfers_to ON transfers (to_org, created_at);

CREATE TABLE transfer_ranges (
    transfer_id TEXT NOT NULL REFERENCES transfers(id) ON DELETE CASCADE,
    start_iccid TEXT COLLATE_BYTES NOT NULL,
    end_iccid   TEXT COLLATE_BYTES NOT NULL,
    moved       BIGINT NOT NULL,
    not_owned   BIGINT NOT NULL,
    PRIMARY KEY (transfer_id, start_iccid)
);

-- The SIMs themselves; transfer_id names the transfer that last moved one.
CREATE TABLE sims (
    iccid       TEXT COLLATE_BYTES PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    status      TEXT NOT NULL,
    transfer_id TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX sims_org ON sims (org_id, iccid);

CREATE TABLE workflows (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    closed_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX workflows_org ON workflows (org_id, status, created_at);

CREATE TABLE service_requests (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    new_owner_id TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    resolution   TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    resolved_by  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX service_requests_status ON service_requests (status, created_at);
CREATE INDEX service_requests_org ON service_requests (org_id, created_at);

-- People used for communication who never sign in (O7).
CREATE TABLE contacts (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_org ON contacts (org_id, kind);

-- +goose Down
DROP TABLE contacts;
DROP TABLE service_requests;
DROP TABLE workflows;
DROP TABLE sims;
DROP TABLE transfer_ranges;
DROP TABLE transfers;
ALTER TABLE orgs DROP COLUMN sim_count;
