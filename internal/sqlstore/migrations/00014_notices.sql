-- News and alerts (issue 12, seed 002): an operator or a tenant admin
-- publishes to an org's subtree (the platform's: every customer); the
-- subscribed people get it by e-mail through the outbox, and the portal
-- lists it. texts holds the title and body per language as JSON.

-- +goose Up
CREATE TABLE notices (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    target_org TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    texts      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    recipients INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_target ON notices (target_org, created_at);
CREATE INDEX notices_org ON notices (org_id, created_at);

-- +goose Down
DROP TABLE notices;
