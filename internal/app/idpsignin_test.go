package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// hostileProvider is an identity provider that answers the code exchange
// with whatever ID token the test forges: discovery and its key set are
// proper, the token is not.
type hostileProvider struct {
	*httptest.Server
	key   *rsa.PrivateKey
	forge func(nonce string) string
	nonce string
}

func newHostileProvider(t *testing.T) *hostileProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileProvider{key: key}
	mux := http.NewServeMux()
	h.Server = httptest.NewServer(mux)
	t.Cleanup(h.Close)
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": h.URL, "authorization_endpoint": h.URL + "/authorize",
			"token_endpoint": h.URL + "/token", "jwks_uri": h.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"}})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "id_token": h.forge(h.nonce)})
	})
	return h
}

// sign signs claims with key under kid.
func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestForgedIDTokensAreRefused is issue 13's list of ID tokens a sign-in
// must refuse: a wrong issuer, audience or nonce, an expired one, alg
// none, an unknown key id, and a signature by another key. The same
// provider's proper token signs in, so each refusal is the forgery's.
func TestForgedIDTokensAreRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@acme.example")
		h := newHostileProvider(t)
		d, err := e.app.CreateIdP(ctx, owner, acc.ID, app.IdPPatch{Name: ptr("Hostile"), Issuer: ptr(h.URL), ClientID: ptr("tenantry"),
			ClientSecret: ptr("s"), Active: ptr(true)})
		e.must(err)
		_, err = e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: "p@acme.example", FirstName: "P", LastName: "Q", Roles: []string{"user"}, IdP: d.ID})
		e.must(err)
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		claims := func(nonce string, change func(map[string]any)) map[string]any {
			now := e.clock.Now()
			c := map[string]any{"iss": h.URL, "sub": "p-sub", "aud": "tenantry", "nonce": nonce, "email": "p@acme.example",
				"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
			if change != nil {
				change(c)
			}
			return c
		}
		cases := []struct {
			name  string
			forge func(nonce string) string
			want  string
		}{
			{"wrong issuer", func(n string) string {
				return sign(t, h.key, "k1", claims(n, func(c map[string]any) { c["iss"] = "https://evil.example" }))
			}, "could not be verified"},
			{"wrong audience", func(n string) string {
				return sign(t, h.key, "k1", claims(n, func(c map[string]any) { c["aud"] = "someone-else" }))
			}, "could not be verified"},
			{"wrong nonce", func(n string) string { return sign(t, h.key, "k1", claims("another", nil)) }, "answers another sign-in"},
			{"expired", func(n string) string {
				return sign(t, h.key, "k1", claims(n, func(c map[string]any) { c["exp"] = e.clock.Now().Add(-time.Minute).Unix() }))
			}, "could not be verified"},
			{"alg none", func(n string) string {
				payload, _ := json.Marshal(claims(n, nil))
				return b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(string(payload)) + "."
			}, "could not be verified"},
			{"unknown kid", func(n string) string { return sign(t, other, "k2", claims(n, nil)) }, "could not be verified"},
			{"another key", func(n string) string { return sign(t, other, "k1", claims(n, nil)) }, "could not be verified"},
			{"proper", func(n string) string { return sign(t, h.key, "k1", claims(n, nil)) }, ""},
		}
		for _, tc := range cases {
			red, err := e.app.BeginIdPSignIn(ctx, "p@acme.example", "/")
			e.must(err)
			u, _ := url.Parse(red.URL)
			h.nonce, h.forge = u.Query().Get("nonce"), tc.forge
			res, _, err := e.app.FinishIdPSignIn(ctx, app.IdPCallback{Flow: red.Flow, State: u.Query().Get("state"), Code: "c"}, "", "127.0.0.1", "test")
			if tc.want == "" {
				if err != nil || res.Actor.User.Login != "p@acme.example" {
					t.Fatalf("%s: %v", tc.name, err)
				}
				continue
			}
			if tenantry.ErrorCode(err) != tenantry.Unauthenticated || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		// A flow used once is not used again, nor one from another browser.
		red, err := e.app.BeginIdPSignIn(ctx, "p@acme.example", "/")
		e.must(err)
		if _, _, err := e.app.FinishIdPSignIn(ctx, app.IdPCallback{Flow: red.Flow, State: "guessed", Code: "c"}, "", "127.0.0.1", "test"); tenantry.ErrorCode(err) != tenantry.Unauthenticated {
			t.Errorf("a guessed state: %v", err)
		}
		e.clock.Advance(11 * time.Minute)
		u, _ := url.Parse(red.URL)
		if _, _, err := e.app.FinishIdPSignIn(ctx, app.IdPCallback{Flow: red.Flow, State: u.Query().Get("state"), Code: "c"}, "", "127.0.0.1", "test"); err == nil || !strings.Contains(err.Error(), "took longer than 10 minutes") {
			t.Errorf("a stale flow: %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
