-- Tenantry as the OpenID Provider of the portal's applications (issue 14).
-- A relying party is an application (a platform API user with the role
-- application, whose client id and secret it uses) with the redirect URIs
-- it may use. Authorization requests wait here between the application's
-- redirect and the code exchange, so any instance can finish one; refresh
-- tokens are rotated per use and a family ends when a used one comes back.

-- +goose Up
CREATE TABLE relying_parties (
    client_id      TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    public         BOOLEAN NOT NULL DEFAULT FALSE,
    redirect_uris  TEXT NOT NULL,
    logout_uris    TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE TABLE oidc_requests (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES relying_parties(client_id) ON DELETE CASCADE,
    request        TEXT NOT NULL,
    user_id        TEXT NOT NULL DEFAULT '',
    org_id         TEXT NOT NULL DEFAULT '',
    amr            TEXT NOT NULL DEFAULT '',
    auth_time      BIGINT NOT NULL DEFAULT 0,
    code_hash      TEXT,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX oidc_requests_code ON oidc_requests (code_hash);
CREATE TABLE oidc_refresh_tokens (
    hash           TEXT PRIMARY KEY,
    family         TEXT NOT NULL,
    client_id      TEXT NOT NULL REFERENCES relying_parties(client_id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id         TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    amr            TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    used           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX oidc_refresh_family ON oidc_refresh_tokens (family);
CREATE INDEX oidc_refresh_user ON oidc_refresh_tokens (user_id);

-- +goose Down
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_requests;
DROP TABLE relying_parties;
