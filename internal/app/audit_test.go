package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestAuditExportReadsEveryBatch: an export of more events than one
// batch holds reads them all, newest first, each once, and refuses
// someone who may not read the log before reading anything.
func TestAuditExportReadsEveryBatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		acc, owner := e.account(e.operator(), "owner@acme.example")
		const n = 2_345
		e.must(e.db.Update(ctx, func(tx tenantry.Tx) error {
			for range n {
				if err := tx.AddEvent(ctx, &tenantry.Event{OrgID: acc.ID, Action: "test.bulk", TargetType: "org", TargetID: acc.ID}); err != nil {
					return err
				}
			}
			return nil
		}))
		x, err := e.app.ExportAudit(ctx, owner, tenantry.EventFilter{OrgID: acc.ID, ActionPrefix: "test."})
		e.must(err)
		seen, last := map[string]bool{}, "\U0010FFFF"
		for {
			batch, err := x.Next(ctx)
			e.must(err)
			if len(batch) == 0 {
				break
			}
			for _, ev := range batch {
				if seen[ev.ID] || ev.ID >= last {
					t.Fatalf("event %s twice or out of order", ev.ID)
				}
				seen[ev.ID], last = true, ev.ID
			}
		}
		if len(seen) != n {
			t.Fatalf("exported %d events, want %d", len(seen), n)
		}
		e.person(owner, acc, "user@acme.example", "user")
		if _, err := e.app.ExportAudit(ctx, e.signIn("user@acme.example"), tenantry.EventFilter{OrgID: acc.ID}); tenantry.ErrorCode(err) != tenantry.Forbidden {
			t.Fatalf("a User's export: %v", err)
		}
	})
}

// TestGrantEndWarnings: 7 days and 1 day before a grant ends, its holder
// and the administrators who may give it again are e-mailed, once each,
// however often the sweep runs.
func TestGrantEndWarnings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		acc, owner := e.account(e.operator(), "owner@acme.example")
		e.person(owner, acc, "admin@acme.example", "admin")
		holder := e.person(owner, acc, "holder@acme.example", "user")
		_, err := e.app.GrantRole(ctx, owner, holder.ID, app.NewGrant{Role: "read_only", ExpiresAt: e.clock.Now().Add(5 * 24 * time.Hour)})
		e.must(err)
		count := func() map[string]int {
			e.app.Settle()
			out := map[string]int{}
			e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
				all, err := tx.Outbox(ctx, 1000)
				for _, m := range all {
					if strings.HasPrefix(m.Subject, "Access ends on") && strings.Contains(m.Text, "Read only") {
						out[m.To]++
					}
				}
				return err
			}))
			return out
		}
		for range 2 {
			_, err := e.app.Sweep(ctx)
			e.must(err)
		}
		got := count()
		if got["holder@acme.example"] != 1 || got["owner@acme.example"] != 1 || got["admin@acme.example"] != 1 || len(got) != 3 {
			t.Fatalf("warnings a week before: %v", got)
		}
		e.clock.Advance(4*24*time.Hour + 12*time.Hour)
		_, err = e.app.Sweep(ctx)
		e.must(err)
		if got := count(); got["holder@acme.example"] != 2 || got["admin@acme.example"] != 2 {
			t.Fatalf("warnings a day before: %v", got)
		}
	})
}
