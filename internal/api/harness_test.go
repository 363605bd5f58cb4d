package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

const password = "a long enough test passphrase"

// env is one Tenantry server on a fresh database, over real HTTP, with a
// real SMTP server receiving its mail.
type env struct {
	*servertest.Server
	t *testing.T
}

func newEnv(t *testing.T, b sqltest.Backend) *env {
	t.Helper()
	return &env{t: t, Server: servertest.Start(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test",
		Tune: func(c *app.Config) { c.TokenRatePerClient = 20 }})}
}

// client is one person's browser: a cookie jar against the env.
type client struct {
	e      *env
	jar    http.CookieJar
	bearer string // sent as Authorization: Bearer when set
	header http.Header
}

// with returns the client sending one more header.
func (c *client) with(name, value string) *client {
	d := *c
	d.header = c.header.Clone()
	if d.header == nil {
		d.header = http.Header{}
	}
	d.header.Set(name, value)
	return &d
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, jar: jar}
}

// response is what a call returned, decoded.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// do sends one request and checks, for every response, that no secret
// leaks: no password, no hash, no token.
func (c *client) do(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			buf, _ := json.Marshal(b)
			rd = bytes.NewReader(buf)
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.e.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	hc := &http.Client{Jar: c.jar}
	res, err := hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 && raw[0] == '{' && !strings.Contains(res.Header.Get("Content-Type"), "jsonl") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.e.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	for _, secret := range []string{password, "argon2id", "password_hash", "token=", "hash\""} {
		if strings.Contains(r.raw, secret) {
			c.e.t.Fatalf("%s %s: response shows %q: %s", method, path, secret, raw)
		}
	}
	if r.status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		c.e.t.Fatalf("%s %s: error with content type %q", method, path, res.Header.Get("Content-Type"))
	}
	return r
}

// must is do that fails the test unless the status is want.
func (c *client) must(want int, method, path string, body any) response {
	c.e.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.raw)
	}
	return r
}

// signIn returns a client signed in as login.
func (e *env) signIn(login string) *client {
	e.t.Helper()
	c := e.anon()
	c.must(200, "POST", "/api/v1/session", map[string]string{"login": login, "password": password})
	return c
}

// activate sets the password of the person the newest mail to addr is for,
// through the link in that mail.
func (e *env) activate(addr string) {
	e.t.Helper()
	m := e.MailTo(addr)
	e.anon().must(204, "POST", "/api/v1/password", map[string]string{"token": m.Token(), "password": password})
}

// fixture is a deployment with two customer accounts and a person of
// every role in account A. ids maps names such as {A}, {adminA} and
// {userA.grant} to ids for the scenario paths.
type fixture struct {
	*env
	ids     map[string]string
	clients map[string]*client
}

func newFixture(t *testing.T, b sqltest.Backend) *fixture {
	t.Helper()
	return newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test",
		Tune: func(c *app.Config) { c.TokenRatePerClient = 20 }})
}

// newFixtureWith is newFixture on a server with options o.
func newFixtureWith(t *testing.T, o servertest.Options) *fixture {
	t.Helper()
	e := &env{t: t, Server: servertest.Start(t, o)}
	f := &fixture{env: e, ids: map[string]string{}, clients: map[string]*client{"anon": e.anon()}}
	res, err := e.App.Bootstrap(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	e.anon().must(204, "POST", "/api/v1/password", map[string]string{
		"token": res.Link[strings.Index(res.Link, "token=")+6:], "password": password})
	op := e.signIn("operator")
	f.clients["operator"] = op
	f.ids["{platform}"] = op.must(200, "GET", "/api/v1/session", nil).str("org_id")
	for _, acc := range []string{"A", "B"} {
		owner := "owner" + acc
		r := op.must(201, "POST", "/api/v1/accounts", map[string]any{"name": "Account " + acc,
			"owner": map[string]any{"email": owner + "@example.com", "first_name": "Olga", "last_name": "Owner" + acc}})
		f.ids["{"+acc+"}"] = r.body["account"].(map[string]any)["id"].(string)
		f.ids["{"+owner+"}"] = r.body["owner"].(map[string]any)["id"].(string)
		e.activate(owner + "@example.com")
		f.clients[owner] = e.signIn(owner + "@example.com")
	}
	people := []struct{ name, acc, role string }{
		{"owner2A", "A", "owner"}, {"adminA", "A", "admin"}, {"admin2A", "A", "admin"},
		{"userA", "A", "user"}, {"readonlyA", "A", "read_only"}, {"thirdA", "A", "third_party"},
		{"userB", "B", "user"},
	}
	for _, p := range people {
		email := p.name + "@example.com"
		r := f.clients["owner"+p.acc].must(201, "POST", "/api/v1/orgs/"+f.ids["{"+p.acc+"}"]+"/users", map[string]any{
			"email": email, "first_name": "First" + p.name, "last_name": "Last" + p.name, "roles": []string{p.role}})
		f.ids["{"+p.name+"}"] = r.str("id")
		f.ids["{"+p.name+".grant}"] = r.body["roles"].([]any)[0].(map[string]any)["id"].(string)
		e.activate(email)
		f.clients[p.name] = e.signIn(email)
	}
	return f
}

// clone returns a fixture on a server of its own whose database starts as
// a copy of f's, with the same people signed in the same way: a scenario
// that changes something gets a fixture without building one. f must be
// idle while it is copied.
func (f *fixture) clone(t *testing.T, b sqltest.Backend) *fixture {
	t.Helper()
	f.App.Settle()
	e := &env{t: t, Server: servertest.Start(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test",
		Tune: func(c *app.Config) { c.TokenRatePerClient = 20 }, Copy: f.DB})}
	g := &fixture{env: e, ids: f.ids, clients: map[string]*client{}}
	for name, c := range f.clients {
		jar, _ := cookiejar.New(nil)
		u, _ := url.Parse(f.URL)
		jar.SetCookies(u, c.jar.Cookies(u)) // the same host: cookies do not tell ports apart
		g.clients[name] = &client{e: e, jar: jar, bearer: c.bearer}
	}
	return g
}

// apiUser creates an API user in account acc through its Owner and
// returns a client that calls with the API user's access token.
func (f *fixture) apiUser(acc, name string) *client {
	f.t.Helper()
	r := f.clients["owner"+acc].must(201, "POST", f.path("/api/v1/orgs/{"+acc+"}/clients"), map[string]any{"name": name})
	form := url.Values{"grant_type": {"client_credentials"}}
	status, body, _ := tokenCall(f.t, f.env, "/oauth2/token", form, [2]string{r.str("client_id"), r.str("client_secret")})
	if status != 200 {
		f.t.Fatalf("token for %s: %d %v", name, status, body)
	}
	c := f.anon()
	c.bearer = body["access_token"].(string)
	return c
}

// path fills the {name} placeholders of p.
func (f *fixture) path(p string) string {
	for k, v := range f.ids {
		p = strings.ReplaceAll(p, k, v)
	}
	return p
}
