package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testOIDC: relying parties round-trip; an authorization request is found
// by id and by its code until it expires; a refresh token is used once,
// and a family, a user's tokens at one client, or all of them end.
func testOIDC(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	app := mustUser(t, s, acc.ID, "App", "Client")
	person := mustUser(t, s, acc.ID, "P", "Q")
	rp := &tenantry.RelyingParty{ClientID: "platform_dash", UserID: app.ID, Name: "dash", RedirectURIs: []string{"https://a.example/cb", "https://b.example/cb"}}
	other := &tenantry.RelyingParty{ClientID: "platform_inv", UserID: app.ID, Name: "inv", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"}}
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.CreateRelyingParty(ctx, rp); err != nil {
			return err
		}
		return tx.CreateRelyingParty(ctx, other)
	})
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateRelyingParty(ctx, rp) }), tenantry.Conflict)
	r := &tenantry.OIDCRequest{ID: newID(), ClientID: rp.ClientID, Request: `{"state":"s"}`, ExpiresAt: clock.Now().Add(time.Minute)}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateOIDCRequest(ctx, r) })
	update(t, s, func(tx tenantry.Tx) error {
		r.UserID, r.OrgID, r.AMR, r.AuthTime, r.CodeHash = person.ID, acc.ID, []string{"pwd", "otp"}, clock.Now(), "code-hash"
		return tx.UpdateOIDCRequest(ctx, r)
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.RelyingParty(ctx, rp.ClientID)
		if err != nil || !slices.Equal(got.RedirectURIs, rp.RedirectURIs) || got.Public {
			t.Fatalf("relying party %+v, %v", got, err)
		}
		if all, err := tx.RelyingParties(ctx); err != nil || len(all) != 2 || all[0].Name != "dash" {
			t.Fatalf("relying parties %v, %v", all, err)
		}
		byCode, err := tx.OIDCRequestByCode(ctx, "code-hash")
		if err != nil || byCode.ID != r.ID || byCode.UserID != person.ID || !slices.Equal(byCode.AMR, []string{"pwd", "otp"}) || byCode.Request != `{"state":"s"}` {
			t.Fatalf("by code %+v, %v", byCode, err)
		}
		return nil
	})
	clock.Advance(2 * time.Minute)
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.OIDCRequest(ctx, r.ID); return err }), tenantry.NotFound)

	refresh := func(hash, family, client string) *tenantry.OIDCRefresh {
		return &tenantry.OIDCRefresh{Hash: hash, Family: family, ClientID: client, UserID: person.ID, OrgID: acc.ID,
			Scopes: []string{"openid", "offline_access"}, AMR: []string{"pwd"}, AuthTime: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}
	}
	update(t, s, func(tx tenantry.Tx) error {
		for _, t := range []*tenantry.OIDCRefresh{refresh("a1", "fa", rp.ClientID), refresh("a2", "fa", rp.ClientID),
			refresh("b1", "fb", rp.ClientID), refresh("c1", "fc", other.ClientID)} {
			if err := tx.CreateOIDCRefresh(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
	var first, second bool
	update(t, s, func(tx tenantry.Tx) error {
		var err error
		if first, err = tx.UseOIDCRefresh(ctx, "a1"); err != nil {
			return err
		}
		second, err = tx.UseOIDCRefresh(ctx, "a1")
		return err
	})
	if !first || second {
		t.Fatalf("used once: %v, again: %v", first, second)
	}
	exists := func(hash string) bool {
		var ok bool
		s.View(ctx, func(tx tenantry.Tx) error {
			got, err := tx.OIDCRefresh(ctx, hash)
			ok = err == nil && got.Family != ""
			return nil
		})
		return ok
	}
	update(t, s, func(tx tenantry.Tx) error { return tx.EndOIDCRefresh(ctx, "fa", "", "") })
	if exists("a1") || exists("a2") || !exists("b1") || !exists("c1") {
		t.Fatal("ending family fa ended the wrong tokens")
	}
	update(t, s, func(tx tenantry.Tx) error { return tx.EndOIDCRefresh(ctx, "", person.ID, other.ClientID) })
	if exists("c1") || !exists("b1") {
		t.Fatal("ending the person's tokens at one client ended the wrong ones")
	}
	update(t, s, func(tx tenantry.Tx) error { return tx.EndOIDCRefresh(ctx, "", person.ID, "") })
	if exists("b1") {
		t.Fatal("the person's tokens survived")
	}
}
