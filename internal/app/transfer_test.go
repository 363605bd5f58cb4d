package app_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestConcurrentOverlappingTransfers: 100 transfers of overlapping ranges
// from an account to its child, 16 at a time. Every SIM ends with exactly
// one owner, the totals add up, and each moved SIM belongs to exactly one
// committed transfer whose ranges hold it. (All 100 at once queued on
// PostgreSQL's range lock past its 60 s statement timeout on a loaded
// 2-core machine under -race; 16 keep every connection of the pool busy.)
func TestConcurrentOverlappingTransfers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		child, _, err := e.app.CreateSubOrg(ctx, owner, acc.ID, app.NewSubOrg{Name: "Child",
			Owner: app.NewUser{Email: "c@example.com", FirstName: "C", LastName: "O"}})
		e.must(err)
		e.activate("c@example.com")
		const total = 500
		var all []string
		for i := 0; i < total; i++ {
			all = append(all, storetest.ICCID(i))
		}
		_, err = e.app.ImportSIMs(ctx, op, acc.ID, "", all, nil)
		e.must(err)
		rng := rand.New(rand.NewPCG(7, 9))
		var reqs []app.TransferRequest
		for i := 0; i < 100; i++ {
			var ranges []sims.Range
			for k := 0; k < 3; k++ { // three disjoint ranges per transfer
				a := k*170 + rng.IntN(120)
				ranges = append(ranges, sims.Range{Start: storetest.ICCID(a), End: storetest.ICCID(a + rng.IntN(50))})
			}
			reqs = append(reqs, app.TransferRequest{From: acc.ID, To: child.ID, Ranges: ranges})
		}
		results := make([]*app.TransferResult, len(reqs))
		var wg sync.WaitGroup
		slots := make(chan struct{}, 16)
		for i := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				slots <- struct{}{}
				defer func() { <-slots }()
				res, err := e.app.Transfer(ctx, owner, reqs[i])
				switch tenantry.ErrorCode(err) {
				case "":
					results[i] = res
				case tenantry.NothingToTransfer:
				default:
					t.Errorf("transfer %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		var moved int64
		byTransfer := map[string]*app.TransferResult{}
		for _, r := range results {
			if r != nil {
				moved += r.Moved
				byTransfer[r.ID] = r
			}
		}
		e.must(e.db.View(context.Background(), func(tx tenantry.Tx) error {
			var inChild int64
			for _, id := range all {
				s, err := tx.SIM(ctx, id)
				if err != nil {
					return err
				}
				switch s.OrgID {
				case acc.ID:
					if s.TransferID != "" {
						t.Errorf("%s stayed but names transfer %s", id, s.TransferID)
					}
				case child.ID:
					inChild++
					r, ok := byTransfer[s.TransferID]
					if !ok {
						t.Fatalf("%s moved by %q, not a committed transfer", id, s.TransferID)
					}
					held := false
					for _, rr := range r.Ranges {
						held = held || (rr.Start <= id && id <= rr.End)
					}
					if !held {
						t.Fatalf("%s credited to a transfer whose ranges do not hold it", id)
					}
				default:
					t.Fatalf("%s owned by %s", id, s.OrgID)
				}
			}
			a, _ := tx.Org(ctx, acc.ID)
			c, _ := tx.Org(ctx, child.ID)
			if inChild != moved || c.SIMCount != moved || a.SIMCount+c.SIMCount != total {
				t.Fatalf("moved %d, child holds %d (count %d), account count %d", moved, inChild, c.SIMCount, a.SIMCount)
			}
			return nil
		}))
		t.Logf("%d committed transfers moved %d SIMs", len(byTransfer), moved)
	})
}
