-- The mail and webhook dispatchers claim due rows in the order (due_at,
-- id), but the pending indexes held due_at alone. A bulk import queues
-- thousands of activation mails with one due_at, so every claim of 50
-- read and sorted all of them again (17 % of an import's CPU at 20,000
-- people, issue 16); with id in the index the claim reads its 50 rows in
-- order and stops.

-- +goose Up
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (due_at, id) WHERE sent_at = 0 AND failed_at = 0;
DROP INDEX webhook_deliveries_pending;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (due_at, id) WHERE delivered_at = 0 AND failed_at = 0;

-- +goose Down
DROP INDEX webhook_deliveries_pending;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (due_at) WHERE delivered_at = 0 AND failed_at = 0;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (due_at) WHERE sent_at = 0 AND failed_at = 0;
