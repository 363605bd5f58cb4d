-- Services enabled per customer account (issue 12, seed 003): a grant
-- limited to a service names one enabled here; the account's whole tree
-- shares them.

-- +goose Up
CREATE TABLE account_services (
    account_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    service    TEXT NOT NULL,
    enabled_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, service)
);

-- +goose Down
DROP TABLE account_services;
