package sqlstore

import (
	"context"
	"time"
)

// Sweep deletes what has run out.
func (tx *Tx) Sweep(ctx context.Context, idleBefore, doneBefore time.Time) (map[string]int64, error) {
	now, idle, done := micros(tx.now), micros(idleBefore), micros(doneBefore)
	out := map[string]int64{}
	for _, q := range []struct {
		table, query string
		args         []any
	}{
		{"sessions", `DELETE FROM sessions WHERE expires_at <= $1`, []any{now}},
		{"tokens", `DELETE FROM tokens WHERE expires_at <= $1 OR used_at <> 0`, []any{now}},
		{"revoked_tokens", `DELETE FROM revoked_tokens WHERE expires_at <= $1`, []any{now}},
		{"throttle", `DELETE FROM throttle WHERE next_at < $1`, []any{idle}},
		{"idempotency_keys", `DELETE FROM idempotency_keys WHERE created_at < $1`, []any{idle}},
		{"outbox", `DELETE FROM outbox WHERE (sent_at <> 0 AND sent_at < $1) OR (failed_at <> 0 AND failed_at < $1)`, []any{done}},
		{"mailbox", `DELETE FROM mailbox WHERE delivered_at < $1`, []any{done}},
		{"jobs", `DELETE FROM jobs WHERE status <> 'running' AND finished_at < $1`, []any{done}},
	} {
		res, err := tx.exec(ctx, q.query, q.args...)
		if err != nil {
			return nil, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, translate(err)
		}
		out[q.table] = n
	}
	return out, nil
}
