package storetest

import (
	"slices"
	"testing"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func testAccountServices(t *testing.T, s tenantry.Store, clock *Clock) {
	acc, other := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	child := &tenantry.Org{ID: newID(), ParentID: acc.ID, AccountID: acc.ID, Kind: tenantry.OrgSub, Name: "Unit",
		Status: tenantry.OrgActive, Channel: tenantry.ChannelDirect}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOrg(ctx, child) })
	u, v := mustUser(t, s, child.ID, "A", "B"), mustUser(t, s, other.ID, "C", "D")
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.SetAccountServices(ctx, acc.ID, []string{"notary", "backup"}); err != nil {
			return err
		}
		if err := tx.SetAccountServices(ctx, other.ID, []string{"backup"}); err != nil {
			return err
		}
		for _, g := range []tenantry.Grant{{UserID: u.ID, OrgID: child.ID, Role: "r", Service: "backup"},
			{UserID: u.ID, OrgID: child.ID, Role: "r", Service: "notary"},
			{UserID: v.ID, OrgID: other.ID, Role: "r", Service: "backup"}} {
			g.ID = newID()
			if err := tx.CreateGrant(ctx, &g); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error {
		got, err := tx.AccountServices(ctx, acc.ID)
		if err != nil || !slices.Equal(got, []string{"backup", "notary"}) {
			t.Fatalf("services %v %v", got, err)
		}
		if err := tx.SetAccountServices(ctx, acc.ID, []string{"notary"}); err != nil {
			return err
		}
		n, err := tx.DeleteServiceGrants(ctx, acc.ID, "backup")
		if err != nil || n != 1 {
			t.Fatalf("deleted %d grants (%v), want the one in the account's tree", n, err)
		}
		return nil
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		if got, _ := tx.AccountServices(ctx, acc.ID); !slices.Equal(got, []string{"notary"}) {
			t.Fatalf("after disabling backup: %v", got)
		}
		if gs, _ := tx.UserGrants(ctx, v.ID); len(gs) != 1 {
			t.Fatalf("another account's grant went: %v", gs)
		}
		if gs, _ := tx.UserGrants(ctx, u.ID); len(gs) != 1 || gs[0].Service != "notary" {
			t.Fatalf("grants left: %v", gs)
		}
		return nil
	})
}
