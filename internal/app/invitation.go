package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewInvitation is whom an invitation asks, for which roles, and until
// when those roles last.
type NewInvitation struct {
	Login string
	Roles []string
	// Until, if set, ends the roles the invitation gives at that time
	// (B1): third-party access that runs out by itself.
	Until time.Time
}

// Invite asks a person who already has a login in another organization to
// take roles in this one (U4). Users never move between organizations:
// on acceptance they are linked by role grants. The actor must be able to
// give every role.
func (a *App) Invite(ctx context.Context, who *Actor, orgID string, in NewInvitation) (*tenantry.Invitation, error) {
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
		login := strings.TrimSpace(in.Login)
		checkEmail(&v, "login", login)
		if len(in.Roles) == 0 {
			v.Add("roles", "give at least one role")
		}
		rs, err := a.assignableRoles(ctx, tx, &v, who, org, in.Roles, false, tenantry.UserHuman)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		inv, err = a.invite(ctx, tx, who, org, login, rs, in.Until)
		return err
	})
	return inv, err
}

// invite writes and mails an invitation of login (an e-mail address) to
// org. It answers alike whether or not the address has a login elsewhere
// (finding 13 of the security audit): the invitation names no user, the
// audit event names the invitation, and the person hears either way,
// told to accept with their login or to choose one.
func (a *App) invite(ctx context.Context, tx tenantry.Tx, who *Actor, org *tenantry.Org, login string, roles []string, until time.Time) (*tenantry.Invitation, error) {
	u, err := tx.UserByLogin(ctx, login)
	if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
		return nil, err
	}
	known := err == nil && u.Kind == tenantry.UserHuman
	if !until.IsZero() && !until.After(tx.Now().Add(a.cfg.ActivationTTL)) {
		var v tenantry.Validation
		v.Add("until", "must be after the invitation's link runs out, %d hours from now", int(a.cfg.ActivationTTL.Hours()))
		return nil, v.Err()
	}
	if known && u.OrgID == org.ID {
		return nil, alreadyHere()
	}
	if known {
		// The platform's operators are nobody's users (issue 17, item 3:
		// "invite" was offered for the operator's login).
		home, err := tx.Org(ctx, u.OrgID)
		if err != nil {
			return nil, err
		}
		if home.Kind == tenantry.OrgPlatform {
			return nil, tenantry.FieldInvalid("login", "belongs to the platform's operators, who are no organization's users; choose another address")
		}
	}
	inv := &tenantry.Invitation{ID: newID(), OrgID: org.ID, Email: login, Roles: roles, Status: tenantry.InvitationPending,
		ExpiresAt: tx.Now().Add(a.cfg.ActivationTTL), AccessUntil: until.UTC().Truncate(time.Microsecond), CreatedBy: who.User.ID}
	if known {
		existing, err := tx.OrgGrants(ctx, org.ID, []string{u.ID})
		if err != nil {
			return nil, err
		}
		if len(existing) > 0 {
			return nil, tenantry.Errorf(tenantry.Conflict, "login: this person has roles here already")
		}
		inv.UserID = u.ID
		if u.Email != "" {
			inv.Email = u.Email
		}
	}
	token, hash := auth.NewToken()
	inv.TokenHash = hash
	if err := tx.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	if err := a.queueInvitation(ctx, tx, inv, u, org, token); err != nil {
		return nil, err
	}
	details := map[string]any{"roles": roles, "email": login}
	if !until.IsZero() {
		details["until"] = inv.AccessUntil
	}
	return inv, event(ctx, tx, who, org.ID, "invitation.create", "invitation", inv.ID, details)
}

// assignableRoles checks that every name is a role of org that the actor
// may give to a user of kind; creating says whether a new user is being
// created.
func (a *App) assignableRoles(ctx context.Context, tx tenantry.Tx, v *tenantry.Validation, who *Actor, org *tenantry.Org,
	names []string, creating bool, kind tenantry.UserKind) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, name := range names {
		role, service := splitRole(name)
		r, ok := a.policy.Role(role)
		switch {
		case !ok || !slices.Contains(a.policy.Roles(catalogueFor(org)), r):
			v.Add("roles", "%q is not a role of this organization", role)
		case seen[name]:
			v.Add("roles", "%q is given twice", name)
		case (kind == tenantry.UserAPI || kind == tenantry.UserService) && a.policy.PeopleOnly(r):
			v.Add("roles", "%s is a role for people only; API users and service accounts cannot hold it", name)
		case !a.policy.CanAssign(who.Principal(), org.ID, r, creating):
			return nil, forbidden("you may not give the role %s", role)
		default:
			if err := a.checkService(ctx, tx, v, "roles", org, r, service); err != nil {
				return nil, err
			}
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

// listOrNone lists names for a message, or says "none".
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// splitRole reads a role as the API and invitations spell it: "role", or
// "role:service" for a role in one service only.
func splitRole(name string) (role, service string) {
	role, service, _ = strings.Cut(name, ":")
	return role, service
}

// RoleSpelling is how a role in one service is written where roles are
// named (API, CSV): ROLE, or ROLE:SERVICE; splitRole reads it back.
func RoleSpelling(role, service string) string {
	if service == "" {
		return role
	}
	return role + ":" + service
}

// grantOf is the grant a role so spelled gives a user in org.
func grantOf(name, userID, orgID, by string) *tenantry.Grant {
	role, service := splitRole(name)
	return &tenantry.Grant{ID: newID(), UserID: userID, OrgID: orgID, Role: role, Service: service, CreatedBy: by}
}

// queueInvitation mails an invitation: to the person with its login (u),
// or, for an address without one (u nil), in the inviter's language, to
// choose a login.
func (a *App) queueInvitation(ctx context.Context, tx tenantry.Tx, inv *tenantry.Invitation, u *tenantry.User, org *tenantry.Org, token string) error {
	kind := notice.Invitation
	if inv.UserID == "" {
		u, kind = &tenantry.User{Login: inv.Email, OrgID: org.ID, Language: invitationLanguage(ctx, tx, inv)}, notice.InvitationNew
	}
	d := notice.Data{Org: org.Name, RoleCodes: inv.Roles, Link: a.cfg.PublicURL + "/invitation?token=" + token}
	if !inv.AccessUntil.IsZero() {
		loc, err := a.zoneOf(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		d.Until = zoned(inv.AccessUntil, loc)
	}
	return a.queue(ctx, tx, inv.Email, u, kind, inv.TokenHash, d)
}

// invitationLanguage is the language an invitation speaks: the invited
// person's, or for an address without a login the inviter's.
func invitationLanguage(ctx context.Context, tx tenantry.Tx, inv *tenantry.Invitation) string {
	id := inv.UserID
	if id == "" {
		id = inv.CreatedBy
	}
	if u, err := tx.User(ctx, id); err == nil {
		return u.Language
	}
	return lang.English
}

// LinkLanguage is the language of the holder of an activation or reset
// token, so that the page its e-mailed link opens speaks as the e-mail did
// (issue 17, item 2; an invitation's is in its preview). A link that no
// longer works answers TokenInvalid. It changes nothing.
func (a *App) LinkLanguage(ctx context.Context, token string) (string, error) {
	var code string
	err := a.view(ctx, func(tx tenantry.Tx) error {
		hash := auth.HashToken(token)
		for _, purpose := range []tenantry.TokenPurpose{tenantry.TokenActivation, tenantry.TokenReset} {
			if t, err := tx.PeekToken(ctx, hash, purpose); err == nil {
				u, err := tx.User(ctx, t.UserID)
				if err != nil {
					return err
				}
				code = u.Language
				return nil
			}
		}
		return tenantry.DeadToken()
	})
	return code, err
}

// NewPerson is who accepts an invitation sent to an address without a
// login: the name and password of the login it creates.
type NewPerson struct {
	FirstName, LastName, Password string
}

// pendingInvitation loads the invitation of a token that can still be
// accepted.
func pendingInvitation(ctx context.Context, tx tenantry.Tx, token string) (*tenantry.Invitation, error) {
	invalid := tenantry.DeadToken()
	if token == "" {
		return nil, invalid
	}
	inv, err := tx.InvitationByToken(ctx, auth.HashToken(token))
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if inv.Status != tenantry.InvitationPending || !tx.Now().Before(inv.ExpiresAt) {
		return nil, invalid
	}
	return inv, nil
}

// InvitationPreview is what an invitation's page says before it is
// accepted: who invites, with which roles (as codes, "role" or
// "role:service"), until when, and whether the person must choose a
// login first. Only the token's holder, the addressee, learns it: the
// e-mail told them the same.
type InvitationPreview struct {
	Org   string
	Roles []string
	Until time.Time
	// Zone is the inviting organization's time zone, in which Until is
	// told.
	Zone       *time.Location
	NeedsLogin bool
	// Language is the one the invitation's e-mail spoke.
	Language string
}

// PreviewInvitation reads a pending invitation by its token.
func (a *App) PreviewInvitation(ctx context.Context, token string) (*InvitationPreview, error) {
	var out InvitationPreview
	err := a.view(ctx, func(tx tenantry.Tx) error {
		inv, err := pendingInvitation(ctx, tx, token)
		if err != nil {
			return err
		}
		o, err := tx.Org(ctx, inv.OrgID)
		if err != nil {
			return err
		}
		out = InvitationPreview{Org: o.Name, Roles: inv.Roles, Until: inv.AccessUntil, Language: invitationLanguage(ctx, tx, inv)}
		if out.Zone, err = a.zoneOf(ctx, tx, o.ID); err != nil {
			return err
		}
		if inv.UserID == "" {
			_, err := tx.UserByLogin(ctx, inv.Email)
			out.NeedsLogin = tenantry.ErrorCode(err) == tenantry.NotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AcceptInvitation redeems an invitation's token: its person gets the
// invitation's roles in the inviting organization. An invitation to an
// address without a login creates the person there, with p's name and
// password (which it then needs); one whose address has a login by now
// links that login.
func (a *App) AcceptInvitation(ctx context.Context, token, ip string, p *NewPerson) (*tenantry.Invitation, error) {
	var hash string
	if p != nil && p.Password != "" {
		hash = a.hashPassword(p.Password)
	}
	var inv *tenantry.Invitation
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if inv, err = pendingInvitation(ctx, tx, token); err != nil {
			return err
		}
		if inv.UserID == "" {
			u, err := tx.UserByLogin(ctx, inv.Email)
			switch {
			case err == nil && u.Kind == tenantry.UserHuman:
				inv.UserID = u.ID
			case err == nil || tenantry.ErrorCode(err) == tenantry.NotFound:
				return a.createInvitee(ctx, tx, inv, p, hash, ip)
			default:
				return err
			}
		}
		inv.Status = tenantry.InvitationAccepted
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := invitedGrants(ctx, tx, inv, inv.UserID); err != nil {
			return err
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

// createInvitee makes the person an invitation to a new address asked
// for, in the inviting organization, active with the chosen password and
// the invitation's roles.
func (a *App) createInvitee(ctx context.Context, tx tenantry.Tx, inv *tenantry.Invitation, p *NewPerson, hash, ip string) error {
	var v tenantry.Validation
	if p == nil {
		p = &NewPerson{}
	}
	in := NewUser{Email: inv.Email, FirstName: strings.TrimSpace(p.FirstName), LastName: strings.TrimSpace(p.LastName)}
	checkName(&v, "first_name", in.FirstName)
	checkName(&v, "last_name", in.LastName)
	sec, err := a.securityOf(ctx, tx, inv.OrgID)
	if err != nil {
		return err
	}
	person := passwordPerson(ctx, tx, &tenantry.User{Login: inv.Email, Email: inv.Email, FirstName: in.FirstName, LastName: in.LastName}, inv.OrgID)
	if problem := auth.ValidatePassword(p.Password, sec.PasswordMinLength.Value, person); problem.Format != "" {
		v.AddText("password", tenantry.Text(problem))
	}
	if err := v.Err(); err != nil {
		return err
	}
	u := &tenantry.User{ID: newID(), OrgID: inv.OrgID, Kind: tenantry.UserHuman, Status: tenantry.UserActive, Email: inv.Email,
		Login: inv.Email, FirstName: in.FirstName, LastName: in.LastName, Language: "en", PasswordHash: hash}
	if err := tx.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := invitedGrants(ctx, tx, inv, u.ID); err != nil {
		return err
	}
	inv.UserID, inv.Status = u.ID, tenantry.InvitationAccepted
	if err := tx.UpdateInvitation(ctx, inv); err != nil {
		return err
	}
	return event(ctx, tx, &Actor{User: u, IP: ip}, inv.OrgID, "invitation.accept", "user", u.ID,
		map[string]any{"roles": inv.Roles, "invitation": inv.ID, "created": true})
}

// invitedGrants gives userID the roles of an accepted invitation, ending
// when it says; an invitation whose access has ended gives nothing.
func invitedGrants(ctx context.Context, tx tenantry.Tx, inv *tenantry.Invitation, userID string) error {
	if !inv.AccessUntil.IsZero() && !inv.AccessUntil.After(tx.Now()) {
		return tenantry.Errorf(tenantry.Conflict, "the access this invitation offered has ended: ask for a new one")
	}
	for _, role := range inv.Roles {
		g := grantOf(role, userID, inv.OrgID, inv.CreatedBy)
		g.ExpiresAt = inv.AccessUntil
		if err := tx.CreateGrant(ctx, g); err != nil {
			return err
		}
	}
	return nil
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
	if _, err := a.assignableRoles(ctx, tx, &v, who, org, inv.Roles, false, tenantry.UserHuman); err != nil {
		return nil, nil, err
	}
	if inv.Status != tenantry.InvitationPending {
		return nil, nil, tenantry.Errorf(tenantry.Conflict, "this invitation is %s", tenantry.Words{string(inv.Status)})
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
		return event(ctx, tx, who, inv.OrgID, "invitation.cancel", "invitation", inv.ID, nil)
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
		var u *tenantry.User
		if inv.UserID != "" {
			if u, err = tx.User(ctx, inv.UserID); err != nil {
				return err
			}
		}
		if err := a.queueInvitation(ctx, tx, inv, u, org, token); err != nil {
			return err
		}
		return event(ctx, tx, who, inv.OrgID, "invitation.resend", "invitation", inv.ID, nil)
	})
	return inv, err
}

// Invitations lists an organization's invitations; it needs users.see_all there.
func (a *App) Invitations(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Invitation, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Invitation
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.mgmtOrg(ctx, tx, who, orgID); err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: orgID}) {
			return a.refused(policy.UsersSeeAll, orgID, "you may not see this organization's users")
		}
		var err error
		out, err = tx.OrgInvitations(ctx, orgID)
		return err
	})
	return out, err
}
