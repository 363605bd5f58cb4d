package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Resource is what a decision is about: an organization, a user or a
// SIM, by type and id (an ICCID for a SIM).
type Resource struct {
	Type string
	ID   string
}

// The resource types decisions know.
const (
	ResourceOrg  = "organization"
	ResourceUser = "user"
	ResourceSIM  = "sim"
)

// The reasons of a decision (B2), as codes applications can branch on.
const (
	ReasonGranted         = "granted"
	ReasonNoGrant         = "no_grant"
	ReasonOutsideSubtree  = "outside_subtree"
	ReasonOtherService    = "other_service"
	ReasonServiceDisabled = "service_disabled"
	ReasonGrantExpired    = "grant_expired"
	ReasonUserLocked      = "user_locked"
	ReasonUserInactive    = "user_not_active"
	ReasonMFARequired     = "mfa_required"
	ReasonUnknownSubject  = "unknown_subject"
	ReasonUnknownAction   = "unknown_action"
	ReasonUnknownResource = "unknown_resource"
)

// Decision is whether a subject may do an action to a resource, and why
// (B2): the grant that allows it, or the rule that denies it, in words.
type Decision struct {
	Allowed bool
	Reason  string
	// Message says the reason in words, naming roles and organizations;
	// Text is it before it was put in words, for other languages.
	Message string
	Text    tenantry.Text
	// Grant allows the action, or would have (an expired grant, one for
	// another service, one in another org); nil when none.
	Grant *tenantry.Grant
	// Org owns the resource; nil when it is unknown.
	Org *tenantry.Org
}

func deny(reason, format string, args ...any) Decision {
	return decided(false, reason, nil, format, args...)
}

// decided is a decision saying why in words.
func decided(allowed bool, reason string, g *tenantry.Grant, format string, args ...any) Decision {
	t := tenantry.Say(format, args...)
	return Decision{Allowed: allowed, Reason: reason, Grant: g, Message: t.String(), Text: t}
}

// decide answers one question from the policy data that guards
// Tenantry's own API: the subject's active grants in the org that owns the
// resource, narrowed by the services enabled for the account and by the
// rules a parent sets (2FA).
func (a *App) decide(ctx context.Context, tx reader, subjectID, action string, res Resource) (Decision, error) {
	u, err := tx.User(ctx, subjectID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return deny(ReasonUnknownSubject, "there is no user %s", subjectID), nil
	}
	if err != nil {
		return Decision{}, err
	}
	act, ok := a.policy.LookupAction(action)
	if !ok {
		return deny(ReasonUnknownAction, "%q is no action of any catalogue (area.action, e.g. users.see_all)", action), nil
	}
	o, err := a.resourceOrg(ctx, tx, res)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return deny(ReasonUnknownResource, "there is no %s %s", res.Type, res.ID), nil
	}
	if err != nil {
		return Decision{}, err
	}
	d, err := a.explainGrants(ctx, tx, u, act, o)
	d.Org = o
	return d, err
}

// resourceOrg returns the org that owns a resource.
func (a *App) resourceOrg(ctx context.Context, tx reader, res Resource) (*tenantry.Org, error) {
	switch res.Type {
	case ResourceOrg, "org", "account":
		return tx.Org(ctx, res.ID)
	case ResourceUser:
		u, err := tx.User(ctx, res.ID)
		if err != nil {
			return nil, err
		}
		return tx.Org(ctx, u.OrgID)
	case ResourceSIM:
		s, err := tx.SIM(ctx, res.ID)
		if err != nil {
			return nil, err
		}
		return tx.Org(ctx, s.OrgID)
	}
	return nil, notFound("resource type")
}

// explainGrants decides whether u may do act in o, and says why.
func (a *App) explainGrants(ctx context.Context, tx reader, u *tenantry.User, act policy.Action, o *tenantry.Org) (Decision, error) {
	switch u.Status {
	case tenantry.UserLocked:
		return deny(ReasonUserLocked, "%s is locked", u.Login), nil
	case tenantry.UserInvited:
		return deny(ReasonUserInactive, "%s has not activated their account yet", u.Login), nil
	}
	grants, err := tx.UserGrants(ctx, u.ID)
	if err != nil {
		return Decision{}, err
	}
	now := tx.Now()
	var active, expired []tenantry.Grant
	for _, g := range grants {
		if g.Active(now) {
			active = append(active, g)
		} else {
			expired = append(expired, g)
		}
	}
	why := a.policy.Explain(a.newActor(u, active, now).Principal(), act, policy.Target{Org: o.ID})
	grant := func(w policy.Why, from []tenantry.Grant) *tenantry.Grant {
		for i, g := range from {
			if r, ok := a.policy.Role(g.Role); ok && r == w.Grant.Role && g.OrgID == w.Grant.Org && g.Service == w.Grant.Service {
				return &from[i]
			}
		}
		return nil
	}
	name := a.policy.ActionName(act)
	if !why.Allowed() {
		// A grant that would allow it, but ran out?
		if w := a.policy.Explain(a.principalOf(u, expired), act, policy.Target{Org: o.ID}); w.Allowed() {
			g := grant(w, expired)
			return decided(false, ReasonGrantExpired, g, "the role %s in %s that allowed %s ended on %s",
				tenantry.Words{g.Role}, o.Name, name, g.ExpiresAt.UTC().Format(time.RFC3339)), nil
		}
		switch why.Reason {
		case policy.OtherService:
			g := grant(why, active)
			return decided(false, ReasonOtherService, g, "%s holds %s in %s for the service %s only, which does not cover %s",
				u.Login, tenantry.Words{g.Role}, o.Name, g.Service, name), nil
		case policy.AboveOnly:
			g := grant(why, active)
			where, err := tx.Org(ctx, g.OrgID)
			if err != nil {
				return Decision{}, err
			}
			return decided(false, ReasonOutsideSubtree, g, "%s holds %s in %s, which allows %s there only, not in %s",
				u.Login, tenantry.Words{g.Role}, where.Name, name, o.Name), nil
		}
		return deny(ReasonNoGrant, "no role of %s in %s allows %s", u.Login, o.Name, name), nil
	}
	g := grant(why, active)
	// The services the action belongs to must be enabled for the account.
	if services := a.policy.ActionServices(catalogueFor(o), act); len(services) > 0 {
		enabled, err := tx.AccountServices(ctx, o.AccountID)
		if err != nil {
			return Decision{}, err
		}
		on := slices.ContainsFunc(services, func(s string) bool { return slices.Contains(enabled, s) && (g.Service == "" || g.Service == s) })
		if !on {
			return decided(false, ReasonServiceDisabled, g, "the service %s is not enabled for %s", strings.Join(services, ", "), o.Name), nil
		}
	}
	// A parent's 2FA rule: a person without an authenticator (and without
	// an identity provider that may assert MFA) may do nothing yet.
	if u.Kind == tenantry.UserHuman && !u.TOTPEnabled && u.IdPID == "" {
		sec, err := a.securityOf(ctx, tx, u.OrgID)
		if err != nil {
			return Decision{}, err
		}
		if sec.Require2FA.Value {
			by := sec.Require2FA.By
			if by == nil {
				if by, err = tx.Org(ctx, u.OrgID); err != nil {
					return Decision{}, err
				}
			}
			return decided(false, ReasonMFARequired, g, "%s requires two-factor sign-in and %s has not enrolled an authenticator", by.Name, u.Login), nil
		}
	}
	role := tenantry.Words{g.Role}
	switch until := g.ExpiresAt.UTC().Format(time.RFC3339); {
	case g.Service != "" && !g.ExpiresAt.IsZero():
		return decided(true, ReasonGranted, g, "%s holds %s in %s for the service %s until %s", u.Login, role, o.Name, g.Service, until), nil
	case g.Service != "":
		return decided(true, ReasonGranted, g, "%s holds %s in %s for the service %s", u.Login, role, o.Name, g.Service), nil
	case !g.ExpiresAt.IsZero():
		return decided(true, ReasonGranted, g, "%s holds %s in %s until %s", u.Login, role, o.Name, until), nil
	}
	return decided(true, ReasonGranted, g, "%s holds %s in %s", u.Login, role, o.Name), nil
}

// principalOf is the policy's view of u with grants, expired or not.
func (a *App) principalOf(u *tenantry.User, grants []tenantry.Grant) *policy.Principal {
	p := &policy.Principal{ID: u.ID}
	for _, g := range grants {
		if r, ok := a.policy.Role(g.Role); ok {
			p.Grants = append(p.Grants, policy.Grant{Org: g.OrgID, Role: r, Service: g.Service})
		}
	}
	return p
}

// Explain says whether a user may do an action to a resource, and why
// (B2). The actor must be the user, or see the users of the user's org.
func (a *App) Explain(ctx context.Context, who *Actor, userID, action string, res Resource) (Decision, error) {
	if err := ready(who); err != nil {
		return Decision{}, err
	}
	var d Decision
	err := a.view(ctx, func(tx tenantry.Tx) error {
		v, err := a.visibleUser(ctx, tx, who, userID)
		if err != nil {
			return err
		}
		if v.ID != who.User.ID && !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: v.Org}) {
			return forbidden("you may not see what this person may do")
		}
		if res.ID == "" {
			res = Resource{Type: ResourceOrg, ID: v.Org}
		}
		if d, err = a.decide(ctx, tx, v.ID, action, res); err != nil {
			return err
		}
		if d.Org != nil {
			if _, err := a.visibleOrg(ctx, tx, who, d.Org.ID); tenantry.ErrorCode(err) == tenantry.NotFound {
				// Nothing about a resource the actor cannot see.
				d = deny(ReasonUnknownResource, "there is no %s %s", res.Type, res.ID)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	return d, err
}

// Permissions lists, for every action of the org's catalogue, whether the
// user may do it there and why: "What can this person do here?".
func (a *App) Permissions(ctx context.Context, who *Actor, userID, orgID string) ([]Permission, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []Permission
	err := a.view(ctx, func(tx tenantry.Tx) error {
		v, err := a.visibleUser(ctx, tx, who, userID)
		if err != nil {
			return err
		}
		if orgID == "" {
			orgID = v.Org
		}
		if v.ID != who.User.ID && !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: orgID}) {
			return forbidden("you may not see what this person may do")
		}
		o, err := a.visibleOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, v.ID)
		if err != nil {
			return err
		}
		for _, row := range a.policy.Matrix(catalogueFor(o)).Rows {
			act, ok := a.policy.LookupAction(row.Action)
			if !ok {
				continue // a users.administer_* row: who administers whom
			}
			d, err := a.explainGrants(ctx, tx, u, act, o)
			if err != nil {
				return err
			}
			out = append(out, Permission{Action: row.Action, Decision: d})
		}
		return nil
	})
	return out, err
}

// Permission is one action and the decision on it.
type Permission struct {
	Action string
	Decision
}

// Question is one access evaluation (OpenID AuthZEN): may the subject do
// the action to the resource?
type Question struct {
	SubjectType string // "user": a person or an API user, by id
	SubjectID   string
	Action      string // a catalogue's area.action
	Resource    Resource
}

// Decide answers questions for one of the portal's applications (AuthZEN),
// from the same policy data that guards Tenantry's API, in one
// transaction. The caller must hold platform.decisions (the platform's
// application role). stop, when it returns true for a decision, ends the
// batch there (AuthZEN's deny_on_first_deny and permit_on_first_permit).
func (a *App) Decide(ctx context.Context, who *Actor, qs []Question, stop func(Decision) bool) ([]Decision, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.PlatformDecisions, policy.Target{Org: who.User.OrgID}) {
		return nil, forbidden("only applications the operator registered (role application) ask for decisions")
	}
	out := make([]Decision, 0, len(qs))
	err := a.viewState(ctx, func(tx reader) error {
		out = out[:0]
		for _, q := range qs {
			var d Decision
			if q.SubjectType != "user" {
				d = deny(ReasonUnknownSubject, "subjects are of type user, not %q", q.SubjectType)
			} else {
				var err error
				if d, err = a.decide(ctx, tx, q.SubjectID, q.Action, q.Resource); err != nil {
					return err
				}
			}
			out = append(out, d)
			if stop != nil && stop(d) {
				break
			}
		}
		return nil
	})
	return out, err
}
