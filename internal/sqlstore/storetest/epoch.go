package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testSecurityEpoch checks that every change authentication and decisions
// must see changes the epoch when it commits, and that what is written on
// every sign-in, request or transfer does not.
func testSecurityEpoch(t *testing.T, s tenantry.Store, clock *Clock) {
	epoch := func() int64 {
		t.Helper()
		n, err := s.Epoch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	acc := mustAccount(t, s, "31")
	u := mustUser(t, s, acc.ID, "Epoch", "Person")
	update(t, s, func(tx tenantry.Tx) error {
		return tx.CreateSession(ctx, &tenantry.Session{Hash: "epoch-s", UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)})
	})
	changes := []struct {
		what   string
		change bool
		fn     func(tx tenantry.Tx) error
	}{
		{"a grant given", true, func(tx tenantry.Tx) error {
			return tx.CreateGrant(ctx, &tenantry.Grant{ID: newID(), UserID: u.ID, OrgID: acc.ID, Role: "user"})
		}},
		{"a user locked", true, func(tx tenantry.Tx) error {
			got, err := tx.User(ctx, u.ID)
			if err != nil {
				return err
			}
			got.Status = tenantry.UserLocked
			return tx.UpdateUser(ctx, got)
		}},
		{"a sign-in recorded", false, func(tx tenantry.Tx) error {
			got, err := tx.User(ctx, u.ID)
			if err != nil {
				return err
			}
			got.LastSignInAt = tx.Now()
			return tx.UpdateUser(ctx, got)
		}},
		{"a session's last request", false, func(tx tenantry.Tx) error { return tx.TouchSession(ctx, "epoch-s", tx.Now()) }},
		{"a second factor completed", true, func(tx tenantry.Tx) error { return tx.CompleteMFA(ctx, "epoch-s") }},
		{"an org's SIM total", false, func(tx tenantry.Tx) error { return tx.AddSIMCount(ctx, acc.ID, 3) }},
		{"an org's 2FA rule", true, func(tx tenantry.Tx) error {
			o, err := tx.Org(ctx, acc.ID)
			if err != nil {
				return err
			}
			o.Settings.Require2FA = true
			return tx.UpdateOrg(ctx, o)
		}},
		{"a service enabled", true, func(tx tenantry.Tx) error { return tx.SetAccountServices(ctx, acc.ID, []string{"sims"}) }},
		{"a token revoked", true, func(tx tenantry.Tx) error { return tx.RevokeToken(ctx, newID(), tx.Now().Add(time.Hour)) }},
		{"a personal token made", false, func(tx tenantry.Tx) error {
			return tx.CreatePersonalToken(ctx, &tenantry.PersonalToken{ID: "epoch-pat", UserID: u.ID, Name: "ci", Hash: newID(), ExpiresAt: tx.Now().Add(time.Hour)})
		}},
		{"a personal token deleted", true, func(tx tenantry.Tx) error { return tx.DeletePersonalToken(ctx, u.ID, "epoch-pat") }},
		{"a session ended", true, func(tx tenantry.Tx) error { return tx.DeleteSession(ctx, "epoch-s") }},
		{"a client secret added", true, func(tx tenantry.Tx) error {
			return tx.AddClientSecret(ctx, &tenantry.ClientSecret{ID: "epoch-cs", UserID: u.ID, Hash: newID(), CreatedAt: tx.Now()})
		}},
		{"client secrets expired", true, func(tx tenantry.Tx) error { return tx.ExpireClientSecrets(ctx, u.ID, "", tx.Now()) }},
		{"a client secret deleted", true, func(tx tenantry.Tx) error { return tx.DeleteClientSecret(ctx, u.ID, "epoch-cs") }},
		{"an event recorded", false, func(tx tenantry.Tx) error {
			return tx.AddEvent(ctx, &tenantry.Event{OrgID: acc.ID, Action: "x", TargetType: "org", TargetID: acc.ID})
		}},
	}
	for _, c := range changes {
		before := epoch()
		var inside int64
		update(t, s, func(tx tenantry.Tx) error {
			if err := c.fn(tx); err != nil {
				return err
			}
			// Not visible before the commit.
			inside = epoch()
			return nil
		})
		after := epoch()
		if inside != before {
			t.Errorf("%s: the epoch moved before the commit (%d → %d)", c.what, before, inside)
		}
		if (after != before) != c.change {
			t.Errorf("%s: epoch %d → %d, want a change: %v", c.what, before, after, c.change)
		}
	}
}
