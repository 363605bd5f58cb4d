package app

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Actor is the principal behind a request: a signed-in user with the
// roles in force when the request began.
type Actor struct {
	User    *tenantry.User
	Grants  []tenantry.Grant // active grants only
	Session string           // hash of the session secret, "" for none
	IP      string

	principal policy.Principal
}

// Principal returns the actor as the policy sees it.
func (who *Actor) Principal() *policy.Principal { return &who.principal }

// newActor builds an actor from a user and their grants, keeping only the
// grants in force at now and known to the policy.
func (a *App) newActor(u *tenantry.User, grants []tenantry.Grant, now time.Time) *Actor {
	who := &Actor{User: u, principal: policy.Principal{ID: u.ID}}
	for _, g := range grants {
		r, ok := a.policy.Role(g.Role)
		if !ok || !g.Active(now) {
			continue
		}
		who.Grants = append(who.Grants, g)
		who.principal.Grants = append(who.principal.Grants, policy.Grant{Org: g.OrgID, Role: r})
	}
	return who
}

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

// Authenticate returns the actor of a session secret. A missing, expired
// or idle session, or a user who can no longer sign in, is Unauthenticated.
func (a *App) Authenticate(ctx context.Context, sessionToken, ip string) (*Actor, error) {
	unauth := tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	if sessionToken == "" {
		return nil, unauth
	}
	hash := auth.HashToken(sessionToken)
	var who *Actor
	var touch bool
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		s, err := tx.Session(ctx, hash)
		if err != nil {
			return err
		}
		now := tx.Now()
		if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeenAt.Add(a.cfg.SessionIdle)) {
			return unauth
		}
		touch = now.Sub(s.LastSeenAt) >= touchEvery
		u, err := tx.User(ctx, s.UserID)
		if err != nil {
			return err
		}
		if u.Status != tenantry.UserActive {
			return unauth
		}
		grants, err := tx.UserGrants(ctx, u.ID)
		if err != nil {
			return err
		}
		who = a.newActor(u, grants, now)
		who.Session, who.IP = hash, ip
		return nil
	})
	if err != nil {
		if c := tenantry.ErrorCode(err); c == tenantry.NotFound || c == tenantry.Unauthenticated {
			return nil, unauth
		}
		return nil, err
	}
	if touch {
		if err := a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.TouchSession(ctx, hash, tx.Now()) }); err != nil {
			return nil, err
		}
	}
	return who, nil
}

// ready refuses an actor who must first choose a new password.
func ready(who *Actor) error {
	if who == nil {
		return tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	}
	if who.User.MustChangePassword {
		return tenantry.Errorf(tenantry.PasswordChangeRequired, "choose a new password first")
	}
	return nil
}
