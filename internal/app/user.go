package app

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// NewUser is the input of CreateUser (U2).
type NewUser struct {
	Kind             tenantry.UserKind // "" means human
	Email            string
	Login            string // "" means the e-mail address
	FirstName        string
	LastName         string
	Phone            string
	JobTitle         string
	Language         string // "" means en
	ContactBilling   bool
	ContactTechnical bool
	ContactBusiness  bool
	NotifyNews       bool
	NotifyAlerts     bool
	// IdP is the identity provider the person signs in with, "" for a
	// password; ExternalLogin what its login claim carries for them, ""
	// for their e-mail (U8). BreakGlass keeps a password where a parent
	// requires identity providers (B4).
	IdP           string
	ExternalLogin string
	BreakGlass    bool
	Roles         []string
	// RolesUntil, if set, ends the roles by themselves at that time (B1).
	RolesUntil time.Time
	// Quiet sends no activation e-mail (a bulk import that says so): the
	// person activates through "forgot password", an identity provider,
	// or an activation an administrator sends later.
	Quiet bool
	// ExternalID and SCIMManaged mark a person the org's directory
	// creates over SCIM; Locked creates them locked (SCIM's active false),
	// with no activation e-mail.
	ExternalID  string
	SCIMManaged bool
	Locked      bool
}

// UserPatch changes some of a user's fields; nil leaves a field alone.
type UserPatch struct {
	Email            *string
	FirstName        *string
	LastName         *string
	Phone            *string
	JobTitle         *string
	Language         *string
	ContactBilling   *bool
	ContactTechnical *bool
	ContactBusiness  *bool
	NotifyNews       *bool
	NotifyAlerts     *bool
	// IdP, ExternalLogin and BreakGlass change how the user signs in;
	// administrators change them, never the user.
	IdP           *string
	ExternalLogin *string
	BreakGlass    *bool
	// OrgID is refused whenever it differs: users never move between
	// organizations (U4); it is here so that the refusal can say so.
	OrgID *string
}

// UserView is a user with the roles they hold in one organization: their
// own, or the one through which the viewer sees them.
type UserView struct {
	*tenantry.User
	Org    string
	Grants []tenantry.Grant
	// Invitation is set when CreateUser invited the person instead (their
	// login exists elsewhere); the portal then shows the users list.
	Invitation *tenantry.Invitation
}

// validateNewUser normalises and checks in; prefix names the fields of a
// nested input ("owner.").
func validateNewUser(v *tenantry.Validation, prefix string, in *NewUser, s tenantry.OrgSettings) {
	if in.Kind == "" {
		in.Kind = tenantry.UserHuman
	}
	if in.Kind != tenantry.UserHuman {
		v.Add(prefix+"kind", "only people (human) can be created here; API users and service accounts get client credentials")
	}
	in.Email = strings.TrimSpace(in.Email)
	in.Login = strings.TrimSpace(in.Login)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	checkEmail(v, prefix+"email", in.Email)
	if in.Login == "" {
		in.Login = in.Email
	} else {
		checkLogin(v, prefix+"login", in.Login)
	}
	checkExternalID(v, in.ExternalID)
	checkName(v, prefix+"first_name", in.FirstName)
	checkName(v, prefix+"last_name", in.LastName)
	if in.Language == "" {
		in.Language = "en"
	}
	if !lang.Known(in.Language) {
		v.Add(prefix+"language", "must be one of %s", strings.Join(lang.Codes(), ", "))
	}
	checkProfile(v, prefix, s, in.Phone != "", in.JobTitle != "", in.ContactBilling || in.ContactTechnical || in.ContactBusiness)
	if len(in.Phone) > 50 {
		v.Add(prefix+"phone", "must have at most 50 characters")
	}
	if len(in.JobTitle) > maxNameLen {
		v.Add(prefix+"job_title", "must have at most %d characters", maxNameLen)
	}
}

// checkLogin adds to v what is wrong with a login, and reports whether
// it is fine.
func checkLogin(v *tenantry.Validation, field, login string) bool {
	if len(login) < 3 || len(login) > 254 || strings.ContainsAny(login, " \t\r\n") {
		v.Add(field, "must have 3 to 254 characters and no spaces")
		return false
	}
	return true
}

// checkProfile refuses the profile fields an org without a self-managed
// customer profile does not have (O6).
func checkProfile(v *tenantry.Validation, prefix string, s tenantry.OrgSettings, phone, job, contacts bool) {
	if s.SelfManagedProfile {
		return
	}
	const why = "not available: this organization's parent manages its customer profile"
	if phone {
		v.Add(prefix+"phone", why)
	}
	if job {
		v.Add(prefix+"job_title", why)
	}
	if contacts {
		v.Add(prefix+"contact_billing", why)
	}
}

// AlreadyHere is the message for a person asked to be created or invited
// who is in the organization already; the portal links to their page
// (PersonHere).
const AlreadyHere = "this person belongs to this organization already; open their page to change their roles"

func alreadyHere() error {
	return &tenantry.Error{Code: tenantry.Conflict, Message: fmt.Sprintf("login: %s", AlreadyHere),
		Fields: []tenantry.FieldError{{Field: "login", Message: AlreadyHere}}}
}

// PersonHere finds the person of org with login, for a link to their page
// where creating or inviting them was refused as AlreadyHere.
func (a *App) PersonHere(ctx context.Context, who *Actor, orgID, login string) (*UserView, error) {
	var id string
	err := a.view(ctx, func(tx tenantry.Tx) error {
		u, err := tx.UserByLogin(ctx, strings.TrimSpace(login))
		if err != nil {
			return err
		}
		if u.OrgID != orgID {
			return notFound("user")
		}
		id = u.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.User(ctx, who, id)
}

// MayAddPeople says whether the actor may add people to org: some role
// of theirs there gives roles to others (the New user form offers those).
func (a *App) MayAddPeople(who *Actor, org *tenantry.Org) error {
	if err := ready(who); err != nil {
		return err
	}
	if len(a.Assignable(who, org, true)) == 0 {
		return forbidden("none of your roles in this organization gives roles to others, so you may not add people to it")
	}
	return nil
}

// CreateUser creates a person in an organization with one or more roles
// and e-mails them a link to set their password (U2, U3). The actor must
// be allowed to give every one of the roles there.
func (a *App) CreateUser(ctx context.Context, who *Actor, orgID string, in NewUser) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.mgmtOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		validateNewUser(&v, "", &in, org.Settings)
		if len(in.Roles) == 0 {
			v.Add("roles", "give at least one role")
		}
		if !in.RolesUntil.IsZero() && !in.RolesUntil.After(tx.Now()) {
			v.Add("roles_until", "must be in the future")
		}
		if _, err := a.checkSignInMethod(ctx, tx, &v, who, org, &in.IdP, &in.ExternalLogin, in.BreakGlass, in.BreakGlass); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		other, err := tx.UserByLogin(ctx, in.Login)
		if err == nil && other.OrgID == org.ID && other.Kind == tenantry.UserHuman {
			// Already here: neither create nor invite, but their page
			// (issue 17, item 3: create said "already taken", invite
			// "create them instead").
			return alreadyHere()
		}
		if err == nil && other.OrgID != org.ID {
			// The login is taken elsewhere. Saying so would tell which
			// addresses have logins in other tenants (finding 13), so the
			// person is invited instead, and the answer looks alike.
			roles, err := a.assignableRoles(ctx, tx, &v, who, org, in.Roles, true, tenantry.UserHuman)
			if err != nil {
				return err
			}
			if err := v.Err(); err != nil {
				return err
			}
			inv, err := a.invite(ctx, tx, who, org, in.Login, roles, in.RolesUntil)
			if err != nil {
				return err
			}
			view = invitedView(inv, in, tx.Now())
			return nil
		}
		view, err = a.insertUser(ctx, tx, who, org, in, in.Roles, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// invitedView is what CreateUser answers when it invited the person: the
// form of a new invited user, built from what the actor gave; its id is
// the invitation's, and the person is a user here once they accept.
func invitedView(inv *tenantry.Invitation, in NewUser, now time.Time) *UserView {
	u := &tenantry.User{ID: inv.ID, OrgID: inv.OrgID, Kind: tenantry.UserHuman, Status: tenantry.UserInvited, Email: in.Email,
		Login: in.Login, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone, JobTitle: in.JobTitle,
		Language: in.Language, ContactBilling: in.ContactBilling, ContactTechnical: in.ContactTechnical,
		ContactBusiness: in.ContactBusiness, NotifyNews: in.NotifyNews, NotifyAlerts: in.NotifyAlerts, CreatedAt: now, UpdatedAt: now}
	v := &UserView{User: u, Org: inv.OrgID, Invitation: inv}
	for _, r := range inv.Roles {
		v.Grants = append(v.Grants, tenantry.Grant{ID: inv.ID, UserID: inv.ID, OrgID: inv.OrgID, Role: r, CreatedAt: now})
	}
	return v
}

// insertUser writes a validated new user with roles, an activation token,
// the activation e-mail and the audit event. initialOwner marks the first
// owner of a new account, created by an operator, so the roles are not
// checked against the actor.
func (a *App) insertUser(ctx context.Context, tx tenantry.Tx, who *Actor, org *tenantry.Org, in NewUser, roles []string, initialOwner bool) (*UserView, error) {
	var v tenantry.Validation
	if !initialOwner {
		var err error
		if roles, err = a.assignableRoles(ctx, tx, &v, who, org, roles, true, in.Kind); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &tenantry.User{ID: newID(), OrgID: org.ID, Kind: in.Kind, Status: tenantry.UserInvited,
		Email: in.Email, Login: in.Login, FirstName: in.FirstName, LastName: in.LastName, Phone: in.Phone,
		JobTitle: in.JobTitle, Language: in.Language, ContactBilling: in.ContactBilling,
		ContactTechnical: in.ContactTechnical, ContactBusiness: in.ContactBusiness,
		NotifyNews: in.NotifyNews, NotifyAlerts: in.NotifyAlerts, InitialOwner: initialOwner,
		IdPID: in.IdP, ExternalLogin: in.ExternalLogin, BreakGlass: in.BreakGlass,
		ExternalID: in.ExternalID, SCIMManaged: in.SCIMManaged}
	if u.Kind == "" {
		u.Kind = tenantry.UserHuman
	}
	if in.Locked {
		u.Status = tenantry.UserLocked
	}
	if err := tx.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	view := &UserView{User: u, Org: org.ID}
	for _, name := range roles {
		g := grantOf(name, u.ID, org.ID, who.User.ID)
		g.ExpiresAt = in.RolesUntil.UTC().Truncate(time.Microsecond)
		if err := tx.CreateGrant(ctx, g); err != nil {
			return nil, err
		}
		view.Grants = append(view.Grants, *g)
	}
	if !in.Locked && !in.Quiet {
		if err := a.welcome(ctx, tx, u, org); err != nil {
			return nil, err
		}
	}
	details := map[string]any{"login": u.Login, "roles": roles}
	if u.IdPID != "" {
		details["idp"] = u.IdPID
	}
	if err := event(ctx, tx, who, org.ID, "user.create", "user", u.ID, details); err != nil {
		return nil, err
	}
	return view, nil
}

// welcome e-mails a new person how to get in: a link to set their
// password, or, for a person who signs in through an identity provider,
// a link to the sign-in page that names it.
func (a *App) welcome(ctx context.Context, tx tenantry.Tx, u *tenantry.User, org *tenantry.Org) error {
	if u.IdPID != "" {
		d, err := tx.IdP(ctx, u.IdPID)
		if err != nil {
			return err
		}
		link := a.cfg.PublicURL + "/signin?login=" + url.QueryEscape(u.Login)
		return a.queue(ctx, tx, u.Email, u, notice.ActivationIdP, newID(), notice.Data{Org: org.Name, Link: link, Provider: d.Name})
	}
	link, hash, err := a.issueToken(ctx, tx, u, tenantry.TokenActivation)
	if err != nil {
		return err
	}
	return a.queue(ctx, tx, u.Email, u, notice.Activation, hash, notice.Data{Org: org.Name, Link: link})
}

// checkSignInMethod normalises and checks a person's sign-in method in
// org: the identity provider must be an active one the org uses, a custom
// login goes with a provider only, a password needs a break-glass account
// where an ancestor requires identity providers, and only that ancestor's
// administrators name break-glass accounts (naming says the actor does
// now). It returns the org's security settings.
func (a *App) checkSignInMethod(ctx context.Context, tx tenantry.Tx, v *tenantry.Validation, who *Actor, org *tenantry.Org, idp, external *string, breakGlass, naming bool) (Security, error) {
	*idp, *external = strings.TrimSpace(*idp), strings.TrimSpace(*external)
	sec, err := a.securityOf(ctx, tx, org.ID)
	if err != nil {
		return sec, err
	}
	lock := sec.RequireIdP.By
	if lock == nil {
		lock = org
	}
	if *idp != "" {
		d, err := a.usableIdP(ctx, tx, org.ID, *idp)
		switch {
		case err != nil:
			return sec, err
		case d == nil:
			v.Add("identity_provider", "is not an identity provider of this organization")
		case !d.Active:
			v.Add("identity_provider", "%s is switched off; activate it first", d.Name)
		}
	} else if sec.RequireIdP.Value && !breakGlass {
		v.Add("identity_provider", "%s requires sign-in through an identity provider; choose one, or make this a break-glass account", lock.Name)
	}
	if *external != "" {
		switch {
		case *idp == "":
			v.Add("external_login", "goes with an identity provider; a password sign-in uses the login")
		case len(*external) > 254 || strings.ContainsAny(*external, " \t\r\n"):
			v.Add("external_login", "must have at most 254 characters and no spaces")
		}
	}
	if naming {
		if _, err := a.securityOrg(ctx, tx, who, lock.ID); err != nil {
			if c := tenantry.ErrorCode(err); c != tenantry.Forbidden && c != tenantry.NotFound {
				return sec, err
			}
			v.Add("break_glass", "only administrators of %s name break-glass accounts", lock.Name)
		}
	}
	return sec, nil
}

// applySignInMethod applies p's sign-in fields to the user in view. A
// changed method is audited, ends the user's sessions and tokens, and
// unbinds the provider's subject; a person moved to a password gets a link
// to set one.
func (a *App) applySignInMethod(ctx context.Context, tx tenantry.Tx, who *Actor, org *tenantry.Org, u *tenantry.User, p UserPatch) ([]string, error) {
	if p.IdP == nil && p.ExternalLogin == nil && p.BreakGlass == nil {
		return nil, nil
	}
	idp, external, breakGlass := u.IdPID, u.ExternalLogin, u.BreakGlass
	if p.IdP != nil {
		idp = *p.IdP
	}
	if p.ExternalLogin != nil {
		external = *p.ExternalLogin
	}
	if p.BreakGlass != nil {
		breakGlass = *p.BreakGlass
	}
	if strings.TrimSpace(idp) == "" && p.ExternalLogin == nil {
		external = ""
	}
	var v tenantry.Validation
	if u.Kind != tenantry.UserHuman {
		v.Add("identity_provider", "API users and service accounts sign in with client credentials")
	}
	naming := breakGlass && !u.BreakGlass
	if _, err := a.checkSignInMethod(ctx, tx, &v, who, org, &idp, &external, breakGlass, naming); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var changed []string
	if breakGlass != u.BreakGlass {
		u.BreakGlass = breakGlass
		changed = append(changed, "break_glass")
	}
	if idp == u.IdPID && strings.EqualFold(external, u.ExternalLogin) {
		return changed, nil
	}
	if err := a.recentAuth(who); err != nil {
		return nil, err
	}
	from := u.IdPID
	u.IdPID, u.ExternalLogin, u.IdPSubject = idp, external, ""
	u.TokenVersion++
	changed = append(changed, "sign_in_method")
	if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	if idp != "" {
		u.PasswordHash, u.MustChangePassword = "", false
		for _, purpose := range []tenantry.TokenPurpose{tenantry.TokenActivation, tenantry.TokenReset} {
			if err := tx.DeleteUserTokens(ctx, u.ID, purpose); err != nil {
				return nil, err
			}
		}
	}
	if err := event(ctx, tx, who, org.ID, "user.sign_in_method", "user", u.ID,
		map[string]any{"from": methodName(from), "to": methodName(idp), "external_login": external}); err != nil {
		return nil, err
	}
	if u.Email != "" && ((idp == "" && u.PasswordHash == "") || (idp != "" && u.Status == tenantry.UserInvited)) {
		// A way in for the new method. Save first: the welcome and its
		// token read the user's row.
		if err := tx.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		if err := a.welcome(ctx, tx, u, org); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// methodName is a sign-in method as the audit log records it.
func methodName(idp string) string {
	if idp == "" {
		return "password"
	}
	return "idp:" + idp
}

// memberOrg loads an org in which the actor holds a role; any other org is
// NotFound.
func (a *App) memberOrg(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Org, error) {
	if !a.policy.Member(who.Principal(), id) {
		return nil, notFound("organization")
	}
	return tx.Org(ctx, id)
}

// visibleUser loads a user the actor may look at: themselves, a user of an
// org where the actor holds a role, or a person of another org linked to
// one of the actor's orgs by a role there (U4). The view lists the roles
// the user holds in that org (Org). Others are NotFound.
func (a *App) visibleUser(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*UserView, error) {
	u, err := tx.User(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, err
	}
	org := u.OrgID
	if u.ID != who.User.ID && !a.policy.Member(who.Principal(), u.OrgID) {
		all, err := tx.UserGrants(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		org = ""
		for _, g := range all {
			if a.policy.Member(who.Principal(), g.OrgID) {
				org = g.OrgID
				break
			}
		}
		if org == "" {
			return nil, notFound("user")
		}
	}
	if u.ID != who.User.ID {
		if err := a.mgmt(who, org); err != nil {
			return nil, err
		}
	}
	grants, err := tx.OrgGrants(ctx, org, []string{u.ID})
	if err != nil {
		return nil, err
	}
	return &UserView{User: u, Org: org, Grants: grants}, nil
}

// home refuses changes to a linked person's account from an org they do
// not belong to: there, only their roles can change.
func home(v *UserView) error {
	if v.Org != v.OrgID {
		return forbidden("this person belongs to another organization; here you can change only their roles")
	}
	return nil
}

// targetUser describes a user for the policy's administration rules.
func (a *App) targetUser(v *UserView) policy.TargetUser {
	t := policy.TargetUser{ID: v.ID, Org: v.Org, InitialOwner: v.InitialOwner && v.Org == v.OrgID}
	for _, g := range v.Grants {
		if r, ok := a.policy.Role(g.Role); ok {
			t.Roles = append(t.Roles, r)
		}
	}
	return t
}

// mayAdminister refuses, with the reason, an actor who may not change v.
func (a *App) mayAdminister(who *Actor, v *UserView) error {
	if a.policy.CanAdminister(who.Principal(), a.targetUser(v)) {
		return nil
	}
	if v.InitialOwner {
		return tenantry.Errorf(tenantry.InitialOwner, "the initial owner of an account cannot be changed; open a service request")
	}
	return forbidden("you may not administer this user")
}

// User returns a user the actor may see: themselves, or anyone in an org
// where the actor may see users.
func (a *App) User(ctx context.Context, who *Actor, id string) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		view, err = a.visibleUser(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if view.ID != who.User.ID && !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: view.Org}) {
			return a.refused(policy.UsersSeeAll, view.Org, "you may not see this organization's users")
		}
		return nil
	})
	return view, err
}

// Me returns the actor's own user and roles, including roles held in
// organizations other than their own.
func (a *App) Me(ctx context.Context, who *Actor) (*UserView, error) {
	if err := ready(who, stepSelf); err != nil {
		return nil, err
	}
	return &UserView{User: who.User, Org: who.User.OrgID, Grants: who.Grants}, nil
}

// ListUsers returns one page of an org's users with their roles there (U1).
func (a *App) ListUsers(ctx context.Context, who *Actor, f tenantry.UserFilter) ([]*UserView, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if f.Sort == "" {
		f.Sort = tenantry.SortLastName
	}
	if !slices.Contains(tenantry.UserSorts, f.Sort) {
		return nil, "", &tenantry.Error{Code: tenantry.Invalid, Message: "sort: unknown column " + string(f.Sort),
			Fields: []tenantry.FieldError{{Field: "sort", Message: "must be one of last_name, first_name, login, email, created_at"}}}
	}
	f.Limit = clampLimit(f.Limit)
	var out []*UserView
	var next string
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.mgmtOrg(ctx, tx, who, f.OrgID); err != nil {
			return err
		}
		if !a.policy.Allowed(who.Principal(), policy.UsersSeeAll, policy.Target{Org: f.OrgID}) {
			return a.refused(policy.UsersSeeAll, f.OrgID, "you may not see this organization's users")
		}
		users, n, err := tx.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		next = n
		for _, u := range users {
			out = append(out, &UserView{User: u.User, Org: f.OrgID, Grants: u.Grants})
		}
		return nil
	})
	return out, next, err
}

// UpdateUser changes a user's profile (U5). People edit their own profile;
// administrators edit the users whose roles they administer.
func (a *App) UpdateUser(ctx context.Context, who *Actor, id string, p UserPatch) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		view, err = a.visibleUser(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if err := a.mayAdminister(who, view); err != nil {
			return err
		}
		if err := home(view); err != nil {
			return err
		}
		if err := a.handsOff(ctx, tx, who, view); err != nil {
			return err
		}
		org, err := tx.Org(ctx, view.OrgID)
		if err != nil {
			return err
		}
		old := *view.User
		changed, err := applyPatch(view.User, p, org.Settings)
		if err != nil {
			return err
		}
		method, err := a.applySignInMethod(ctx, tx, who, org, view.User, p)
		if err != nil {
			return err
		}
		changed = append(changed, method...)
		if len(changed) == 0 {
			return nil
		}
		if slices.Contains(changed, "email") {
			// Where the e-mail is the login, this moves the account.
			if err := a.recentAuth(who); err != nil {
				return err
			}
		}
		if err := tx.UpdateUser(ctx, view.User); err != nil {
			return err
		}
		if slices.Contains(changed, "email") {
			if err := a.queue(ctx, tx, old.Email, &old, notice.EmailChanged, newID(), notice.Data{NewEmail: view.Email}); err != nil {
				return err
			}
		}
		return event(ctx, tx, who, view.OrgID, "user.update", "user", view.ID, map[string]any{"fields": changed})
	})
	return view, err
}

// UpdateProfile changes the actor's own profile: names, language,
// notification subscriptions and, where the org manages its own customer
// profile, phone, job title and company-contact flags. The e-mail address,
// which is often the login, is changed by an administrator.
func (a *App) UpdateProfile(ctx context.Context, who *Actor, p UserPatch) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.UsersAdministerOwnUser, policy.Target{Org: who.User.OrgID}) {
		return nil, a.refused(policy.UsersAdministerOwnUser, who.User.OrgID, "your role does not let you change your own profile")
	}
	if p.IdP != nil || p.ExternalLogin != nil || p.BreakGlass != nil {
		return nil, forbidden("how you sign in is set by an administrator of your organization")
	}
	if p.Email != nil && *p.Email != who.User.Email {
		return nil, &tenantry.Error{Code: tenantry.Forbidden, Message: "your e-mail address is changed by an administrator of your organization",
			Fields: []tenantry.FieldError{{Field: "email", Message: "ask an administrator of your organization to change it"}}}
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		org, err := tx.Org(ctx, u.OrgID)
		if err != nil {
			return err
		}
		changed, err := applyPatch(u, p, org.Settings)
		if err != nil {
			return err
		}
		view = &UserView{User: u, Org: u.OrgID, Grants: who.Grants}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return event(ctx, tx, who, u.OrgID, "user.profile", "user", u.ID, map[string]any{"fields": changed})
	})
	return view, err
}

// applyPatch validates p and applies it to u; it returns the names of the
// fields that changed.
func applyPatch(u *tenantry.User, p UserPatch, s tenantry.OrgSettings) ([]string, error) {
	var v tenantry.Validation
	if p.OrgID != nil && *p.OrgID != u.OrgID {
		v.Add("org_id", "users never move between organizations; invite the person to the other organization instead")
	}
	var changed []string
	setString := func(field string, dst *string, src *string, check func(string)) {
		if src == nil {
			return
		}
		val := strings.TrimSpace(*src)
		check(val)
		if val != *dst {
			*dst = val
			changed = append(changed, field)
		}
	}
	setBool := func(field string, dst *bool, src *bool) {
		if src != nil && *src != *dst {
			*dst = *src
			changed = append(changed, field)
		}
	}
	oldEmail := u.Email
	// API users and service accounts have a name and roles, not a
	// person's profile (issue 17, item 7).
	machine := u.Kind != tenantry.UserHuman
	peopleOnly := func(field string, set bool) {
		if machine && set {
			v.Add(field, "is for people only, not for API users and service accounts")
		}
	}
	setString("email", &u.Email, p.Email, func(s string) { checkEmail(&v, "email", s) })
	setString("first_name", &u.FirstName, p.FirstName, func(s string) { checkName(&v, "first_name", s) })
	setString("last_name", &u.LastName, p.LastName, func(s string) {
		if machine {
			peopleOnly("last_name", s != "")
			return
		}
		checkName(&v, "last_name", s)
	})
	setString("phone", &u.Phone, p.Phone, func(s string) {
		peopleOnly("phone", s != "")
		if len(s) > 50 {
			v.Add("phone", "must have at most 50 characters")
		}
	})
	setString("job_title", &u.JobTitle, p.JobTitle, func(s string) {
		peopleOnly("job_title", s != "")
		if len(s) > maxNameLen {
			v.Add("job_title", "must have at most %d characters", maxNameLen)
		}
	})
	for field, b := range map[string]*bool{"contact_billing": p.ContactBilling, "contact_technical": p.ContactTechnical,
		"contact_business": p.ContactBusiness, "notify_news": p.NotifyNews, "notify_alerts": p.NotifyAlerts} {
		peopleOnly(field, b != nil && *b)
	}
	setString("language", &u.Language, p.Language, func(s string) {
		if !lang.Known(s) {
			v.Add("language", "must be one of %s", strings.Join(lang.Codes(), ", "))
		}
	})
	setBool("contact_billing", &u.ContactBilling, p.ContactBilling)
	setBool("contact_technical", &u.ContactTechnical, p.ContactTechnical)
	setBool("contact_business", &u.ContactBusiness, p.ContactBusiness)
	setBool("notify_news", &u.NotifyNews, p.NotifyNews)
	setBool("notify_alerts", &u.NotifyAlerts, p.NotifyAlerts)
	checkProfile(&v, "", s, slices.Contains(changed, "phone") && u.Phone != "",
		slices.Contains(changed, "job_title") && u.JobTitle != "",
		(p.ContactBilling != nil && *p.ContactBilling) || (p.ContactTechnical != nil && *p.ContactTechnical) ||
			(p.ContactBusiness != nil && *p.ContactBusiness))
	if err := v.Err(); err != nil {
		return nil, err
	}
	// A login that was the e-mail address follows it (U2).
	if slices.Contains(changed, "email") && strings.EqualFold(u.Login, oldEmail) {
		u.Login = u.Email
	}
	return changed, nil
}

// DeleteUser deletes a user with their roles and sessions (U5).
func (a *App) DeleteUser(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, id, "you cannot delete yourself")
		if err != nil {
			return err
		}
		if err := a.handsOff(ctx, tx, who, view); err != nil {
			return err
		}
		return a.deleteUser(ctx, tx, who, view.User)
	})
}

// deleteUser deletes u with the audit event that names them.
func (a *App) deleteUser(ctx context.Context, tx tenantry.Tx, who *Actor, u *tenantry.User) error {
	if err := tx.DeleteUser(ctx, u.ID); err != nil {
		return err
	}
	return event(ctx, tx, who, u.OrgID, "user.delete", "user", u.ID,
		map[string]any{"login": u.Login, "email": u.Email})
}
