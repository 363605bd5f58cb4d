package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

func forEachBackend(t *testing.T, fn func(t *testing.T, b sqltest.Backend)) {
	t.Parallel() // every test has databases of its own
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// TestNewcomerWalkthrough is the path of README's tour: the operator opens
// an account, its owner activates it and creates an Admin and a User, and
// the Admin is refused when creating an Owner.
func TestNewcomerWalkthrough(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b) // the operator is signed in
		e, op := f.env, f.clients["operator"]
		r := op.must(201, "POST", "/api/v1/accounts", map[string]any{"name": "Acme IoT",
			"owner": map[string]any{"email": "olivia@acme.example", "first_name": "Olivia", "last_name": "Owner", "language": "de"}})
		acc := r.body["account"].(map[string]any)
		if acc["status"] != "pending" || len(acc["account_number"].(string)) != 9 {
			t.Fatalf("new account: %v", acc)
		}
		owner := r.body["owner"].(map[string]any)
		if owner["status"] != "invited" || owner["initial_owner"] != true {
			t.Fatalf("new owner: %v", owner)
		}
		m := e.MailTo("olivia@acme.example")
		if !strings.Contains(m.Text, "http://tenantry.test/password?token=") || !strings.Contains(m.Subject, "Passwort") {
			t.Fatalf("activation mail: %+v", m)
		}
		e.anon().must(422, "POST", "/api/v1/password", map[string]string{"token": "x" + tokenOf(t, m.Text), "password": password})
		e.anon().must(422, "POST", "/api/v1/password", map[string]string{"token": tokenOf(t, m.Text), "password": "short"})
		e.activate("olivia@acme.example")
		e.anon().must(422, "POST", "/api/v1/password", map[string]string{"token": tokenOf(t, m.Text), "password": password})
		ownerC := e.signIn("OLIVIA@acme.example")
		accID := acc["id"].(string)
		if got := ownerC.must(200, "GET", "/api/v1/orgs/"+accID, nil).str("status"); got != "active" {
			t.Fatalf("account after activation: %s", got)
		}
		for _, p := range [][2]string{{"adam@acme.example", "admin"}, {"ulla@acme.example", "user"}} {
			ownerC.must(201, "POST", "/api/v1/orgs/"+accID+"/users", map[string]any{
				"email": p[0], "first_name": "F", "last_name": "L", "roles": []string{p[1]}})
			e.activate(p[0])
		}
		admin := e.signIn("adam@acme.example")
		r = admin.must(403, "POST", "/api/v1/orgs/"+accID+"/users", map[string]any{
			"email": "o2@acme.example", "first_name": "F", "last_name": "L", "roles": []string{"owner"}})
		if r.str("code") != "forbidden" || !strings.Contains(r.str("detail"), "owner") {
			t.Fatalf("admin creating an owner: %s", r.raw)
		}
		user := e.signIn("ulla@acme.example")
		user.must(403, "POST", "/api/v1/orgs/"+accID+"/users", map[string]any{
			"email": "u2@acme.example", "first_name": "F", "last_name": "L", "roles": []string{"user"}})
		audit := ownerC.must(200, "GET", "/api/v1/orgs/"+accID+"/events?action=user.create", nil)
		if n := len(audit.body["items"].([]any)); n != 3 || !strings.Contains(audit.raw, `"ip":"127.0.0.1"`) {
			t.Fatalf("audit log: %d events: %s", n, audit.raw)
		}
		byOwner := ownerC.must(200, "GET", "/api/v1/orgs/"+accID+"/events?action=user.create&actor=olivia@acme.example", nil)
		if n := len(byOwner.body["items"].([]any)); n != 2 || !strings.Contains(byOwner.raw, `"actor_login":"olivia@acme.example"`) {
			t.Fatalf("the owner created two people: %d events: %s", n, byOwner.raw)
		}
		ownerC.must(422, "GET", "/api/v1/orgs/"+accID+"/events?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", nil)
		list := ownerC.must(200, "GET", "/api/v1/orgs/"+accID+"/users?sort=email", nil)
		items := list.body["items"].([]any)
		if len(items) != 3 || items[0].(map[string]any)["email"] != "adam@acme.example" {
			t.Fatalf("users: %s", list.raw)
		}
	})
}

func tokenOf(t *testing.T, text string) string {
	i := strings.Index(text, "token=")
	if i < 0 {
		t.Fatalf("no token in %q", text)
	}
	return strings.Fields(text[i+6:])[0]
}

// TestOtherAccountIsInvisibleThroughPaging pages through account A's list
// with every filter and sort: no row of account B ever shows, and a cursor
// taken from B's list is no way in.
func TestOtherAccountIsInvisibleThroughPaging(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		ownerA, ownerB := f.clients["ownerA"], f.clients["ownerB"]
		for i := 0; i < 6; i++ {
			for _, acc := range []string{"A", "B"} {
				f.clients["owner"+acc].must(201, "POST", f.path("/api/v1/orgs/{"+acc+"}/users"), map[string]any{
					"email": fmt.Sprintf("same%d@example.%s", i, strings.ToLower(acc)), "login": fmt.Sprintf("same%d-%s", i, acc),
					"first_name": "Same", "last_name": "Name", "roles": []string{"user"}})
			}
		}
		bPage := ownerB.must(200, "GET", f.path("/api/v1/orgs/{B}/users?limit=2&last_name=name"), nil)
		bCursor := bPage.str("next_cursor")
		for _, sort := range []string{"last_name", "first_name", "login", "email", "created_at"} {
			for _, order := range []string{"asc", "desc"} {
				seen := map[string]bool{}
				q := url.Values{"limit": {"2"}, "sort": {sort}, "order": {order}}
				for page := 0; ; page++ {
					r := ownerA.must(200, "GET", f.path("/api/v1/orgs/{A}/users?")+q.Encode(), nil)
					for _, it := range r.body["items"].([]any) {
						u := it.(map[string]any)
						if u["org_id"] != f.ids["{A}"] || seen[u["id"].(string)] {
							t.Fatalf("%s %s page %d: row %v", sort, order, page, u)
						}
						seen[u["id"].(string)] = true
					}
					next := r.str("next_cursor")
					if next == "" {
						break
					}
					q.Set("cursor", next)
				}
				if len(seen) != 13 { // seven people of the fixture and six more
					t.Fatalf("%s %s: %d users, want 13", sort, order, len(seen))
				}
			}
		}
		r := ownerA.must(200, "GET", f.path("/api/v1/orgs/{A}/users?limit=2&last_name=name&cursor=")+bCursor, nil)
		for _, it := range r.body["items"].([]any) {
			if it.(map[string]any)["org_id"] != f.ids["{A}"] {
				t.Fatalf("B's cursor shows B's rows in A: %s", r.raw)
			}
		}
		ownerA.must(404, "GET", f.path("/api/v1/orgs/{B}/users?cursor=")+bCursor, nil)
	})
}

func TestSessionCookieIsSafeAndRotates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		c := f.anon()
		r := c.must(200, "POST", "/api/v1/session", map[string]string{"login": "userA@example.com", "password": password})
		cookie := r.header.Get("Set-Cookie")
		for _, want := range []string{"tenantry_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Fatalf("cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Fatalf("cookie over plain http is Secure: %q", cookie)
		}
		old := sessionCookie(t, c)
		c.must(200, "POST", "/api/v1/session", map[string]string{"login": "userA@example.com", "password": password})
		if sessionCookie(t, c) == old {
			t.Fatal("session not rotated at sign-in")
		}
		stale := f.anon()
		u, _ := url.Parse(f.URL)
		stale.jar.SetCookies(u, []*http.Cookie{{Name: "tenantry_session", Value: old}})
		stale.must(401, "GET", "/api/v1/session", nil)
		c.must(204, "DELETE", "/api/v1/session", nil)
		c.must(401, "GET", "/api/v1/session", nil)
	})
}

func sessionCookie(t *testing.T, c *client) string {
	u, _ := url.Parse(c.e.URL)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "tenantry_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestCrossOriginChangesAreRefused(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	c := f.clients["ownerA"]
	req, _ := http.NewRequest("POST", f.URL+f.path("/api/v1/orgs/{A}/users"), strings.NewReader(newUser("user")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := (&http.Client{Jar: c.jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("cross-origin POST: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	c.must(200, "GET", f.path("/api/v1/orgs/{A}/users"), nil)
}

func TestOperationalEndpoints(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	c := f.anon()
	for path, want := range map[string]string{
		"/healthz":             `"ok"`,
		"/readyz":              `"ready"`,
		"/metrics":             "tenantry_http_requests_total",
		"/api/v1/openapi.json": `"openapi":"3.1`,
		"/api/docs":            "POST</span> <code>/api/v1/orgs/{org}/users</code>",
	} {
		r := c.must(200, "GET", path, nil)
		if !strings.Contains(r.raw, want) {
			t.Errorf("%s lacks %q", path, want)
		}
		if r.header.Get("X-Request-Id") == "" {
			t.Errorf("%s has no request id", path)
		}
	}
}

// TestOwnProfile: a person changes their own name, language and
// subscriptions through PATCH /api/v1/me, on both stores; the e-mail
// address is an administrator's to change, and a read-only user may edit
// their own profile too.
func TestOwnProfile(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f := newFixture(t, b)
			me := f.clients["readonlyA"]
			r := me.must(200, "PATCH", "/api/v1/me", map[string]any{"first_name": "Renamed", "language": "de", "notify_news": true})
			if r.str("first_name") != "Renamed" || r.str("language") != "de" || r.body["notify_news"] != true {
				t.Fatalf("profile: %v", r.body)
			}
			r = me.must(403, "PATCH", "/api/v1/me", map[string]any{"email": "elsewhere@example.com"})
			if !strings.Contains(r.raw, "administrator") {
				t.Fatalf("e-mail change: %s", r.raw)
			}
			me.must(422, "PATCH", "/api/v1/me", map[string]any{"first_name": ""})
			f.anon().must(401, "PATCH", "/api/v1/me", map[string]any{"first_name": "X"})
		})
	}
}
