package app

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// IdPCallbackPath is where identity providers send people back to; the
// redirect URI to register with a provider is the public URL and this.
const IdPCallbackPath = "/signin/idp/callback"

// idpFlowTTL bounds the time between leaving for the provider and coming
// back.
const idpFlowTTL = 10 * time.Minute

// relyingParty is Tenantry as a client of one identity provider: what
// discovery found, the key set that verifies its ID tokens, and the
// OAuth2 settings of the code exchange.
type relyingParty struct {
	updated  time.Time
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// relyingParties keeps one relyingParty per provider, made at its first
// use and dropped when the provider changes, so that discovery and the
// key set are not fetched at every sign-in.
type relyingParties struct {
	mu     sync.Mutex
	m      map[string]*relyingParty
	client *http.Client
}

func newRelyingParties() *relyingParties {
	return &relyingParties{m: map[string]*relyingParty{}, client: &http.Client{Timeout: 10 * time.Second}}
}

func (r *relyingParties) forget(id string) {
	r.mu.Lock()
	delete(r.m, id)
	r.mu.Unlock()
}

// relyingParty returns d's relying party, discovering the provider when
// it is new or changed. A provider that cannot be reached is Unavailable.
func (a *App) relyingParty(ctx context.Context, d *tenantry.IdentityProvider) (*relyingParty, error) {
	a.rps.mu.Lock()
	rp := a.rps.m[d.ID]
	a.rps.mu.Unlock()
	if rp != nil && rp.updated.Equal(d.UpdatedAt) {
		return rp, nil
	}
	secret, err := a.seal.Open(idpSecretContext(d.ID), d.ClientSecret)
	if err != nil {
		return nil, err
	}
	// The key set fetches keys later with the context discovery had, so
	// it gets one that outlives this request.
	bg := oidc.ClientContext(context.WithoutCancel(ctx), a.rps.client)
	p, err := oidc.NewProvider(bg, d.Issuer)
	if err != nil {
		a.log.WarnContext(ctx, "identity provider discovery failed", "idp", d.ID, "issuer", d.Issuer, "err", err)
		return nil, tenantry.Errorf(tenantry.Unavailable, "%s cannot be reached at the moment; try again later or ask your administrator", d.Name)
	}
	rp = &relyingParty{
		updated:  d.UpdatedAt,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: d.ClientID, Now: a.cfg.Now}),
		oauth: oauth2.Config{ClientID: d.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(),
			RedirectURL: a.cfg.PublicURL + IdPCallbackPath, Scopes: append([]string{oidc.ScopeOpenID}, d.Scopes...)},
	}
	a.rps.mu.Lock()
	a.rps.m[d.ID] = rp
	a.rps.mu.Unlock()
	return rp, nil
}

// TestIdP checks an identity provider as a sign-in would meet it:
// discovery at its issuer, the key set, and the endpoints the code flow
// needs. It returns what it found, in words.
func (a *App) TestIdP(ctx context.Context, who *Actor, id string) ([]string, error) {
	v, err := a.IdP(ctx, who, id)
	if err != nil {
		return nil, err
	}
	a.rps.forget(v.ID)
	rp, err := a.relyingParty(ctx, v.IdentityProvider)
	if err != nil {
		return nil, err
	}
	var meta struct {
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		UserInfo      string   `json:"userinfo_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		Claims        []string `json:"claims_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
	}
	if err := rp.provider.Claims(&meta); err != nil {
		return nil, err
	}
	var missing []string
	if meta.Authorization == "" {
		missing = append(missing, "authorization_endpoint")
	}
	if meta.Token == "" {
		missing = append(missing, "token_endpoint")
	}
	if meta.JWKS == "" {
		missing = append(missing, "jwks_uri")
	}
	if len(missing) > 0 {
		return nil, tenantry.Errorf(tenantry.Invalid, "%s's discovery document lacks %s", v.Name, strings.Join(missing, ", "))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.JWKS, nil)
	if err != nil {
		return nil, err
	}
	res, err := a.rps.client.Do(req)
	if err != nil {
		return nil, tenantry.Errorf(tenantry.Unavailable, "%s's key set at %s cannot be reached", v.Name, meta.JWKS)
	}
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	err = json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&keys)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || len(keys.Keys) == 0 {
		return nil, tenantry.Errorf(tenantry.Invalid, "%s's key set at %s holds no keys", v.Name, meta.JWKS)
	}
	found := []string{
		fmt.Sprintf("Discovery at %s answered.", v.Issuer),
		fmt.Sprintf("Sign-in page: %s", meta.Authorization),
		fmt.Sprintf("Key set: %d key(s) at %s", len(keys.Keys), meta.JWKS),
	}
	if !slices.Contains(meta.PKCE, "S256") {
		found = append(found, "The provider does not announce PKCE (S256); Tenantry sends it anyway.")
	}
	if len(meta.Claims) > 0 && !slices.Contains(meta.Claims, v.LoginClaim) {
		found = append(found, fmt.Sprintf("The provider does not list the claim %q among its claims; check the login claim.", v.LoginClaim))
	}
	found = append(found, fmt.Sprintf("Register this redirect URI with the provider: %s%s", a.cfg.PublicURL, IdPCallbackPath))
	return found, nil
}

// idpFlow is one sign-in through an identity provider between leaving
// for it and coming back, sealed into the browser: it binds the answer
// to the browser that asked (state), the ID token to the request
// (nonce), and the code to its verifier (PKCE).
type idpFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	IdP      string `json:"i"`
	Next     string `json:"x"`
	Expires  int64  `json:"e"`
}

const idpFlowContext = "idp-flow"

// IdPRedirect sends a browser to an identity provider: URL is the
// provider's authorization request, Flow the sealed state the browser
// keeps (a cookie) until it comes back.
type IdPRedirect struct {
	URL      string
	Flow     string
	Provider string
}

// SignInMethod returns the active identity provider a login signs in
// with, or nil for a password: the sign-in page asks for the login first
// and sends the person on (home-realm discovery). Unknown logins get nil,
// like password logins, so the page tells nothing about them.
func (a *App) SignInMethod(ctx context.Context, login string) (*tenantry.IdentityProvider, error) {
	var d *tenantry.IdentityProvider
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		u, err := tx.UserByLogin(ctx, strings.TrimSpace(login))
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return nil
		}
		if err != nil || u.IdPID == "" || u.Kind != tenantry.UserHuman {
			return err
		}
		d, err = tx.IdP(ctx, u.IdPID)
		return err
	})
	return d, err
}

// BeginIdPSignIn starts the sign-in of the person with login through their
// identity provider: the authorization code flow with PKCE (S256), state
// and nonce, the exact redirect URI, and the login as a hint.
func (a *App) BeginIdPSignIn(ctx context.Context, login, next string) (*IdPRedirect, error) {
	d, err := a.SignInMethod(ctx, login)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, tenantry.Errorf(tenantry.Invalid, "this login signs in with a password")
	}
	if !d.Active {
		return nil, tenantry.Errorf(tenantry.Unavailable, "sign-in through %s is switched off; ask your administrator", d.Name)
	}
	rp, err := a.relyingParty(ctx, d)
	if err != nil {
		return nil, err
	}
	f := idpFlow{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(), IdP: d.ID,
		Next: next, Expires: a.cfg.Now().Add(idpFlowTTL).Unix()}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	u := rp.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("login_hint", strings.TrimSpace(login)))
	return &IdPRedirect{URL: u, Flow: a.seal.Seal(idpFlowContext, string(raw)), Provider: d.Name}, nil
}

// randomString is 256 random bits, URL-safe.
func randomString() string {
	t, _ := auth.NewToken()
	return t
}

// IdPCallback is what an identity provider sent back, with the flow the
// browser kept.
type IdPCallback struct {
	Flow             string
	State            string
	Code             string
	Error            string // the provider's error code, e.g. access_denied
	ErrorDescription string
}

// mfaMethods are the RFC 8176 amr values that prove more than a password.
var mfaMethods = []string{"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris", "retina", "sc", "vbm"}

// FinishIdPSignIn completes a sign-in through an identity provider: the
// code is exchanged with its PKCE verifier, the ID token verified
// (signature by the provider's key set, iss, aud, exp, and the nonce),
// the configured claim matched to exactly one user who signs in through
// that provider, and a session opened under the org's rules. A first
// sign-in activates an invited user and binds them to the provider's
// subject. It returns the result and where the person wanted to go.
func (a *App) FinishIdPSignIn(ctx context.Context, cb IdPCallback, oldToken, ip, userAgent string) (*SignInResult, string, error) {
	var f idpFlow
	raw, err := a.seal.Open(idpFlowContext, cb.Flow)
	if err != nil || cb.Flow == "" || json.Unmarshal([]byte(raw), &f) != nil ||
		subtle.ConstantTimeCompare([]byte(f.State), []byte(cb.State)) != 1 {
		a.counts.signIn[signInFailed].Add(1)
		return nil, "", tenantry.Errorf(tenantry.Unauthenticated, "this sign-in was not started in this browser, or was started twice; start again")
	}
	if a.cfg.Now().Unix() > f.Expires {
		a.counts.signIn[signInFailed].Add(1)
		return nil, "", tenantry.Errorf(tenantry.Unauthenticated, "this sign-in took longer than %d minutes; start again", int(idpFlowTTL/time.Minute))
	}
	var d *tenantry.IdentityProvider
	if err := a.store.View(ctx, func(tx tenantry.Tx) error {
		d, err = tx.IdP(ctx, f.IdP)
		return err
	}); err != nil {
		return nil, "", err
	}
	res, err := a.finishIdP(ctx, d, &f, cb, oldToken, ip, userAgent)
	if err != nil {
		a.counts.signIn[signInFailed].Add(1)
		if e := a.store.Update(ctx, func(tx tenantry.Tx) error {
			return event(ctx, tx, nil, d.OrgID, "session.idp_failed", "idp", d.ID, map[string]any{"reason": err.Error(), "ip": ip})
		}); e != nil {
			return nil, "", e
		}
		return nil, "", err
	}
	if res.MFARequired {
		a.counts.signIn[signInMFA].Add(1)
	} else {
		a.counts.signIn[signInOK].Add(1)
	}
	return res, f.Next, nil
}

func (a *App) finishIdP(ctx context.Context, d *tenantry.IdentityProvider, f *idpFlow, cb IdPCallback, oldToken, ip, userAgent string) (*SignInResult, error) {
	refused := func(format string, args ...any) error {
		return tenantry.Errorf(tenantry.Unauthenticated, "%s: %s", d.Name, fmt.Sprintf(format, args...))
	}
	if cb.Error != "" {
		if cb.ErrorDescription != "" {
			return nil, refused("the sign-in was refused (%s: %s)", cb.Error, cb.ErrorDescription)
		}
		return nil, refused("the sign-in was refused (%s)", cb.Error)
	}
	if !d.Active {
		return nil, tenantry.Errorf(tenantry.Unavailable, "sign-in through %s is switched off; ask your administrator", d.Name)
	}
	rp, err := a.relyingParty(ctx, d)
	if err != nil {
		return nil, err
	}
	hc := oidc.ClientContext(ctx, a.rps.client)
	tok, err := rp.oauth.Exchange(hc, cb.Code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, refused("the provider did not accept the sign-in code (%s); start again", re.ErrorCode)
		}
		a.log.WarnContext(ctx, "identity provider token request failed", "idp", d.ID, "err", err)
		return nil, tenantry.Errorf(tenantry.Unavailable, "%s cannot be reached at the moment; try again later", d.Name)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, refused("the provider sent no ID token")
	}
	idt, err := rp.verifier.Verify(hc, rawID)
	if err != nil {
		a.log.WarnContext(ctx, "identity provider ID token refused", "idp", d.ID, "err", err)
		return nil, refused("the provider's ID token could not be verified")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, refused("the provider's ID token answers another sign-in (nonce)")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	if _, ok := claims[d.LoginClaim]; !ok && rp.provider.UserInfoEndpoint() != "" {
		// Some providers put profile claims in userinfo only.
		ui, err := rp.provider.UserInfo(hc, oauth2.StaticTokenSource(tok))
		if err != nil {
			a.log.WarnContext(ctx, "identity provider userinfo failed", "idp", d.ID, "err", err)
		} else if ui.Subject == idt.Subject {
			extra := map[string]any{}
			if err := ui.Claims(&extra); err == nil {
				for k, v := range extra {
					if _, ok := claims[k]; !ok {
						claims[k] = v
					}
				}
			}
		}
	}
	value, _ := claims[d.LoginClaim].(string)
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, refused("the provider sent no %q claim to match a user by; ask your administrator to check the login claim", d.LoginClaim)
	}
	if d.LoginClaim == "email" {
		if verified, ok := claims["email_verified"].(bool); ok && !verified {
			return nil, refused("the provider has not verified the e-mail address %s", value)
		}
	}
	if len(d.Domains) > 0 {
		at := strings.LastIndexByte(value, '@')
		if at < 0 || !slices.Contains(d.Domains, strings.ToLower(value[at+1:])) {
			return nil, refused("%s is not in a domain this provider may sign in (%s)", value, strings.Join(d.Domains, ", "))
		}
	}
	var amr []string
	switch v := claims["amr"].(type) {
	case []any:
		for _, m := range v {
			if s, ok := m.(string); ok {
				amr = append(amr, s)
			}
		}
	}
	mfa := d.TrustMFA && slices.ContainsFunc(amr, func(m string) bool { return slices.Contains(mfaMethods, m) })
	res := &SignInResult{}
	err = a.store.Update(ctx, func(tx tenantry.Tx) error {
		users, err := tx.UsersByExternalLogin(ctx, d.ID, value)
		if err != nil {
			return err
		}
		switch len(users) {
		case 0:
			return refused("no user signs in through this provider as %s; ask your administrator to create one", value)
		case 2:
			return refused("more than one user signs in through this provider as %s; ask your administrator", value)
		}
		u := users[0]
		if sec, err := a.usableIdP(ctx, tx, u.OrgID, d.ID); err != nil || sec == nil {
			if err != nil {
				return err
			}
			return refused("%s's organization does not use this provider any more; ask your administrator", value)
		}
		if u.IdPSubject != "" && u.IdPSubject != idt.Subject {
			return refused("%s is bound to another account at this provider; ask your administrator", value)
		}
		switch u.Status {
		case tenantry.UserLocked:
			return tenantry.Errorf(tenantry.Unauthenticated, "this user is locked; ask an administrator")
		case tenantry.UserInvited:
			u.Status = tenantry.UserActive
			if err := event(ctx, tx, &Actor{User: u, IP: ip}, u.OrgID, "user.activate", "user", u.ID, map[string]any{"via": "idp", "idp": d.ID}); err != nil {
				return err
			}
		}
		if u.IdPSubject == "" {
			u.IdPSubject = idt.Subject
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		methods := []string{"fed"}
		if mfa {
			methods = append(methods, "mfa")
		}
		return a.openSession(ctx, tx, u, res, oldToken, ip, userAgent, u.TOTPEnabled && !mfa, methods)
	})
	return res, err
}
