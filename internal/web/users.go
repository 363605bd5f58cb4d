package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// userRow is one line of the users table.
type userRow struct {
	ID, Name, Login, Email, Status string
	Kind                           tenantry.UserKind
	Roles                          []string
	TOTP, Linked                   bool
}

func toRow(v *app.UserView) userRow {
	row := userRow{ID: v.ID, Name: strings.TrimSpace(v.FirstName + " " + v.LastName), Login: v.Login, Email: v.Email,
		Status: string(v.Status), Kind: v.Kind, TOTP: v.TOTPEnabled, Linked: v.Org != v.OrgID}
	for _, g := range v.Grants {
		row.Roles = append(row.Roles, g.Role)
	}
	return row
}

type usersData struct {
	Org       *tenantry.Org
	Rows      []userRow
	Next      string // query string of the next page, "" on the last
	CanCreate bool
}

// users is the users tab: one page of an organization's people with
// filters; htmx swaps only the table as the filters change.
func (h *Handler) users(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Users", "users")
	q := r.URL.Query()
	p.Form = q
	ctx := r.Context()
	org, err := h.app.Org(ctx, who, orgParam(r, who))
	if err != nil {
		return err
	}
	f := tenantry.UserFilter{OrgID: org.ID, FirstName: q.Get("first_name"), LastName: q.Get("last_name"),
		Login: q.Get("login"), Email: q.Get("email"), Cursor: q.Get("cursor"), Limit: 50}
	list, next, err := h.app.ListUsers(ctx, who, f)
	if err != nil {
		h.fail(w, r, "users.html", p, err)
		return nil
	}
	d := &usersData{Org: org, CanCreate: len(h.app.Assignable(who, org, true)) > 0}
	for _, v := range list {
		d.Rows = append(d.Rows, toRow(v))
	}
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", next)
		nq.Set("org", org.ID)
		d.Next = nq.Encode()
	}
	p.Org, p.Data = org.ID, d
	p.Flash = h.flash(p, q.Get("done"))
	h.render(w, r, http.StatusOK, "users.html", p)
	return nil
}

// flash turns a redirect's done= key into the sentence to show.
func (h *Handler) flash(p *page, key string) string {
	if key == "" {
		return ""
	}
	if s, ok := flashes[key]; ok {
		return p.T(s)
	}
	return ""
}

// flashes are the confirmations a redirect may ask for.
var flashes = map[string]string{
	"created":     "Created. We have e-mailed the new person a link to set their password.",
	"saved":       "Saved.",
	"deleted":     "Deleted.",
	"locked":      "Locked: this person can no longer sign in.",
	"unlocked":    "Unlocked.",
	"reset":       "We have e-mailed a link to choose a new password.",
	"totp-reset":  "Two-factor sign-in is reset; the person enrols again at the next sign-in.",
	"resent":      "The invitation is sent again.",
	"granted":     "Role given.",
	"revoked":     "Role taken away.",
	"password":    "Your password is changed.",
	"totp-off":    "Two-factor sign-in is off.",
	"ended":       "The session is ended.",
	"token-gone":  "The token is deleted.",
	"requested":   "Your request is sent to the platform operator.",
	"org-created": "The organization is created; its owner gets an e-mail to set a password.",
	"org-deleted": "The organization is deleted.",
	"settings":    "Settings saved.",
	"account":     "The customer account is created; its owner gets an e-mail to set a password.",
	"workflow":    "Workflow saved.",
	"resolved":    "The service request is answered.",
	"transferred": "The SIMs are transferred.",
}

// userKinds are the kinds the New user dialog offers.
var userKinds = []string{string(tenantry.UserHuman), string(tenantry.UserAPI), string(tenantry.UserService)}

type newUserData struct {
	Org       *tenantry.Org
	Kind      string
	Kinds     []string
	Roles     []string // the roles the viewer may give here
	Created   *app.UserView
	ClientID  string
	Secret    string // shown once, for API users and service accounts
	Generated bool
}

func (h *Handler) newUserData(r *http.Request, who *app.Actor, p *page) (*newUserData, error) {
	org, err := h.app.Org(r.Context(), who, orgParam(r, who))
	if err != nil {
		return nil, err
	}
	kind := r.FormValue("kind")
	if !contains(userKinds, kind) {
		kind = string(tenantry.UserHuman)
	}
	p.Org = org.ID
	return &newUserData{Org: org, Kind: kind, Kinds: userKinds, Roles: h.app.Assignable(who, org, true)}, nil
}

// newUserForm is the New user dialog; the fields follow the kind chosen
// (a reload without JavaScript, an htmx swap with it).
func (h *Handler) newUserForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "New user", "users")
	p.Form = r.URL.Query()
	d, err := h.newUserData(r, who, p)
	if err != nil {
		return err
	}
	if len(p.Form["language"]) == 0 {
		p.Form.Set("language", p.Lang)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "user_new.html", p)
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "New user", "users")
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "error.html", p)
		return nil
	}
	d, err := h.newUserData(r, who, p)
	if err != nil {
		return err
	}
	p.Data = d
	ctx := r.Context()
	if d.Kind == string(tenantry.UserHuman) {
		v, err := h.app.CreateUser(ctx, who, d.Org.ID, app.NewUser{
			Email: p.V("email"), Login: p.V("login"), FirstName: p.V("first_name"), LastName: p.V("last_name"),
			Phone: p.V("phone"), JobTitle: p.V("job_title"), Language: p.V("language"),
			ContactBilling: p.Checked("contact", "billing"), ContactTechnical: p.Checked("contact", "technical"),
			ContactBusiness: p.Checked("contact", "business"), NotifyNews: p.Checked("notify", "news"),
			NotifyAlerts: p.Checked("notify", "alerts"), Roles: p.Form["roles"]})
		if err != nil {
			h.fail(w, r, "user_new.html", p, err)
			return nil
		}
		redirect(w, r, withFlash("/users?org="+url.QueryEscape(v.Org), "created"))
		return nil
	}
	v, secret, err := h.app.CreateClient(ctx, who, d.Org.ID, app.NewClient{Kind: tenantry.UserKind(d.Kind),
		Name: strings.TrimSpace(p.V("name")), Secret: p.V("client_secret"), Roles: p.Form["roles"]})
	if err != nil {
		p.Form.Del("client_secret")
		h.fail(w, r, "user_new.html", p, err)
		return nil
	}
	// The secret is shown on this one response and never again.
	d.Created, d.ClientID, d.Secret, d.Generated = v, v.Login, secret, p.V("client_secret") == ""
	p.Title = p.T("Client credentials")
	h.render(w, r, http.StatusCreated, "user_new.html", p)
	return nil
}

type userData struct {
	User        *app.UserView
	Row         userRow
	Org         *tenantry.Org
	Self        bool
	Administer  bool     // the viewer may change this person
	Linked      bool     // a person of another org, seen through a role here
	CanGrant    []string // roles the viewer may add
	CanRevoke   map[string]bool
	Grants      []tenantry.Grant
	Invited     bool
	Locked      bool
	ProfileOpen bool // phone, job title and contacts exist (O6)
}

func (h *Handler) userData(r *http.Request, who *app.Actor, id string) (*userData, error) {
	ctx := r.Context()
	v, err := h.app.User(ctx, who, id)
	if err != nil {
		return nil, err
	}
	org, err := h.app.Org(ctx, who, v.Org)
	if err != nil {
		return nil, err
	}
	d := &userData{User: v, Row: toRow(v), Org: org, Self: v.ID == who.User.ID, Grants: v.Grants,
		Linked: v.Org != v.OrgID, Invited: v.Status == tenantry.UserInvited, Locked: v.Status == tenantry.UserLocked,
		ProfileOpen: org.Settings.SelfManagedProfile, CanRevoke: map[string]bool{}}
	// Roles may change for linked people too; their profile only at home.
	roleAdmin := h.app.MayAdminister(who, v)
	d.Administer = !d.Linked && roleAdmin
	if roleAdmin || d.Administer {
		held := map[string]bool{}
		for _, g := range v.Grants {
			held[g.Role] = true
		}
		for _, role := range h.app.Assignable(who, org, false) {
			d.CanRevoke[role] = true
			if !held[role] {
				d.CanGrant = append(d.CanGrant, role)
			}
		}
	}
	return d, nil
}

// userForm fills the edit form from the stored user.
func userForm(v *app.UserView) url.Values {
	f := url.Values{"email": {v.Email}, "first_name": {v.FirstName}, "last_name": {v.LastName},
		"phone": {v.Phone}, "job_title": {v.JobTitle}, "language": {v.Language}}
	for flag, on := range map[string]bool{"billing": v.ContactBilling, "technical": v.ContactTechnical, "business": v.ContactBusiness} {
		if on {
			f.Add("contact", flag)
		}
	}
	for flag, on := range map[string]bool{"news": v.NotifyNews, "alerts": v.NotifyAlerts} {
		if on {
			f.Add("notify", flag)
		}
	}
	return f
}

// user is the edit dialog: the buttons shown are the ones the viewer may
// use; every action is checked again by its use case.
func (h *Handler) user(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	d, err := h.userData(r, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "User", "users")
	p.Title = d.Row.Name
	if p.Title == "" {
		p.Title = d.Row.Login
	}
	p.Org, p.Data, p.Form = d.Org.ID, d, userForm(d.User)
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "user.html", p)
	return nil
}

// profilePatch reads the profile fields of a form into a patch; the
// fields an org without a self-managed profile lacks are left alone.
func profilePatch(p *page, profileOpen, email bool) app.UserPatch {
	str := func(name string) *string { s := strings.TrimSpace(p.V(name)); return &s }
	flag := func(name, value string) *bool { b := p.Checked(name, value); return &b }
	patch := app.UserPatch{FirstName: str("first_name"), LastName: str("last_name"), Language: str("language"),
		NotifyNews: flag("notify", "news"), NotifyAlerts: flag("notify", "alerts")}
	if email {
		patch.Email = str("email")
	}
	if profileOpen {
		patch.Phone, patch.JobTitle = str("phone"), str("job_title")
		patch.ContactBilling, patch.ContactTechnical, patch.ContactBusiness =
			flag("contact", "billing"), flag("contact", "technical"), flag("contact", "business")
	}
	return patch
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	d, err := h.userData(r, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "User", "users")
	p.Title, p.Org, p.Data = d.Row.Name, d.Org.ID, d
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "user.html", p)
		return nil
	}
	if _, err := h.app.UpdateUser(r.Context(), who, d.User.ID, profilePatch(p, d.ProfileOpen, true)); err != nil {
		h.fail(w, r, "user.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/users/"+d.User.ID, "saved"))
	return nil
}

// userAction runs one button of the edit dialog.
func (h *Handler) userAction(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ctx, id := r.Context(), r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	back, done := "/users/"+id, ""
	var err error
	switch r.PathValue("action") {
	case "lock":
		_, err = h.app.LockUser(ctx, who, id)
		done = "locked"
	case "unlock":
		_, err = h.app.UnlockUser(ctx, who, id)
		done = "unlocked"
	case "reset-password":
		err, done = h.app.ResetPassword(ctx, who, id), "reset"
	case "reset-2fa":
		err, done = h.app.ResetTOTP(ctx, who, id), "totp-reset"
	case "resend":
		err, done = h.app.ResendActivation(ctx, who, id), "resent"
	case "grant":
		_, err = h.app.GrantRole(ctx, who, id, app.NewGrant{Role: r.FormValue("role")})
		done = "granted"
	case "revoke":
		err, done = h.app.RevokeRole(ctx, who, id, r.FormValue("grant")), "revoked"
	case "delete":
		v, verr := h.app.User(ctx, who, id)
		if verr != nil {
			return verr
		}
		err, done, back = h.app.DeleteUser(ctx, who, id), "deleted", "/users?org="+url.QueryEscape(v.Org)
	default:
		http.NotFound(w, r)
		return nil
	}
	if err != nil {
		d, derr := h.userData(r, who, id)
		if derr != nil {
			return err
		}
		p := h.newPage(r, "User", "users")
		p.Title, p.Org, p.Data, p.Form = d.Row.Name, d.Org.ID, d, userForm(d.User)
		h.fail(w, r, "user.html", p, err)
		return nil
	}
	redirect(w, r, withFlash(back, done))
	return nil
}

// deleteUserForm asks before deleting.
func (h *Handler) deleteUserForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	d, err := h.userData(r, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Delete user", "users")
	p.Org, p.Data = d.Org.ID, d
	h.render(w, r, http.StatusOK, "user_delete.html", p)
	return nil
}
