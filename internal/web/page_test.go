package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/geo/geotest"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// noJS is a browser with JavaScript off: plain GETs and form posts that
// follow redirects, as the core flows must work that way.
type noJS struct {
	t    *testing.T
	s    *site
	c    *http.Client
	ua   string // the User-Agent it sends, when set
	from string // the address a trusted proxy says it is at, when set
}

func newNoJS(t *testing.T, s *site) *noJS {
	jar, _ := cookiejar.New(nil)
	return &noJS{t: t, s: s, c: &http.Client{Jar: jar}}
}

// signedIn is a browser without JavaScript, signed in as login.
func signedIn(t *testing.T, s *site, login string) *noJS {
	t.Helper()
	b := newNoJS(t, s)
	b.post("/signin", url.Values{"login": {login}, "password": {password}})
	return b
}

// rowOf is the table row of body that holds text, up to its end.
func rowOf(body, text string) string {
	row := body[strings.Index(body, text):]
	return row[:strings.Index(row, "</tr>")]
}

func (b *noJS) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.s.URL+path, nil)
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	if b.from != "" {
		req.Header.Set("X-Forwarded-For", b.from)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *noJS) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.URL)
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	if b.from != "" {
		req.Header.Set("X-Forwarded-For", b.from)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	inputID      = regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"`)
)

// TestEveryPageWorksWithoutJavaScript signs in with a plain form, opens
// every tab, checks the security headers, that no script or style is
// inline, that every field has a label, and creates a user by posting the
// form, in English and in German.
func TestEveryPageWorksWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	b := newNoJS(t, s)
	res, body := b.get("/users")
	if res.Request.URL.Path != "/signin" || !strings.Contains(body, `<label for="f-login">`) {
		t.Fatalf("signed out, /users should lead to the sign-in form; got %s", res.Request.URL)
	}
	res, body = b.post("/signin", url.Values{"login": {"nobody@acme.example"}, "password": {"wrong password here"}, "next": {"/users"}})
	if res.StatusCode != 401 || !strings.Contains(body, "Login or password is wrong") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	res, body = b.post("/signin", url.Values{"login": {"olivia@acme.example"}, "password": {password}, "next": {"/users"}})
	if res.Request.URL.Path != "/users" {
		t.Fatalf("after sign-in: %s %d %s", res.Request.URL, res.StatusCode, body)
	}
	if _, body := b.post("/users/x/lock", nil); !strings.Contains(body, `name="back" value="/"`) {
		t.Fatal("a page answering a post to a path without a page should switch language back to the start")
	}
	for _, c := range b.c.Jar.Cookies(res.Request.URL) {
		if c.Name == "tenantry_session" && c.Value == "" {
			t.Fatal("empty session cookie")
		}
	}
	pages := []string{"/users", "/users/new?org=" + s.account.ID, "/users/new?kind=api&org=" + s.account.ID,
		"/users/" + s.owner.User.ID, "/roles", "/orgs", "/orgs/new", "/sims", "/account", "/account/password",
		"/account/2fa", "/account/tokens", "/account/sessions", "/audit", "/support"}
	for _, lang := range []string{"en", "de"} {
		b.post("/lang", url.Values{"lang": {lang}, "back": {"/"}})
		for _, p := range pages {
			res, body := b.get(p)
			if res.StatusCode != 200 {
				t.Fatalf("%s %s: %d", lang, p, res.StatusCode)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Fatalf("%s: CSP %q", p, csp)
			}
			for _, tag := range inlineScript.FindAllString(body, -1) {
				if !strings.Contains(tag, ` src="`) {
					t.Fatalf("%s: inline script %s", p, tag)
				}
			}
			if strings.Contains(body, " style=") || strings.Contains(body, "<style") {
				t.Fatalf("%s: inline style", p)
			}
			for _, m := range inputID.FindAllStringSubmatch(body, -1) {
				if !strings.Contains(body, `<label for="`+m[1]+`"`) {
					t.Fatalf("%s: field %s has no label", p, m[1])
				}
			}
			if want := map[string]string{"en": "Sign out", "de": "Abmelden"}[lang]; !strings.Contains(body, want) {
				t.Fatalf("%s in %s lacks %q", p, lang, want)
			}
		}
	}
	// In German the use cases' errors are German too, at the top and at
	// the field.
	_, body = b.post("/users/new?org="+s.account.ID, url.Values{"kind": {"human"}, "email": {"not-an-address"},
		"first_name": {"Nora"}, "last_name": {"Nojs"}, "roles": {"user"}})
	// The headline names the field as the form does (issue 17, item 1).
	if !strings.Contains(body, "E-Mail: ist keine E-Mail-Adresse wie name@example.com") || strings.Contains(body, "Email:") {
		t.Fatal("German page, English error")
	}
	if _, body = b.post("/account/password", url.Values{"current_password": {"wrong one here"}, "new_password": {"x"}, "confirm": {"x"}}); !strings.Contains(body, "muss mindestens 12 Zeichen haben") {
		t.Fatal("German password rules")
	}
	b.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	// The SIM list's export is the API's CSV, under the same session.
	_, body = b.get("/sims?status=active")
	export := regexp.MustCompile(`href="(/api/v1/orgs/[^"]+/sims\.csv[^"]*)"`).FindStringSubmatch(body)
	if export == nil {
		t.Fatal("no CSV export link on My SIMs")
	}
	if res, csv := b.get(strings.ReplaceAll(export[1], "&amp;", "&")); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv, "iccid") {
		t.Fatalf("export: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), csv)
	}
	res, body = b.post("/users/new?org="+s.account.ID, url.Values{"kind": {"human"}, "email": {"not-an-address"},
		"first_name": {"Nora"}, "last_name": {"Nojs"}, "roles": {"user"}})
	if res.StatusCode != 422 || !strings.Contains(body, `<p class="err" id="e-email">`) {
		t.Fatalf("a bad e-mail address should be shown next to its field: %d", res.StatusCode)
	}
	res, body = b.post("/users/new?org="+s.account.ID, url.Values{"kind": {"human"}, "email": {"nora@acme.example"},
		"first_name": {"Nora"}, "last_name": {"Nojs"}, "roles": {"user"}})
	if res.Request.URL.Path != "/users" || !strings.Contains(body, "nora@acme.example") || !strings.Contains(body, `class="flash"`) {
		t.Fatalf("create without JavaScript: %s", res.Request.URL)
	}
	if s.MailTo("nora@acme.example").Token() == "" {
		t.Fatal("no activation mail")
	}
	// Column headers sort the list, and a second click reverses it.
	_, body = b.get("/users?sort=email")
	if strings.Index(body, "nora@acme.example") > strings.Index(body, "olivia@acme.example") || !strings.Contains(body, `aria-sort="ascending"`) {
		t.Fatal("sorted by e-mail, Nora comes before Olivia")
	}
	next := regexp.MustCompile(`href="/users\?([^"]+)" id="sort-email"`).FindStringSubmatch(body)
	if next != nil {
		next[1] = strings.ReplaceAll(next[1], "&amp;", "&")
	}
	if next == nil || !strings.Contains(next[1], "order=desc") {
		t.Fatalf("the e-mail header should reverse the order: %v", next)
	}
	_, body = b.get("/users?" + next[1])
	if strings.Index(body, "nora@acme.example") < strings.Index(body, "olivia@acme.example") || !strings.Contains(body, `aria-sort="descending"`) {
		t.Fatal("reversed, Olivia comes first")
	}
	// An API user's secret is shown once, on the response to the post.
	res, body = b.post("/users/new?org="+s.account.ID, url.Values{"kind": {"api"}, "name": {"billing-sync"}, "roles": {"api_user"}})
	if res.StatusCode != 201 || !strings.Contains(body, `id="client-secret"`) || !strings.Contains(body, s.account.AccountNumber+"_billing-sync") {
		t.Fatalf("API user: %d", res.StatusCode)
	}
}

// TestOperatorConsoleWithoutJavaScript: the operator opens a customer
// account and a workflow from the console, and answers a service request.
func TestOperatorConsoleWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	if _, err := s.App.OpenServiceRequest(t.Context(), s.owner, s.account.ID, "other", "Please send an invoice copy", ""); err != nil {
		t.Fatal(err)
	}
	b := newNoJS(t, s)
	res, _ := b.post("/signin", url.Values{"login": {"operator"}, "password": {password}})
	if res.Request.URL.Path != "/operator" {
		t.Fatalf("the operator lands on %s", res.Request.URL.Path)
	}
	res, body := b.post("/operator/accounts", url.Values{"name": {"Beta Fleet"}, "channel": {"direct"},
		"owner.email": {"bea@beta.example"}, "owner.first_name": {"Bea"}, "owner.last_name": {"Beta"}, "owner.language": {"de"}})
	if !strings.Contains(body, "Beta Fleet") || !strings.Contains(body, `class="flash"`) {
		t.Fatalf("new account: %s", res.Request.URL)
	}
	if m := s.MailTo("bea@beta.example"); m.Token() == "" {
		t.Fatal("the new owner got no activation link")
	}
	_, body = b.post("/operator/accounts", url.Values{"name": {""}, "owner.email": {"x"}})
	if !strings.Contains(body, `id="e-name"`) || !strings.Contains(body, `id="e-owner.email"`) {
		t.Fatal("errors should stand next to the name and the owner's e-mail")
	}
	_, body = b.post("/operator/workflows", url.Values{"org": {s.account.ID}, "kind": {"invoice"}, "title": {"November invoice"}})
	if !strings.Contains(body, "November invoice") {
		t.Fatal("the workflow is not listed")
	}
	if _, body := b.get("/operator"); !strings.Contains(body, "<td>Acme IoT</td>") {
		t.Fatal("open requests should name their organization")
	}
	reqs, err := s.App.ServiceRequests(t.Context(), s.operator, "", "open")
	if err != nil || len(reqs) != 1 {
		t.Fatalf("open requests: %v %v", reqs, err)
	}
	b.post("/operator/requests/"+reqs[0].ID, url.Values{"accept": {"1"}, "resolution": {"Sent by post"}})
	owner := signedIn(t, s, "olivia@acme.example")
	if _, body := owner.get("/support"); !strings.Contains(body, "Sent by post") || !strings.Contains(body, "Resolved") {
		t.Fatal("the owner should see the answer on the support page")
	}
}

// TestInviteRotateAndContactsWithoutJavaScript: an e-mail with a login in
// another account is offered an invitation instead (U4), listed until it
// is cancelled; an API user's secret is rotated and shown once, the old
// one revoked; a role is given until a date; a company contact is added.
func TestInviteRotateAndContactsWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := t.Context()
	if _, _, err := s.App.CreateAccount(ctx, s.operator, app.NewAccount{Name: "Other Co",
		Owner: app.NewUser{Email: "omar@other.example", FirstName: "Omar", LastName: "Other"}}); err != nil {
		t.Fatal(err)
	}
	s.activate(s.MailTo("omar@other.example").Text, "omar@other.example")
	b := signedIn(t, s, "olivia@acme.example")
	newUser := "/users/new?org=" + s.account.ID

	// A login elsewhere is invited, answering as a new user would be
	// answered (it is not for Acme to learn where else Omar has a login).
	_, body := b.post(newUser, url.Values{"kind": {"human"}, "email": {"omar@other.example"},
		"first_name": {"Omar"}, "last_name": {"Other"}, "roles": {"read_only"}})
	if !strings.Contains(body, `id="invitations"`) || !strings.Contains(body, "omar@other.example") {
		t.Fatal("the pending invitation should be listed")
	}
	if m := s.MailTo("omar@other.example"); !strings.Contains(m.Text, "/invitation?token=") {
		t.Fatalf("invitation mail: %s", m.Text)
	}
	invs, _ := s.App.Invitations(ctx, s.owner, s.account.ID)
	_, body = b.post("/invitations/"+invs[0].ID+"/cancel", url.Values{"org": {s.account.ID}})
	if strings.Contains(body, `id="invitations"`) {
		t.Fatal("a cancelled invitation is still listed")
	}
	// Invited again, Omar accepts through the e-mailed link and then works
	// in both organizations, switching between them at the top.
	b.post("/users/invite?org="+s.account.ID, url.Values{"org": {s.account.ID}, "email": {"omar@other.example"}, "roles": {"read_only"}})
	omar := newNoJS(t, s)
	link := s.MailTo("omar@other.example").Link(s.URL + "/invitation?token=")
	u, _ := url.Parse(link)
	if _, body := omar.get(u.RequestURI()); !strings.Contains(body, "Accept invitation") {
		t.Fatal("the invitation page")
	}
	if _, body := omar.post("/invitation", url.Values{"token": {u.Query().Get("token")}}); !strings.Contains(body, "Invitation accepted") {
		t.Fatal("accepting the invitation")
	}
	omar.post("/signin", url.Values{"login": {"omar@other.example"}, "password": {password}})
	_, body = omar.get("/account")
	// One step: each organization is a link (issue 17, item 9).
	if !strings.Contains(body, `id="switch-org"`) || !strings.Contains(body, `<a href="/users?org=`+s.account.ID+`">Acme IoT</a>`) ||
		!strings.Contains(body, ">Other Co</a>") {
		t.Fatal("a person with roles in two organizations should be able to switch")
	}
	_, body = omar.get("/sims?org=" + s.account.ID)
	if !strings.Contains(body, "My SIMs · Acme IoT") || !strings.Contains(body, `href="/sims?org=`+s.account.ID+`"`) {
		t.Fatal("after switching, the tabs are for Acme IoT")
	}

	res, _ := b.post(newUser, url.Values{"kind": {"api"}, "name": {"fleet-app"}, "roles": {"api_user"}})
	if res.StatusCode != 201 {
		t.Fatalf("API user: %d", res.StatusCode)
	}
	list, _, _ := s.App.ListUsers(ctx, s.owner, tenantry.UserFilter{OrgID: s.account.ID, Login: s.account.AccountNumber + "_fleet"})
	client := list[0]
	_, body = b.post("/users/"+client.ID+"/rotate-secret", url.Values{"overlap": {"0"}})
	secret := regexp.MustCompile(`id="new-secret">([^<]+)<`).FindStringSubmatch(body)
	if secret == nil {
		t.Fatal("the rotated secret should be shown once")
	}
	if _, err := s.App.IssueToken(ctx, client.Login, secret[1], "", ""); err != nil {
		t.Fatalf("the new secret does not work: %v", err)
	}
	if _, body = b.get("/users/" + client.ID); strings.Contains(body, secret[1]) {
		t.Fatal("the secret is shown again")
	}
	if n := strings.Count(body, "/revoke-secret"); n != 1 {
		t.Fatalf("with no overlap one secret should be left, got %d", n)
	}

	nina := s.person("nina@acme.example", "Nina", "user")
	_, body = b.post("/users/"+nina.ID+"/grant", url.Values{"role": {"read_only"}, "until": {"2099-12-31"}})
	if !strings.Contains(body, "Read only") || !strings.Contains(body, "until 2100-01-01") {
		t.Fatalf("the time-limited role is not shown")
	}
	_, body = b.post("/users/"+nina.ID+"/grant", url.Values{"role": {"admin"}, "until": {"next week"}})
	if !strings.Contains(body, `id="e-until"`) {
		t.Fatal("a bad date should be marked at its field")
	}

	if _, body = b.get("/orgs"); !strings.Contains(body, `id="contacts"`) {
		t.Fatal("a customer account manages its own profile, so its contacts are on the Organisation tab")
	}
	_, body = b.post("/orgs/"+s.account.ID+"/contacts", url.Values{"kind": {"billing"}, "name": {"Bill Payer"}, "email": {"bill@acme.example"}})
	if !strings.Contains(body, "Bill Payer") {
		t.Fatal("the contact is not listed")
	}
}

// upload posts a multipart form with one file field.
func (b *noJS) upload(path string, fields url.Values, field, name, content string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.s.URL)
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	if b.from != "" {
		req.Header.Set("X-Forwarded-For", b.from)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// waitForImport follows a load's progress page, each request waiting for
// news, until the load has ended.
func (b *noJS) waitForImport(progress string) string {
	b.t.Helper()
	done := regexp.MustCompile(`href="/operator/import/[0-9a-f-]+\?after=(\d+)"`)
	_, body := b.get(progress)
	for range 1000 {
		m := done.FindStringSubmatch(body)
		if m == nil {
			return body // no more "Refresh": the load has ended
		}
		_, body = b.get(progress + "?after=" + m[1])
	}
	b.t.Fatal("the load did not end")
	return ""
}

// TestInventoryLoadShowsProgress: the operator loads 25,000 ICCIDs from a
// file and follows the progress page to the end; a file with a repeated
// ICCID is refused with the lines named and loads nothing.
func TestInventoryLoadShowsProgress(t *testing.T) {
	s := newSite(t)
	b := signedIn(t, s, "operator")
	var file strings.Builder
	for i := range 12_000 { // two chunks of the load
		fmt.Fprintf(&file, "%s\n", sims.WithCheckDigit(fmt.Sprintf("894900000000%07d", i)))
	}
	res, _ := b.upload("/operator/import", url.Values{"account": {s.account.ID}, "status": {"active"}}, "file", "iccids.txt", file.String())
	if !strings.HasPrefix(res.Request.URL.Path, "/operator/import/") {
		t.Fatalf("after the upload: %s", res.Request.URL)
	}
	body := b.waitForImport(res.Request.URL.Path)
	if !strings.Contains(body, `id="import-done"`) || !strings.Contains(body, "12000 SIMs loaded") || !strings.Contains(body, `value="100"`) {
		t.Fatalf("the load should end at 100%%: %s", body[strings.Index(body, `<div id="import"`):])
	}
	if o, _ := s.App.Org(t.Context(), s.operator, s.account.ID); o.SIMCount != 12_000 {
		t.Fatalf("the account holds %d SIMs", o.SIMCount)
	}
	one := sims.WithCheckDigit("8949000000009999999")
	res, _ = b.upload("/operator/import", url.Values{"account": {s.account.ID}}, "file", "dup.txt", one+"\n"+one+"\n")
	body = b.waitForImport(res.Request.URL.Path)
	if !strings.Contains(body, `id="import-failed"`) || !strings.Contains(body, "Line 2") {
		t.Fatalf("a repeated ICCID should be refused by line: %s", body[strings.Index(body, `<div id="import"`):])
	}
	if o, _ := s.App.Org(t.Context(), s.operator, s.account.ID); o.SIMCount != 12_000 {
		t.Fatalf("a refused load changed the count to %d", o.SIMCount)
	}

	// A load this server process did not start (started before a
	// restart, or on another instance) is shown from its job record, and
	// the console lists the newest loads with how they ended.
	job, err := s.App.StartImport(t.Context(), s.operator, s.account.ID, "", []string{sims.WithCheckDigit("8949000000009999998")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.App.Settle()
	if _, body = b.get("/operator/import/" + job.ID); !strings.Contains(body, `id="import-done"`) || !strings.Contains(body, "1 SIM loaded.") {
		t.Fatalf("a recorded load: %s", body[strings.Index(body, `<div id="import"`):])
	}
	_, body = b.get("/operator")
	loads := body[strings.Index(body, `<table id="loads"`):]
	loads = loads[:strings.Index(loads, "</table>")]
	if strings.Count(loads, "<tr>") != 4 || !strings.Contains(loads, "12000 SIMs loaded") || !strings.Contains(loads, "Line 2") && !strings.Contains(loads, "repeats line 1") {
		t.Fatalf("the console's recent loads: %s", loads)
	}
}

// TestAuditLogFilters: the audit log names who acted by login and narrows
// by person, by target (a user's History link) and by dates; a bad date
// is marked at its field.
func TestAuditLogFilters(t *testing.T) {
	s := newSite(t)
	nina := s.person("nina@acme.example", "Nina", "admin")
	if _, err := s.App.LockUser(t.Context(), s.owner, nina.ID); err != nil {
		t.Fatal(err)
	}
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/audit")
	if !strings.Contains(body, "Person locked") || !strings.Contains(body, ">olivia@acme.example</a>") ||
		!strings.Contains(body, ">Nina Test (nina@acme.example)</a>") {
		t.Fatal("the log should show the lock in words, whom it was about by name and who did it, by login")
	}
	// Targets and details in words: no raw ids shown, no Go map syntax.
	table := body[strings.Index(body, `<table id="events">`):]
	if shown := regexp.MustCompile(`>[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-`).FindString(table); shown != "" || strings.Contains(table, "map[") {
		t.Fatalf("the log shows an id or Go syntax: %q", shown)
	}
	if !strings.Contains(body, "Roles: Admin") || !strings.Contains(body, `href="/api/v1/orgs/`+s.account.ID+`/events.csv"`) {
		t.Fatal("details in words and the CSV export link")
	}
	// A child's events join with "this organization and below".
	if _, _, err := s.App.CreateSubOrg(t.Context(), s.owner, s.account.ID, app.NewSubOrg{Name: "Fleet East", Type: "unit",
		Owner: app.NewUser{Email: "erin@acme.example", FirstName: "Erin", LastName: "East"}}); err != nil {
		t.Fatal(err)
	}
	if _, body = b.get("/audit?action=user.create"); strings.Contains(body, "Erin East") {
		t.Fatal("the child's event is shown without the subtree")
	}
	if _, body = b.get("/audit?action=user.create&subtree=on"); !strings.Contains(body, "Erin East") || !strings.Contains(body, "in Fleet East") ||
		!strings.Contains(body, "events.csv?action=user.create&amp;subtree=true") {
		t.Fatal("this organization and below should show the child's event, where it happened, and export the same")
	}
	_, body = b.get("/users/" + nina.ID)
	history := regexp.MustCompile(`href="([^"]+)" id="user-history"`).FindStringSubmatch(body)
	if history == nil {
		t.Fatal("no History link on the user's page")
	}
	_, body = b.get(strings.ReplaceAll(history[1], "&amp;", "&"))
	if !strings.Contains(body, "Person locked") || !strings.Contains(body, "Person created") || strings.Contains(body, "Organization created") {
		t.Fatal("a user's history shows the events about them only")
	}
	_, body = b.get("/audit?actor=nobody@acme.example")
	if strings.Contains(body, "Person locked") || !strings.Contains(body, "No events match.") {
		t.Fatal("filtering by another login should show nothing")
	}
	today := time.Now().UTC().Format("2006-01-02")
	if _, body = b.get("/audit?since=" + today + "&until=" + today); !strings.Contains(body, "Person locked") {
		t.Fatal("today's events are within since=until=today")
	}
	if _, body = b.get("/audit?since=2000-01-01&until=2000-01-02"); strings.Contains(body, "Person locked") {
		t.Fatal("events outside the dates are shown")
	}
	res, body := b.get("/audit?since=yesterday")
	if res.StatusCode != 422 || !strings.Contains(body, `id="e-since"`) {
		t.Fatalf("a bad date: %d", res.StatusCode)
	}
}

// TestListsPage: with more people and SIMs than fit on a page, the Next
// links lead to the following pages with the filters kept, until the end.
func TestListsPage(t *testing.T) {
	s := newSite(t)
	err := s.DB.Update(t.Context(), func(tx tenantry.Tx) error {
		for i := range 120 {
			u := &tenantry.User{ID: fmt.Sprintf("01a20000-0000-7000-8000-%012d", i), OrgID: s.account.ID, Kind: tenantry.UserHuman,
				Status: tenantry.UserActive, Email: fmt.Sprintf("p%03d@acme.example", i), Login: fmt.Sprintf("p%03d@acme.example", i),
				FirstName: "Page", LastName: fmt.Sprintf("Person%03d", i), Language: "en"}
			if err := tx.CreateUser(ctx0, u); err != nil {
				return err
			}
			if err := tx.CreateGrant(ctx0, &tenantry.Grant{ID: fmt.Sprintf("01a20000-0000-7000-9000-%012d", i), UserID: u.ID, OrgID: s.account.ID, Role: "user"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var iccids []string
	for i := range 70 {
		iccids = append(iccids, sims.WithCheckDigit(fmt.Sprintf("894400000000000%04d", i)))
	}
	if _, err := s.App.ImportSIMs(t.Context(), s.operator, s.account.ID, "", iccids, nil); err != nil {
		t.Fatal(err)
	}
	b := signedIn(t, s, "olivia@acme.example")
	nextLink := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	follow := func(start string, row *regexp.Regexp) []string {
		var seen []string
		path := start
		for range 10 {
			_, body := b.get(path)
			for _, m := range row.FindAllStringSubmatch(body, -1) {
				if len(seen) == 0 || seen[len(seen)-1] != m[1] { // login and e-mail are one here
					seen = append(seen, m[1])
				}
			}
			n := nextLink.FindStringSubmatch(body)
			if n == nil {
				return seen
			}
			path = strings.ReplaceAll(n[1], "&amp;", "&")
		}
		t.Fatal("the pages do not end")
		return nil
	}
	people := follow("/users?first_name=Page", regexp.MustCompile(`<td>(p\d{3}@acme\.example)</td>`))
	if len(people) != 120 || people[0] != "p000@acme.example" || people[119] != "p119@acme.example" {
		t.Fatalf("paging through the filtered users saw %d: %v … %v", len(people), people[:1], people[len(people)-1:])
	}
	cards := follow("/sims?status=active", regexp.MustCompile(`<td class="mono"><a href="/sims/\d{19,20}">(\d{19,20})</a></td>`))
	if len(cards) != 70 {
		t.Fatalf("paging through the SIMs saw %d, want 70", len(cards))
	}
}

var ctx0 = context.Background()

// TestMarketplaceAccountSaysSoPlainly: an account bought through a
// marketplace has no organization management (O5); its Organisation tab
// says so and offers no New organisation.
func TestMarketplaceAccountSaysSoPlainly(t *testing.T) {
	s := newSite(t)
	if _, _, err := s.App.CreateAccount(t.Context(), s.operator, app.NewAccount{Name: "Market Buyer", Channel: tenantry.ChannelMarketplace,
		Owner: app.NewUser{Email: "mia@market.example", FirstName: "Mia", LastName: "Market"}}); err != nil {
		t.Fatal(err)
	}
	s.activate(s.MailTo("mia@market.example").Text, "mia@market.example")
	b := signedIn(t, s, "mia@market.example")
	_, body := b.get("/orgs")
	if !strings.Contains(body, "not available for accounts bought through a marketplace") || strings.Contains(body, `id="new-org"`) {
		t.Fatal("a marketplace account should be told plainly, with no New organisation button")
	}
	if res, body := b.get("/orgs/new"); res.StatusCode != 403 || !strings.Contains(body, "marketplace") {
		t.Fatalf("the wizard should say why it is not there: %d", res.StatusCode)
	}
	if res, body := b.post("/orgs/new", url.Values{"step": {"2"}, "submit": {"1"}, "name": {"X"},
		"owner.email": {"x@market.example"}, "owner.first_name": {"X"}, "owner.last_name": {"Y"}}); res.StatusCode != 403 || !strings.Contains(body, "marketplace") {
		t.Fatalf("a forged wizard post is refused: %d", res.StatusCode)
	}
}

// TestPagesShowOnlyWhatTheViewerMayDo is issue 17, item 4: Read Only got
// an Add contact form that ended on an error page, and direct URLs
// rendered full New user and Transfer forms for Read Only and the token
// form for an Admin. A page the viewer may not use says why (403) and no
// control appears that the use case would refuse.
func TestPagesShowOnlyWhatTheViewerMayDo(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	child, _, err := s.App.CreateSubOrg(ctx, s.owner, s.account.ID, app.NewSubOrg{Name: "Fleet",
		Owner: app.NewUser{Email: "fiona@acme.example", FirstName: "Fiona", LastName: "Fleet"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.CreateContact(ctx, s.owner, s.account.ID, app.ContactInput{Kind: "billing", Name: "Bill Payer"}); err != nil {
		t.Fatal(err)
	}
	s.person("rita@acme.example", "Rita", "read_only")
	s.person("adam@acme.example", "Adam", "admin")
	as := func(login string) *noJS {
		b := newNoJS(t, s)
		if res, body := b.post("/signin", url.Values{"login": {login}, "password": {password}, "next": {"/orgs"}}); res.StatusCode != 200 {
			t.Fatalf("sign in as %s: %d %s", login, res.StatusCode, body)
		}
		return b
	}
	refused := func(b *noJS, path, says string) {
		t.Helper()
		res, body := b.get(path)
		if res.StatusCode != 403 || !strings.Contains(body, says) || strings.Contains(body, "<form method=\"post\" action=\"/users\"") {
			t.Fatalf("%s: %d, want 403 saying %q:\n%s", path, res.StatusCode, says, body)
		}
	}

	rita := as("rita@acme.example")
	_, body := rita.get("/orgs")
	if !strings.Contains(body, "Bill Payer") || strings.Contains(body, `id="add-contact"`) || strings.Contains(body, "/contacts/") {
		t.Fatalf("Read Only sees the contacts, and no form to add or delete one:\n%s", body)
	}
	refused(rita, "/users/new?org="+s.account.ID, "may not add people")
	refused(rita, "/orgs/"+child.ID+"/transfer", "may not transfer SIMs")
	refused(rita, "/orgs/"+child.ID+"/transfer?direction=up", "may not transfer SIMs")

	adam := as("adam@acme.example")
	refused(adam, "/account/tokens", "Only Owners reach the Management API")
	if _, body := adam.get("/users/new?org=" + s.account.ID); !strings.Contains(body, `id="new-user-form"`) {
		t.Fatal("an Admin adds people")
	}

	owner := as("olivia@acme.example")
	// A contact added comes back with its confirmation, at the contacts
	// (issue 17, item 3: the message was lost behind the #fragment).
	res, body := owner.post("/orgs/"+s.account.ID+"/contacts", url.Values{"kind": {"technical"}, "name": {"Tess Tech"}})
	if !strings.Contains(body, "Tess Tech") || !strings.Contains(body, `class="flash"`) || res.Request.URL.Fragment != "contacts" {
		t.Fatalf("after adding a contact: %s\n%s", res.Request.URL, body)
	}
	for path, want := range map[string]string{"/orgs": `id="add-contact"`, "/account/tokens": `action="/account/tokens"`,
		"/orgs/" + child.ID + "/transfer": `action="/orgs/` + child.ID + `/transfer"`} {
		if res, body := owner.get(path); res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Fatalf("the Owner's %s: %d, no %s", path, res.StatusCode, want)
		}
	}
}

// TestSessionsPageTellsTheTruth is issue 17, item 8: "Active sessions"
// listed sessions already expired and raw User-Agent strings, and there
// was no way to sign out everywhere else.
func TestSessionsPageTellsTheTruth(t *testing.T) {
	clock := storetest.NewClock()
	clock.Advance(time.Since(clock.Now())) // now: the cookie jar drops cookies that expired by the wall clock
	// The phone signs in from an address the place database knows (item
	// 8: "place by address"), through a proxy this server trusts.
	places, err := geo.Open(geotest.Write(t, geotest.City{Network: "203.0.113.0/24",
		City: map[string]string{"en": "Munich", "de": "München"}, Country: map[string]string{"en": "Germany", "de": "Deutschland"}}))
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteWith(t, servertest.Options{Now: clock.Now, Tune: func(c *app.Config) { c.Places = places },
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	from := ""
	signIn := func(ua string) *noJS {
		b := newNoJS(t, s)
		b.ua, b.from = ua, from
		if res, body := b.post("/signin", url.Values{"login": {"olivia@acme.example"}, "password": {password}, "next": {"/account/sessions"}}); res.StatusCode != 200 {
			t.Fatalf("sign in: %d %s", res.StatusCode, body)
		}
		return b
	}
	stale := signIn("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	clock.Advance(31 * time.Minute) // idle past the 30 minutes: this one no longer lets anyone in
	here := signIn("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	from = "203.0.113.9"
	phone := signIn("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1")
	_, body := here.get("/account/sessions")
	if !strings.Contains(body, "Munich, Germany<br><span class=\"muted\">203.0.113.9</span>") {
		t.Fatalf("the phone's session does not say where it is:\n%s", body)
	}
	here.post("/lang", url.Values{"lang": {"de"}, "back": {"/"}})
	if _, german := here.get("/account/sessions"); !strings.Contains(german, "München, Deutschland") {
		t.Fatalf("the place in German:\n%s", german)
	}
	here.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	table, _, _ := strings.Cut(body[max(0, strings.Index(body, `id="session-table"`)):], "</table>")
	rows := strings.Count(table, "<tr>") - 1
	if rows != 2 || !strings.Contains(body, "Firefox on Linux") || !strings.Contains(body, "Safari on iOS") ||
		strings.Contains(body, "Chrome on Windows") || !strings.Contains(body, "This device") {
		t.Fatalf("want two live sessions (Firefox here, Safari on the phone) and not the idle one; %d rows:\n%s", rows, body)
	}
	if _, body = here.post("/account/sessions/others/end", nil); !strings.Contains(body, "You are signed out on every other device.") ||
		strings.Contains(body, "Safari on iOS") || strings.Contains(body, `id="end-others"`) {
		t.Fatalf("after signing out elsewhere:\n%s", body)
	}
	if res, _ := phone.get("/account/sessions"); res.Request.URL.Path != "/signin" {
		t.Fatalf("the phone's session still works: %s", res.Request.URL)
	}
	if res, _ := stale.get("/account/sessions"); res.Request.URL.Path != "/signin" {
		t.Fatalf("the idle session works: %s", res.Request.URL)
	}
}

// TestPagesSayWhatIsTrueNow is issue 17, item 8: the transfer "done" page
// showed the count from before, a preview of no SIM still offered
// Confirm, the QR code vanished after one wrong code, and the recovery
// codes could be neither downloaded nor copied at once.
func TestPagesSayWhatIsTrueNow(t *testing.T) {
	clock := storetest.NewClock()
	clock.Advance(time.Since(clock.Now())) // now: the cookie jar drops cookies that expired by the wall clock
	s := newSiteWith(t, servertest.Options{Now: clock.Now})
	ctx := context.Background()
	child, _, err := s.App.CreateSubOrg(ctx, s.owner, s.account.ID, app.NewSubOrg{Name: "Fleet",
		Owner: app.NewUser{Email: "fiona@acme.example", FirstName: "Fiona", LastName: "Fleet"}})
	if err != nil {
		t.Fatal(err)
	}
	var iccids []string
	for i := 0; i < 10; i++ {
		iccids = append(iccids, storetest.ICCID(i))
	}
	if _, err := s.App.ImportSIMs(ctx, s.operator, s.account.ID, "", iccids, nil); err != nil {
		t.Fatal(err)
	}
	b := signedIn(t, s, "olivia@acme.example")
	transfer := "/orgs/" + child.ID + "/transfer"
	_, body := b.post(transfer, url.Values{"direction": {"down"}, "mode": {"range"}, "first": {storetest.ICCID(500)}, "last": {storetest.ICCID(510)}})
	if strings.Contains(body, `id="confirm-transfer"`) || !strings.Contains(body, "None of these ICCIDs is a SIM of Acme IoT: nothing would move.") {
		t.Fatalf("a preview of no SIM:\n%s", body)
	}
	_, body = b.post(transfer, url.Values{"direction": {"down"}, "mode": {"range"}, "first": {storetest.ICCID(0)}, "last": {storetest.ICCID(3)}})
	if !strings.Contains(body, `id="confirm-transfer"`) || !strings.Contains(body, "Acme IoT holds 10 SIMs.") {
		t.Fatalf("a preview of 4:\n%s", body)
	}
	_, body = b.post(transfer, url.Values{"direction": {"down"}, "mode": {"range"}, "confirm": {"1"},
		"ranges": {storetest.ICCID(0) + ";" + storetest.ICCID(3)}})
	if !strings.Contains(body, "4 SIMs moved to Fleet.") || !strings.Contains(body, "Acme IoT holds 6 SIMs.") {
		t.Fatalf("the done page should say what Acme IoT holds now:\n%s", body)
	}

	_, body = b.post("/account/2fa/begin", nil)
	key := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(body)
	if key == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page:\n%s", body)
	}
	_, body = b.post("/account/2fa", url.Values{"code": {"000000"}})
	if !strings.Contains(body, "Code: is wrong") || !strings.Contains(body, `src="data:image/png;base64,`) || !strings.Contains(body, key[1]) {
		t.Fatalf("after a wrong code the QR code and key stay:\n%s", body)
	}
	clock.Advance(time.Minute) // past the wait a wrong code costs
	_, body = b.post("/account/2fa", url.Values{"code": {auth.TOTPCode(key[1], clock.Now())}})
	file := regexp.MustCompile(`id="download-codes" download="tenantry-recovery-codes.txt" href="data:text/plain;charset=utf-8,([^"]+)"`).FindStringSubmatch(body)
	if file == nil {
		t.Fatalf("no download of the recovery codes:\n%s", body)
	}
	text, _ := url.PathUnescape(file[1])
	if codes := strings.Fields(text); len(codes) != 10 || !strings.Contains(body, "<li>"+codes[0]+"</li>") {
		t.Fatalf("the file holds %q", text)
	}
}

// TestCreateOrInviteSomeoneAlreadyHereLeadsToTheirPage is issue 17, item
// 3: creating a person already in the organization said "already taken",
// inviting them said they belong here already, and neither led anywhere.
// Both now say so alike and link to the person's page.
func TestCreateOrInviteSomeoneAlreadyHereLeadsToTheirPage(t *testing.T) {
	s := newSite(t)
	pia := s.person("pia@acme.example", "Pia", "user")
	b := signedIn(t, s, "olivia@acme.example")
	link := `id="already-here"><a class="button secondary" href="/users/` + pia.ID + `?org=` + s.account.ID + `">Open the page of Pia Test</a>`
	for path, form := range map[string]url.Values{
		"/users/new?org=" + s.account.ID:    {"kind": {"human"}, "email": {"pia@acme.example"}, "first_name": {"Pia"}, "last_name": {"Two"}, "roles": {"user"}},
		"/users/invite?org=" + s.account.ID: {"org": {s.account.ID}, "email": {"pia@acme.example"}, "roles": {"user"}},
	} {
		res, body := b.post(path, form)
		if res.StatusCode != 409 || !strings.Contains(body, "Login: this person belongs to this organization already") || !strings.Contains(body, link) {
			t.Fatalf("%s: %d\n%s", path, res.StatusCode, body)
		}
	}
}

// TestInvitationPageNamesWhoInvitesAndTheRoles is issue 17, item 6: the
// invitation page said only "An organization has invited you".
func TestInvitationPageNamesWhoInvitesAndTheRoles(t *testing.T) {
	s := newSite(t)
	if _, err := s.App.Invite(context.Background(), s.owner, s.account.ID, app.NewInvitation{Login: "nora@new.example", Roles: []string{"read_only"}}); err != nil {
		t.Fatal(err)
	}
	link := s.MailTo("nora@new.example").Link(s.URL + "/invitation?token=")
	if link == "" {
		t.Fatal("no invitation link")
	}
	b := newNoJS(t, s)
	res, body := b.get(strings.TrimPrefix(link, s.URL))
	if res.StatusCode != 200 || !strings.Contains(body, "Acme IoT invites you, with these roles:") ||
		!strings.Contains(body, `<ul id="invitation-roles"><li>Read only</li></ul>`) || !strings.Contains(body, `id="f-first_name"`) {
		t.Fatalf("invitation page:\n%s", body)
	}
}

// TestRolesMatrixShowsTheViewersOwnRoleAndFormsMarkRequiredFields is
// issue 17, item 9 in part: the Roles matrix highlights the viewer's own
// role, and required fields carry a mark.
func TestRolesMatrixShowsTheViewersOwnRoleAndFormsMarkRequiredFields(t *testing.T) {
	s := newSite(t)
	s.person("rita@acme.example", "Rita", "read_only")
	b := signedIn(t, s, "rita@acme.example")
	_, body := b.get("/roles")
	if !strings.Contains(body, `<th scope="col" class="mine">Read only<br><span class="hint">your role</span></th>`) ||
		strings.Count(body, `<th scope="col" class="mine">`) != 1 {
		t.Fatalf("Read Only's column is not marked as theirs:\n%s", body)
	}
	_, body = b.get("/account/password")
	if !strings.Contains(body, `<label for="f-new_password">New password <span class="req" aria-hidden="true">*</span></label>`) {
		t.Fatalf("a required field is not marked:\n%s", body)
	}
}

// TestUsersTableEscapesWhatPeopleType: the users table's rows are written
// in Go, not by html/template (rowsHTML), so a name and a login made of
// markup must come out as text in the cell, the link and the buttons'
// accessible names, never as markup.
func TestUsersTableEscapesWhatPeopleType(t *testing.T) {
	s := newSite(t)
	name := `<img src=x onerror="alert(1)"> 'Bo' & co`
	s.person("o'neil&co@acme.example", name, "user")
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/users?org=" + s.account.ID)
	if strings.Contains(body, "<img") || strings.Contains(body, "o'neil&co") {
		t.Fatal("the users table let a name or a login through as markup")
	}
	text := `&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &#39;Bo&#39; &amp; co Test`
	row := rowOf(body, text)
	for _, want := range []string{text + `</a>`, `<td>o&#39;neil&amp;co@acme.example</td>`,
		`aria-label="Edit ` + text + `"`, `aria-label="Lock ` + text + `"`, `aria-label="Reset password for ` + text + `"`} {
		if !strings.Contains(row, want) {
			t.Fatalf("the row should hold %s:\n%s", want, row)
		}
	}
}

// TestPagesShowTimesInTheOrgsZone: the portal shows times in the time
// zone of the organization the page is about, naming the zone, and the
// audit log reads the days it is given there, not in UTC.
func TestPagesShowTimesInTheOrgsZone(t *testing.T) {
	s := newSite(t)
	tokyo := "Asia/Tokyo"
	if _, err := s.App.UpdateOrgSettings(context.Background(), s.owner, s.account.ID, app.OrgSettingsPatch{TimeZone: &tokyo}); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tokyo)
	if err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile(`<td>(\d{4}-\d\d-\d\d \d\d:\d\d) JST</td>`)
	near := func(page, body string) {
		t.Helper()
		m := shown.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s shows no time in Tokyo's zone", page)
		}
		at, err := time.ParseInLocation("2006-01-02 15:04", m[1], loc)
		if err != nil || time.Since(at).Abs() > time.Hour {
			t.Fatalf("%s shows %s JST; now is %s there", page, m[1], time.Now().In(loc).Format("2006-01-02 15:04"))
		}
	}
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/account/sessions")
	near("the sessions page", body)
	today := time.Now().In(loc).Format("2006-01-02")
	_, body = b.get("/audit?since=" + today + "&until=" + today)
	near("the audit log", body)
	if strings.Contains(body, "No events match.") {
		t.Fatal("today in Tokyo holds the time zone's own change")
	}
	// The invitee, signed out, reads the end of the access in the
	// inviting org's zone, as the e-mail tells it.
	until := time.Date(2031, 3, 31, 15, 0, 0, 0, time.UTC)
	if _, err := s.App.Invite(context.Background(), s.owner, s.account.ID, app.NewInvitation{Login: "nora@new.example",
		Roles: []string{"read_only"}, Until: until}); err != nil {
		t.Fatal(err)
	}
	link := s.MailTo("nora@new.example").Link(s.URL + "/invitation?token=")
	if _, body := newNoJS(t, s).get(strings.TrimPrefix(link, s.URL)); !strings.Contains(body, "The access ends by itself on 2031-04-01 00:00 JST.") {
		t.Fatalf("the invitation page should tell the end in Tokyo's time:\n%s", body)
	}
}
