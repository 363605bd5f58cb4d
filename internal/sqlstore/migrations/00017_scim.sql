-- SCIM 2.0 provisioning per organization (issue 15, B7). An org that
-- turns SCIM on gets a connection: a service account that acts for the
-- customer's directory with the role the administrator chose, and the
-- hash of the bearer token the directory sends. A person the directory
-- created or claimed carries its externalId and is marked managed, so the
-- org can keep hand edits away from them.

-- +goose Up
CREATE TABLE scim_connections (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL,
    token_hint    TEXT NOT NULL,
    default_role  TEXT NOT NULL,
    idp_id        TEXT NOT NULL DEFAULT '',
    on_delete     TEXT NOT NULL,
    exclusive     BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX scim_connections_token ON scim_connections (token_hash);
ALTER TABLE users ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN scim_managed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX users_org_external_id ON users (org_id, external_id) WHERE external_id <> '';
-- SCIM pages an org's people oldest first by offset and counts them: an
-- index that holds all three lets both skip rows without reading them.
CREATE INDEX users_org_kind_created ON users (org_id, kind, created_at, id);

-- +goose Down
DROP INDEX users_org_kind_created;
DROP INDEX users_org_external_id;
ALTER TABLE users DROP COLUMN scim_managed;
ALTER TABLE users DROP COLUMN external_id;
DROP TABLE scim_connections;
