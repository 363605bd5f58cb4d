-- The operator lists an account's workflows with those of every
-- organization in it (issue 17, item 3): organizations by account.

-- +goose Up
CREATE INDEX orgs_account ON orgs (account_id);

-- +goose Down
DROP INDEX orgs_account;
