-- Invitations go to an address, whether or not it has a login yet (the
-- security audit's finding 13: the answer must not tell). user_id is set
-- when the address has a login, and when the invitee creates one on
-- accepting; one pending invitation per org and person, or per org and
-- address for an address without a login.

-- +goose Up
CREATE TABLE invitations_new (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    roles      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO invitations_new (id, org_id, user_id, email, roles, token_hash, status, expires_at, created_by, created_at, updated_at)
    SELECT id, org_id, user_id, email, roles, token_hash, status, expires_at, created_by, created_at, updated_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX invitations_org ON invitations (org_id, status, created_at);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (org_id, user_id) WHERE status = 'pending' AND user_id IS NOT NULL;
CREATE UNIQUE INDEX invitations_one_pending_address ON invitations (org_id, email) WHERE status = 'pending' AND user_id IS NULL;

-- +goose Down
DELETE FROM invitations WHERE user_id IS NULL;
DROP INDEX invitations_one_pending_address;
