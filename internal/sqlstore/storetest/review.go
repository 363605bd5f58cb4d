package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testAccessReviews covers access reviews: the holdings of an org or its
// subtree (roles in force only, with names), a review written with its
// items in one go, decisions read back, counts, due reviews, and a review
// closed once.
func testAccessReviews(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "5300001")
	depot := mustChild(t, s, acc, "Depot")
	other := mustAccount(t, s, "5300002")
	owner, ana, bo, far := mustUser(t, s, acc.ID, "Olga", "Owner"), mustUser(t, s, acc.ID, "Ana", "Admin"),
		mustUser(t, s, depot.ID, "Bo", "Depot"), mustUser(t, s, other.ID, "Far", "Away")
	grant := func(u *tenantry.User, org, role string, expires time.Time) {
		update(t, s, func(tx tenantry.Tx) error {
			return tx.CreateGrant(ctx, &tenantry.Grant{ID: newID(), UserID: u.ID, OrgID: org, Role: role, ExpiresAt: expires,
				CreatedBy: owner.ID})
		})
	}
	grant(owner, acc.ID, "owner", time.Time{})
	grant(ana, acc.ID, "admin", clock.Now().Add(48*time.Hour))
	grant(ana, acc.ID, "user", clock.Now().Add(-time.Hour)) // ended: not a holding
	grant(bo, depot.ID, "user", time.Time{})
	grant(far, other.ID, "owner", time.Time{})

	holdings := func(org string, subtree bool) (out []tenantry.Holding) {
		update(t, s, func(tx tenantry.Tx) (err error) {
			out, err = tx.Holdings(ctx, org, subtree, clock.Now(), 100)
			return err
		})
		return out
	}
	if got := holdings(acc.ID, false); len(got) != 2 || got[0].Login != ana.Login || got[0].Role != "admin" ||
		got[0].GrantedBy != owner.Login || got[0].OrgName != acc.Name || got[1].Role != "owner" {
		t.Fatalf("the account's holdings: %+v", got)
	}
	all := holdings(acc.ID, true)
	if len(all) != 3 || all[0].OrgName != acc.Name || all[2].OrgName != "Depot" || all[2].FirstName != "Bo" ||
		all[2].UserKind != tenantry.UserHuman {
		t.Fatalf("the subtree's holdings: %+v", all)
	}

	r := &tenantry.AccessReview{ID: newID(), OrgID: acc.ID, Title: "Q1", Subtree: true, EndUnreviewed: true,
		DueAt: clock.Now().Add(14 * 24 * time.Hour), CreatedBy: owner.ID}
	var items []*tenantry.AccessReviewItem
	for _, h := range all {
		items = append(items, &tenantry.AccessReviewItem{ID: newID(), GrantID: h.ID, OrgID: h.OrgID, OrgName: h.OrgName,
			UserID: h.UserID, Login: h.Login, Name: h.FirstName + " " + h.LastName, UserKind: h.UserKind, Role: h.Role,
			GrantedAt: h.CreatedAt, GrantedBy: h.GrantedBy, ExpiresAt: h.ExpiresAt})
	}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateAccessReview(ctx, r, items) })
	update(t, s, func(tx tenantry.Tx) error {
		got, err := tx.AccessReviewItems(ctx, r.ID)
		if err != nil || len(got) != 3 || got[0].Login != ana.Login || got[0].ExpiresAt.IsZero() || got[2].OrgName != "Depot" {
			t.Fatalf("items: %+v %v", got, err)
		}
		got[0].Decision, got[0].DecidedBy, got[0].DecidedByLogin, got[0].DecidedAt = tenantry.DecisionConfirm, owner.ID, owner.Login, tx.Now()
		got[0].Note, got[0].Outcome = "still runs the depot", tenantry.OutcomeKept
		if err := tx.UpdateAccessReviewItem(ctx, got[0]); err != nil {
			return err
		}
		got[2].Decision, got[2].Outcome = tenantry.DecisionRevoke, tenantry.OutcomeEnded
		return tx.UpdateAccessReviewItem(ctx, got[2])
	})
	update(t, s, func(tx tenantry.Tx) error {
		got, err := tx.AccessReview(ctx, r.ID)
		if err != nil || got.Items != 3 || got.Confirmed != 1 || got.Revoked != 1 || got.Status != tenantry.ReviewOpen ||
			!got.Subtree || !got.EndUnreviewed || !got.DueAt.Equal(r.DueAt.Truncate(time.Microsecond)) {
			t.Fatalf("review: %+v %v", got, err)
		}
		its, _ := tx.AccessReviewItems(ctx, r.ID)
		if its[0].Note != "still runs the depot" || its[0].DecidedByLogin != owner.Login || its[0].DecidedAt.IsZero() {
			t.Fatalf("decision read back: %+v", its[0])
		}
		one, err := tx.AccessReviewItem(ctx, r.ID, its[2].ID)
		if err != nil || one.Decision != tenantry.DecisionRevoke || one.OrgName != "Depot" {
			t.Fatalf("one item: %+v %v", one, err)
		}
		_, err = tx.AccessReviewItem(ctx, newID(), its[2].ID)
		wantCode(t, err, tenantry.NotFound)
		if list, err := tx.AccessReviews(ctx, acc.ID); err != nil || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("the account's reviews: %v %v", list, err)
		}
		if list, err := tx.AccessReviews(ctx, depot.ID); err != nil || len(list) != 0 {
			t.Fatalf("the depot's reviews: %v %v", list, err)
		}
		due, err := tx.DueAccessReviews(ctx, tx.Now())
		for _, d := range due {
			if d.ID == r.ID {
				t.Fatal("a review due in two weeks is due now")
			}
		}
		return err
	})
	clock.Advance(15 * 24 * time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		due, err := tx.DueAccessReviews(ctx, tx.Now())
		if err != nil || len(due) == 0 {
			t.Fatalf("due reviews: %v %v", due, err)
		}
		r.ClosedAt = tx.Now()
		if err := tx.CloseAccessReview(ctx, r); err != nil {
			return err
		}
		wantCode(t, tx.CloseAccessReview(ctx, r), tenantry.Conflict)
		got, err := tx.AccessReview(ctx, r.ID)
		if err != nil || got.Status != tenantry.ReviewClosed || got.ClosedAt.IsZero() || got.ClosedBy != "" {
			t.Fatalf("closed: %+v %v", got, err)
		}
		if due, _ := tx.DueAccessReviews(ctx, tx.Now()); len(due) != 0 {
			t.Fatalf("a closed review is still due: %v", due)
		}
		return nil
	})
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { _, err := tx.AccessReview(ctx, newID()); return err }),
		tenantry.NotFound)
}
