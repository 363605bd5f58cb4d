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

// SCIMTokenPrefix starts every SCIM bearer token, so secret scanners and
// people can tell one at a glance.
const SCIMTokenPrefix = "tnt_scim_"

// SCIMSettings are what an administrator chooses for an org's SCIM
// connection (B7).
type SCIMSettings struct {
	// Role is the role the directory acts with: it may create, change and
	// remove the people, and give the roles, that this role administers.
	Role string
	// DefaultRole is given to every person the directory creates.
	DefaultRole string
	// IdP is the identity provider the people it creates sign in with;
	// "" for a password they set from their activation e-mail.
	IdP       string
	OnDelete  tenantry.SCIMDelete
	Exclusive bool
}

// SCIMView is an org's SCIM connection as its administrators see it.
type SCIMView struct {
	*tenantry.SCIMConnection
	// Role is the role the directory acts with.
	Role string
	// Account is the login of the service account it acts as.
	Account string
}

// newSCIMToken makes a SCIM token: the value shown once, its hash kept,
// and its last characters to tell tokens apart.
func newSCIMToken() (raw, hash, hint string) {
	secret, _ := auth.NewToken()
	raw = SCIMTokenPrefix + secret
	return raw, auth.HashToken(raw), raw[len(raw)-4:]
}

// scimLogin is the login of the service account an org's directory acts as.
func scimLogin(orgID string) string { return "scim:" + orgID }

// SCIMRoles lists the roles the actor may give a SCIM connection in org:
// roles they may give that administer some other role and that a service
// account may hold.
func (a *App) SCIMRoles(who *Actor, org *tenantry.Org) []string {
	var out []string
	for _, name := range a.Assignable(who, org, false) {
		r, _ := a.policy.Role(name)
		if a.policy.PeopleOnly(r) {
			continue
		}
		for _, other := range a.policy.Roles(catalogueFor(org)) {
			if a.policy.Administers(r, other) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// SCIMDefaultRoles lists the roles a SCIM connection acting with role
// may give every new person in org: those the role may give a person it
// creates, for all of the org.
func (a *App) SCIMDefaultRoles(org *tenantry.Org, role string) []string {
	r, ok := a.policy.Role(role)
	if !ok {
		return nil
	}
	acting := &policy.Principal{Grants: []policy.Grant{{Org: org.ID, Role: r}}}
	var out []string
	for _, d := range a.policy.Roles(catalogueFor(org)) {
		if a.policy.CanAssign(acting, org.ID, d, true) && !a.policy.PerService(d) {
			out = append(out, a.policy.RoleName(d))
		}
	}
	return out
}

// scimOrg loads an org whose SCIM connection the actor manages: one where
// they see and administer users.
func (a *App) scimOrg(ctx context.Context, tx tenantry.Tx, who *Actor, orgID string) (*tenantry.Org, error) {
	org, err := a.mgmtOrg(ctx, tx, who, orgID)
	if err != nil {
		return nil, err
	}
	if org.Kind == tenantry.OrgPlatform {
		return nil, tenantry.Errorf(tenantry.Invalid, "SCIM provisions the people of customer organizations, not the platform's")
	}
	if !a.Can(who, policy.UsersSeeAll, org.ID) || len(a.SCIMRoles(who, org)) == 0 {
		return nil, forbidden("only those who see and administer this organization's users set up SCIM")
	}
	return org, nil
}

// checkSCIMSettings normalises and checks in for org.
func (a *App) checkSCIMSettings(ctx context.Context, tx tenantry.Tx, who *Actor, org *tenantry.Org, in *SCIMSettings) error {
	var v tenantry.Validation
	roles := a.SCIMRoles(who, org)
	if in.Role == "" && len(roles) > 0 {
		in.Role = roles[0]
		if r, ok := a.policy.FormerOwner(catalogueFor(org)); ok && slices.Contains(roles, a.policy.RoleName(r)) {
			in.Role = a.policy.RoleName(r)
		}
	}
	if in.OnDelete == "" {
		in.OnDelete = tenantry.SCIMDeactivate
	}
	if in.OnDelete != tenantry.SCIMDeactivate && in.OnDelete != tenantry.SCIMDeleteUser {
		v.Add("on_delete", "must be deactivate or delete")
	}
	r, ok := a.policy.Role(in.Role)
	if !ok || !slices.Contains(roles, in.Role) {
		v.Add("role", "must be one of %s: a role you may give that administers others", listOrNone(roles))
		return v.Err()
	}
	defaults := a.SCIMDefaultRoles(org, a.policy.RoleName(r))
	if in.DefaultRole == "" && len(defaults) > 0 {
		in.DefaultRole = defaults[len(defaults)-1]
		if slices.Contains(defaults, "read_only") {
			in.DefaultRole = "read_only"
		}
	}
	if !slices.Contains(defaults, in.DefaultRole) {
		v.Add("default_role", "must be one of %s: a role that %s may give", listOrNone(defaults), in.Role)
	}
	if in.IdP != "" {
		idp, ext := in.IdP, ""
		if _, err := a.checkSignInMethod(ctx, tx, &v, who, org, &idp, &ext, false, false); err != nil {
			return err
		}
	}
	return v.Err()
}

// EnableSCIM turns SCIM provisioning on for an org (B7) and returns its
// bearer token, shown this once and stored hashed. The directory acts as
// a service account of the org with in.Role, so it can do no more than
// that role may.
func (a *App) EnableSCIM(ctx context.Context, who *Actor, orgID string, in SCIMSettings) (*SCIMView, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, "", err
	}
	raw, hash, hint := newSCIMToken()
	var view *SCIMView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.scimOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		if _, err := tx.SCIMConnection(ctx, org.ID); err == nil {
			return tenantry.Errorf(tenantry.Conflict, "SCIM is on for this organization already: change its settings or make a new token")
		} else if tenantry.ErrorCode(err) != tenantry.NotFound {
			return err
		}
		if err := a.checkSCIMSettings(ctx, tx, who, org, &in); err != nil {
			return err
		}
		u, err := tx.UserByLogin(ctx, scimLogin(org.ID))
		switch {
		case err == nil: // on before: the same account acts again
			if err := a.dropGrants(ctx, tx, u.ID, org.ID); err != nil {
				return err
			}
			u.Status = tenantry.UserActive
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
		case tenantry.ErrorCode(err) == tenantry.NotFound:
			u = &tenantry.User{ID: newID(), OrgID: org.ID, Kind: tenantry.UserService, Status: tenantry.UserActive,
				Login: scimLogin(org.ID), FirstName: "SCIM", LastName: "directory", Language: "en"}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		default:
			return err
		}
		if err := tx.CreateGrant(ctx, grantOf(in.Role, u.ID, org.ID, who.User.ID)); err != nil {
			return err
		}
		c := &tenantry.SCIMConnection{OrgID: org.ID, UserID: u.ID, TokenHash: hash, TokenHint: hint,
			DefaultRole: in.DefaultRole, IdP: in.IdP, OnDelete: in.OnDelete, Exclusive: in.Exclusive, CreatedBy: who.User.ID}
		if err := tx.PutSCIMConnection(ctx, c); err != nil {
			return err
		}
		view = &SCIMView{SCIMConnection: c, Role: in.Role, Account: u.Login}
		return event(ctx, tx, who, org.ID, "scim.enable", "org", org.ID, map[string]any{"role": in.Role,
			"default_role": in.DefaultRole, "on_delete": string(in.OnDelete), "exclusive": in.Exclusive})
	})
	if err != nil {
		return nil, "", err
	}
	return view, raw, nil
}

// dropGrants ends every role a user holds in org.
func (a *App) dropGrants(ctx context.Context, tx tenantry.Tx, userID, orgID string) error {
	grants, err := tx.OrgGrants(ctx, orgID, []string{userID})
	if err != nil {
		return err
	}
	for _, g := range grants {
		if err := tx.DeleteGrant(ctx, g.ID); err != nil {
			return err
		}
	}
	return nil
}

// SCIM returns an org's SCIM connection, or NotFound while SCIM is off.
func (a *App) SCIM(ctx context.Context, who *Actor, orgID string) (*SCIMView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *SCIMView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		org, err := a.scimOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		view, err = a.scimView(ctx, tx, org.ID)
		return err
	})
	return view, err
}

// scimView reads an org's connection with its service account's role.
func (a *App) scimView(ctx context.Context, tx tenantry.Tx, orgID string) (*SCIMView, error) {
	c, err := tx.SCIMConnection(ctx, orgID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, tenantry.Errorf(tenantry.NotFound, "SCIM is off for this organization")
	}
	if err != nil {
		return nil, err
	}
	view := &SCIMView{SCIMConnection: c, Account: scimLogin(orgID)}
	grants, err := tx.OrgGrants(ctx, orgID, []string{c.UserID})
	if err != nil {
		return nil, err
	}
	if len(grants) > 0 {
		view.Role = grants[0].Role
	}
	return view, nil
}

// UpdateSCIM changes an org's SCIM settings; the token stays.
func (a *App) UpdateSCIM(ctx context.Context, who *Actor, orgID string, in SCIMSettings) (*SCIMView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *SCIMView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.scimOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		if view, err = a.scimView(ctx, tx, org.ID); err != nil {
			return err
		}
		if err := a.checkSCIMSettings(ctx, tx, who, org, &in); err != nil {
			return err
		}
		if in.Role != view.Role {
			if err := a.dropGrants(ctx, tx, view.UserID, org.ID); err != nil {
				return err
			}
			if err := tx.CreateGrant(ctx, grantOf(in.Role, view.UserID, org.ID, who.User.ID)); err != nil {
				return err
			}
			view.Role = in.Role
		}
		c := view.SCIMConnection
		c.DefaultRole, c.IdP, c.OnDelete, c.Exclusive = in.DefaultRole, in.IdP, in.OnDelete, in.Exclusive
		if err := tx.PutSCIMConnection(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "scim.update", "org", org.ID, map[string]any{"role": in.Role,
			"default_role": in.DefaultRole, "on_delete": string(in.OnDelete), "exclusive": in.Exclusive})
	})
	return view, err
}

// RotateSCIMToken gives an org's SCIM connection a new token; the old one
// stops working at once.
func (a *App) RotateSCIMToken(ctx context.Context, who *Actor, orgID string) (*SCIMView, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, "", err
	}
	raw, hash, hint := newSCIMToken()
	var view *SCIMView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.scimOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		if view, err = a.scimView(ctx, tx, org.ID); err != nil {
			return err
		}
		view.TokenHash, view.TokenHint = hash, hint
		if err := tx.PutSCIMConnection(ctx, view.SCIMConnection); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "scim.token", "org", org.ID, nil)
	})
	if err != nil {
		return nil, "", err
	}
	return view, raw, nil
}

// DisableSCIM turns an org's SCIM provisioning off: the token stops
// working and the service account loses its role. The people it made
// stay, and administrators change them by hand again.
func (a *App) DisableSCIM(ctx context.Context, who *Actor, orgID string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.scimOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		c, err := a.scimView(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteSCIMConnection(ctx, org.ID); err != nil {
			return err
		}
		if err := a.dropGrants(ctx, tx, c.UserID, org.ID); err != nil {
			return err
		}
		u, err := tx.User(ctx, c.UserID)
		if err != nil {
			return err
		}
		u.Status = tenantry.UserLocked
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "scim.disable", "org", org.ID, nil)
	})
}

// scimTouchEvery bounds how often a SCIM token's last use is written.
const scimTouchEvery = time.Minute

// AuthenticateSCIM returns the actor of an org's SCIM bearer token: its
// service account, with the connection's role in the org.
func (a *App) AuthenticateSCIM(ctx context.Context, raw, ip string) (*Actor, error) {
	unauth := tenantry.Errorf(tenantry.Unauthenticated, "the SCIM token is invalid or was replaced")
	if !strings.HasPrefix(raw, SCIMTokenPrefix) {
		return nil, unauth
	}
	var who *Actor
	err := a.view(ctx, func(tx tenantry.Tx) error {
		c, err := tx.SCIMConnectionByToken(ctx, auth.HashToken(raw))
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return unauth
		}
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, c.UserID)
		if err != nil {
			return err
		}
		if u.Status != tenantry.UserActive {
			return unauth
		}
		if who, err = a.loadActor(ctx, tx, u); err != nil {
			return err
		}
		who.scim = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	who.Via, who.IP = ViaSCIM, ip
	if a.cfg.Now().Sub(who.scim.LastUsedAt) >= scimTouchEvery {
		if err := a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.TouchSCIMConnection(ctx, who.scim.OrgID) }); err != nil {
			return nil, err
		}
	}
	return who, nil
}

// handsOff refuses an administrator's change to a person the org's
// directory manages, where the org keeps such people to SCIM alone.
func (a *App) handsOff(ctx context.Context, tx tenantry.Tx, who *Actor, v *UserView) error {
	if who.Via == ViaSCIM || !v.SCIMManaged || v.Org != v.OrgID {
		return nil
	}
	c, err := tx.SCIMConnection(ctx, v.OrgID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Exclusive {
		return forbidden("%s %s is managed by your organization's directory over SCIM: change them there", v.FirstName, v.LastName)
	}
	return nil
}

// SCIMPerson is a person as the org's directory describes them.
type SCIMPerson struct {
	Login      string
	Email      string
	FirstName  string
	LastName   string
	Phone      string
	JobTitle   string
	Language   string
	ExternalID string
	Active     bool
}

// scimActor returns the connection of a SCIM actor, refusing others.
func scimActor(who *Actor) (*tenantry.SCIMConnection, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if who.Via != ViaSCIM || who.scim == nil {
		return nil, forbidden("this takes an organization's SCIM token")
	}
	return who.scim, nil
}

// scimLanguage maps a directory's preferred language ("de-DE", "en_US")
// to one Tenantry speaks, English where it speaks none of it.
func scimLanguage(s string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(strings.ToLower(s), "_", "-"), "-")
	if lang.Known(base) {
		return base
	}
	return "en"
}

// provisioned loads a person of the connection's org for the directory;
// anyone else is NotFound.
func (a *App) provisioned(ctx context.Context, tx tenantry.Tx, c *tenantry.SCIMConnection, id string) (*UserView, error) {
	if !validID(id) {
		return nil, notFound("user")
	}
	u, err := tx.User(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound || err == nil && (u.OrgID != c.OrgID || u.Kind != tenantry.UserHuman) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, err
	}
	grants, err := tx.OrgGrants(ctx, u.OrgID, []string{u.ID})
	if err != nil {
		return nil, err
	}
	return &UserView{User: u, Org: u.OrgID, Grants: grants}, nil
}

// ProvisionedUser returns a person of the SCIM actor's org.
func (a *App) ProvisionedUser(ctx context.Context, who *Actor, id string) (*UserView, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var view *UserView
	err = a.view(ctx, func(tx tenantry.Tx) error {
		view, err = a.provisioned(ctx, tx, c, id)
		return err
	})
	return view, err
}

// ProvisionedUsers returns one page of the SCIM actor's org's people that
// match q, and how many match in all.
func (a *App) ProvisionedUsers(ctx context.Context, who *Actor, q tenantry.UserQuery) ([]*tenantry.User, int, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, 0, err
	}
	q.OrgID = c.OrgID
	var out []*tenantry.User
	var total int
	err = a.view(ctx, func(tx tenantry.Tx) error {
		out, total, err = tx.QueryUsers(ctx, q)
		return err
	})
	return out, total, err
}

// ProvisionUser creates a person for the org's directory, with the
// connection's default role and sign-in method. A login taken anywhere
// is a Conflict: the directory matches existing people by filter first.
func (a *App) ProvisionUser(ctx context.Context, who *Actor, in SCIMPerson) (*UserView, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var view *UserView
	err = a.update(ctx, func(tx tenantry.Tx) error {
		org, err := tx.Org(ctx, c.OrgID)
		if err != nil {
			return err
		}
		nu := NewUser{Email: in.Email, Login: in.Login, FirstName: in.FirstName, LastName: in.LastName,
			Language: scimLanguage(in.Language), IdP: c.IdP, Roles: []string{c.DefaultRole},
			ExternalID: strings.TrimSpace(in.ExternalID), SCIMManaged: true, Locked: !in.Active}
		if org.Settings.SelfManagedProfile {
			nu.Phone, nu.JobTitle = in.Phone, in.JobTitle
		}
		var v tenantry.Validation
		validateNewUser(&v, "", &nu, org.Settings)
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := tx.UserByLogin(ctx, nu.Login); err == nil {
			return &tenantry.Error{Code: tenantry.Conflict, Message: "login: already taken",
				Fields: []tenantry.FieldError{{Field: "login", Message: "already taken"}}}
		}
		view, err = a.insertUser(ctx, tx, who, org, nu, nu.Roles, false)
		return err
	})
	return view, err
}

// ReplaceProvisioned sets every attribute of a person the directory
// describes (SCIM's PUT, and PATCH after applying its operations), in one
// transaction: profile, login, externalId and active. match, when set,
// checks the person as stored (an If-Match precondition). A person the
// directory did not create becomes one it manages.
func (a *App) ReplaceProvisioned(ctx context.Context, who *Actor, id string, in SCIMPerson, match func(*UserView) error) (*UserView, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var view *UserView
	err = a.update(ctx, func(tx tenantry.Tx) error {
		if view, err = a.provisioned(ctx, tx, c, id); err != nil {
			return err
		}
		if match != nil {
			if err := match(view); err != nil {
				return err
			}
		}
		if err := a.mayAdminister(who, view); err != nil {
			return err
		}
		org, err := tx.Org(ctx, view.OrgID)
		if err != nil {
			return err
		}
		old := *view.User
		lang := scimLanguage(in.Language)
		p := UserPatch{Email: &in.Email, FirstName: &in.FirstName, LastName: &in.LastName, Language: &lang}
		if org.Settings.SelfManagedProfile {
			p.Phone, p.JobTitle = &in.Phone, &in.JobTitle
		}
		changed, err := applyPatch(view.User, p, org.Settings)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		if login := strings.TrimSpace(in.Login); login != "" && login != view.Login {
			if checkLogin(&v, "login", login) {
				view.Login = login
				changed = append(changed, "login")
			}
		}
		if ext := strings.TrimSpace(in.ExternalID); ext != view.ExternalID {
			checkExternalID(&v, ext)
			view.ExternalID = ext
			changed = append(changed, "external_id")
		}
		if err := v.Err(); err != nil {
			return err
		}
		claimed := !view.SCIMManaged
		view.SCIMManaged = true
		if len(changed) > 0 || claimed {
			if err := tx.UpdateUser(ctx, view.User); err != nil {
				return err
			}
		}
		if slices.Contains(changed, "email") {
			if err := a.queue(ctx, tx, old.Email, &old, notice.EmailChanged, newID(), notice.Data{NewEmail: view.Email}); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if err := event(ctx, tx, who, view.OrgID, "user.update", "user", view.ID, map[string]any{"fields": changed}); err != nil {
				return err
			}
		}
		switch {
		case !in.Active && view.Status != tenantry.UserLocked:
			return a.lock(ctx, tx, who, view.User)
		case in.Active && view.Status == tenantry.UserLocked:
			return a.unlock(ctx, tx, who, view.User)
		}
		return nil
	})
	return view, err
}

// DeprovisionUser does what the org chose for the directory's DELETE of a
// person: lock them, or delete them.
func (a *App) DeprovisionUser(ctx context.Context, who *Actor, id string, match func(*UserView) error) error {
	c, err := scimActor(who)
	if err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.provisioned(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if match != nil {
			if err := match(view); err != nil {
				return err
			}
		}
		if err := a.mayAdminister(who, view); err != nil {
			return err
		}
		if c.OnDelete == tenantry.SCIMDeleteUser {
			return a.deleteUser(ctx, tx, who, view.User)
		}
		return a.lock(ctx, tx, who, view.User)
	})
}

// SCIMGroup is a role of the org as the directory sees it: a group whose
// members hold the role there (for one service, where the catalogue gives
// the role per service).
type SCIMGroup struct {
	ID      string // the role, or role:service
	Name    string // "Read only", "Admin (compute)"
	Members []*tenantry.User
}

// scimGroups lists the groups of the connection's org: the roles the
// connection may give, per enabled service where the catalogue says so.
func (a *App) scimGroups(ctx context.Context, tx tenantry.Tx, who *Actor, org *tenantry.Org) ([]SCIMGroup, error) {
	var services []string
	var out []SCIMGroup
	for _, name := range a.Assignable(who, org, false) {
		r, _ := a.policy.Role(name)
		if !a.policy.PerService(r) {
			out = append(out, SCIMGroup{ID: name, Name: GroupName(name, "")})
			continue
		}
		if services == nil {
			var err error
			if services, err = tx.AccountServices(ctx, org.AccountID); err != nil {
				return nil, err
			}
		}
		for _, s := range services {
			out = append(out, SCIMGroup{ID: name + ":" + s, Name: GroupName(name, s)})
		}
	}
	return out, nil
}

// GroupName is a role's name as a directory's group: "Read only",
// "Admin (compute)" for a role in one service.
func GroupName(role, service string) string {
	return lang.EnglishRoleName(RoleSpelling(role, service))
}

// SCIMGroups lists the groups of the SCIM actor's org; with members, each
// with the people who hold its role.
func (a *App) SCIMGroups(ctx context.Context, who *Actor, members bool) ([]SCIMGroup, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var out []SCIMGroup
	err = a.view(ctx, func(tx tenantry.Tx) error {
		org, err := tx.Org(ctx, c.OrgID)
		if err != nil {
			return err
		}
		if out, err = a.scimGroups(ctx, tx, who, org); err != nil || !members {
			return err
		}
		for i := range out {
			role, service := splitRole(out[i].ID)
			if out[i].Members, err = tx.RoleHolders(ctx, org.ID, role, service); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// scimGroup finds one group of the org by id, with its members.
func (a *App) scimGroup(ctx context.Context, tx tenantry.Tx, who *Actor, c *tenantry.SCIMConnection, id string) (*tenantry.Org, *SCIMGroup, error) {
	org, err := tx.Org(ctx, c.OrgID)
	if err != nil {
		return nil, nil, err
	}
	groups, err := a.scimGroups(ctx, tx, who, org)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range groups {
		if g.ID == id {
			role, service := splitRole(id)
			g.Members, err = tx.RoleHolders(ctx, org.ID, role, service)
			return org, &g, err
		}
	}
	return nil, nil, notFound("group")
}

// SCIMGroup returns one group of the SCIM actor's org with its members.
func (a *App) SCIMGroup(ctx context.Context, who *Actor, id string) (*SCIMGroup, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var g *SCIMGroup
	err = a.view(ctx, func(tx tenantry.Tx) error {
		_, g, err = a.scimGroup(ctx, tx, who, c, id)
		return err
	})
	return g, err
}

// ChangeSCIMGroup changes who holds a group's role, in one transaction:
// it gives the role to the people in add and takes it from those in
// remove; with replace, the members become exactly add. A person left
// with no role here gets the connection's default role, for a person
// always holds one; so the default role's group cannot take anyone's
// last role.
func (a *App) ChangeSCIMGroup(ctx context.Context, who *Actor, id string, add, remove []string, replace bool) (*SCIMGroup, error) {
	c, err := scimActor(who)
	if err != nil {
		return nil, err
	}
	var g *SCIMGroup
	err = a.update(ctx, func(tx tenantry.Tx) error {
		var org *tenantry.Org
		if org, g, err = a.scimGroup(ctx, tx, who, c, id); err != nil {
			return err
		}
		role, service := splitRole(id)
		now := map[string]bool{}
		for _, u := range g.Members {
			now[u.ID] = true
		}
		if replace {
			want := map[string]bool{}
			for _, id := range add {
				want[id] = true
			}
			for id := range now {
				if !want[id] {
					remove = append(remove, id)
				}
			}
		}
		var v tenantry.Validation
		for _, uid := range add {
			if now[uid] {
				continue
			}
			view, err := a.provisioned(ctx, tx, c, uid)
			if tenantry.ErrorCode(err) == tenantry.NotFound {
				v.Add("members", "%q is not a person of this organization", uid)
				continue
			}
			if err != nil {
				return err
			}
			if err := a.mayAdminister(who, view); err != nil {
				return err
			}
			gr := &tenantry.Grant{ID: newID(), UserID: uid, OrgID: org.ID, Role: role, Service: service, CreatedBy: who.User.ID}
			if err := tx.CreateGrant(ctx, gr); err != nil {
				return err
			}
			now[uid] = true
			if err := event(ctx, tx, who, org.ID, "grant.create", "user", uid, grantDetails(gr)); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		for _, uid := range remove {
			if !now[uid] {
				continue
			}
			view, err := a.provisioned(ctx, tx, c, uid)
			if err != nil {
				return err
			}
			if err := a.mayAdminister(who, view); err != nil {
				return err
			}
			if err := a.takeSCIMRole(ctx, tx, who, c, view, role, service); err != nil {
				return err
			}
			delete(now, uid)
		}
		g.Members, err = tx.RoleHolders(ctx, org.ID, role, service)
		return err
	})
	return g, err
}

// takeSCIMRole takes one role from a person, giving them the default
// role instead where it was their last.
func (a *App) takeSCIMRole(ctx context.Context, tx tenantry.Tx, who *Actor, c *tenantry.SCIMConnection, view *UserView, role, service string) error {
	for _, gr := range view.Grants {
		if gr.Role != role || gr.Service != service {
			continue
		}
		if len(view.Grants) == 1 {
			if role == c.DefaultRole && service == "" {
				return nil
			}
			d := grantOf(c.DefaultRole, view.ID, view.OrgID, who.User.ID)
			if err := tx.CreateGrant(ctx, d); err != nil {
				return err
			}
			if err := event(ctx, tx, who, view.OrgID, "grant.create", "user", view.ID, grantDetails(d)); err != nil {
				return err
			}
		}
		if err := tx.DeleteGrant(ctx, gr.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, view.OrgID, "grant.delete", "user", view.ID, map[string]any{"role": gr.Role})
	}
	return nil
}

// grantDetails are the audit details of a new grant.
func grantDetails(g *tenantry.Grant) map[string]any {
	details := map[string]any{"role": g.Role}
	if g.Service != "" {
		details["service"] = g.Service
	}
	if !g.ExpiresAt.IsZero() {
		details["expires_at"] = g.ExpiresAt
	}
	return details
}

// checkExternalID adds to v what is wrong with a directory's externalId.
func checkExternalID(v *tenantry.Validation, ext string) {
	if len(ext) > 254 {
		v.Add("external_id", "must have at most 254 characters")
	}
}
