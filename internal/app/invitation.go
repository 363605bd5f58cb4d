package app

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Invite asks a person who already has a login in another organization to
// take roles in this one (U4). Users never move between organizations:
// on acceptance they are linked by role grants. The actor must be able to
// give every role.
func (a *App) Invite(ctx context.Context, who *Actor, orgID, login string, roles []string) (*tenantry.Invitation, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var inv *tenantry.Invitation
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.mgmtOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		login = strings.TrimSpace(login)
		if login == "" {
			v.Add("login", "is required")
		}
		if len(roles) == 0 {
			v.Add("roles", "give at least one role")
		}
		rs, err := a.assignableRoles(&v, who, org, roles, false, tenantry.UserHuman)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		u, err := tx.UserByLogin(ctx, login)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return &tenantry.Error{Code: tenantry.Invalid, Message: "login: nobody has this login; create the user instead",
				Fields: []tenantry.FieldError{{Field: "login", Message: "nobody has this login; create the user instead"}}}
		}
		if err != nil {
			return err
		}
		if u.OrgID == org.ID {
			return tenantry.Errorf(tenantry.Conflict, "login: this person belongs to this organization already")
		}
		if u.Kind != tenantry.UserHuman || u.Email == "" {
			return tenantry.Errorf(tenantry.Invalid, "login: only people with an e-mail address can be invited")
		}
		existing, err := tx.OrgGrants(ctx, org.ID, []string{u.ID})
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return tenantry.Errorf(tenantry.Conflict, "login: this person has roles here already")
		}
		token, hash := auth.NewToken()
		inv = &tenantry.Invitation{ID: newID(), OrgID: org.ID, UserID: u.ID, Email: u.Email, Roles: rs, TokenHash: hash,
			Status: tenantry.InvitationPending, ExpiresAt: tx.Now().Add(a.cfg.ActivationTTL), CreatedBy: who.User.ID}
		if err := tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := a.queueInvitation(ctx, tx, inv, u, org, token); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "invitation.create", "user", u.ID, map[string]any{"roles": rs, "invitation": inv.ID})
	})
	return inv, err
}

// assignableRoles checks that every name is a role of org that the actor
// may give to a user of kind; creating says whether a new user is being
// created.
func (a *App) assignableRoles(v *tenantry.Validation, who *Actor, org *tenantry.Org, names []string, creating bool, kind tenantry.UserKind) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, name := range names {
		r, ok := a.policy.Role(name)
		switch {
		case !ok || !slices.Contains(a.policy.Roles(catalogueFor(org)), r):
			v.Add("roles", "%q is not a role of this organization", name)
		case seen[name]:
			v.Add("roles", "%q is given twice", name)
		case (kind == tenantry.UserAPI || kind == tenantry.UserService) && a.policy.PeopleOnly(r):
			v.Add("roles", "%s is a role for people only; API users and service accounts cannot hold it", name)
		case !a.policy.CanAssign(who.Principal(), org.ID, r, creating):
			return nil, forbidden("you may not give the role %s", name)
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

func (a *App) queueInvitation(ctx context.Context, tx tenantry.Tx, inv *tenantry.Invitation, u *tenantry.User, org *tenantry.Org, token string) error {
	return a.queue(ctx, tx, inv.Email, u, notice.Invitation, inv.TokenHash, notice.Data{
		Org: org.Name, Roles: strings.Join(inv.Roles, ", "), Link: a.cfg.PublicURL + "/invitation?token=" + token})
}

// AcceptInvitation redeems an invitation's token: its person gets the
// invitation's roles in the inviting organization.
func (a *App) AcceptInvitation(ctx context.Context, token, ip string) (*tenantry.Invitation, error) {
	invalid := tenantry.Errorf(tenantry.TokenInvalid, "token: unknown, already used, cancelled or expired")
	if token == "" {
		return nil, invalid
	}
	var inv *tenantry.Invitation
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		inv, err = tx.InvitationByToken(ctx, auth.HashToken(token))
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return invalid
		}
		if err != nil {
			return err
		}
		if inv.Status != tenantry.InvitationPending || !tx.Now().Before(inv.ExpiresAt) {
			return invalid
		}
		inv.Status = tenantry.InvitationAccepted
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		for _, role := range inv.Roles {
			g := &tenantry.Grant{ID: newID(), UserID: inv.UserID, OrgID: inv.OrgID, Role: role, CreatedBy: inv.CreatedBy}
			if err := tx.CreateGrant(ctx, g); err != nil {
				return err
			}
		}
		if err := tx.Link(ctx, inv.OrgID, inv.UserID); err != nil {
			return err
		}
		u, err := tx.User(ctx, inv.UserID)
		if err != nil {
			return err
		}
		return event(ctx, tx, &Actor{User: u, IP: ip}, inv.OrgID, "invitation.accept", "user", u.ID,
			map[string]any{"roles": inv.Roles, "invitation": inv.ID})
	})
	return inv, err
}

// invitationFor loads an invitation of an org where the actor may give
// every role it carries.
func (a *App) invitationFor(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Invitation, *tenantry.Org, error) {
	inv, err := tx.Invitation(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound || (err == nil && !a.policy.Member(who.Principal(), inv.OrgID)) {
		return nil, nil, notFound("invitation")
	}
	if err != nil {
		return nil, nil, err
	}
	org, err := tx.Org(ctx, inv.OrgID)
	if err != nil {
		return nil, nil, err
	}
	if err := a.mgmt(who, org.ID); err != nil {
		return nil, nil, err
	}
	var v tenantry.Validation
	if _, err := a.assignableRoles(&v, who, org, inv.Roles, false, tenantry.UserHuman); err != nil {
		return nil, nil, err
	}
	if inv.Status != tenantry.InvitationPending {
		return nil, nil, tenantry.Errorf(tenantry.Conflict, "this invitation is %s", inv.Status)
	}
	return inv, org, nil
}

// CancelInvitation withdraws a pending invitation; its link stops working.
func (a *App) CancelInvitation(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		inv, _, err := a.invitationFor(ctx, tx, who, id)
		if err != nil {
			return err
		}
		inv.Status = tenantry.InvitationCancelled
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return event(ctx, tx, who, inv.OrgID, "invitation.cancel", "user", inv.UserID, map[string]any{"invitation": inv.ID})
	})
}

// ResendInvitation e-mails a pending invitation again with a new link and
// a new expiry; the old link stops working.
func (a *App) ResendInvitation(ctx context.Context, who *Actor, id string) (*tenantry.Invitation, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var inv *tenantry.Invitation
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var org *tenantry.Org
		var err error
		if inv, org, err = a.invitationFor(ctx, tx, who, id); err != nil {
			return err
		}
		token, hash := auth.NewToken()
		inv.TokenHash, inv.ExpiresAt = hash, tx.Now().Add(a.cfg.ActivationTTL)
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		u, err := tx.User(ctx, inv.UserID)
		if err != nil {
			return err
		}
		if err := a.queueInvitation(ctx, tx, inv, u, org, token); err != nil {
			return err
		}
		return event(ctx, tx, who, inv.OrgID, "invitation.resend", "user", inv.UserID, map[string]any{"invitation": inv.ID})
	})
	return inv, err
}

// Invitations lists an organization's invitations; it needs users.see_all there.
func (a *App) Invitations(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Invitation, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Invitation
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		if _, err := a.mgmtOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: orgID}) {
			return forbidden("you may not see this organization's users")
		}
		var err error
		out, err = tx.OrgInvitations(ctx, orgID)
		return err
	})
	return out, err
}
