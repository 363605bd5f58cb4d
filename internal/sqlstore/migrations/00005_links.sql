-- People of other organizations linked to an org by an accepted
-- invitation (U4): the org's user list shows them beside its own people.

-- +goose Up
CREATE TABLE links (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

-- +goose Down
DROP TABLE links;
