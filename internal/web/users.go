package web

import (
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// userRow is one line of the users table.
type userRow struct {
	ID, Name, Login, Email, Status string
	Kind                           tenantry.UserKind
	Roles                          []tenantry.Grant // Role and Service are shown
	Contacts                       []string         // billing, technical, business: the company contacts they are (O7)
	TOTP, Linked                   bool
	// Removable: a linked person the viewer may remove from this org.
	Removable bool
	// Administer: the viewer may change this person, so the row offers
	// the edit dialog's actions (issue 17, item 9); Locked, Resettable,
	// Resendable (not activated yet) and Deletable say which.
	Administer, Locked, Resettable, Resendable, Deletable bool
}

// rowsHTML writes the users table's rows in Go rather than through the
// template: html/template escapes every value of a row through calls by
// reflection, some thirty a row, and at 50 rows those calls cost more
// than the page's query (issue 16, item 2). The rule that keeps it as safe
// as the template: every value from the store or the reader's language
// goes through html.EscapeString, which escapes & < > " and ' for an
// element's text and a double-quoted attribute alike, and a person's ID is
// path-escaped before it joins a link; all else is constant markup.
// contacts adds the company contacts' column.
func rowsHTML(p Tr, rows []userRow, contacts bool) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	esc := html.EscapeString
	w := rowWords{edit: esc(p.T("Edit")), resend: esc(p.T("Re-send")), reset: esc(p.T("Reset password")),
		unlock: esc(p.T("Unlock")), lock: esc(p.T("Lock")), remove: esc(p.T("Remove")), del: esc(p.T("Delete")),
		elsewhere: esc(p.T("invited from another organization")), twoFactor: esc(p.T("Two-factor sign-in is on"))}
	var b markup
	b.Grow(len(rows) * 1280)
	for i := range rows {
		r := &rows[i]
		href := "/users/" + esc(url.PathEscape(r.ID))
		who := r.Name
		if who == "" {
			who = r.Login
		}
		b.put("<tr>\n<td><a href=\"", href, "\">", esc(who), "</a>")
		if r.Linked {
			b.put(` <span class="muted">(`, w.elsewhere, ")</span>")
		}
		b.put("</td>\n<td>", esc(r.Login), "</td><td>", esc(r.Email), "</td>\n<td>")
		for j, g := range r.Roles {
			if j > 0 {
				b.put(", ")
			}
			b.put(esc(p.Word(g.Role)))
			if g.Service != "" {
				b.put(" (", esc(p.Word(g.Service)), ")")
			}
		}
		b.put("</td>\n")
		if contacts {
			b.put(`<td class="contacts">`)
			for j, c := range r.Contacts {
				if j > 0 {
					b.put(", ")
				}
				b.put(esc(p.Word(c)))
			}
			b.put("</td>\n")
		}
		b.put(`<td><span class="badge `, esc(r.Status), `">`, esc(p.Word(r.Status)), "</span></td>\n<td>")
		if r.TOTP {
			b.put(`<svg class="shield" role="img" aria-label="`, w.twoFactor, `" viewBox="0 0 16 16" width="18" height="18"><title>`,
				w.twoFactor, `</title><path d="M8 1l6 2.5v4c0 4-2.6 6.8-6 7.5-3.4-.7-6-3.5-6-7.5v-4z" fill="currentColor"/>`+
					`<path d="M5 8.2l2 2 4-4.2" stroke="#fff" stroke-width="1.7" fill="none"/></svg>`)
		}
		b.put("</td>\n", `<td class="row-actions">`)
		if r.Administer {
			b.actions(p, r, href, who, &w)
		}
		b.put("</td>\n</tr>")
	}
	return template.HTML(b.String())
}

// rowWords are the words every row of the users table repeats, in the
// reader's language and escaped once a page.
type rowWords struct {
	edit, resend, reset, unlock, lock, remove, del, elsewhere, twoFactor string
}

// actions writes the actions a row offers one who may administer
// the person: their page, and the buttons the edit dialog has (issue 17,
// item 9), each named with the person for a screen reader. who is the
// person's name (or login).
func (b *markup) actions(p Tr, r *userRow, href, who string, w *rowWords) {
	esc := html.EscapeString
	// The buttons post the table's one form (row-action, in the template:
	// it holds the back link) to their own action, not a form each.
	button := func(action, aria, text string) {
		b.put(`<button class="link" type="submit" form="row-action" formaction="`, href, "/", action, `" aria-label="`, aria, `">`,
			text, "</button>")
	}
	b.put(`<a href="`, href, `" aria-label="`, esc(p.F("Edit %s", who)), `">`, w.edit, "</a>\n")
	switch {
	case r.Resendable:
		button("resend", esc(p.F("Re-send the activation link to %s", who)), w.resend)
	case r.Resettable:
		button("reset-password", esc(p.F("Reset password for %s", who)), w.reset)
	}
	b.put("\n")
	if !r.Linked {
		if r.Locked {
			button("unlock", esc(p.F("Unlock %s", who)), w.unlock)
		} else {
			button("lock", esc(p.F("Lock %s", who)), w.lock)
		}
	}
	b.put("\n")
	if r.Removable {
		b.put(`<a class="danger remove" href="`, href, `/remove" aria-label="`, esc(p.F("Remove %s from this organization", r.Login)),
			`">`, w.remove, "</a>")
	} else if r.Deletable {
		b.put(`<a class="danger" href="`, href, `/delete" aria-label="`, esc(p.F("Delete %s", who)), `">`, w.del, "</a>")
	}
}

// markup is HTML being written in Go (rowsHTML).
type markup struct{ strings.Builder }

// put appends parts, each constant markup or a value escaped already.
func (b *markup) put(parts ...string) {
	for _, s := range parts {
		b.WriteString(s)
	}
}

func toRow(v *app.UserView) userRow {
	row := userRow{ID: v.ID, Name: v.FullName(), Login: v.Login, Email: v.Email,
		Status: string(v.Status), Kind: v.Kind, TOTP: v.TOTPEnabled, Linked: v.Org != v.OrgID, Roles: v.Grants}
	for _, c := range []struct {
		on   bool
		kind string
	}{{v.ContactBilling, "billing"}, {v.ContactTechnical, "technical"}, {v.ContactBusiness, "business"}} {
		if c.on {
			row.Contacts = append(row.Contacts, c.kind)
		}
	}
	return row
}

type usersData struct {
	Org *tenantry.Org
	// Body is the people's rows of the table (rowsHTML).
	Body template.HTML
	// Machines are the API users and service accounts, listed apart from
	// people by their name (issue 17, item 7), on the first page.
	Machines     []userRow
	MoreMachines bool
	// Back is this page, for the rows\' actions to come back to.
	Back        string
	Next        template.URL // the next page, "" on the last
	CanCreate   bool
	Invitations []*tenantry.Invitation // pending, for those who may create
	Sort        map[string]sortLink    // by column: the link that sorts by it
}

// sortLink is a column header's link: it sorts by the column, and flips
// the order when the list is sorted by it already.
type sortLink struct {
	Href  template.URL // the sorted list
	State string       // "ascending", "descending" or "" (for aria-sort)
}

// sortLinks builds the column headers' links from the list's query.
func sortLinks(q url.Values) map[string]sortLink {
	cur, desc := q.Get("sort"), q.Get("order") == "desc"
	if cur == "" {
		cur = string(tenantry.SortLastName)
	}
	out := map[string]sortLink{}
	for _, col := range tenantry.UserSorts {
		nq := url.Values{}
		for k, v := range q {
			if k != "cursor" && k != "done" {
				nq[k] = v
			}
		}
		nq.Set("sort", string(col))
		nq.Del("order")
		l := sortLink{}
		if string(col) == cur {
			l.State = "ascending"
			if desc {
				l.State = "descending"
			} else {
				nq.Set("order", "desc")
			}
		}
		l.Href = link("/users", nq)
		out[string(col)] = l
	}
	return out
}

// users is the users tab: one page of an organization's people with
// filters; htmx swaps only the table as the filters change.
func (h *Handler) users(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, org, err := h.listPage(r, who, "Users", "users")
	if err != nil {
		return err
	}
	q, ctx := p.Form, r.Context()
	f := tenantry.UserFilter{OrgID: org.ID, Kinds: []tenantry.UserKind{tenantry.UserHuman}, FirstName: q.Get("first_name"),
		LastName: q.Get("last_name"), Login: q.Get("login"), Email: q.Get("email"), Cursor: q.Get("cursor"), Limit: 50,
		Sort: tenantry.UserSort(q.Get("sort")), Desc: q.Get("order") == "desc"}
	list, next, err := h.app.ListUsers(ctx, who, f)
	if tenantry.ErrorCode(err).Kind() == tenantry.Invalid {
		// A filter or cursor at fault: the page with its form, said where.
		p.Data = &usersData{Org: org, Sort: sortLinks(q)}
		h.fail(w, r, "users.html", p, err)
		return nil
	}
	if err != nil {
		return err // refused or failed: the error page
	}
	d := &usersData{Org: org, CanCreate: len(h.app.Assignable(who, org, true)) > 0, Sort: sortLinks(q)}
	if d.CanCreate && f.Cursor == "" {
		invs, err := h.app.Invitations(ctx, who, org.ID)
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if inv.Status == tenantry.InvitationPending {
				d.Invitations = append(d.Invitations, inv)
			}
		}
	}
	rows := make([]userRow, 0, len(list))
	for _, v := range list {
		row := toRow(v)
		row.Administer = h.app.MayAdminister(who, v) && v.ID != who.User.ID
		row.Removable = row.Linked && row.Administer
		row.Locked = v.Status == tenantry.UserLocked
		row.Resettable = row.Administer && !row.Linked && v.Status == tenantry.UserActive && v.IdPID == ""
		row.Resendable = row.Administer && !row.Linked && v.Status == tenantry.UserInvited
		row.Deletable = row.Administer && !row.Linked && !v.InitialOwner
		rows = append(rows, row)
	}
	d.Back = p.Path
	d.Body = rowsHTML(p.Tr, rows, org.Settings.SelfManagedProfile)
	if f.Cursor == "" && f.LastName == "" && f.Email == "" {
		// Machines have a name and a login, nothing else to filter by.
		machines, more, err := h.app.ListUsers(ctx, who, tenantry.UserFilter{OrgID: org.ID,
			Kinds: []tenantry.UserKind{tenantry.UserAPI, tenantry.UserService}, FirstName: f.FirstName, Login: f.Login,
			Sort: tenantry.SortFirstName, Limit: 100})
		if err != nil {
			return err
		}
		for _, v := range machines {
			d.Machines = append(d.Machines, toRow(v))
		}
		d.MoreMachines = more != ""
	}
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", next)
		nq.Set("org", org.ID)
		d.Next = link("/users", nq)
	}
	p.Org, p.Data = org.ID, d
	p.Flash = h.flash(p, q.Get("done"))
	if n := q.Get("imported"); n != "" {
		p.Flash = p.F("Imported: %s people created, %s invited as their login exists in another organization.", n, q.Get("invited"))
	}
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
	"created":        "Created. We have e-mailed the new person a link to set their password.",
	"created-idp":    "Created. We have e-mailed the new person a link to sign in through their identity provider.",
	"saved":          "Saved.",
	"scim-off":       "SCIM is off: its token no longer works, and the people it made are yours to change again.",
	"deleted":        "Deleted.",
	"review-started": "The review is open; every administrator has an e-mail.",
	"review-confirm": "Confirmed.",
	"review-revoke":  "Revoked.",
	"review-closed":  "The review is closed; its decisions are final.",
	"webhook-on":     "On: what waited meanwhile is sent now.",
	"webhook-off":    "Off: the endpoint hears nothing until it is turned on again.",
	"webhook-test":   "A test message is on its way; its outcome shows in the delivery log.",
	"webhook-replay": "Sent again, with its original webhook-id.",
	"published":      "Published. Subscribers get it by e-mail in a moment.",
	"removed":        "Removed from this organization. Their login elsewhere is untouched.",
	"locked":         "Locked: this person can no longer sign in.",
	"unlocked":       "Unlocked.",
	"reset":          "We have e-mailed a link to choose a new password.",
	"totp-reset":     "Two-factor sign-in is reset; the person enrols again at the next sign-in.",
	"resent":         "The invitation is sent again.",
	"granted":        "Role given.",
	"revoked":        "Role taken away.",
	"password":       "Your password is changed.",
	"totp-off":       "Two-factor sign-in is off.",
	"ended":          "The session is ended.",
	"others_ended":   "You are signed out on every other device.",
	"token-gone":     "The token is deleted.",
	"requested":      "Your request is sent to the platform operator.",
	"org-created":    "The organization is created; its owner gets an e-mail to set a password.",
	"org-deleted":    "The organization is deleted.",
	"settings":       "Settings saved.",
	"account":        "The customer account is created; its owner gets an e-mail to set a password.",
	"workflow":       "Workflow saved.",
	"resolved":       "The service request is answered.",
	"transferred":    "The SIMs are transferred.",
	"invited":        "Invitation sent. The person is linked once they confirm it.",
	"cancelled":      "The invitation is cancelled.",
	"rotated":        "The new secret is shown below, this once.",
	"secret-gone":    "The secret is revoked.",
	"contact":        "Contacts saved.",
	"services":       "Services saved.",
}

// userKinds are the kinds the New user dialog offers.
var userKinds = []string{string(tenantry.UserHuman), string(tenantry.UserAPI), string(tenantry.UserService)}

type newUserData struct {
	Org   *tenantry.Org
	Kind  string
	Kinds []string
	Roles []string // the roles the viewer may give here, for all the org does
	// Services are the enabled services offered under "Services and
	// roles", each with ServiceRoles to choose from (seed 003).
	Services     []string
	ServiceRoles []string
	// ProfileOpen: the org manages its own customer profile (O6).
	ProfileOpen bool
	Created     *app.UserView
	ClientID    string
	Secret      string // shown once, for API users and service accounts
	Generated   bool
	SignIn      signInChoice
	// Zone is the org's time zone, in which an end of the roles is given.
	Zone *time.Location
	// Here is the person asked to be created or invited who is in the
	// organization already: the form links to their page.
	Here *app.UserView
}

// whoIsHere fills d.Here when err refused a login that belongs to a
// person of this organization already.
func (h *Handler) whoIsHere(r *http.Request, who *app.Actor, d *newUserData, login string, err error) {
	var e *tenantry.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Message != app.AlreadyHere {
		return
	}
	if v, err := h.app.PersonHere(r.Context(), who, d.Org.ID, login); err == nil {
		d.Here = v
	}
}

// signInChoice is what the user forms offer under "Sign-in method" (U8).
type signInChoice struct {
	IdPs []app.IdPView // the active providers the org's people may use
	// RequireIdP: an ancestor (or the org) leaves passwords to break-glass
	// accounts; By names who.
	RequireIdP bool
	By         string
	Editing    bool // an existing person: a change ends their sessions
}

// signInChoice reads the sign-in methods the org offers.
func (h *Handler) signInChoice(r *http.Request, who *app.Actor, org *tenantry.Org) (signInChoice, error) {
	var c signInChoice
	idps, err := h.app.IdPs(r.Context(), who, org.ID)
	if err != nil {
		return c, err
	}
	for _, d := range idps {
		if d.Active {
			c.IdPs = append(c.IdPs, d)
		}
	}
	sec, err := h.app.Security(r.Context(), who, org.ID)
	if err != nil {
		return c, err
	}
	c.RequireIdP = sec.RequireIdP.Value
	c.By = org.Name
	if sec.RequireIdP.By != nil {
		c.By = sec.RequireIdP.By.Name
	}
	return c, nil
}

// signInPatch reads the Sign-in method fields of a form, if it had them.
func signInPatch(p *page, patch *app.UserPatch) {
	if p.V("has_signin") == "" {
		return
	}
	idp, external, breakGlass := p.V("identity_provider"), p.V("external_login"), p.V("break_glass") == "on"
	patch.IdP, patch.ExternalLogin, patch.BreakGlass = &idp, &external, &breakGlass
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
	d := &newUserData{Org: org, Kind: kind, Kinds: userKinds, ProfileOpen: org.Settings.SelfManagedProfile,
		Zone: h.zone(r.Context(), who, org.ID)}
	d.Roles, d.ServiceRoles = h.splitAssignable(who, org, true)
	if d.SignIn, err = h.signInChoice(r, who, org); err != nil {
		return nil, err
	}
	if h.app.ServiceForm(org) {
		set, err := h.app.Services(r.Context(), who, org.ID)
		if err != nil {
			return nil, err
		}
		d.Services = set.Enabled
	}
	return d, nil
}

// splitAssignable parts the roles the viewer may give in org into those
// for all the org does and those given per service.
func (h *Handler) splitAssignable(who *app.Actor, org *tenantry.Org, creating bool) (whole, perService []string) {
	for _, role := range h.app.Assignable(who, org, creating) {
		if h.app.PerService(role) {
			perService = append(perService, role)
		} else {
			whole = append(whole, role)
		}
	}
	return whole, perService
}

// chosenRoles are the roles a New user post gives: the checked ones, and
// "role:service" for each service given a role under Services and roles.
func chosenRoles(p *page, d *newUserData) []string {
	roles := p.Form["roles"]
	for _, svc := range d.Services {
		if role := p.V("service." + svc); role != "" {
			roles = append(roles, role+":"+svc)
		}
	}
	return roles
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
	// A form the viewer could never send is not shown (issue 17, item 4).
	if err := h.app.MayAddPeople(who, d.Org); err != nil {
		return err
	}
	if len(p.Form["language"]) == 0 {
		p.Form.Set("language", p.Lang)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "user_new.html", p)
	return nil
}

// newUserPost reads a post of the New user dialog; a nil page means the
// answer is written already.
func (h *Handler) newUserPost(w http.ResponseWriter, r *http.Request, who *app.Actor) (*page, *newUserData, error) {
	p, ok := h.posted(w, r, "New user", "users")
	if !ok {
		return nil, nil, nil
	}
	d, err := h.newUserData(r, who, p)
	if err != nil {
		return nil, nil, err
	}
	p.Data = d
	return p, d, nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, d, err := h.newUserPost(w, r, who)
	if p == nil || err != nil {
		return err
	}
	ctx := r.Context()
	if d.Kind == string(tenantry.UserHuman) {
		until, err := endOf("roles_until", p.V("roles_until"), d.Zone)
		if err != nil {
			h.fail(w, r, "user_new.html", p, err)
			return nil
		}
		v, err := h.app.CreateUser(ctx, who, d.Org.ID, app.NewUser{RolesUntil: until,
			Email: p.V("email"), Login: p.V("login"), FirstName: p.V("first_name"), LastName: p.V("last_name"),
			Phone: p.V("phone"), JobTitle: p.V("job_title"), Language: p.V("language"),
			ContactBilling: p.Checked("contact", "billing"), ContactTechnical: p.Checked("contact", "technical"),
			ContactBusiness: p.Checked("contact", "business"), NotifyNews: p.Checked("notify", "news"),
			NotifyAlerts: p.Checked("notify", "alerts"), Roles: chosenRoles(p, d),
			IdP: p.V("identity_provider"), ExternalLogin: p.V("external_login"), BreakGlass: p.V("break_glass") == "on"})
		if err != nil {
			h.whoIsHere(r, who, d, p.V("email"), err)
			h.fail(w, r, "user_new.html", p, err)
			return nil
		}
		done := "created"
		if v.IdPID != "" {
			done = "created-idp"
		}
		redirect(w, r, withFlash("/users?org="+url.QueryEscape(v.Org), done))
		return nil
	}
	v, secret, err := h.app.CreateClient(ctx, who, d.Org.ID, app.NewClient{Kind: tenantry.UserKind(d.Kind),
		Name: strings.TrimSpace(p.V("name")), Secret: p.V("client_secret"), Roles: chosenRoles(p, d)})
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
	Services    []string // the enabled services a role may be limited to
	Grants      []tenantry.Grant
	Invited     bool
	Locked      bool
	ProfileOpen bool // phone, job title and contacts exist (O6)
	Client      bool // an API user or service account
	Secrets     []*tenantry.ClientSecret
	NewSecret   string // a rotated secret, shown once
	SignIn      signInChoice
	// Permissions: "What can this person do here?" (B2), for the person
	// themselves and whoever sees the org's users.
	Permissions []permissionRow
	// Zone is the org's time zone, in which end dates are read and given.
	Zone *time.Location
}

// permissionRow is one action of the catalogue and the decision on it.
type permissionRow struct {
	Area, Action string
	Allowed      bool
	Reason       string // a code of reasonText
	Text         tenantry.Text
}

// reasonText says a decision's reason code in words.
var reasonText = map[string]string{
	app.ReasonGranted:         "Allowed by a role",
	app.ReasonNoGrant:         "No role allows it",
	app.ReasonOutsideSubtree:  "Allowed elsewhere only",
	app.ReasonOtherService:    "For another service only",
	app.ReasonServiceDisabled: "Service not enabled",
	app.ReasonGrantExpired:    "The role has ended",
	app.ReasonUserLocked:      "Locked",
	app.ReasonUserInactive:    "Not activated yet",
	app.ReasonMFARequired:     "Two-factor sign-in missing",
	app.ReasonUnknownSubject:  "Unknown person",
	app.ReasonUnknownAction:   "Unknown action",
	app.ReasonUnknownResource: "Unknown resource",
}

// permissionRows reads what the person may do in their org, or nothing
// when the viewer may not see it.
func (h *Handler) permissionRows(r *http.Request, who *app.Actor, v *app.UserView) ([]permissionRow, error) {
	ps, err := h.app.Permissions(r.Context(), who, v.ID, v.Org)
	if c := tenantry.ErrorCode(err); c == tenantry.Forbidden || c == tenantry.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]permissionRow, 0, len(ps))
	for _, p := range ps {
		area, action, _ := strings.Cut(p.Action, ".")
		out = append(out, permissionRow{Area: area, Action: action, Allowed: p.Allowed, Reason: reasonText[p.Reason], Text: p.Text})
	}
	return out, nil
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
		ProfileOpen: org.Settings.SelfManagedProfile, CanRevoke: map[string]bool{}, Zone: h.zone(ctx, who, v.Org)}
	// Roles may change for linked people too; their profile only at home.
	roleAdmin := h.app.MayAdminister(who, v)
	d.Administer = !d.Linked && roleAdmin
	d.Row.Removable = d.Linked && roleAdmin
	d.Client = v.Kind != tenantry.UserHuman
	if d.Client && d.Administer {
		secrets, err := h.app.ClientSecrets(ctx, who, v.ID)
		if err != nil {
			return nil, err
		}
		for _, cs := range secrets { // the ones still in force
			if cs.ExpiresAt.IsZero() || cs.ExpiresAt.After(time.Now()) {
				d.Secrets = append(d.Secrets, cs)
			}
		}
	}
	if d.Permissions, err = h.permissionRows(r, who, v); err != nil {
		return nil, err
	}
	if d.Administer && !d.Client {
		if d.SignIn, err = h.signInChoice(r, who, org); err != nil {
			return nil, err
		}
		d.SignIn.Editing = true
	}
	if roleAdmin || d.Administer {
		held := map[string]bool{}
		for _, g := range v.Grants {
			held[g.Role] = true
		}
		for _, role := range h.app.Assignable(who, org, false) {
			d.CanRevoke[role] = true
			if !held[role] || h.app.PerService(role) { // a service role may be held in several services
				d.CanGrant = append(d.CanGrant, role)
			}
		}
		if h.app.ServiceForm(org) {
			set, err := h.app.Services(ctx, who, org.ID)
			if err != nil {
				return nil, err
			}
			d.Services = set.Enabled
		}
	}
	return d, nil
}

// userForm fills the edit form from the stored user.
func userForm(v *app.UserView) url.Values {
	f := url.Values{"email": {v.Email}, "first_name": {v.FirstName}, "last_name": {v.LastName},
		"phone": {v.Phone}, "job_title": {v.JobTitle}, "language": {v.Language},
		"identity_provider": {v.IdPID}, "external_login": {v.ExternalLogin}}
	if v.BreakGlass {
		f.Set("break_glass", "on")
	}
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
	p := h.userPage(r, d)
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

// userPage starts the edit dialog's page for d, its form filled from the
// stored user.
func (h *Handler) userPage(r *http.Request, d *userData) *page {
	p := h.newPage(r, "User", "users")
	p.Title, p.Org, p.Data, p.Form = d.Row.Name, d.Org.ID, d, userForm(d.User)
	p.zone = d.Zone // the person's org's, read already
	if p.Title == "" {
		p.Title = d.Row.Login
	}
	return p
}

// userPost reads a post of the edit dialog; a nil page means the answer
// is written already.
func (h *Handler) userPost(w http.ResponseWriter, r *http.Request, who *app.Actor, id string) (*page, *userData, error) {
	d, err := h.userData(r, who, id)
	if err != nil {
		return nil, nil, err
	}
	p := h.userPage(r, d)
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "user.html", p)
		return nil, nil, nil
	}
	return p, d, nil
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, d, err := h.userPost(w, r, who, r.PathValue("id"))
	if p == nil || err != nil {
		return err
	}
	patch := profilePatch(p, d.ProfileOpen, true)
	signInPatch(p, &patch)
	if d.Client {
		// A machine's page has its name only (issue 17, item 7).
		patch = app.UserPatch{FirstName: patch.FirstName}
	}
	if _, err := h.app.UpdateUser(r.Context(), who, d.User.ID, patch); err != nil {
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
		g := app.NewGrant{Role: r.FormValue("role"), Service: r.FormValue("service")}
		v, verr := h.app.User(ctx, who, id)
		if verr != nil {
			return verr
		}
		if g.ExpiresAt, err = endOf("until", r.FormValue("until"), h.zone(ctx, who, v.Org)); err != nil {
			break
		}
		_, err = h.app.GrantRole(ctx, who, id, g)
		done = "granted"
	case "rotate-secret":
		return h.rotateSecret(w, r, who, id)
	case "revoke-secret":
		err, done = h.app.RevokeClientSecret(ctx, who, id, r.FormValue("secret")), "secret-gone"
	case "revoke":
		err, done = h.app.RevokeRole(ctx, who, id, r.FormValue("grant")), "revoked"
	case "remove":
		v, rerr := h.app.RemoveLinked(ctx, who, id)
		if err = rerr; err == nil {
			done, back = "removed", "/users?org="+url.QueryEscape(v.Org)
		}
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
		h.fail(w, r, "user.html", h.userPage(r, d), err)
		return nil
	}
	if b := r.FormValue("back"); strings.HasPrefix(b, "/users?") || b == "/users" {
		back = b // a row's action in the users list returns to the list
	}
	redirect(w, r, withFlash(back, done))
	return nil
}

// deleteUserForm asks before deleting a person of this org, or before
// removing one linked here from another org.
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

// invite asks a person with a login elsewhere to join this organization
// with the chosen roles; they are linked once they confirm (U4).
func (h *Handler) invite(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, d, err := h.newUserPost(w, r, who)
	if p == nil || err != nil {
		return err
	}
	login := strings.TrimSpace(p.V("login"))
	if login == "" {
		login = strings.TrimSpace(p.V("email"))
	}
	until, err := endOf("until", p.V("until"), h.zone(r.Context(), who, d.Org.ID))
	if err == nil {
		_, err = h.app.Invite(r.Context(), who, d.Org.ID, app.NewInvitation{Login: login, Roles: p.Form["roles"], Until: until})
	}
	if err != nil {
		h.whoIsHere(r, who, d, login, err)
		h.fail(w, r, "user_new.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/users?org="+url.QueryEscape(d.Org.ID), "invited"))
	return nil
}

// invitationAction re-sends or cancels a pending invitation.
func (h *Handler) invitationAction(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ctx, id := r.Context(), r.PathValue("id")
	org := r.FormValue("org")
	var err error
	done := "resent"
	switch r.PathValue("action") {
	case "resend":
		_, err = h.app.ResendInvitation(ctx, who, id)
	case "cancel":
		err, done = h.app.CancelInvitation(ctx, who, id), "cancelled"
	default:
		http.NotFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, withFlash("/users?org="+url.QueryEscape(org), done))
	return nil
}

// rotateSecret gives an API user or service account a new secret, shown
// on this one response; the old ones keep working for the overlap chosen.
func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, who *app.Actor, id string) error {
	p, d, err := h.userPost(w, r, who, id)
	if p == nil || err != nil {
		return err
	}
	hours := map[string]time.Duration{"0": 0, "1": time.Hour, "24": 24 * time.Hour, "168": 7 * 24 * time.Hour}
	overlap, ok := hours[p.V("overlap")]
	if !ok {
		overlap = 24 * time.Hour
	}
	chosen := p.V("client_secret")
	secret, err := h.app.RotateClientSecret(r.Context(), who, id, chosen, overlap)
	p.Form = userForm(d.User)
	if err != nil {
		h.fail(w, r, "user.html", p, err)
		return nil
	}
	if d, err = h.userData(r, who, id); err != nil {
		return err
	}
	d.NewSecret = secret
	if chosen != "" {
		d.NewSecret = ""
	}
	p.Data, p.Flash = d, p.T("The new secret is in force.")
	h.render(w, r, http.StatusOK, "user.html", p)
	return nil
}
