package app

import (
	"context"
	"slices"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/oauth"
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
	// PendingMFA: the password was right, the second factor is still due.
	PendingMFA bool
	// MustEnrolTOTP: the user's organization requires two-factor sign-in
	// and the user has not enrolled an authenticator yet.
	MustEnrolTOTP bool
	// Via says how the actor authenticated.
	Via Via
	// AuthAt is when the actor's session last proved its user.
	AuthAt time.Time
	// AMR is how the session proved its user (RFC 8176 values).
	AMR []string

	principal policy.Principal
	scim      *tenantry.SCIMConnection // the connection of a ViaSCIM actor
	claims    *oauth.Claims            // the access token's claims: jti and expiry for revocation, the rest for introspection
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
		who.principal.Grants = append(who.principal.Grants, policy.Grant{Org: g.OrgID, Role: r, Service: g.Service})
	}
	return who
}

// loadActor reads the user's grants and whether their org, or one above
// it, requires 2FA.
func (a *App) loadActor(ctx context.Context, tx reader, u *tenantry.User) (*Actor, error) {
	grants, err := tx.UserGrants(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	who := a.newActor(u, grants, tx.Now())
	if u.Kind == tenantry.UserHuman && !u.TOTPEnabled {
		s, err := a.securityOf(ctx, tx, u.OrgID)
		if err != nil {
			return nil, err
		}
		who.MustEnrolTOTP = s.Require2FA.Value
	}
	return who, nil
}

// setAMR records how the actor's session proved its user. A trusted
// identity provider's multi-factor sign-in satisfies the org's 2FA rule.
func (who *Actor) setAMR(amr []string) {
	who.AMR = amr
	if slices.Contains(amr, "mfa") {
		who.MustEnrolTOTP = false
	}
}

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

// Authenticate returns the actor of a session secret. A missing, expired
// or idle session, or a user who can no longer sign in, is Unauthenticated.
// A session still waiting for its second factor yields an actor marked
// PendingMFA, which only the second-factor step and sign-out accept.
func (a *App) Authenticate(ctx context.Context, sessionToken, ip string) (*Actor, error) {
	unauth := tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	if sessionToken == "" {
		return nil, unauth
	}
	hash := auth.HashToken(sessionToken)
	var who *Actor
	var touch bool
	err := a.viewState(ctx, func(tx reader) error {
		s, err := tx.Session(ctx, hash)
		if err != nil {
			return err
		}
		now := tx.Now()
		if !a.sessionAlive(s, now) {
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
		if who, err = a.loadActor(ctx, tx, u); err != nil {
			return err
		}
		who.Session, who.IP, who.PendingMFA, who.AuthAt = hash, ip, s.PendingMFA, s.AuthAt
		who.setAMR(s.AMR)
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
		a.state.forgetSession(hash)
	}
	return who, nil
}

// step names a pending step an actor may be allowed to take while another
// requirement is still open.
type step int

const (
	// stepPassword: changing one's own password.
	stepPassword step = iota + 1
	// stepEnrol: enrolling an authenticator.
	stepEnrol
	// stepSelf: reading one's own state and signing out.
	stepSelf
)

// ready refuses an actor with an open requirement, unless the request is
// the step that fulfils it: a pending second factor allows only signing
// out; a forced password change allows changing it; a required
// authenticator allows enrolling one.
func ready(who *Actor, allowed ...step) error {
	if who == nil {
		return tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	}
	allows := func(s step) bool {
		for _, a := range allowed {
			if a == s {
				return true
			}
		}
		return false
	}
	switch {
	case who.PendingMFA:
		return tenantry.Errorf(tenantry.MFARequired, "enter the code from your authenticator app first")
	case allows(stepSelf):
		return nil
	case who.User.MustChangePassword && !allows(stepPassword):
		return tenantry.Errorf(tenantry.PasswordChangeRequired, "choose a new password first")
	case who.MustEnrolTOTP && !allows(stepEnrol) && !allows(stepPassword):
		return tenantry.Errorf(tenantry.TOTPEnrolmentRequired, "your organization requires two-factor sign-in: enrol an authenticator app first")
	}
	return nil
}

// Can reports whether the actor may do act in org, as the policy says.
// The portal asks it to decide which controls to show; every use case
// checks again.
func (a *App) Can(who *Actor, act policy.Action, org string) bool {
	return who != nil && a.policy.Allowed(who.Principal(), act, policy.Target{Org: org})
}

// MayAdminister reports whether the actor may change v's roles and
// status (B3, R2); nobody administers themselves.
func (a *App) MayAdminister(who *Actor, v *UserView) bool {
	return who != nil && v.ID != who.User.ID && a.mayAdminister(who, v) == nil
}

// PerService reports whether a role is given per service (seed 003's
// service roles): "role:service", never for all of an org.
func (a *App) PerService(role string) bool {
	r, ok := a.policy.Role(role)
	return ok && a.policy.PerService(r)
}

// ServiceForm reports whether the New user and user pages offer
// "Services and roles" in org: its catalogue has services, and seed 003
// says they are not available in partner and folder tenants.
func (a *App) ServiceForm(org *tenantry.Org) bool {
	return len(a.policy.Services(catalogueFor(org))) > 0 && org.Type != "partner" && org.Type != "folder"
}

// Assignable lists the roles of org's catalogue the actor may give there;
// creating widens it to the roles the actor may give a user they create.
func (a *App) Assignable(who *Actor, org *tenantry.Org, creating bool) []string {
	var out []string
	for _, r := range a.policy.Roles(catalogueFor(org)) {
		if who != nil && a.policy.CanAssign(who.Principal(), org.ID, r, creating) {
			out = append(out, a.policy.RoleName(r))
		}
	}
	return out
}
