-- The foundation: organizations, users, role grants, one-time tokens,
-- sessions and audit events. Times are Unix microseconds (0 = none), so the
-- same SQL runs on SQLite and PostgreSQL. *_key columns hold lower-cased
-- copies for case-insensitive prefix search and keyset paging; COLLATE_BYTES
-- makes them compare bytewise on both databases (see migrate.go).

-- +goose Up
CREATE TABLE orgs (
    id                   TEXT PRIMARY KEY,
    parent_id            TEXT REFERENCES orgs(id),
    account_id           TEXT REFERENCES orgs(id),
    kind                 TEXT NOT NULL,
    type                 TEXT NOT NULL DEFAULT '',
    name                 TEXT NOT NULL,
    account_number       TEXT UNIQUE,
    status               TEXT NOT NULL,
    channel              TEXT NOT NULL,
    require_2fa          BOOLEAN NOT NULL DEFAULT FALSE,
    self_managed_profile BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id, name);
CREATE UNIQUE INDEX orgs_one_platform ON orgs (kind) WHERE kind = 'platform';

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES orgs(id),
    kind                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    email                TEXT NOT NULL DEFAULT '',
    email_key            TEXT COLLATE_BYTES NOT NULL DEFAULT '',
    login                TEXT NOT NULL,
    login_key            TEXT COLLATE_BYTES NOT NULL,
    first_name           TEXT NOT NULL,
    first_name_key       TEXT COLLATE_BYTES NOT NULL,
    last_name            TEXT NOT NULL,
    last_name_key        TEXT COLLATE_BYTES NOT NULL,
    phone                TEXT NOT NULL DEFAULT '',
    job_title            TEXT NOT NULL DEFAULT '',
    language             TEXT NOT NULL DEFAULT 'en',
    contact_billing      BOOLEAN NOT NULL DEFAULT FALSE,
    contact_technical    BOOLEAN NOT NULL DEFAULT FALSE,
    contact_business     BOOLEAN NOT NULL DEFAULT FALSE,
    notify_news          BOOLEAN NOT NULL DEFAULT FALSE,
    notify_alerts        BOOLEAN NOT NULL DEFAULT FALSE,
    initial_owner        BOOLEAN NOT NULL DEFAULT FALSE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash        TEXT NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    last_sign_in_at      BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_login ON users (login_key);
CREATE UNIQUE INDEX users_org_email ON users (org_id, email_key) WHERE email_key <> '';
CREATE INDEX users_org_last_name ON users (org_id, last_name_key, id);
CREATE INDEX users_org_first_name ON users (org_id, first_name_key, id);
CREATE INDEX users_org_login ON users (org_id, login_key, id);
CREATE INDEX users_org_email_sort ON users (org_id, email_key, id);
CREATE INDEX users_org_created ON users (org_id, created_at, id);

CREATE TABLE grants (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    role       TEXT NOT NULL,
    service    TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX grants_unique ON grants (user_id, org_id, role, service);
CREATE INDEX grants_org ON grants (org_id, user_id);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id, purpose);

CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Audit events keep no foreign keys: they outlive what they describe.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL DEFAULT '',
    actor_id    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    ip          TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX events_org ON events (org_id, id);

-- +goose Down
DROP TABLE events;
DROP TABLE sessions;
DROP TABLE tokens;
DROP TABLE grants;
DROP TABLE users;
DROP TABLE orgs;
