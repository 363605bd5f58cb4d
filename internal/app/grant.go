package app

import (
	"context"
	"slices"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewGrant is a role to give a user in their organization.
type NewGrant struct {
	Role      string
	Service   string    // "" for every service
	ExpiresAt time.Time // zero for no expiry
}

// GrantRole gives a user a role (R5). The actor must administer the user
// as they are and may give only roles they administer (B3); nobody
// changes their own roles.
func (a *App) GrantRole(ctx context.Context, who *Actor, userID string, in NewGrant) (*tenantry.Grant, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var g *tenantry.Grant
	err := a.update(ctx, func(tx tenantry.Tx) error {
		view, org, err := a.roleTarget(ctx, tx, who, userID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		r, ok := a.policy.Role(in.Role)
		if !ok || !slices.Contains(a.policy.Roles(catalogueFor(org)), r) {
			v.Add("role", "%q is not a role of this organization", in.Role)
		}
		if ok {
			if err := a.checkService(ctx, tx, &v, "service", org, r, in.Service); err != nil {
				return err
			}
		}
		if ok && view.Kind != tenantry.UserHuman && a.policy.PeopleOnly(r) {
			v.Add("role", "%s is a role for people only; API users and service accounts cannot hold it", in.Role)
		}
		if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(tx.Now()) {
			v.Add("expires_at", "must be in the future")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if !a.policy.CanAssign(who.Principal(), org.ID, r, false) {
			return forbidden("you may not give the role %s", in.Role)
		}
		g = &tenantry.Grant{ID: newID(), UserID: view.ID, OrgID: org.ID, Role: in.Role, Service: in.Service,
			ExpiresAt: in.ExpiresAt.UTC().Truncate(time.Microsecond), CreatedBy: who.User.ID}
		if err := tx.CreateGrant(ctx, g); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "grant.create", "user", view.ID, grantDetails(g))
	})
	return g, err
}

// RevokeRole takes a role from a user. The actor needs what GrantRole
// needs for that role; a user's last role cannot be taken (delete the
// user instead).
func (a *App) RevokeRole(ctx context.Context, who *Actor, userID, grantID string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, org, err := a.roleTarget(ctx, tx, who, userID)
		if err != nil {
			return err
		}
		var g *tenantry.Grant
		for i := range view.Grants {
			if view.Grants[i].ID == grantID {
				g = &view.Grants[i]
			}
		}
		if g == nil {
			return notFound("grant")
		}
		r, ok := a.policy.Role(g.Role)
		if !ok || !a.policy.CanAssign(who.Principal(), org.ID, r, false) {
			return forbidden("you may not take the role %s", g.Role)
		}
		if len(view.Grants) == 1 && view.Org == view.OrgID {
			return tenantry.Errorf(tenantry.Invalid, "a user needs at least one role; delete the user instead")
		}
		if len(view.Grants) == 1 { // a linked person's last role here: unlink them
			if err := tx.Unlink(ctx, view.Org, view.ID); err != nil {
				return err
			}
		}
		if err := tx.DeleteGrant(ctx, g.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "grant.delete", "user", view.ID, map[string]any{"role": g.Role})
	})
}

// RemoveLinked removes a person of another organization, linked here by
// an invitation, from the org where the actor sees them (seed 004's
// "Remove user"): every role they hold here ends and the link goes, in
// one transaction; their login, their home org and their roles elsewhere
// stay. The actor must be able to take each of those roles. A person of
// this org is deleted, not removed.
func (a *App) RemoveLinked(ctx context.Context, who *Actor, userID string) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var org *tenantry.Org
		var err error
		if view, org, err = a.roleTarget(ctx, tx, who, userID); err != nil {
			return err
		}
		if view.Org == view.OrgID {
			return tenantry.Errorf(tenantry.Conflict, "this person belongs to this organization: delete them instead")
		}
		var roles []string
		for _, g := range view.Grants {
			r, ok := a.policy.Role(g.Role)
			if ok && !a.policy.CanAssign(who.Principal(), org.ID, r, false) {
				return forbidden("you may not take the role %s", g.Role)
			}
			if err := tx.DeleteGrant(ctx, g.ID); err != nil {
				return err
			}
			roles = append(roles, g.Role)
		}
		if err := tx.Unlink(ctx, org.ID, view.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "user.remove", "user", view.ID, map[string]any{"roles": roles})
	})
	return view, err
}

// roleTarget loads a user whose roles the actor wants to change, refusing
// the actor's own roles and users the actor may not administer.
func (a *App) roleTarget(ctx context.Context, tx tenantry.Tx, who *Actor, userID string) (*UserView, *tenantry.Org, error) {
	view, err := a.visibleUser(ctx, tx, who, userID)
	if err != nil {
		return nil, nil, err
	}
	if view.ID == who.User.ID {
		return nil, nil, forbidden("you cannot change your own roles")
	}
	if err := a.mayAdminister(who, view); err != nil {
		return nil, nil, err
	}
	if err := a.handsOff(ctx, tx, who, view); err != nil {
		return nil, nil, err
	}
	org, err := tx.Org(ctx, view.Org)
	return view, org, err
}
