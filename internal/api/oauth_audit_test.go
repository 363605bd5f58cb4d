package api_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// credentials creates an API user in account acc and returns its
// client_id and secret.
func (f *fixture) credentials(acc, name string) (string, string) {
	f.t.Helper()
	r := f.clients["owner"+acc].must(201, "POST", f.path("/api/v1/orgs/{"+acc+"}/clients"), map[string]any{"name": name})
	return r.str("client_id"), r.str("client_secret")
}

func (f *fixture) token(id, secret string) string {
	f.t.Helper()
	status, body, _ := tokenCall(f.t, f.env, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, [2]string{id, secret})
	if status != 200 {
		f.t.Fatalf("token: %d %v", status, body)
	}
	return body["access_token"].(string)
}

// TestIntrospectionAnswersOnlyTheTokensTenant is finding 11 and part of
// 19: any client learned any tenant's token contents; RFC 7662's scope,
// iss, aud, iat and jti were missing.
func TestIntrospectionAnswersOnlyTheTokensTenant(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		a1, s1 := f.credentials("A", "issuer-app")
		a2, s2 := f.credentials("A", "resource-server")
		b1, sb := f.credentials("B", "other-tenant")
		status, body, _ := tokenCall(t, f.env, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"sims.see_all"}}, [2]string{a1, s1})
		if status != 200 {
			t.Fatalf("token: %v", body)
		}
		tok := body["access_token"].(string)
		for _, c := range [][2]string{{a1, s1}, {a2, s2}} {
			_, in, _ := tokenCall(t, f.env, "/oauth2/introspect", url.Values{"token": {tok}}, c)
			if in["active"] != true || in["scope"] != "sims.see_all" || in["iss"] != "http://tenantry.test" ||
				in["aud"] != "http://tenantry.test/api" || in["iat"] == nil || in["jti"] == nil || in["client_id"] != a1 {
				t.Fatalf("introspection by %s: %v", c[0], in)
			}
		}
		_, in, _ := tokenCall(t, f.env, "/oauth2/introspect", url.Values{"token": {tok}}, [2]string{b1, sb})
		if len(in) != 1 || in["active"] != false {
			t.Fatalf("another tenant's client learned: %v", in)
		}
	})
}

// TestRevocationByAnotherClientIsRefused is part of finding 19: RFC 7009
// §2.1 says a token is revoked only by the client it was issued to.
func TestRevocationByAnotherClientIsRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		a1, s1 := f.credentials("A", "issuer-app")
		a2, s2 := f.credentials("A", "other-app")
		tok := f.token(a1, s1)
		status, body, _ := tokenCall(t, f.env, "/oauth2/revoke", url.Values{"token": {tok}}, [2]string{a2, s2})
		if status != 400 || body["error"] != "unauthorized_client" {
			t.Fatalf("revocation by another client: %d %v", status, body)
		}
		if status, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), tok); status != 200 {
			t.Fatalf("token no longer works: %d", status)
		}
		if status, _, _ := tokenCall(t, f.env, "/oauth2/revoke", url.Values{"token": {"not-a-token"}}, [2]string{a2, s2}); status != 200 {
			t.Fatalf("unknown token: %d", status)
		}
		if status, _, _ := tokenCall(t, f.env, "/oauth2/revoke", url.Values{"token": {tok}}, [2]string{a1, s1}); status != 200 {
			t.Fatalf("own token: %d", status)
		}
		if status, _ := bearerCall(t, f.env, "GET", f.path("/api/v1/orgs/{A}/sims"), tok); status != 401 {
			t.Fatalf("revoked token still works: %d", status)
		}
	})
}

// TestWrongClientSecretsAreLimited is finding 12: 260 wrong secrets in a
// row were all answered. A client_id from one address gets ten a minute;
// the client itself, calling from elsewhere, is not locked out.
func TestWrongClientSecretsAreLimited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		id, secret := f.credentials("A", "target")
		grant := url.Values{"grant_type": {"client_credentials"}}
		for i := 0; i < 10; i++ {
			if status, _, _ := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{id, secret + "x"}); status != 401 {
				t.Fatalf("wrong secret %d: %d", i, status)
			}
		}
		status, body, hdr := tokenCall(t, f.env, "/oauth2/token", grant, [2]string{id, secret + "x"})
		if status != 429 || hdr.Get("Retry-After") == "" {
			t.Fatalf("11th wrong secret: %d %v", status, body)
		}
		// The same client from another address still gets its token.
		req, _ := http.NewRequest("POST", f.URL+"/oauth2/token", strings.NewReader(grant.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		c := &http.Client{Transport: &http.Transport{DialContext: dialFrom("127.0.0.2")}}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("the real client from another address: %d", res.StatusCode)
		}
	})
}

// TestOAuthInteropWithIndependentClients is finding 19: x/oauth2's
// header style failed for secrets with + / : % &; 401s lacked RFC 6750's
// challenge; the RFC 8414 metadata advertised what is not there.
func TestOAuthInteropWithIndependentClients(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		const secret = "Zq7+mountain/Orbit:92%lantern&Vx!pe"
		r := f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), map[string]any{"name": "interop", "client_secret": secret})
		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			cc := clientcredentials.Config{ClientID: r.str("client_id"), ClientSecret: secret, TokenURL: f.URL + "/oauth2/token",
				Scopes: []string{"sims.see_all"}, AuthStyle: style}
			tok, err := cc.Token(context.Background())
			if err != nil {
				t.Fatalf("x/oauth2, auth style %d: %v", style, err)
			}
			res, err := cc.Client(context.Background()).Get(f.URL + f.path("/api/v1/orgs/{A}/sims"))
			if err != nil || res.StatusCode != 200 || tok.TokenType != "Bearer" {
				t.Fatalf("call with the token: %v %v", res, err)
			}
			res.Body.Close()
		}
		// RFC 6750 §3: a failed token names invalid_token; no credentials, no error code.
		req, _ := http.NewRequest("GET", f.URL+f.path("/api/v1/orgs/{A}/sims"), nil)
		req.Header.Set("Authorization", "Bearer nonsense")
		res, _ := http.DefaultClient.Do(req)
		res.Body.Close()
		if ch := res.Header.Get("WWW-Authenticate"); res.StatusCode != 401 || !strings.Contains(ch, `error="invalid_token"`) {
			t.Fatalf("bad token: %d %q", res.StatusCode, ch)
		}
		anon := f.anon().must(401, "GET", f.path("/api/v1/orgs/{A}/sims"), nil)
		if ch := anon.header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") || strings.Contains(ch, "error=") {
			t.Fatalf("no credentials: %q", ch)
		}
		meta := f.anon().must(200, "GET", "/.well-known/oauth-authorization-server", nil)
		if _, ok := meta.body["response_types_supported"]; ok {
			t.Errorf("response types advertised without an authorization endpoint: %s", meta.raw)
		}
		if _, ok := meta.body["token_endpoint_auth_signing_alg_values_supported"]; ok {
			t.Errorf("signing algorithms advertised without JWT client authentication: %s", meta.raw)
		}
		if s, _ := meta.body["scopes_supported"].([]any); len(s) == 0 || !strings.Contains(meta.raw, `"sims.see_all"`) {
			t.Errorf("scopes_supported: %s", meta.raw)
		}
	})
}

// dialFrom dials from a given loopback address, so the server sees
// another peer.
func dialFrom(ip string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return d.DialContext
}
