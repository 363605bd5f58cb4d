package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// countingStore is the real store, counting the transactions opened.
type countingStore struct {
	tenantry.Store
	n atomic.Int64
}

func (s *countingStore) View(ctx context.Context, fn func(tenantry.Tx) error) error {
	s.n.Add(1)
	return s.Store.View(ctx, fn)
}

func (s *countingStore) Update(ctx context.Context, fn func(tenantry.Tx) error) error {
	s.n.Add(1)
	return s.Store.Update(ctx, fn)
}

// TestForgotPasswordAnswersAfterTheSameWork is finding 15: the answer
// for an existing login took measurably longer. Before answering, both
// paths now open the same transactions; the lookup, the link and the mail
// come after.
func TestForgotPasswordAnswersAfterTheSameWork(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		e.account(op, "o@example.com")
		cs := &countingStore{Store: e.db}
		cfg := app.DefaultConfig()
		cfg.SecretKey = sqltest.SecretKey
		cfg.Password = auth.Params{Memory: 64, Time: 1, Threads: 1}
		cfg.Now = e.clock.Now
		a, err := app.New(cs, policy.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		release := app.HoldLater(a)
		mails := outboxSize(e)
		work := map[string]int64{}
		for _, login := range []string{"o@example.com", "nobody@example.com"} {
			before := cs.n.Load()
			if err := a.ForgotPassword(ctx, login, "127.0.0.1"); err != nil {
				t.Fatal(err)
			}
			work[login] = cs.n.Load() - before
		}
		if work["o@example.com"] != work["nobody@example.com"] {
			t.Fatalf("transactions before answering: %v", work)
		}
		if n := outboxSize(e); n != mails {
			t.Fatalf("the reset mail was made before answering (%d → %d): its time tells the login exists", mails, n)
		}
		release()
		if m := e.mailTo("o@example.com"); m == nil || mailToken(m) == "" {
			t.Fatal("no reset mail after the work ran")
		}
	})
}

// outboxSize counts the queued mail without waiting for held work.
func outboxSize(e *env) int {
	var n int
	e.db.View(ctx, func(tx tenantry.Tx) error { all, err := tx.Outbox(ctx, 10000); n = len(all); return err })
	return n
}
