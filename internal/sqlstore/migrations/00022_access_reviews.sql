-- Access reviews (issue 15, B1): an org's administrators confirm or revoke
-- every role held in the org (and below it) by a due date. The items copy
-- what was held when the review started, with the holder's and the org's
-- names, so the decisions stay readable evidence after people and roles go.

-- +goose Up
CREATE TABLE access_reviews (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    subtree        BOOLEAN NOT NULL,
    end_unreviewed BOOLEAN NOT NULL,
    due_at         BIGINT NOT NULL,
    status         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    closed_at      BIGINT NOT NULL DEFAULT 0,
    closed_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_reviews_org ON access_reviews (org_id, created_at);
CREATE INDEX access_reviews_due ON access_reviews (due_at) WHERE status = 'open';

CREATE TABLE access_review_items (
    id               TEXT PRIMARY KEY,
    review_id        TEXT NOT NULL REFERENCES access_reviews(id) ON DELETE CASCADE,
    grant_id         TEXT NOT NULL,
    org_id           TEXT NOT NULL,
    org_name         TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    login            TEXT NOT NULL,
    name             TEXT NOT NULL,
    user_kind        TEXT NOT NULL,
    role             TEXT NOT NULL,
    service          TEXT NOT NULL,
    granted_at       BIGINT NOT NULL,
    granted_by       TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    decision         TEXT NOT NULL DEFAULT '',
    decided_by       TEXT NOT NULL DEFAULT '',
    decided_by_login TEXT NOT NULL DEFAULT '',
    decided_at       BIGINT NOT NULL DEFAULT 0,
    note             TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_review_items_review ON access_review_items (review_id, org_name, org_id, login, role, service);

-- +goose Down
DROP TABLE access_review_items;
DROP TABLE access_reviews;
