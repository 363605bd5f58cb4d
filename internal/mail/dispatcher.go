// Package mail delivers the e-mail that use cases put in the outbox: a
// dispatcher claims due messages, hands each to a transport (SMTP, or the
// dev mailbox when no SMTP server is configured) and records the outcome,
// retrying with backoff. Delivery is at least once; a message sent twice
// after a crash carries the same Message-ID and content both times.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tenantry/tenantry/internal/outbox"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Transport delivers one message.
type Transport interface {
	Send(ctx context.Context, m *tenantry.Mail) error
}

// Dispatcher sends the outbox. Several dispatchers, in one process or in
// many instances on one PostgreSQL, never claim the same message at once.
type Dispatcher struct {
	store     tenantry.Store
	transport Transport
	log       *slog.Logger
	// Batch is how many messages one round claims.
	Batch int
	// Lease is how long a claimed message is left to its claimer; after
	// that (the claimer died between claim and outcome) it is claimed again.
	Lease time.Duration
	// MaxAttempts is how often a message is tried before it is given up.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles each time.
	Backoff time.Duration

	loop outbox.Loop

	sent, failed, givenUp atomic.Int64
}

// Stats counts what this dispatcher did since it started.
type Stats struct {
	Sent, Failed, GivenUp int64
}

// Stats returns the dispatcher's counts, for metrics.
func (d *Dispatcher) Stats() Stats {
	return Stats{Sent: d.sent.Load(), Failed: d.failed.Load(), GivenUp: d.givenUp.Load()}
}

// NewDispatcher returns a dispatcher with sensible defaults.
func NewDispatcher(store tenantry.Store, t Transport, log *slog.Logger) *Dispatcher {
	return &Dispatcher{store: store, transport: t, log: log, Batch: 20, Lease: time.Minute,
		MaxAttempts: 10, Backoff: 30 * time.Second, loop: outbox.New()}
}

// Wake asks a running dispatcher to look at the outbox now.
func (d *Dispatcher) Wake() { d.loop.Wake() }

// Run sends due messages whenever woken, and every interval in any case,
// until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	d.loop.Run(ctx, interval, d.log, "mail dispatch", d.Drain)
}

// Drain runs rounds until no message is due now, and returns how many
// were delivered.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		sent, claimed, err := d.RunOnce(ctx)
		total += sent
		if err != nil || claimed == 0 {
			return total, err
		}
	}
}

// RunOnce claims one batch of due messages and tries to deliver each. It
// returns how many were delivered and how many were claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (sent, claimed int, err error) {
	batch, err := d.Claim(ctx)
	if err != nil {
		return 0, 0, err
	}
	for i, m := range batch {
		if ctx.Err() != nil {
			// Shutting down: the message in flight was finished; give
			// the rest back, so they go at once, not after their lease.
			return sent, len(batch), d.release(batch[i:])
		}
		if err := d.Deliver(ctx, m); err == nil {
			sent++
		}
	}
	return sent, len(batch), nil
}

// release gives claimed messages back for any dispatcher to send now.
func (d *Dispatcher) release(batch []*tenantry.Mail) error {
	ids := make([]string, len(batch))
	for i, m := range batch {
		ids[i] = m.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return d.store.Update(ctx, func(tx tenantry.Tx) error { return tx.ReleaseMail(ctx, ids) })
}

// sendTimeout bounds one SMTP transaction, which a shutdown lets finish:
// a message the relay took is recorded as sent, never sent again.
const sendTimeout = time.Minute

// Claim leases one batch of due messages.
func (d *Dispatcher) Claim(ctx context.Context) ([]*tenantry.Mail, error) {
	var batch []*tenantry.Mail
	err := d.store.Update(ctx, func(tx tenantry.Tx) error {
		var err error
		batch, err = tx.ClaimMail(ctx, d.Batch, tx.Now().Add(d.Lease))
		return err
	})
	return batch, err
}

// Deliver sends one claimed message and records the outcome: sent, or a
// retry after a doubling backoff, or given up after MaxAttempts.
func (d *Dispatcher) Deliver(ctx context.Context, m *tenantry.Mail) error {
	// Not cut short by a shutdown: once begun, the SMTP transaction and
	// its record finish (within sendTimeout).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	sendErr := d.transport.Send(ctx, m)
	err := d.store.Update(ctx, func(tx tenantry.Tx) error {
		if sendErr == nil {
			return tx.MailSent(ctx, m.ID)
		}
		var retryAt time.Time
		if m.Attempts < d.MaxAttempts {
			retryAt = tx.Now().Add(d.Backoff << (m.Attempts - 1))
		}
		return tx.MailFailed(ctx, m.ID, truncate(sendErr.Error(), 500), retryAt)
	})
	switch {
	case sendErr == nil && err == nil:
		d.sent.Add(1)
	case sendErr != nil && m.Attempts >= d.MaxAttempts:
		d.givenUp.Add(1)
		d.failed.Add(1)
	case sendErr != nil:
		d.failed.Add(1)
	}
	if sendErr != nil {
		d.log.WarnContext(ctx, "mail not delivered", "id", m.ID, "attempt", m.Attempts, "err", sendErr)
		return fmt.Errorf("deliver %s: %w", m.ID, sendErr)
	}
	if err != nil {
		return err
	}
	d.log.InfoContext(ctx, "mail delivered", "id", m.ID, "subject", m.Subject)
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
