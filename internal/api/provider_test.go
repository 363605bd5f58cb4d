package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

var continueLink = regexp.MustCompile(`id="continue-app" href="([^"]+)"`)

// authorize walks a signed-in browser (c) from an application's
// authorization URL to the redirect back to the application, which it
// returns unfollowed.
func authorize(t *testing.T, f *fixture, c *client, authURL string) *url.URL {
	t.Helper()
	hc := &http.Client{Jar: c.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := authURL
	for range 8 {
		res, err := hc.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.StatusCode == http.StatusOK {
			m := continueLink.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no way on: %s", next, body)
			}
			next = f.URL + strings.ReplaceAll(m[1], "&amp;", "&")
			continue
		}
		loc, err := res.Location()
		if err != nil {
			t.Fatalf("%s: %s %s", next, res.Status, body)
		}
		if !strings.HasPrefix(loc.String(), f.URL) {
			return loc
		}
		next = loc.String()
	}
	t.Fatal("too many redirects")
	return nil
}

// TestApplicationsSignPeopleInThroughTenantry is issue 14's item 1 with
// independent clients (coreos/go-oidc and x/oauth2 as the relying party):
// discovery, the code flow with PKCE, the ID token (verified against the
// JWKS, with the org and the person's roles there), userinfo, refresh
// rotation and reuse detection, exact redirect URIs, PKCE downgrade and a
// public client without PKCE refused, another application's audience
// refused, and RP-initiated logout ending the Tenantry session.
func TestApplicationsSignPeopleInThroughTenantry(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixtureWith(t, servertest.Options{Backend: b}) // the public URL is the server's: the issuer
		ctx := context.Background()
		operator := f.clients["operator"]
		f.clients["ownerA"].must(403, "POST", "/api/v1/relying-parties", map[string]any{"name": "x", "redirect_uris": []string{"https://x.example/cb"}})
		if r := operator.must(422, "POST", "/api/v1/relying-parties", map[string]any{"name": "bad", "redirect_uris": []string{"http://evil.example/cb#x"}}); !strings.Contains(r.raw, "redirect_uris") {
			t.Fatalf("a bad redirect URI: %s", r.raw)
		}
		const redirect = "http://127.0.0.1:9/callback"
		reg := operator.must(201, "POST", "/api/v1/relying-parties", map[string]any{"name": "sim-dashboard",
			"redirect_uris": []string{redirect}, "post_logout_redirect_uris": []string{"http://127.0.0.1:9/bye"}})
		other := operator.must(201, "POST", "/api/v1/relying-parties", map[string]any{"name": "invoices", "redirect_uris": []string{"http://127.0.0.1:9/inv"}})
		public := operator.must(201, "POST", "/api/v1/relying-parties", map[string]any{"name": "spa", "public": true, "redirect_uris": []string{"http://127.0.0.1:9/spa"}})
		if public.str("client_secret") != "" {
			t.Fatalf("a public client got a secret: %s", public.raw)
		}

		provider, err := oidc.NewProvider(ctx, f.URL)
		if err != nil {
			t.Fatal(err)
		}
		conf := oauth2.Config{ClientID: reg.str("client_id"), ClientSecret: reg.str("client_secret"), Endpoint: provider.Endpoint(),
			RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess}}
		verifier := oauth2.GenerateVerifier()
		back := authorize(t, f, f.clients["userA"], conf.AuthCodeURL("st-1", oidc.Nonce("n-1"), oauth2.S256ChallengeOption(verifier)))
		if back.Query().Get("state") != "st-1" || back.Query().Get("code") == "" {
			t.Fatalf("back at the application: %s", back)
		}
		tok, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Email string   `json:"email"`
			Name  string   `json:"name"`
			Org   string   `json:"org_id"`
			Roles []string `json:"roles"`
			AMR   []string `json:"amr"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if idt.Subject != f.ids["{userA}"] || idt.Nonce != "n-1" || claims.Email != "userA@example.com" || claims.Org != f.ids["{A}"] ||
			!slices.Equal(claims.Roles, []string{"user"}) || !slices.Contains(claims.AMR, "pwd") {
			t.Fatalf("ID token: sub %s nonce %s %+v", idt.Subject, idt.Nonce, claims)
		}
		// The code works once.
		if _, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a code exchanged twice")
		}
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || ui.Subject != f.ids["{userA}"] || ui.Email != "userA@example.com" {
			t.Fatalf("userinfo: %+v %v", ui, err)
		}
		// The access token is an RFC 9068 JWT (typ at+jwt) that the
		// application can check against the JWKS like the ID token.
		sig, err := jose.ParseSignedCompact(tok.AccessToken, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil || sig.Signatures[0].Protected.ExtraHeaders[jose.HeaderType] != "at+jwt" {
			t.Fatalf("access token header: %+v %v", sig, err)
		}
		at, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		var atc struct {
			ClientID string   `json:"client_id"`
			ID       string   `json:"jti"`
			Email    string   `json:"email"`
			Org      string   `json:"org_id"`
			Roles    []string `json:"roles"`
			AMR      []string `json:"amr"`
		}
		if err := at.Claims(&atc); err != nil || at.Subject != f.ids["{userA}"] || atc.ClientID != conf.ClientID || atc.ID == "" ||
			atc.Email != "userA@example.com" || atc.Org != f.ids["{A}"] || !slices.Equal(atc.Roles, []string{"user"}) || !slices.Contains(atc.AMR, "pwd") {
			t.Fatalf("access token: sub %s %+v %v", at.Subject, atc, err)
		}
		// Another application's audience check refuses this one's ID token.
		if _, err := provider.Verifier(&oidc.Config{ClientID: other.str("client_id")}).Verify(ctx, tok.Extra("id_token").(string)); err == nil {
			t.Fatal("another application accepted the ID token")
		}

		// Refresh rotates; the old refresh token used again ends the family.
		old := tok.RefreshToken
		if old == "" {
			t.Fatal("no refresh token for offline_access")
		}
		fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token()
		if err != nil || fresh.RefreshToken == "" || fresh.RefreshToken == old {
			t.Fatalf("refresh: %+v %v", fresh, err)
		}
		if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: old}).Token(); err == nil {
			t.Fatal("a used refresh token worked again")
		}
		if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
			t.Fatal("the family survived a replay")
		}
		// Another application cannot redeem this one's refresh token.
		tok2 := authorizeAndExchange(t, f, &conf, f.clients["userA"])
		otherConf := conf
		otherConf.ClientID, otherConf.ClientSecret, otherConf.RedirectURL = other.str("client_id"), other.str("client_secret"), "http://127.0.0.1:9/inv"
		if _, err := otherConf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); err == nil {
			t.Fatal("another application redeemed the refresh token")
		}

		// Refused: a redirect URI not registered, a PKCE downgrade, a public
		// client without PKCE. None of them goes back to an application.
		bad := conf
		bad.RedirectURL = "http://127.0.0.1:9/elsewhere"
		pub := oauth2.Config{ClientID: public.str("client_id"), Endpoint: provider.Endpoint(), RedirectURL: "http://127.0.0.1:9/spa",
			Scopes: []string{oidc.ScopeOpenID}}
		for name, u := range map[string]string{
			"unregistered redirect": bad.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)),
			"plain PKCE":            conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")),
			"public without PKCE":   pub.AuthCodeURL("s"),
		} {
			hc := &http.Client{Jar: f.clients["userA"].jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := hc.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, res)
			// Refused: an error page at the provider, or the application's
			// redirect URI with an error; never the sign-in page or a code.
			if res.StatusCode >= 400 && res.StatusCode < 500 {
				continue
			}
			loc, _ := res.Location()
			if loc == nil || strings.HasPrefix(loc.String(), f.URL) || strings.Contains(loc.Path, "/elsewhere") || loc.Query().Get("error") == "" {
				t.Errorf("%s: not refused: %s %v", name, res.Status, loc)
			}
		}
		// The public client with PKCE signs in, without a secret.
		pv := oauth2.GenerateVerifier()
		pback := authorize(t, f, f.clients["userA"], pub.AuthCodeURL("p", oauth2.S256ChallengeOption(pv)))
		if _, err := pub.Exchange(ctx, pback.Query().Get("code"), oauth2.VerifierOption(pv)); err != nil {
			t.Fatalf("public client: %v", err)
		}

		// The operator moves the public client to a new redirect URI: the
		// new one works at once, the old one no longer does.
		operator.must(422, "PUT", "/api/v1/relying-parties/"+public.str("client_id"), map[string]any{"redirect_uris": []string{"ftp://x/cb"}})
		operator.must(404, "PUT", "/api/v1/relying-parties/platform_nope", map[string]any{"redirect_uris": []string{"http://127.0.0.1:9/x"}})
		f.clients["ownerA"].must(403, "PUT", "/api/v1/relying-parties/"+public.str("client_id"), map[string]any{"redirect_uris": []string{"http://127.0.0.1:9/x"}})
		if r := operator.must(200, "PUT", "/api/v1/relying-parties/"+public.str("client_id"), map[string]any{"redirect_uris": []string{"http://127.0.0.1:9/spa2"}}); !strings.Contains(r.raw, "/spa2") {
			t.Fatalf("changed: %s", r.raw)
		}
		pub2 := pub
		pub2.RedirectURL = "http://127.0.0.1:9/spa2"
		pv2 := oauth2.GenerateVerifier()
		if back := authorize(t, f, f.clients["userA"], pub2.AuthCodeURL("p2", oauth2.S256ChallengeOption(pv2))); back.Query().Get("code") == "" || back.Path != "/spa2" {
			t.Fatalf("the new redirect URI: %v", back)
		}
		noFollow := &http.Client{Jar: f.clients["userA"].jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		stale, err := noFollow.Get(pub.AuthCodeURL("p3", oauth2.S256ChallengeOption(pv2)))
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, stale)
		if loc, _ := stale.Location(); stale.StatusCode < 400 && (loc == nil || loc.Path == "/spa" && loc.Query().Get("code") != "") {
			t.Fatalf("the old redirect URI still gets a code: %s %v", stale.Status, loc)
		}

		// A person with roles in two orgs picks one, unless the application
		// asks for one with the scope org:ID.
		f.clients["ownerB"].must(201, "POST", f.path("/api/v1/orgs/{B}/invitations"), map[string]any{"login": "userA@example.com", "roles": []string{"read_only"}})
		f.anon().must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": f.MailTo("userA@example.com").Token()})
		hc0 := &http.Client{Jar: f.clients["userA"].jar}
		res0, err := hc0.Get(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
		if err != nil {
			t.Fatal(err)
		}
		if page := readBody(t, res0); !strings.Contains(page, "Account A") || !strings.Contains(page, "Account B") || strings.Contains(page, "continue-app") {
			t.Fatalf("no choice of org: %s", page)
		}
		scoped := conf
		scoped.Scopes = append(slices.Clone(conf.Scopes), "org:"+f.ids["{B}"])
		inB := authorizeAndExchange(t, f, &scoped, f.clients["userA"])
		idtB, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, inB.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var cb struct {
			Org   string   `json:"org_id"`
			Roles []string `json:"roles"`
		}
		if err := idtB.Claims(&cb); err != nil || cb.Org != f.ids["{B}"] || !slices.Equal(cb.Roles, []string{"read_only"}) {
			t.Fatalf("signed in for B: %+v %v", cb, err)
		}
		notMine := conf
		notMine.Scopes = append(slices.Clone(conf.Scopes), "org:"+f.ids["{platform}"])
		res0, err = hc0.Get(notMine.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
		if err != nil {
			t.Fatal(err)
		}
		if page := readBody(t, res0); res0.StatusCode != http.StatusForbidden || !strings.Contains(page, "where you hold no role") {
			t.Fatalf("an org the person has no role in: %d %s", res0.StatusCode, page)
		}

		// RP-initiated logout ends the Tenantry session.
		f.clients["userA"].must(200, "GET", "/api/v1/session", nil)
		hc := &http.Client{Jar: f.clients["userA"].jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var meta struct {
			End string `json:"end_session_endpoint"`
		}
		if err := provider.Claims(&meta); err != nil || meta.End == "" {
			t.Fatalf("no end_session_endpoint: %v", err)
		}
		res, err := hc.Get(meta.End + "?" + url.Values{"id_token_hint": {tok.Extra("id_token").(string)},
			"post_logout_redirect_uri": {"http://127.0.0.1:9/bye"}, "client_id": {conf.ClientID}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, res)
		if loc, _ := res.Location(); loc == nil || !strings.HasPrefix(loc.String(), "http://127.0.0.1:9/bye") {
			t.Fatalf("logout: %s %v", res.Status, loc)
		}
		f.clients["userA"].must(401, "GET", "/api/v1/session", nil)
	})
}

// authorizeAndExchange signs c in to the application of conf and returns
// its tokens.
func authorizeAndExchange(t *testing.T, f *fixture, conf *oauth2.Config, c *client) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	back := authorize(t, f, c, conf.AuthCodeURL("s", oidc.Nonce("n"), oauth2.S256ChallengeOption(v)))
	tok, err := conf.Exchange(context.Background(), back.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
