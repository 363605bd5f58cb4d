-- The account lifecycle: the mail outbox and the dev mailbox, TOTP and
-- recovery codes, sign-in throttling, invitations of people who already
-- have a login, and public ids for sessions.

-- +goose Up
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN pending_mfa BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sessions_id ON sessions (id);

-- Messages are inserted in the transaction of the change that causes
-- them; the dispatcher claims due rows, sends them and records the outcome.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         BIGINT NOT NULL DEFAULT 0,
    failed_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (due_at) WHERE sent_at = 0 AND failed_at = 0;

-- Where mail goes when no SMTP server is configured.
CREATE TABLE mailbox (
    id           TEXT PRIMARY KEY,
    outbox_id    TEXT NOT NULL,
    to_addr      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    html_body    TEXT NOT NULL DEFAULT '',
    delivered_at BIGINT NOT NULL
);

CREATE TABLE totp (
    user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    confirmed  BOOLEAN NOT NULL DEFAULT FALSE,
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash    TEXT NOT NULL,
    used_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, hash)
);

-- One row per throttled key (a login, a source address, a user's TOTP).
CREATE TABLE throttle (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    next_at  BIGINT NOT NULL
);

CREATE TABLE invitations (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    roles      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX invitations_org ON invitations (org_id, status, created_at);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (org_id, user_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE invitations;
DROP TABLE throttle;
DROP TABLE recovery_codes;
DROP TABLE totp;
DROP TABLE mailbox;
DROP TABLE outbox;
DROP INDEX sessions_id;
ALTER TABLE sessions DROP COLUMN pending_mfa;
ALTER TABLE sessions DROP COLUMN id;
