// Package outbox holds what every outbox dispatcher (mail, webhooks)
// shares: the loop that drains what is due, then waits until a change
// wakes it or the interval passes.
package outbox

import (
	"context"
	"log/slog"
	"time"
)

// Loop wakes a dispatcher. The zero Loop is not usable: make it with New.
type Loop struct {
	wake chan struct{}
}

// New returns a loop.
func New() Loop { return Loop{wake: make(chan struct{}, 1)} }

// Wake asks a running loop to drain now; it never blocks, and wakes
// asked for while draining are one more round.
func (l Loop) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run calls drain whenever woken, and every interval in any case, until
// ctx ends; what names the work in the log line of a failed round.
func (l Loop) Run(ctx context.Context, interval time.Duration, log *slog.Logger, what string, drain func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := drain(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, what, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.wake:
		}
	}
}
