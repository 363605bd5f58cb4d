-- Sign-in through a customer's own OpenID Connect provider (issue 13,
-- U8). An org's providers serve its subtree; a user names the one they
-- sign in with, matched by e-mail or a custom external login, and is
-- bound to the provider's subject at the first sign-in. require_idp is
-- the B4 lock that leaves local passwords to break-glass accounts only;
-- a session records how it proved its user (amr).

-- +goose Up
CREATE TABLE identity_providers (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    login_claim   TEXT NOT NULL,
    domains       TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT FALSE,
    trust_mfa     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX identity_providers_org ON identity_providers (org_id, name);
ALTER TABLE users ADD COLUMN idp_id TEXT REFERENCES identity_providers(id);
ALTER TABLE users ADD COLUMN external_login TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN external_login_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN idp_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN break_glass BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX users_idp ON users (idp_id);
ALTER TABLE orgs ADD COLUMN require_idp BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN amr;
ALTER TABLE orgs DROP COLUMN require_idp;
DROP INDEX users_idp;
ALTER TABLE users DROP COLUMN break_glass;
ALTER TABLE users DROP COLUMN idp_subject;
ALTER TABLE users DROP COLUMN external_login_key;
ALTER TABLE users DROP COLUMN external_login;
ALTER TABLE users DROP COLUMN idp_id;
DROP TABLE identity_providers;
