package app

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// MailRetention is how long sent mail stays in the outbox and dev mailbox.
const MailRetention = 30 * 24 * time.Hour

// Sweep removes expired sessions and tokens, idle throttle rows, used
// idempotency keys, old mail and, with a retention set, old audit events. Every instance may run it; the deletes do not conflict.
func (a *App) Sweep(ctx context.Context) (map[string]int64, error) {
	var out map[string]int64
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		// A throttle row whose wait ended a day ago counts for nothing more.
		var err error
		if out, err = tx.Sweep(ctx, now.Add(-24*time.Hour), now.Add(-MailRetention)); err != nil {
			return err
		}
		if a.cfg.AuditRetention > 0 {
			out["events"], err = tx.DeleteEventsBefore(ctx, now.Add(-a.cfg.AuditRetention))
		}
		return err
	})
	return out, err
}
