-- SIM ownership as ranges (issue 16): who owns a SIM is no longer a
-- column of each SIM but a row of sim_ranges, a run of same-length ICCIDs
-- from start_iccid to end_iccid that one org owns. Ranges never overlap,
-- every SIM lies in exactly one, and sim_count says how many SIMs it
-- holds, so a transfer rewrites a few range rows instead of every moved
-- SIM. transfer_id and updated_at are those of the last move (or the load)
-- of every SIM in the range; neighbours merge only when both agree, so a
-- SIM's "last changed" stays exact. What is a SIM's own (status, load,
-- creation) stays in sims.

-- +goose Up
CREATE TABLE sim_ranges (
    digits      INTEGER NOT NULL,
    start_iccid TEXT COLLATE_BYTES NOT NULL,
    end_iccid   TEXT COLLATE_BYTES NOT NULL,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    sim_count   BIGINT NOT NULL,
    transfer_id TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (digits, start_iccid)
);
CREATE UNIQUE INDEX sim_ranges_org ON sim_ranges (org_id, digits, start_iccid);

-- Runs of neighbouring SIMs with one owner and one last move become one
-- range each (gaps and islands).
INSERT INTO sim_ranges (digits, start_iccid, end_iccid, org_id, sim_count, transfer_id, updated_at)
SELECT digits, MIN(iccid), MAX(iccid), org_id, COUNT(*), transfer_id, updated_at FROM (
    SELECT iccid, org_id, transfer_id, updated_at, length(iccid) AS digits,
        ROW_NUMBER() OVER (PARTITION BY length(iccid) ORDER BY iccid)
      - ROW_NUMBER() OVER (PARTITION BY length(iccid), org_id, transfer_id, updated_at ORDER BY iccid) AS island
    FROM sims) AS runs
GROUP BY digits, org_id, transfer_id, updated_at, island;

CREATE TABLE sims_owned_by_ranges (
    iccid      TEXT COLLATE_BYTES PRIMARY KEY,
    status     TEXT NOT NULL,
    load_id    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
INSERT INTO sims_owned_by_ranges (iccid, status, load_id, created_at)
SELECT iccid, status, load_id, created_at FROM sims;
DROP TABLE sims;
ALTER TABLE sims_owned_by_ranges RENAME TO sims;

-- +goose Down
CREATE TABLE sims_owned_by_rows (
    iccid       TEXT COLLATE_BYTES PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    status      TEXT NOT NULL,
    transfer_id TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    load_id     TEXT NOT NULL DEFAULT ''
);
INSERT INTO sims_owned_by_rows (iccid, org_id, status, transfer_id, created_at, updated_at, load_id)
SELECT s.iccid, r.org_id, s.status, r.transfer_id, s.created_at, r.updated_at, s.load_id
FROM sims s JOIN sim_ranges r
  ON r.digits = length(s.iccid) AND s.iccid >= r.start_iccid AND s.iccid <= r.end_iccid;
DROP TABLE sims;
ALTER TABLE sims_owned_by_rows RENAME TO sims;
CREATE INDEX sims_org ON sims (org_id, iccid);
DROP TABLE sim_ranges;
