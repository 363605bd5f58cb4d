package storetest

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// simModel is what the store should say of every SIM: its owner and its
// last move, kept per SIM as the store kept it before ranges.
type simModel map[string]struct {
	org, transfer string
	at            time.Time
}

// testSIMRanges checks ownership kept as ranges against a per-SIM model:
// loads that interleave with another org's SIMs and fall in the gaps of
// its ranges, then random moves that split and merge ranges, full and
// sparse, of 19 and 20 digits, each followed by every org's full listing,
// counts of random ranges and single SIMs.
func testSIMRanges(t *testing.T, s tenantry.Store, clock *Clock) {
	a := mustAccount(t, s, "61")
	kid, kid2 := mustChild(t, s, a, "Kid"), mustChild(t, s, a, "Kid 2")
	b := mustAccount(t, s, "62")
	orgs := []string{a.ID, kid.ID, kid2.ID, b.ID}
	model := simModel{}
	load := func(org string, ids []string) {
		t.Helper()
		update(t, s, func(tx tenantry.Tx) error { return tx.InsertSIMs(ctx, org, tenantry.SIMActive, "", ids) })
		for _, id := range ids {
			model[id] = struct {
				org, transfer string
				at            time.Time
			}{org, "", clock.Now()}
		}
		clock.Advance(time.Second)
	}
	var first, evens, odds, long, late []string
	for i := 0; i < 300; i++ {
		first = append(first, ICCID(i))
	}
	for i := 300; i < 400; i++ {
		if i%2 == 0 {
			evens = append(evens, ICCID(i))
		} else {
			odds = append(odds, ICCID(i))
		}
	}
	for i := 0; i < 120; i++ {
		long = append(long, LongICCID(i*3))
	}
	for i := 400; i < 500; i += 5 {
		late = append(late, ICCID(i))
	}
	load(a.ID, first)
	load(a.ID, evens)
	load(b.ID, odds) // each between two of a's
	slices.Reverse(long)
	load(a.ID, long) // sparse, given backwards
	load(a.ID, late)
	// New SIMs in the gaps of a's sparse ranges, for b.
	load(b.ID, []string{ICCID(402), ICCID(403), LongICCID(4), LongICCID(7)})

	check := func(step string) {
		t.Helper()
		seen := map[string]string{}
		for _, org := range orgs {
			var listed []string
			f := tenantry.SIMFilter{OrgID: org, Limit: 37}
			for {
				var page []*tenantry.SIM
				var next string
				s.View(ctx, func(tx tenantry.Tx) error {
					var err error
					page, next, err = tx.ListSIMs(ctx, f)
					return err
				})
				for _, sim := range page {
					listed = append(listed, sim.ICCID)
					if prev, dup := seen[sim.ICCID]; dup {
						t.Fatalf("%s: %s listed by %s and %s", step, sim.ICCID, prev, org)
					}
					seen[sim.ICCID] = org
					want := model[sim.ICCID]
					if want.org != org || sim.OrgID != org || sim.TransferID != want.transfer || !sim.UpdatedAt.Equal(want.at) {
						t.Fatalf("%s: %s listed by %s as %+v, want %+v", step, sim.ICCID, org, sim, want)
					}
				}
				if next == "" {
					break
				}
				f.Cursor = next
			}
			if !slices.IsSortedFunc(listed, sims.Compare) {
				t.Fatalf("%s: %s's SIMs out of order", step, org)
			}
		}
		if len(seen) != len(model) {
			t.Fatalf("%s: %d SIMs listed, %d exist", step, len(seen), len(model))
		}
	}
	check("after the loads")

	rng := rand.New(rand.NewPCG(16, 1))
	pick := func() sims.Range {
		if rng.IntN(3) == 0 {
			lo := rng.IntN(380)
			return sims.Range{Start: LongICCID(lo), End: LongICCID(lo + rng.IntN(40))}
		}
		lo := rng.IntN(520)
		return sims.Range{Start: ICCID(lo), End: ICCID(lo + rng.IntN(150))}
	}
	owned := func(org string, r sims.Range) (n int64) {
		for id, m := range model {
			if m.org == org && len(id) == len(r.Start) && id >= r.Start && id <= r.End {
				n++
			}
		}
		return n
	}
	for round := 0; round < 60; round++ {
		from, to := orgs[rng.IntN(len(orgs))], orgs[rng.IntN(len(orgs))]
		// One to four ranges that do not overlap, in order, as a transfer
		// gives them.
		var moves []tenantry.TransferRange
		for len(moves) < 1+rng.IntN(4) {
			r := pick()
			if !slices.ContainsFunc(moves, func(m tenantry.TransferRange) bool {
				return r.Overlaps(sims.Range{Start: m.Start, End: m.End})
			}) {
				moves = append(moves, tenantry.TransferRange{Start: r.Start, End: r.End})
			}
		}
		slices.SortFunc(moves, func(x, y tenantry.TransferRange) int { return sims.Compare(x.Start, y.Start) })
		want := make([]int64, len(moves))
		for i, m := range moves {
			want[i] = owned(from, sims.Range{Start: m.Start, End: m.End})
		}
		probe := pick()
		transfer := newID()
		update(t, s, func(tx tenantry.Tx) error {
			if n, err := tx.CountRange(ctx, from, probe.Start, probe.End); err != nil || n != owned(from, probe) {
				t.Fatalf("round %d: %v counts %d, want %d (%v)", round, probe, n, owned(from, probe), err)
			}
			if err := tx.MoveRanges(ctx, from, to, transfer, moves); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for i, m := range moves {
				if m.Moved != want[i] {
					t.Fatalf("round %d: moving %s..%s moved %d, want %d", round, m.Start, m.End, m.Moved, want[i])
				}
			}
			return nil
		})
		for id, m := range model {
			for _, r := range moves {
				if m.org == from && len(id) == len(r.Start) && id >= r.Start && id <= r.End {
					m.org, m.transfer, m.at = to, transfer, clock.Now()
					model[id] = m
				}
			}
		}
		clock.Advance(time.Second)
		if round%4 == 3 {
			check("after round " + time.Duration(round).String())
		}
	}
	s.View(ctx, func(tx tenantry.Tx) error {
		for id, m := range model {
			sim, err := tx.SIM(ctx, id)
			if err != nil || sim.OrgID != m.org || sim.TransferID != m.transfer {
				t.Fatalf("SIM %s: %+v %v, want %+v", id, sim, err, m)
			}
		}
		if _, err := tx.SIM(ctx, ICCID(401)); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("an ICCID in a range but no SIM: %v", err)
		}
		// Filters: a prefix and a status, across ranges.
		page, _, err := tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: b.ID, Prefix: ICCID(400)[:16], Status: tenantry.SIMActive, Limit: 500})
		if err != nil {
			return err
		}
		var want []string
		for id, m := range model {
			if m.org == b.ID && id[:16] == ICCID(400)[:16] {
				want = append(want, id)
			}
		}
		slices.SortFunc(want, sims.Compare)
		var got []string
		for _, sim := range page {
			got = append(got, sim.ICCID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("prefix %s: %v, want %v", ICCID(400)[:16], got, want)
		}
		return nil
	})
}

// testSIMRangesMergeOnlyWhatTheyRead is the case the windows of an edit
// exist for: a part placed where the range before it lost its start,
// while the nearest range in memory has the same owner and move but lies
// beyond another org's ranges that the edit never read. Merging the two
// would give those ranges' SIMs away.
func testSIMRangesMergeOnlyWhatTheyRead(t *testing.T, s tenantry.Store, clock *Clock) {
	a := mustAccount(t, s, "63")
	kid := mustChild(t, s, a, "Kid")
	b := mustAccount(t, s, "64")
	load := func(org string, ns ...int) {
		var ids []string
		for _, n := range ns {
			ids = append(ids, ICCID(n))
		}
		update(t, s, func(tx tenantry.Tx) error { return tx.InsertSIMs(ctx, org, tenantry.SIMActive, "", ids) })
		clock.Advance(time.Second)
	}
	load(a.ID, 100, 101, 102, 103, 104, 105)
	load(b.ID, 200, 201)
	load(b.ID, 220, 221)
	load(a.ID, 300, 302, 304, 306)
	move := func(tx tenantry.Tx, from, to, transfer string, spans ...[2]int) {
		t.Helper()
		var moves []tenantry.TransferRange
		for _, sp := range spans {
			moves = append(moves, tenantry.TransferRange{Start: ICCID(sp[0]), End: ICCID(sp[1])})
		}
		if err := tx.MoveRanges(ctx, from, to, transfer, moves); err != nil {
			t.Fatal(err)
		}
	}
	// a's sparse range now starts at 301, where no SIM is.
	update(t, s, func(tx tenantry.Tx) error { move(tx, a.ID, kid.ID, newID(), [2]int{300, 300}); return nil })
	clock.Advance(time.Second)
	transfer := newID()
	update(t, s, func(tx tenantry.Tx) error {
		move(tx, a.ID, kid.ID, transfer, [2]int{100, 105})
		// 90..99 reads kid's new 100..105 as the range after it; 302..306
		// takes a's range from 301 whole, so kid's part there has kid's
		// 100..105 as its nearest neighbour in memory, with b's between.
		move(tx, a.ID, kid.ID, transfer, [2]int{90, 99}, [2]int{302, 306})
		return nil
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		for _, n := range []int{200, 201, 220, 221} {
			if sim, err := tx.SIM(ctx, ICCID(n)); err != nil || sim.OrgID != b.ID {
				t.Fatalf("b's SIM %d: %+v %v", n, sim, err)
			}
		}
		page, _, err := tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: kid.ID, Limit: 50})
		if err != nil || len(page) != 10 {
			t.Fatalf("kid lists %d SIMs (%v), want 10", len(page), err)
		}
		if n, err := tx.CountRange(ctx, kid.ID, ICCID(0), ICCID(999)); err != nil || n != 10 {
			t.Fatalf("kid counts %d (%v), want 10", n, err)
		}
		return nil
	})
}
