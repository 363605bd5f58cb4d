package app_test

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestCachedStateBitesOnTheNextRequestOnEveryInstance: two instances share
// one database and answer sessions, personal tokens and decisions from
// their caches; a change made on either, or straight in the database as
// another process (the CLI) would make it, is seen by both on their next
// request: a role given, taken away and given again, a token deleted, a session
// ended, a person locked. The owner's session and personal token are
// checked, and decisions on a person p.
func TestCachedStateBitesOnTheNextRequestOnEveryInstance(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		asApp := e.application(op)
		b := e.instance(nil)
		p := e.person(owner, acc, "p@example.com", "user")
		// The owner's second session and personal token; decisions on p.
		signedIn, err := e.app.SignIn(ctx, "o@example.com", pw, "", "127.0.0.1", "test")
		e.must(err)
		whoO, err := e.app.Authenticate(ctx, signedIn.Token, "")
		e.must(err)
		pat, secret, err := e.app.CreatePersonalToken(ctx, whoO, "ci", time.Hour)
		e.must(err)
		seeUsers := []app.Question{{SubjectType: "user", SubjectID: p.ID, Action: "users.see_all",
			Resource: app.Resource{Type: app.ResourceOrg, ID: acc.ID}}}
		instances := map[string]*app.App{"A": e.app, "B": b}
		// Each instance answers twice: the second answer comes from its cache.
		check := func(step string, session, token, allowed bool) {
			t.Helper()
			for name, inst := range instances {
				for round := range 2 {
					_, err := inst.Authenticate(ctx, signedIn.Token, "")
					if (err == nil) != session {
						t.Errorf("%s, instance %s, round %d: the session: %v", step, name, round, err)
					}
					_, err = inst.AuthenticateBearer(ctx, secret, "")
					if (err == nil) != token {
						t.Errorf("%s, instance %s, round %d: the personal token: %v", step, name, round, err)
					}
					ds, err := inst.Decide(ctx, asApp, seeUsers, nil)
					e.must(err)
					if ds[0].Allowed != allowed {
						t.Errorf("%s, instance %s, round %d: decision %+v", step, name, round, ds[0])
					}
				}
			}
		}
		check("at first", true, true, false)
		g, err := b.GrantRole(ctx, owner, p.ID, app.NewGrant{Role: "read_only"})
		e.must(err)
		check("read only given on B", true, true, true)
		e.must(e.app.RevokeRole(ctx, owner, p.ID, g.ID))
		check("read only taken away on A", true, true, false)
		_, err = e.app.GrantRole(ctx, owner, p.ID, app.NewGrant{Role: "read_only"})
		e.must(err)
		check("read only given again on A", true, true, true)
		e.must(b.DeletePersonalToken(ctx, whoO, pat.ID))
		check("the token deleted on B", true, false, true)
		e.clock.Advance(2 * time.Minute) // the session's last request is written again
		check("two minutes later", true, false, true)
		e.must(e.app.SignOut(ctx, whoO))
		check("signed out on A", false, false, true)
		e.must(e.db.Update(ctx, func(tx tenantry.Tx) error {
			u, err := tx.User(ctx, p.ID)
			if err != nil {
				return err
			}
			u.Status = tenantry.UserLocked
			return tx.UpdateUser(ctx, u)
		}))
		check("locked in the database", false, false, false)
	})
}
