package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testSIMHistory covers what a SIM's history is read from: its load, the
// transfers whose ranges hold it (of its own length only), oldest first;
// and idempotency keys, kept once per actor and swept after a day.
func testSIMHistory(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "5200001")
	kid := mustChild(t, s, acc, "Kid")
	load := &tenantry.SIMLoad{ID: newID(), OrgID: acc.ID, ActorID: "op", Status: tenantry.SIMActive, SIMCount: 3}
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.CreateSIMLoad(ctx, load); err != nil {
			return err
		}
		return tx.InsertSIMs(ctx, acc.ID, tenantry.SIMActive, load.ID, []string{ICCID(1), ICCID(2), LongICCID(2)})
	})
	for i, r := range [][2]string{{ICCID(0), ICCID(1)}, {ICCID(2), ICCID(5)}, {LongICCID(0), LongICCID(9)}} {
		clock.Advance(time.Minute)
		update(t, s, func(tx tenantry.Tx) error {
			return tx.CreateTransfer(ctx, &tenantry.Transfer{ID: newID(), FromOrg: acc.ID, ToOrg: kid.ID, ActorID: "owner",
				SIMCount: int64(i + 1), Ranges: []tenantry.TransferRange{{Start: r[0], End: r[1], Moved: 1}}})
		})
	}
	if err := s.View(ctx, func(tx tenantry.Tx) error {
		l, ts, err := tx.SIMHistory(ctx, ICCID(2))
		if err != nil {
			return err
		}
		if l == nil || l.ID != load.ID || l.SIMCount != 3 || len(ts) != 1 || ts[0].Ranges[0].Start != ICCID(2) || ts[0].SIMCount != 2 {
			t.Fatalf("history of %s: %+v %+v", ICCID(2), l, ts)
		}
		if _, ts, _ := tx.SIMHistory(ctx, LongICCID(2)); len(ts) != 1 || ts[0].Ranges[0].End != LongICCID(9) {
			t.Fatalf("a 20-digit ICCID's transfers: %+v", ts)
		}
		if l, ts, _ := tx.SIMHistory(ctx, ICCID(7)); l != nil || len(ts) != 0 {
			t.Fatalf("an ICCID in no range: %+v %+v", l, ts)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	r := &tenantry.IdempotentResponse{ActorID: "a", Key: "k", Operation: "sims.transfer", RequestHash: "h", Response: `{"x":1}`}
	update(t, s, func(tx tenantry.Tx) error { return tx.PutIdempotentResponse(ctx, r) })
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.PutIdempotentResponse(ctx, r) }), tenantry.Conflict)
	other := *r
	other.ActorID = "b"
	update(t, s, func(tx tenantry.Tx) error { return tx.PutIdempotentResponse(ctx, &other) })
	update(t, s, func(tx tenantry.Tx) error {
		got, err := tx.IdempotentResponse(ctx, "a", "k")
		if err != nil || got.Response != `{"x":1}` || got.RequestHash != "h" {
			t.Fatalf("kept: %+v %v", got, err)
		}
		return nil
	})
	clock.Advance(25 * time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		_, err := tx.Sweep(ctx, tx.Now().Add(-24*time.Hour), tx.Now().Add(-30*24*time.Hour))
		return err
	})
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.IdempotentResponse(ctx, "a", "k"); return err }), tenantry.NotFound)
}
