package api_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// tokenCall posts a form to an OAuth2 endpoint.
func tokenCall(t *testing.T, e *env, path string, form url.Values, basic [2]string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic[0] != "" {
		req.SetBasicAuth(basic[0], basic[1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	json.Unmarshal(raw, &body)
	return res.StatusCode, body, res.Header
}

// bearerCall sends a request with a bearer token.
func bearerCall(t *testing.T, e *env, method, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// TestClientCredentialsEndToEnd is issue 5's "done when": create an API
// user, get a token, call a SIM endpoint, verify the token offline against
// the JWKS, revoke it and see the next call refused.
func TestClientCredentialsEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		r := f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"fleet-app"}`)
		clientID, secret := r.str("client_id"), r.str("client_secret")
		if !strings.HasSuffix(clientID, "_fleet-app") || len(secret) < 32 {
			t.Fatalf("client: %s", r.raw)
		}
		f.clients["adminA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"chosen","client_secret":"Zq7-mountain-Orbit-92-lantern-Vx!pe"}`)
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"nope"}`)
		r = f.clients["ownerA"].must(422, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"weak","client_secret":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`)
		if !strings.Contains(r.raw, "client_secret") {
			t.Fatalf("weak secret: %s", r.raw)
		}
		// API users cannot use the portal.
		f.anon().must(401, "POST", "/api/v1/session", map[string]string{"login": clientID, "password": secret})

		// Every error case of RFC 6749.
		grant := url.Values{"grant_type": {"client_credentials"}}
		for name, c := range map[string]struct {
			form   url.Values
			basic  [2]string
			status int
			code   string
		}{
			"bad secret":        {grant, [2]string{clientID, secret + "x"}, 401, "invalid_client"},
			"unknown client":    {grant, [2]string{"000_nobody", secret}, 401, "invalid_client"},
			"no credentials":    {grant, [2]string{}, 401, "invalid_client"},
			"unsupported grant": {url.Values{"grant_type": {"password"}}, [2]string{clientID, secret}, 400, "unsupported_grant_type"},
			"missing grant":     {url.Values{}, [2]string{clientID, secret}, 400, "invalid_request"},
			"disallowed scope":  {url.Values{"grant_type": {"client_credentials"}, "scope": {"users.see_all"}}, [2]string{clientID, secret}, 400, "invalid_scope"},
		} {
			status, body, _ := tokenCall(t, f.env, "/oauth2/token", c.form, c.basic)
			if status != c.status || body["error"] != c.code {
				t.Errorf("%s: %d %v", name, status, body)
			}
		}
		// client_secret_post and client_secret_basic both work.
		post := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {"sims.see_all"}}
		status, body, hdr := tokenCall(t, f.env, "/oauth2/token", post, [2]string{})
		if status != 200 || body["scope"] != "sims.see_all" || hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("post auth: %d %v", status, body)
		}
		status, body, _ = tokenCall(t, f.env, "/oauth2/token", grant, [2]string{clientID, secret})
		if status != 200 || body["token_type"] != "Bearer" {
			t.Fatalf("basic auth: %d %v", status, body)
		}
		token := body["access_token"].(string)

		// A product endpoint works; the Management API does not.
		if s, raw := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), token); s != 200 {
			t.Fatalf("SIMs with a token: %d %s", s, raw)
		}
		if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/users"), token); s != 403 {
			t.Fatalf("Management API with an API user's token: %d", s)
		}

		// Offline verification against the published keys.
		var set jose.JSONWebKeySet
		res, _ := http.Get(f.URL + "/oauth2/jwks")
		json.NewDecoder(res.Body).Decode(&set)
		res.Body.Close()
		parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatal(err)
		}
		keys := set.Key(parsed.Headers[0].KeyID)
		var claims map[string]any
		if len(keys) != 1 || parsed.Claims(keys[0].Key, &claims) != nil || claims["client_id"] != clientID || claims["iss"] != "http://tenantry.test" {
			t.Fatalf("offline verification: %v %v", keys, claims)
		}
		var meta map[string]any
		res, _ = http.Get(f.URL + "/.well-known/oauth-authorization-server")
		json.NewDecoder(res.Body).Decode(&meta)
		res.Body.Close()
		if meta["token_endpoint"] != "http://tenantry.test/oauth2/token" || meta["jwks_uri"] == nil {
			t.Fatalf("metadata: %v", meta)
		}

		// Introspection and revocation.
		_, in, _ := tokenCall(t, f.env, "/oauth2/introspect", url.Values{"token": {token}}, [2]string{clientID, secret})
		if in["active"] != true || in["client_id"] != clientID {
			t.Fatalf("introspect: %v", in)
		}
		if s, _, _ := tokenCall(t, f.env, "/oauth2/revoke", url.Values{"token": {token}}, [2]string{clientID, secret}); s != 200 {
			t.Fatalf("revoke: %d", s)
		}
		if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), token); s != 401 {
			t.Fatalf("revoked token: %d", s)
		}
		_, in, _ = tokenCall(t, f.env, "/oauth2/introspect", url.Values{"token": {token}}, [2]string{clientID, secret})
		if in["active"] != false {
			t.Fatalf("introspect after revoke: %v", in)
		}

		// Locking the client ends its tokens at once; so does losing the role.
		_, body, _ = tokenCall(t, f.env, "/oauth2/token", grant, [2]string{clientID, secret})
		token = body["access_token"].(string)
		f.clients["ownerA"].must(200, "POST", "/api/v1/users/"+r.path(f, clientID)+"/lock", nil)
		if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), token); s != 401 {
			t.Fatalf("token of a locked client: %d", s)
		}
		if s, _, _ := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{clientID, secret}); s != 401 {
			t.Fatalf("grant to a locked client: %d", s)
		}

		// Forged and foreign tokens.
		parts := strings.Split(token, ".")
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + parts[1] + "."
		for _, bad := range []string{none, "garbage", parts[0] + "." + parts[1] + ".AAAA"} {
			if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), bad); s != 401 {
				t.Fatalf("bad token %q: %d", bad[:10], s)
			}
		}
	})
}

// path finds a client's user id by its login through the owner's list.
func (r response) path(f *fixture, login string) string {
	list := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/orgs/{A}/users?login=")+url.QueryEscape(login), nil)
	return list.body["items"].([]any)[0].(map[string]any)["id"].(string)
}

func TestManagementAPITakesOnlyAnOwnersPersonalToken(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	f.clients["adminA"].must(403, "POST", "/api/v1/me/tokens", `{"name":"ci","expires_in_days":30}`)
	r := f.clients["ownerA"].must(201, "POST", "/api/v1/me/tokens", `{"name":"ci","expires_in_days":30}`)
	pat := r.str("token")
	if !strings.HasPrefix(pat, "tnt_pat_") {
		t.Fatalf("pat: %s", r.raw)
	}
	if s, raw := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/users"), pat); s != 200 || !strings.Contains(raw, "userA@example.com") {
		t.Fatalf("Management API with an Owner's PAT: %d", s)
	}
	if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{B}/users"), pat); s != 404 {
		t.Fatalf("other account with a PAT: %d", s)
	}
	if s, _ := bearerCall(t, f.env, "POST", "/api/v1/me/tokens", pat); s < 400 {
		t.Fatalf("a PAT making PATs: %d", s)
	}
	list := f.clients["ownerA"].must(200, "GET", "/api/v1/me/tokens", nil)
	id := list.body["items"].([]any)[0].(map[string]any)["id"].(string)
	if strings.Contains(list.raw, pat) {
		t.Fatal("the list shows the token")
	}
	f.clients["ownerA"].must(204, "DELETE", "/api/v1/me/tokens/"+id, nil)
	if s, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/users"), pat); s != 401 {
		t.Fatalf("deleted PAT: %d", s)
	}
}

func TestSecretRotationAndRateLimit(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	r := f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"rotor"}`)
	id, old := r.str("client_id"), r.str("client_secret")
	user := r.body["user"].(map[string]any)["id"].(string)
	grant := url.Values{"grant_type": {"client_credentials"}}
	n := f.clients["ownerA"].must(201, "POST", "/api/v1/users/"+user+"/secrets", `{"overlap_seconds":3600}`)
	fresh := n.str("client_secret")
	for _, s := range []string{old, fresh} { // both work during the overlap
		if st, body, _ := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{id, s}); st != 200 {
			t.Fatalf("grant during overlap: %d %v", st, body)
		}
	}
	list := f.clients["ownerA"].must(200, "GET", "/api/v1/users/"+user+"/secrets", nil)
	items := list.body["items"].([]any)
	if len(items) != 2 || strings.Contains(list.raw, old) {
		t.Fatalf("secrets: %s", list.raw)
	}
	oldID := items[1].(map[string]any)["id"].(string)
	f.clients["ownerA"].must(204, "DELETE", "/api/v1/users/"+user+"/secrets/"+oldID, nil)
	if st, _, _ := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{id, old}); st != 401 {
		t.Fatalf("revoked old secret: %d", st)
	}
	newID := items[0].(map[string]any)["id"].(string)
	f.clients["ownerA"].must(409, "DELETE", "/api/v1/users/"+user+"/secrets/"+newID, nil)
	// The per-client limit, 20 grants a second in these tests.
	limited := false
	for i := 0; i < 60 && !limited; i++ {
		st, body, hdr := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{id, fresh})
		if st == 429 {
			limited = body["error"] == "slow_down" && hdr.Get("Retry-After") != ""
			if !limited {
				t.Fatalf("429 without a proper body: %v %v", body, hdr)
			}
		}
	}
	if !limited {
		t.Fatal("60 grants in a row were never limited")
	}
}
