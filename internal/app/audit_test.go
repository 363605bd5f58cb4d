package app_test

import (
	"testing"

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
