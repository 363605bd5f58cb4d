package api_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/idptest"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// idpSignIn signs in through the identity provider over plain HTTP as a
// browser would: the login first, on to the provider, its login form, and
// back to Tenantry's callback. It returns the client (signed in when it
// worked) and the callback's answer.
func idpSignIn(f *fixture, login, username string) (*client, *http.Response, string) {
	f.t.Helper()
	c := f.anon()
	noFollow := &http.Client{Jar: c.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// The sign-in page asks for the login only, and names the provider.
	res, err := noFollow.PostForm(f.URL+"/signin", url.Values{"login": {login}})
	if err != nil {
		f.t.Fatal(err)
	}
	page := readBody(f.t, res)
	if !strings.Contains(page, "Continue to Acme IdP") {
		f.t.Fatalf("the sign-in page does not send %s to the provider: %s", login, page)
	}
	res, err = noFollow.Get(f.URL + "/signin/idp?login=" + url.QueryEscape(login))
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		f.t.Fatalf("start: %s", res.Status)
	}
	auth := res.Header.Get("Location")
	for _, want := range []string{"code_challenge_method=S256", "nonce=", "state=", "login_hint=", "redirect_uri=http%3A%2F%2Ftenantry.test%2Fsignin%2Fidp%2Fcallback"} {
		if !strings.Contains(auth, want) {
			f.t.Fatalf("the authorization request lacks %s: %s", want, auth)
		}
	}
	back := idptest.SignIn(f.t, noFollow, auth, username, idptest.Password)
	// The provider sends the browser to the public URL; this server is it.
	res, err = noFollow.Get(f.URL + back.Path + "?" + back.RawQuery)
	if err != nil {
		f.t.Fatal(err)
	}
	return c, res, readBody(f.t, res)
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestSignInThroughTheCustomersIdentityProvider is issue 13 over the API
// and plain HTTP, against a real OpenID Provider (zitadel/oidc's op) in
// the test process: an Owner sets up the provider, creates a person who
// signs in through it, and the person's first sign-in activates them; the
// errors a person can act on say what to do; the provider's MFA
// satisfies the org's 2FA rule where the org trusts it; a changed method
// ends sessions; and the B4 lock leaves passwords to break-glass accounts.
func TestSignInThroughTheCustomersIdentityProvider(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		op := idptest.Start(t, "http://tenantry.test/signin/idp/callback",
			idptest.Person{ID: "alice-sub", Username: "alice", Email: "alice@acme.example"},
			idptest.Person{ID: "mallory-sub", Username: "mallory", Email: "alice@acme.example"},
			idptest.Person{ID: "bob-sub", Username: "bob", Email: "bob@acme.example", MFA: true},
			idptest.Person{ID: "carol-sub", Username: "carol", Email: "carol@acme.example"},
			idptest.Person{ID: "stranger-sub", Username: "stranger", Email: "stranger@acme.example"},
			idptest.Person{ID: "nomail-sub", Username: "nomail"},
			idptest.Person{ID: "outsider-sub", Username: "outsider", Email: "outsider@elsewhere.example"},
			idptest.Person{ID: "dave-sub", Username: "dave.d", Email: "dave@acme.example"},
		)
		owner := f.clients["ownerA"]
		body := map[string]any{"name": "Acme IdP", "issuer": op.Issuer, "client_id": op.ClientID,
			"client_secret": op.ClientSecret, "domains": []string{"acme.example"}, "active": true}
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/identity-providers"), body)
		bad := map[string]any{"name": "x", "issuer": "http://idp.example.com", "client_id": "c", "client_secret": "s", "login_claim": "e mail"}
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/identity-providers"), bad); !strings.Contains(r.raw, "must start with https://") || !strings.Contains(r.raw, "login_claim") {
			t.Fatalf("bad provider: %s", r.raw)
		}
		r := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/identity-providers"), body)
		idp := r.str("id")
		if strings.Contains(r.raw, op.ClientSecret) || r.str("login_claim") != "email" {
			t.Fatalf("created: %s", r.raw)
		}
		f.clients["ownerB"].must(404, "GET", "/api/v1/identity-providers/"+idp, nil)
		f.clients["ownerB"].must(404, "POST", "/api/v1/identity-providers/"+idp+"/test", nil)
		if r := owner.must(200, "POST", "/api/v1/identity-providers/"+idp+"/test", nil); !strings.Contains(r.raw, "Discovery at "+op.Issuer+" answered") {
			t.Fatalf("test connection: %s", r.raw)
		}
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/identity-providers"), nil); !strings.Contains(r.raw, `"name":"Acme IdP"`) || strings.Contains(r.raw, op.ClientSecret) {
			t.Fatalf("list: %s", r.raw)
		}

		// A person who signs in through it: no password, a mail to the sign-in page.
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "x@acme.example", "first_name": "X", "last_name": "Y",
			"roles": []string{"user"}, "identity_provider": "no-such-idp"}); !strings.Contains(r.raw, "is not an identity provider of this organization") {
			t.Fatalf("unknown provider: %s", r.raw)
		}
		alice := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "alice@acme.example", "first_name": "Alice", "last_name": "A",
			"roles": []string{"user"}, "identity_provider": idp})
		if alice.str("identity_provider") != idp || alice.str("status") != "invited" {
			t.Fatalf("alice: %s", alice.raw)
		}
		if m := f.MailTo("alice@acme.example"); !strings.Contains(m.Text, "you sign in with Acme IdP") || m.Link("http://tenantry.test/signin?login=") == "" || m.Token() != "" {
			t.Fatalf("welcome mail: %s", m.Text)
		}
		aliceC, res, page := idpSignIn(f, "alice@acme.example", "alice")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("callback: %s %s", res.Status, page)
		}
		if r := aliceC.must(200, "GET", "/api/v1/session", nil); r.str("login") != "alice@acme.example" {
			t.Fatalf("session: %s", r.raw)
		}
		if r := owner.must(200, "GET", "/api/v1/users/"+alice.str("id"), nil); r.str("status") != "active" {
			t.Fatalf("the first sign-in does not activate: %s", r.raw)
		}

		// Errors a person can act on.
		for _, tc := range []struct{ login, username, want string }{
			{"alice@acme.example", "stranger", "no user signs in through this provider as stranger@acme.example"},
			{"alice@acme.example", "nomail", "the provider sent no &#34;email&#34; claim"},
			{"alice@acme.example", "outsider", "outsider@elsewhere.example is not in a domain this provider may sign in"},
			{"alice@acme.example", "mallory", "alice@acme.example is bound to another account at this provider"},
		} {
			if _, res, page := idpSignIn(f, tc.login, tc.username); res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, tc.want) {
				t.Errorf("%s at the provider: %s, want %q in %s", tc.username, res.Status, tc.want, page)
			}
		}
		c := f.anon()
		noFollow := &http.Client{Jar: c.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for q, want := range map[string]string{
			"state=forged&code=x":                    "was not started in this browser",
			"error=access_denied&error_description=": "was not started in this browser", // no flow cookie either
		} {
			res, _ := noFollow.Get(f.URL + "/signin/idp/callback?" + q)
			if page := readBody(t, res); res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, want) {
				t.Errorf("callback ?%s: %s %s", q, res.Status, page)
			}
		}

		// A custom login matched instead of the e-mail.
		owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "d.other@example.com", "first_name": "Dave", "last_name": "D",
			"roles": []string{"read_only"}, "identity_provider": idp, "external_login": "dave@acme.example"})
		if _, res, page := idpSignIn(f, "d.other@example.com", "dave.d"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("custom login: %s %s", res.Status, page)
		}

		// A sub-organization uses its parent's provider; where its 2FA rule
		// holds, the provider's MFA counts once the provider is trusted.
		cr := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Acme Field",
			"owner": map[string]any{"email": "field@a.example", "first_name": "O", "last_name": "Field"}})
		field := cr.body["org"].(map[string]any)["id"].(string)
		f.activate("field@a.example")
		fieldOwner := f.signIn("field@a.example")
		if r := fieldOwner.must(200, "GET", "/api/v1/orgs/"+field+"/identity-providers", nil); !strings.Contains(r.raw, `"inherited":true`) {
			t.Fatalf("the sub-org does not inherit the provider: %s", r.raw)
		}
		for _, who := range []string{"bob", "carol"} {
			fieldOwner.must(201, "POST", "/api/v1/orgs/"+field+"/users", map[string]any{"email": who + "@acme.example", "first_name": who, "last_name": "P",
				"roles": []string{"user"}, "identity_provider": idp})
		}
		totp := fieldOwner.must(200, "POST", "/api/v1/me/totp", nil)
		fieldOwner.must(200, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": auth.TOTPCode(totp.str("secret"), time.Now())})
		fieldOwner.must(200, "PATCH", "/api/v1/orgs/"+field+"/settings", map[string]any{"require_2fa": true})
		bob, _, _ := idpSignIn(f, "bob@acme.example", "bob")
		if r := bob.must(403, "GET", "/api/v1/orgs/"+field, nil); !strings.Contains(r.raw, "totp_enrolment_required") {
			t.Fatalf("an untrusted provider's MFA counted: %s", r.raw)
		}
		owner.must(200, "PATCH", "/api/v1/identity-providers/"+idp, map[string]any{"trust_mfa": true})
		bob, _, _ = idpSignIn(f, "bob@acme.example", "bob")
		bob.must(200, "GET", "/api/v1/orgs/"+field, nil)
		carol, _, _ := idpSignIn(f, "carol@acme.example", "carol")
		carol.must(403, "GET", "/api/v1/orgs/"+field, nil)

		// A locked user is told so.
		owner.must(200, "POST", "/api/v1/users/"+alice.str("id")+"/lock", nil)
		if _, res, page := idpSignIn(f, "alice@acme.example", "alice"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "his user is locked") {
			t.Fatalf("locked: %s %s", res.Status, page)
		}
		owner.must(200, "POST", "/api/v1/users/"+alice.str("id")+"/unlock", nil)

		// Changing the method is audited, ends sessions, and sends a password link.
		aliceC, _, _ = idpSignIn(f, "alice@acme.example", "alice")
		aliceC.must(200, "GET", "/api/v1/session", nil)
		owner.must(200, "PATCH", "/api/v1/users/"+alice.str("id"), map[string]any{"identity_provider": ""})
		aliceC.must(401, "GET", "/api/v1/session", nil)
		if m := f.MailTo("alice@acme.example"); m.Token() == "" {
			t.Fatalf("no link to set a password: %s", m.Text)
		}
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events"), nil); !strings.Contains(r.raw, `"user.sign_in_method"`) || !strings.Contains(r.raw, `"idp.create"`) {
			t.Fatalf("no audit events: %s", r.raw)
		}
		owner.must(409, "DELETE", "/api/v1/identity-providers/"+idp, nil)

		// B4: a lock that leaves passwords to break-glass accounts.
		if r := owner.must(422, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"require_idp": true}); !strings.Contains(r.raw, "make yourself a break-glass account first") {
			t.Fatalf("self lock-out: %s", r.raw)
		}
		owner.must(200, "PATCH", f.path("/api/v1/users/{ownerA}"), map[string]any{"break_glass": true})
		if r := owner.must(200, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"require_idp": true}); r.body["settings"].(map[string]any)["require_idp"] != true {
			t.Fatalf("require_idp: %s", r.raw)
		}
		if r := f.anon().must(401, "POST", "/api/v1/session", map[string]string{"login": "userA@example.com", "password": password}); !strings.Contains(r.raw, "Account A requires sign-in through its identity provider") {
			t.Fatalf("a password sign-in under the lock: %s", r.raw)
		}
		f.signIn("ownerA@example.com").must(200, "GET", "/api/v1/session", nil)
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "local@acme.example", "first_name": "L", "last_name": "P",
			"roles": []string{"user"}}); !strings.Contains(r.raw, "requires sign-in through an identity provider") {
			t.Fatalf("a local user under the lock: %s", r.raw)
		}
		if r := fieldOwner.must(422, "POST", "/api/v1/orgs/"+field+"/users", map[string]any{"email": "glass@acme.example", "first_name": "G", "last_name": "P",
			"roles": []string{"user"}, "break_glass": true}); !strings.Contains(r.raw, "only administrators of Account A name break-glass accounts") {
			t.Fatalf("a sub-org names its own break-glass account: %s", r.raw)
		}

		// A provider that cannot be reached says so.
		down := idptest.Start(t, "http://tenantry.test/signin/idp/callback")
		down.Stop()
		r = owner.must(201, "POST", f.path("/api/v1/orgs/{A}/identity-providers"), map[string]any{"name": "Down IdP", "issuer": down.Issuer,
			"client_id": "c", "client_secret": "s", "active": true})
		owner.must(503, "POST", "/api/v1/identity-providers/"+r.str("id")+"/test", nil)
	})
}

// TestIdentityProvidersOnlyAtPublicAddresses: an org's administrator
// chooses the issuer, so unless the operator allows private addresses a
// provider on loopback (or one that resolves to it) is not reached, and
// the test of it says why; nothing of the provider's answer comes back.
func TestIdentityProvidersOnlyAtPublicAddresses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test",
			Tune: func(c *app.Config) { c.IdPAllowPrivate = false }})
		op := idptest.Start(t, "http://tenantry.test/signin/idp/callback", idptest.Person{ID: "alice-sub", Username: "alice", Email: "alice@acme.example"})
		owner := f.clients["ownerA"]
		for _, issuer := range []string{op.Issuer, strings.Replace(op.Issuer, "127.0.0.1", "localhost", 1)} {
			id := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/identity-providers"), map[string]any{"name": "Inside IdP", "issuer": issuer,
				"client_id": op.ClientID, "client_secret": op.ClientSecret, "active": true}).str("id")
			r := owner.must(422, "POST", "/api/v1/identity-providers/"+id+"/test", nil)
			if !strings.Contains(r.raw, "is not a public one; use a public issuer, or ask the operator to allow private ones") ||
				strings.Contains(r.raw, "Discovery at") {
				t.Fatalf("test of a provider at %s: %s", issuer, r.raw)
			}
			owner.must(204, "DELETE", "/api/v1/identity-providers/"+id, nil)
		}
	})
}
