// Package web is Tenantry's portal: server-rendered html/template pages
// over the one door, internal/app, so that the portal and the API can
// never disagree. Every core flow is a plain form that posts and
// redirects, so it works with JavaScript off; htmx (vendored, embedded)
// only makes navigation and filtering quicker. Pages speak English and
// German (i18n.go).
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/httperr"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// csp allows no inline script and no inline style: scripts and styles
// come from this origin only, images also as data: URLs (the TOTP QR).
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Handler serves the portal.
type Handler struct {
	app    *app.App
	log    *slog.Logger
	secure bool               // cookies get Secure and the __Host- prefix
	pages  *template.Template // every page (by file name) and the layout's partials
	assets *assets            // the stylesheet and script, and their links
	jobs   *imports
	msgs   *lang.Catalogue
	mux    *http.ServeMux
	bufs   sync.Pool // *bytes.Buffer a page is rendered into
}

// maxPooledPage is the largest page buffer kept for the next page.
const maxPooledPage = 1 << 20

// New parses the embedded templates, so a broken template stops the
// server before it serves, and registers the portal's routes on mux.
// publicURL decides whether cookies are marked Secure.
func New(mux *http.ServeMux, a *app.App, log *slog.Logger, publicURL string) (*Handler, error) {
	h := &Handler{app: a, log: log, msgs: a.Messages(), secure: strings.HasPrefix(publicURL, "https://"), mux: mux,
		jobs: &imports{byID: map[string]*importJob{}}}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	if h.assets, err = loadAssets(static); err != nil {
		return nil, err
	}
	if err := h.parse(); err != nil {
		return nil, err
	}
	mux.Handle("GET /static/", h.assets)
	h.routes(mux)
	return h, nil
}

func (h *Handler) parse() error {
	funcs := template.FuncMap{
		"asset": func(name string) string { return h.assets.links[name] },
		"zoned": zoned,
		"add":   func(a, b int) int { return a + b },
		// languages and languageCodes are the languages there are.
		"languages":     languages,
		"languageCodes": func() string { return strings.Join(lang.Codes(), ", ") },
		// exportAs turns /path?query into /path.format?query.
		"exportAs": func(format, link string) string {
			path, query, found := strings.Cut(link, "?")
			if found {
				query = "?" + query
			}
			return path + "." + format + query
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/_*.html")
	if err != nil {
		return err
	}
	// Every page in one set with the layout's partials (each file's
	// templates are named apart), not a copy of the layout for each: the
	// copies were 3.6 MB of the heap at rest (issue 16, item 4).
	h.pages, err = base.ParseFS(templateFiles, "templates/[^_]*.html")
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// page is what every template receives: the viewer, their language, the
// navigation they may use, the form as posted and the errors to show next
// to its fields.
type page struct {
	Tr
	Title string
	Nav   string // the active tab
	Who   *app.Actor
	Can   navRights
	Org   string // the organization the page is about
	// OrgQuery is "?org=…" when the tabs are for an organization other
	// than the viewer's own; Orgs lists those they can switch between.
	OrgQuery string
	Orgs     []orgChoice
	Current  string // the organization the tabs are for
	Flash    string
	Error    string
	// Why explains a refusal: which rule denied the action.
	Why    string
	Fields map[string]string
	// LineErrors are the errors of a file's lines, in line order.
	LineErrors []tenantry.FieldError
	Form       url.Values
	Data       any
	Path       string // the request path and query, to come back to
	// Bare pages (sign-in, links from e-mails) have no navigation.
	Bare bool
	// Invitation is what an invitation's page offers, before it is taken.
	Invitation *app.InvitationPreview
	// Dead says an e-mailed link no longer works: its page says why and
	// offers no form.
	Dead bool
	// zone is the time zone the page's times are in (Zone), read by
	// zoneOf for an org when first asked.
	zone   *time.Location
	zoneOf func(orgID string) *time.Location
}

// navRights says which tabs the viewer's roles open, in their home org.
type navRights struct {
	Users, Roles, Orgs, SIMs, Audit, Support, Operator, Tokens bool
}

type orgChoice struct {
	ID, Name string
}

// V is the posted value of a form field.
func (p *page) V(name string) string { return p.Form.Get(name) }

// Checked reports whether a checkbox was posted checked.
func (p *page) Checked(name, value string) bool { return contains(p.Form[name], value) }

// E is the error to show next to a field.
func (p *page) E(name string) string { return p.Fields[name] }

// newPage starts a page for r.
func (h *Handler) newPage(r *http.Request, title, nav string) *page {
	who := httpauth.Actor(r.Context())
	p := &page{Tr: h.language(r, who), Nav: nav, Who: who, Fields: map[string]string{}, Form: url.Values{},
		Path: r.URL.Path}
	// Come back with the same query, but never copy a one-time token
	// from a link into the page; after a post, come back to the start.
	if q := r.URL.Query(); len(q) > 0 && !q.Has("token") {
		p.Path += "?" + q.Encode()
	}
	if r.Method != http.MethodGet && !h.hasPage(r.URL.Path) {
		p.Path = "/"
	}
	p.Title = p.T(title)
	if who == nil || who.PendingMFA {
		p.Who, p.Bare = nil, true
		return p
	}
	// The organization the tabs are for: the viewer's own, or another
	// where they hold a role (an accepted invitation), chosen with ?org=.
	home := who.User.OrgID
	orgs := map[string]bool{home: true}
	for _, g := range who.Grants {
		orgs[g.OrgID] = true
	}
	p.Org = home
	if o := r.URL.Query().Get("org"); o != "" && o != home && orgs[o] {
		p.Org, p.OrgQuery = o, "?org="+url.QueryEscape(o)
	}
	p.Current = p.Org
	p.zoneOf = func(org string) *time.Location { return h.zone(r.Context(), who, org) }
	can := func(act policy.Action) bool { return h.app.Can(who, act, p.Current) }
	p.Can = navRights{
		Users: can(policy.UsersSeeAll), Roles: true, Orgs: can(policy.OrganisationSeeAll),
		SIMs: can(policy.SIMsSeeAll), Audit: h.app.MayReadAuditLog(who, p.Current),
		Support: can(policy.SupportSeeAll), Operator: can(policy.PlatformAccountsSeeAll),
		Tokens: h.app.Can(who, policy.ConfigurationManagementAPI, home),
	}
	if len(orgs) > 1 {
		for id := range orgs {
			if o, err := h.app.Org(r.Context(), who, id); err == nil {
				p.Orgs = append(p.Orgs, orgChoice{ID: o.ID, Name: o.Name})
			}
		}
		slices.SortFunc(p.Orgs, func(a, b orgChoice) int { return strings.Compare(a.Name, b.Name) })
	}
	return p
}

// hasPage reports whether path can be opened with GET; a form posted to a
// path that cannot is returned to from the start page instead.
func (h *Handler) hasPage(path string) bool {
	_, pattern := h.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}})
	return pattern != ""
}

// render writes a page with the security headers every page carries.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := h.pages.Lookup(name)
	if t == nil {
		h.log.ErrorContext(r.Context(), "no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", csp)
	hdr.Set("Referrer-Policy", "no-referrer") // link pages carry tokens in the URL
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Vary", "Cookie, HX-Request")
	// The page is rendered whole before a byte is sent: it goes out in one
	// write with its length, not in a system call per few kilobytes, and a
	// template that fails half-way answers 500, not half a page.
	buf, _ := h.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledPage {
			buf.Reset()
			h.bufs.Put(buf)
		}
	}()
	if err := t.Execute(buf, p); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// unavailable answers a request whose session could not be checked
// because the database did not answer: 503 with Retry-After, a page that
// says so, and for a form post a button that posts the same form again
// (without its passwords and secrets), so nothing typed is lost.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "unavailable", "err", err)
	p := h.newPage(r, "Please try again in a moment", "")
	p.Bare = true
	if r.Method == http.MethodPost && r.ParseForm() == nil {
		p.Form = url.Values{}
		for k, vs := range r.PostForm {
			if !strings.Contains(k, "password") && !strings.Contains(k, "secret") {
				p.Form[k] = vs
			}
		}
		p.Data = true
	}
	w.Header().Set("Retry-After", strconv.Itoa(httperr.RetryUnavailable))
	h.render(w, r, http.StatusServiceUnavailable, "unavailable.html", p)
}

// Refuse answers a request refused before its handler ran: signed-out
// people go to sign in, a database that could not check the session gets
// the try-again page, the rest the error page with err.
func (h *Handler) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	switch tenantry.ErrorCode(err).Kind() {
	case tenantry.Unauthenticated:
		redirect(w, r, "/signin")
	case tenantry.Unavailable:
		h.unavailable(w, r, err)
	default:
		h.fail(w, r, "error.html", h.newPage(r, "Error", ""), err)
	}
}

// fail shows err on the page: field errors next to their fields, the rest
// at the top, with the status the API would answer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	if tenantry.ErrorCode(err) == tenantry.ReauthenticationRequired {
		// Prove it is you, then back to the page the form was on.
		back := r.URL.Path
		if !h.hasPage(back) {
			back = "/account"
		}
		redirect(w, r, "/account/confirm?next="+url.QueryEscape(back))
		return
	}
	status := h.explain(r, p, err)
	h.render(w, r, status, name, p)
}

// explain puts err into p and returns its HTTP status. Internal errors are
// logged and shown only as "something went wrong".
func (h *Handler) explain(r *http.Request, p *page, err error) int {
	if httperr.ClientGone(r.Context(), err) {
		h.log.InfoContext(r.Context(), "client closed the request")
		return httperr.StatusClientClosed
	}
	var e *tenantry.Error
	if !errors.As(err, &e) || e.Code.Kind() == tenantry.Internal {
		h.log.ErrorContext(r.Context(), "portal", "err", err)
		p.Error = p.T("Something went wrong on our side. Please try again.")
		return http.StatusInternalServerError
	}
	p.Error = p.message(e)
	if e.Code == tenantry.Forbidden && e.Action != "" {
		// Why, from the same explanation every decision gives (B2).
		if who := httpauth.Actor(r.Context()); who != nil {
			d, err := h.app.Explain(r.Context(), who, who.User.ID, e.Action, app.Resource{Type: app.ResourceOrg, ID: e.Org})
			if err == nil && !d.Allowed {
				p.Why = p.fill(d.Text)
			}
		}
	}
	for _, f := range tenantry.CappedFields(e.Fields) {
		if f.Line > 0 {
			p.LineErrors = append(p.LineErrors, f)
			continue
		}
		key := f.Field
		if key == "" {
			continue
		}
		msg := p.Say(f)
		if prev := p.Fields[key]; prev != "" {
			p.Fields[key] = prev + "; " + msg
		} else {
			p.Fields[key] = msg
		}
	}
	return httperr.Status(e.Code)
}

// redirect answers a form post: 303 to target, or for htmx an
// HX-Location so that it navigates without a full reload.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") == "true" && strings.HasPrefix(target, app.OIDCLoginPath) {
		// On to an application: a full navigation, which may end on
		// another site.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Location", target)
		w.WriteHeader(http.StatusOK)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// withFlash adds a short confirmation to show on the next page.
func withFlash(target, flash string) string {
	// The flash goes into the query, before any #fragment (issue 17,
	// item 3: "#contacts&done=contact" lost its message).
	target, fragment, hasFragment := strings.Cut(target, "#")
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	target += sep + "done=" + url.QueryEscape(flash)
	if hasFragment {
		target += "#" + fragment
	}
	return target
}

// form reads a posted form of at most 64 KiB into p.Form.
func form(w http.ResponseWriter, r *http.Request, p *page) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.Error = p.T("The form could not be read.")
		return false
	}
	p.Form = r.PostForm
	return true
}

// posted starts a page for a form post and reads the form; when the form
// cannot be read it has answered already, with 400.
func (h *Handler) posted(w http.ResponseWriter, r *http.Request, title, nav string) (*page, bool) {
	p := h.newPage(r, title, nav)
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "error.html", p)
		return nil, false
	}
	return p, true
}

// handler is a page that needs a signed-in person.
type handler func(w http.ResponseWriter, r *http.Request, who *app.Actor) error

// signedIn sends anyone without a session to the sign-in page, and
// someone with a duty first (a second factor, a new password, an
// authenticator to enrol) to the page that takes it.
func (h *Handler) signedIn(fn handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who := httpauth.Actor(r.Context())
		switch {
		case who == nil || who.Via != app.ViaSession:
			target := "/signin"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			redirect(w, r, target)
			return
		case who.PendingMFA:
			target := "/signin/totp"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			redirect(w, r, target)
			return
		case who.User.MustChangePassword && r.URL.Path != "/account/password" && r.URL.Path != "/account/confirm":
			redirect(w, r, "/account/password")
			return
		case who.MustEnrolTOTP && !who.User.MustChangePassword && !strings.HasPrefix(r.URL.Path, "/account/2fa") &&
			r.URL.Path != "/account/confirm":
			redirect(w, r, "/account/2fa")
			return
		}
		if err := fn(w, r, who); err != nil {
			p := h.newPage(r, "Error", "")
			h.fail(w, r, "error.html", p, err)
		}
	}
}

// sensitive asks the person to prove who they are before a page whose
// changes need it, rather than after they filled its form in.
func (h *Handler) sensitive(fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
		if h.app.NeedsReauth(who) {
			redirect(w, r, "/account/confirm?next="+url.QueryEscape(r.URL.Path))
			return nil
		}
		return fn(w, r, who)
	}
}

// snapshot runs a page that only reads with its reads in one snapshot
// (app.Snapshot): what it shows is of one moment, and costs one
// transaction.
func (h *Handler) snapshot(fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
		return h.app.Snapshot(r.Context(), func(ctx context.Context) error {
			return fn(w, r.WithContext(ctx), who)
		})
	}
}

func (h *Handler) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.signedIn(h.home))
	mux.HandleFunc("POST /lang", h.setLanguage)

	mux.HandleFunc("GET /signin", h.signInForm)
	mux.HandleFunc("POST /signin", h.signIn)
	mux.HandleFunc("GET /signin/idp", h.idpStart)
	mux.HandleFunc("GET "+app.OIDCLoginPath, h.signedIn(h.appSignIn))
	mux.HandleFunc("POST "+app.OIDCLoginPath, h.signedIn(h.appSignIn))
	mux.HandleFunc("GET "+app.IdPCallbackPath, h.idpCallback)
	mux.HandleFunc("GET /signin/totp", h.secondFactorForm)
	mux.HandleFunc("POST /signin/totp", h.secondFactor)
	mux.HandleFunc("POST /signout", h.signOut)
	mux.HandleFunc("GET /forgot", h.forgotForm)
	mux.HandleFunc("POST /forgot", h.forgot)
	mux.HandleFunc("GET /password", h.passwordForm)
	mux.HandleFunc("POST /password-strength", h.passwordStrength)
	mux.HandleFunc("POST /password", h.passwordSet)
	mux.HandleFunc("GET /invitation", h.invitationForm)
	mux.HandleFunc("POST /invitation", h.invitationAccept)

	mux.HandleFunc("GET /users", h.signedIn(h.snapshot(h.users)))
	mux.HandleFunc("GET /users/new", h.signedIn(h.newUserForm))
	mux.HandleFunc("POST /users/new", h.signedIn(h.createUser))
	mux.HandleFunc("POST /users/invite", h.signedIn(h.invite))
	mux.HandleFunc("GET /users/import", h.signedIn(h.importForm))
	mux.HandleFunc("POST /users/import", h.signedIn(h.importPeople))
	mux.HandleFunc("POST /invitations/{id}/{action}", h.signedIn(h.invitationAction))
	mux.HandleFunc("GET /users/{id}", h.signedIn(h.snapshot(h.user)))
	mux.HandleFunc("POST /users/{id}", h.signedIn(h.updateUser))
	mux.HandleFunc("POST /users/{id}/{action}", h.signedIn(h.userAction))
	mux.HandleFunc("GET /users/{id}/delete", h.signedIn(h.deleteUserForm))
	mux.HandleFunc("GET /users/{id}/remove", h.signedIn(h.deleteUserForm))

	mux.HandleFunc("GET /roles", h.signedIn(h.roles))

	mux.HandleFunc("GET /orgs", h.signedIn(h.snapshot(h.orgs)))
	mux.HandleFunc("POST /orgs/settings", h.signedIn(h.orgSettings))
	mux.HandleFunc("GET /orgs/new", h.signedIn(h.wizardStart))
	mux.HandleFunc("POST /orgs/new", h.signedIn(h.wizard))
	mux.HandleFunc("GET /orgs/{id}/delete", h.signedIn(h.deleteOrgForm))
	mux.HandleFunc("POST /orgs/{id}/delete", h.signedIn(h.deleteOrg))
	mux.HandleFunc("GET /orgs/{id}/transfer", h.signedIn(h.transferForm))
	mux.HandleFunc("POST /orgs/{id}/transfer", h.signedIn(h.transfer))

	mux.HandleFunc("POST /orgs/{id}/contacts", h.signedIn(h.addContact))
	mux.HandleFunc("GET /orgs/{id}/scim", h.signedIn(h.scim))
	mux.HandleFunc("POST /orgs/{id}/scim", h.signedIn(h.changeSCIM))
	mux.HandleFunc("GET /orgs/{id}/webhooks", h.signedIn(h.webhooks))
	mux.HandleFunc("POST /orgs/{id}/webhooks", h.signedIn(h.createWebhook))
	mux.HandleFunc("GET /orgs/{id}/reviews", h.signedIn(h.reviews))
	mux.HandleFunc("POST /orgs/{id}/reviews", h.signedIn(h.startReview))
	mux.HandleFunc("GET /reviews/{id}", h.signedIn(h.review))
	mux.HandleFunc("POST /reviews/{id}", h.signedIn(h.changeReview))
	mux.HandleFunc("GET /webhooks/{id}", h.signedIn(h.webhook))
	mux.HandleFunc("POST /webhooks/{id}", h.signedIn(h.changeWebhook))
	mux.HandleFunc("GET /idps/new", h.signedIn(h.newIdPForm))
	mux.HandleFunc("POST /idps/new", h.signedIn(h.createIdP))
	mux.HandleFunc("GET /idps/{id}", h.signedIn(h.idp))
	mux.HandleFunc("POST /idps/{id}", h.signedIn(h.updateIdP))
	mux.HandleFunc("POST /idps/{id}/{action}", h.signedIn(h.updateIdP))
	mux.HandleFunc("POST /contacts/{id}/delete", h.signedIn(h.deleteContact))

	mux.HandleFunc("GET /sims", h.signedIn(h.snapshot(h.sims)))
	mux.HandleFunc("GET /sims/{iccid}", h.signedIn(h.simHistory))

	mux.HandleFunc("GET /account", h.signedIn(h.account))
	mux.HandleFunc("POST /account", h.signedIn(h.updateAccount))
	mux.HandleFunc("GET /account/confirm", h.signedIn(h.confirmForm))
	mux.HandleFunc("POST /account/confirm", h.signedIn(h.confirm))
	mux.HandleFunc("GET /account/password", h.signedIn(h.sensitive(h.passwordChangeForm)))
	mux.HandleFunc("POST /account/password", h.signedIn(h.passwordChange))
	mux.HandleFunc("GET /account/2fa", h.signedIn(h.sensitive(h.totpPage)))
	mux.HandleFunc("POST /account/2fa/begin", h.signedIn(h.totpBegin))
	mux.HandleFunc("POST /account/2fa", h.signedIn(h.totpConfirm))
	mux.HandleFunc("POST /account/2fa/disable", h.signedIn(h.totpDisable))
	mux.HandleFunc("GET /account/tokens", h.signedIn(h.sensitive(h.tokens)))
	mux.HandleFunc("POST /account/tokens", h.signedIn(h.createToken))
	mux.HandleFunc("POST /account/tokens/{id}/delete", h.signedIn(h.deleteToken))
	mux.HandleFunc("GET /account/sessions", h.signedIn(h.sessions))
	mux.HandleFunc("POST /account/sessions/others/end", h.signedIn(h.endOtherSessions))
	mux.HandleFunc("POST /account/sessions/{id}/end", h.signedIn(h.endSession))

	mux.HandleFunc("GET /audit", h.signedIn(h.audit))
	mux.HandleFunc("GET /support", h.signedIn(h.support))
	mux.HandleFunc("GET /news", h.signedIn(h.news))
	mux.HandleFunc("POST /news", h.signedIn(h.publish))
	mux.HandleFunc("POST /support", h.signedIn(h.openRequest))

	mux.HandleFunc("GET /operator", h.signedIn(h.operator))
	mux.HandleFunc("POST /operator/accounts", h.signedIn(h.createAccount))
	mux.HandleFunc("GET /operator/accounts/{id}/services", h.signedIn(h.accountServices))
	mux.HandleFunc("POST /operator/accounts/{id}/services", h.signedIn(h.setAccountServices))
	mux.HandleFunc("POST /operator/import", h.signedIn(h.startImport))
	mux.HandleFunc("GET /operator/import/{id}", h.signedIn(h.importProgress))
	mux.HandleFunc("POST /operator/workflows", h.signedIn(h.createWorkflow))
	mux.HandleFunc("POST /operator/apps", h.signedIn(h.registerApp))
	mux.HandleFunc("POST /operator/apps/{id}", h.signedIn(h.changeApp))
	mux.HandleFunc("POST /operator/workflows/{id}/close", h.signedIn(h.closeWorkflow))
	mux.HandleFunc("POST /operator/requests/{id}", h.signedIn(h.resolveRequest))
}

// home sends each person to the first tab their roles open.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "", "")
	switch {
	case p.Can.Operator:
		redirect(w, r, "/operator")
	case p.Can.Users:
		redirect(w, r, "/users")
	case p.Can.SIMs:
		redirect(w, r, "/sims")
	default:
		redirect(w, r, "/account")
	}
	return nil
}

// link is a URL of this site with a query; its parts are escaped by
// url.Values, so templates take it as it is.
func link(path string, q url.Values) template.URL {
	if len(q) == 0 {
		return template.URL(path)
	}
	return template.URL(path + "?" + q.Encode())
}

// listPage starts a page of one organization's list: the query is the
// filter form, and the org is the one the query names (or the viewer's).
func (h *Handler) listPage(r *http.Request, who *app.Actor, title, nav string) (*page, *tenantry.Org, error) {
	p := h.newPage(r, title, nav)
	p.Form = r.URL.Query()
	org, err := h.app.Org(r.Context(), who, orgParam(r, who))
	if err != nil {
		return nil, nil, err
	}
	p.Org = org.ID
	return p, org, nil
}

// orgParam is the organization a page is about: the ?org= the viewer
// chose, else their own. The use case decides whether they may see it.
func orgParam(r *http.Request, who *app.Actor) string {
	if o := r.FormValue("org"); o != "" {
		return o
	}
	return who.User.OrgID
}

// imports tracks the operator's running inventory loads for their
// progress page; they are kept in memory only while they run and a little
// after.
type imports struct {
	mu   sync.Mutex
	byID map[string]*importJob
}

// field is one labelled input with its value and error.
type field struct {
	Name, Label, Type, Value, Err, Hint, Auto string
	Required                                  bool
	// Meter asks for the password strength meter under the field.
	Meter bool
}

// In describes an input named name for the "input" template. opts may be
// "required", "ac:" followed by an autocomplete token, and "hint:"
// followed by English text to translate and show under the field, and
// "meter" for a new password's strength meter.
func (p *page) In(name, label, typ string, opts ...string) field {
	f := field{Name: name, Label: p.T(label), Type: typ, Err: p.Fields[name]}
	if typ != "password" {
		f.Value = p.Form.Get(name)
	}
	for _, o := range opts {
		switch {
		case o == "required":
			f.Required = true
		case strings.HasPrefix(o, "ac:"):
			f.Auto = o[3:]
		case strings.HasPrefix(o, "hint:"):
			f.Hint = p.T(o[5:])
		case strings.HasPrefix(o, "note:"): // a hint already in the reader's language
			f.Hint = o[5:]
		case o == "meter":
			f.Meter = true
		}
	}
	return f
}

// check is one labelled checkbox.
type check struct {
	Name, Value, Label string
	On                 bool
}

// Ch describes a checkbox for the "check" template.
func (p *page) Ch(name, value, label string) check {
	return check{Name: name, Value: value, Label: p.T(label), On: p.Checked(name, value)}
}
