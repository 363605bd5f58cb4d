package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// ICCID returns the n-th test ICCID of 19 digits.
func ICCID(n int) string { return sims.WithCheckDigit(fmt.Sprintf("894900000%09d", n)) }

// LongICCID returns the n-th test ICCID of 20 digits.
func LongICCID(n int) string { return sims.WithCheckDigit(fmt.Sprintf("8949000000%09d", n)) }

func mustChild(t *testing.T, s tenantry.Store, parent *tenantry.Org, name string) *tenantry.Org {
	t.Helper()
	o := &tenantry.Org{ID: newID(), ParentID: parent.ID, AccountID: parent.AccountID, Kind: tenantry.OrgSub, Name: name,
		Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOrg(ctx, o) })
	return o
}

func testSIMs(t *testing.T, s tenantry.Store, _ *Clock) {
	a, b := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	child := mustChild(t, s, a, "Child")
	var short, long []string
	for i := 0; i < 30; i++ {
		short = append(short, ICCID(i))
		long = append(long, LongICCID(i))
	}
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.InsertSIMs(ctx, a.ID, tenantry.SIMActive, "", append(short, long...)); err != nil {
			return err
		}
		if err := tx.AddSIMCount(ctx, a.ID, 60); err != nil {
			return err
		}
		return tx.InsertSIMs(ctx, b.ID, tenantry.SIMInactive, "", []string{ICCID(100)})
	})
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.InsertSIMs(ctx, b.ID, "active", "", []string{ICCID(3)}) }), tenantry.Conflict)
	s.View(ctx, func(tx tenantry.Tx) error {
		existing, err := tx.ExistingSIMs(ctx, []string{ICCID(1), ICCID(500), LongICCID(2)})
		if err != nil || len(existing) != 2 {
			t.Fatalf("existing %v %v", existing, err)
		}
		// A range of 19-digit ICCIDs holds no 20-digit one, though text order would put some between.
		owned, err := tx.CountRange(ctx, a.ID, ICCID(0), ICCID(29))
		if err != nil || owned != 30 {
			t.Fatalf("count %d %v", owned, err)
		}
		if owned, _ = tx.CountRange(ctx, b.ID, ICCID(0), ICCID(200)); owned != 1 {
			t.Fatalf("count for b %d", owned)
		}
		// Paging by ICCID, with prefix and status filters.
		var all []*tenantry.SIM
		f := tenantry.SIMFilter{OrgID: a.ID, Limit: 7}
		for {
			page, next, err := tx.ListSIMs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next == "" {
				break
			}
			f.Cursor = next
		}
		if len(all) != 60 {
			t.Fatalf("listed %d SIMs", len(all))
		}
		page, _, _ := tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: a.ID, Prefix: ICCID(10)[:17], Limit: 100})
		if len(page) != 10 {
			t.Fatalf("prefix: %d", len(page))
		}
		page, _, _ = tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: a.ID, Status: tenantry.SIMInactive, Limit: 100})
		if len(page) != 0 {
			t.Fatalf("status filter: %d", len(page))
		}
		page, _, _ = tx.ListSIMs(ctx, tenantry.SIMFilter{OrgID: b.ID, Limit: 100})
		if len(page) != 1 || page[0].OrgID != b.ID {
			t.Fatalf("isolation: %v", page)
		}
		return nil
	})
	// Moving a range: one statement; others' SIMs stay.
	tr := &tenantry.Transfer{ID: newID(), FromOrg: a.ID, ToOrg: child.ID, ActorID: "x"}
	update(t, s, func(tx tenantry.Tx) error {
		moves := []tenantry.TransferRange{{Start: ICCID(10), End: ICCID(19)}}
		if err := tx.MoveRanges(ctx, a.ID, child.ID, tr.ID, moves); err != nil || moves[0].Moved != 10 {
			t.Fatalf("moved %d %v", moves[0].Moved, err)
		}
		n := moves[0].Moved
		if err := tx.AddSIMCount(ctx, a.ID, -n); err != nil {
			return err
		}
		if err := tx.AddSIMCount(ctx, child.ID, n); err != nil {
			return err
		}
		tr.SIMCount, tr.Ranges = n, []tenantry.TransferRange{{Start: ICCID(10), End: ICCID(19), Moved: n}}
		return tx.CreateTransfer(ctx, tr)
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		sim, err := tx.SIM(ctx, ICCID(15))
		if err != nil || sim.OrgID != child.ID || sim.TransferID != tr.ID {
			t.Fatalf("moved SIM %+v %v", sim, err)
		}
		kids, _ := tx.ChildOrgs(ctx, a.ID)
		parent, _ := tx.Org(ctx, a.ID)
		if len(kids) != 1 || kids[0].SIMCount != 10 || parent.SIMCount != 50 {
			t.Fatalf("totals: child %d, parent %d", kids[0].SIMCount, parent.SIMCount)
		}
		hist, err := tx.Transfers(ctx, child.ID, 10)
		if err != nil || len(hist) != 1 || hist[0].Ranges[0].Moved != 10 {
			t.Fatalf("history %+v %v", hist, err)
		}
		return nil
	})
}

func testWorkAndContacts(t *testing.T, s tenantry.Store, clock *Clock) {
	a := mustAccount(t, s, "1")
	child := mustChild(t, s, a, "Child")
	u := mustUser(t, s, child.ID, "A", "B")
	w := &tenantry.Workflow{ID: newID(), OrgID: child.ID, Kind: "invoice", Title: "Invoice 7", Status: "open", CreatedBy: "op"}
	r := &tenantry.ServiceRequest{ID: newID(), OrgID: a.ID, Kind: "change_owner", Text: "please", NewOwnerID: u.ID, Status: "open"}
	c := &tenantry.Contact{ID: newID(), OrgID: child.ID, Kind: "billing", Name: "Bill", Email: "bill@example.com"}
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.CreateWorkflow(ctx, w); err != nil {
			return err
		}
		if err := tx.CreateServiceRequest(ctx, r); err != nil {
			return err
		}
		return tx.CreateContact(ctx, c)
	})
	clock.Advance(time.Hour)
	w.Status, w.ClosedAt = "closed", clock.Now()
	r.Status, r.Resolution, r.ResolvedBy, r.ResolvedAt = "resolved", "done", "op", clock.Now()
	c.Phone = "+49 1"
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.UpdateWorkflow(ctx, w); err != nil {
			return err
		}
		if err := tx.UpdateServiceRequest(ctx, r); err != nil {
			return err
		}
		return tx.UpdateContact(ctx, c)
	})
	other := mustAccount(t, s, "2")
	s.View(ctx, func(tx tenantry.Tx) error {
		open, _ := tx.OrgWorkflows(ctx, child.ID, true)
		all, _ := tx.OrgWorkflows(ctx, child.ID, false)
		// The account's list holds its organizations' workflows too, and
		// no other account's.
		inAccount, _ := tx.AccountWorkflows(ctx, a.ID)
		inOther, _ := tx.AccountWorkflows(ctx, other.ID)
		if len(inAccount) != 1 || inAccount[0].ID != w.ID || len(inOther) != 0 {
			t.Fatalf("account workflows %v, other account's %v", inAccount, inOther)
		}
		reqs, _ := tx.ServiceRequests(ctx, "", "resolved", 10)
		none, _ := tx.ServiceRequests(ctx, child.ID, "", 10)
		cs, _ := tx.OrgContacts(ctx, child.ID)
		if len(open) != 0 || len(all) != 1 || len(reqs) != 1 || reqs[0].NewOwnerID != u.ID || len(none) != 0 || len(cs) != 1 || cs[0].Phone != "+49 1" {
			t.Fatalf("open %d all %d reqs %v none %d contacts %v", len(open), len(all), reqs, len(none), cs)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteOrg(ctx, child.ID) })
	s.View(ctx, func(tx tenantry.Tx) error {
		_, err := tx.Org(ctx, child.ID)
		wantCode(t, err, tenantry.NotFound)
		_, err = tx.User(ctx, u.ID)
		wantCode(t, err, tenantry.NotFound)
		return nil
	})
}
