package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testIdentityProviders: providers round-trip with their lists; users are
// found by their external login or, without one, their e-mail, case
// aside; a provider's users' sessions end together; a session keeps how
// it proved its user, and a second factor adds otp.
func testIdentityProviders(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	other := mustAccount(t, s, "2")
	d := &tenantry.IdentityProvider{ID: newID(), OrgID: acc.ID, Name: "Acme Entra", Issuer: "https://login.example.com/t/v2.0",
		ClientID: "c1", ClientSecret: "sealed", Scopes: []string{"email", "profile"}, LoginClaim: "email",
		Domains: []string{"acme.example"}, Active: true}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateIdP(ctx, d) })
	byMail := mustUser(t, s, acc.ID, "Mail", "Match")
	custom := mustUser(t, s, acc.ID, "Custom", "Match")
	local := mustUser(t, s, acc.ID, "Local", "Password")
	update(t, s, func(tx tenantry.Tx) error {
		byMail.IdPID = d.ID
		custom.IdPID, custom.ExternalLogin, custom.BreakGlass = d.ID, "C.Match@Corp.Example", true
		for _, u := range []*tenantry.User{byMail, custom} {
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		acc.Settings.RequireIdP = true
		return tx.UpdateOrg(ctx, acc)
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.IdP(ctx, d.ID)
		if err != nil || !slices.Equal(got.Scopes, d.Scopes) || !slices.Equal(got.Domains, d.Domains) || !got.Active || got.ClientSecret != "sealed" {
			t.Fatalf("IdP = %+v, %v", got, err)
		}
		if list, err := tx.OrgIdPs(ctx, acc.ID); err != nil || len(list) != 1 {
			t.Fatalf("OrgIdPs = %v, %v", list, err)
		}
		if list, err := tx.OrgIdPs(ctx, other.ID); err != nil || len(list) != 0 {
			t.Fatalf("another org's OrgIdPs = %v, %v", list, err)
		}
		for value, want := range map[string]string{byMail.Email: byMail.ID, "c.match@corp.example": custom.ID, custom.Email: "", local.Email: ""} {
			users, err := tx.UsersByExternalLogin(ctx, d.ID, value)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case want == "" && len(users) != 0:
				t.Errorf("%s matched %d users, want none", value, len(users))
			case want != "" && (len(users) != 1 || users[0].ID != want):
				t.Errorf("%s matched %v, want %s", value, users, want)
			}
		}
		if n, err := tx.CountIdPUsers(ctx, d.ID); err != nil || n != 2 {
			t.Fatalf("CountIdPUsers = %d, %v", n, err)
		}
		if got, err := tx.User(ctx, custom.ID); err != nil || got.IdPID != d.ID || got.ExternalLogin != "C.Match@Corp.Example" || !got.BreakGlass {
			t.Fatalf("user = %+v, %v", got, err)
		}
		if got, err := tx.Org(ctx, acc.ID); err != nil || !got.Settings.RequireIdP {
			t.Fatalf("org = %+v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error {
		for i, u := range []*tenantry.User{byMail, local} {
			sess := &tenantry.Session{Hash: "h" + u.ID, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour), AMR: []string{"fed"}, PendingMFA: i == 0}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
		}
		return tx.CompleteMFA(ctx, "h"+byMail.ID)
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.Session(ctx, "h"+byMail.ID)
		if err != nil || !slices.Equal(got.AMR, []string{"fed", "otp"}) || got.PendingMFA {
			t.Fatalf("session = %+v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.EndIdPSessions(ctx, d.ID) })
	s.View(ctx, func(tx tenantry.Tx) error {
		if _, err := tx.Session(ctx, "h"+byMail.ID); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Errorf("the provider's user kept their session: %v", err)
		}
		if _, err := tx.Session(ctx, "h"+local.ID); err != nil {
			t.Errorf("a password user lost their session: %v", err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error {
		d.Name, d.Active, d.Domains = "Acme Okta", false, nil
		return tx.UpdateIdP(ctx, d)
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		if got, err := tx.IdP(ctx, d.ID); err != nil || got.Name != "Acme Okta" || got.Active || len(got.Domains) != 0 {
			t.Fatalf("updated IdP = %+v, %v", got, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error {
		byMail.IdPID, custom.IdPID = "", ""
		if err := tx.UpdateUser(ctx, byMail); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, custom); err != nil {
			return err
		}
		return tx.DeleteIdP(ctx, d.ID)
	})
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.IdP(ctx, d.ID); return err }), tenantry.NotFound)
}
