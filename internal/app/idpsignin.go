package app

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/oidcrp"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// IdPCallbackPath is where identity providers send people back to; the
// redirect URI to register with a provider is the public URL and this.
const IdPCallbackPath = "/signin/idp/callback"

// idpFlowTTL bounds the time between leaving for the provider and coming
// back.
const idpFlowTTL = 10 * time.Minute

// idpProvider is d as the relying party needs it, its secret opened.
func (a *App) idpProvider(d *tenantry.IdentityProvider) (oidcrp.Provider, error) {
	secret, err := a.seal.Open(idpSecretContext(d.ID), d.ClientSecret)
	return oidcrp.Provider{ID: d.ID, Issuer: d.Issuer, ClientID: d.ClientID, Secret: secret, Scopes: d.Scopes,
		Updated: d.UpdatedAt}, err
}

// rpError puts what the relying party met in words a person can act on,
// and logs the details.
func (a *App) rpError(ctx context.Context, d *tenantry.IdentityProvider, err error) error {
	var refused *oidcrp.RefusedError
	var private *oidcrp.NotPublicError
	switch {
	case errors.As(err, &private):
		a.log.WarnContext(ctx, "identity provider at an address that is not public", "idp", d.ID, "issuer", d.Issuer, "err", err)
		return tenantry.Errorf(tenantry.Invalid, "%s cannot be reached: its address %s is not a public one; use a public issuer, or ask the operator to allow private ones", d.Name, private.Addr)
	case errors.As(err, &refused):
		return tenantry.Errorf(tenantry.Unauthenticated, "%s: the provider did not accept the sign-in code (%s); start again", d.Name, refused.Code)
	case errors.Is(err, oidcrp.ErrUnreachable):
		a.log.WarnContext(ctx, "identity provider unreachable", "idp", d.ID, "issuer", d.Issuer, "err", err)
		return tenantry.Errorf(tenantry.Unavailable, "%s cannot be reached at the moment; try again later or ask your administrator", d.Name)
	case errors.Is(err, oidcrp.ErrNonce):
		return tenantry.Errorf(tenantry.Unauthenticated, "%s: the provider's ID token answers another sign-in (nonce)", d.Name)
	case errors.Is(err, oidcrp.ErrInvalidToken), errors.Is(err, oidcrp.ErrNoIDToken):
		a.log.WarnContext(ctx, "identity provider ID token refused", "idp", d.ID, "err", err)
		return tenantry.Errorf(tenantry.Unauthenticated, "%s: the provider's ID token could not be verified", d.Name)
	}
	return err
}

// TestIdP checks an identity provider as a sign-in would meet it:
// discovery at its issuer, the key set, and the endpoints the code flow
// needs. It returns what it found, in words.
func (a *App) TestIdP(ctx context.Context, who *Actor, id string) ([]string, error) {
	v, err := a.IdP(ctx, who, id)
	if err != nil {
		return nil, err
	}
	p, err := a.idpProvider(v.IdentityProvider)
	if err != nil {
		return nil, err
	}
	found, err := a.rp.Check(ctx, p)
	if errors.Is(err, oidcrp.ErrUnreachable) {
		return nil, a.rpError(ctx, v.IdentityProvider, err)
	}
	if err != nil {
		return nil, tenantry.Errorf(tenantry.Invalid, "%s: %v", v.Name, err)
	}
	out := []string{
		fmt.Sprintf("Discovery at %s answered.", v.Issuer),
		fmt.Sprintf("Sign-in page: %s", found.Authorization),
		fmt.Sprintf("Key set: %d key(s) at %s", found.Keys, found.JWKS),
	}
	if !found.PKCE {
		out = append(out, "The provider does not announce PKCE (S256); Tenantry sends it anyway.")
	}
	if len(found.Claims) > 0 && !slices.Contains(found.Claims, v.LoginClaim) {
		out = append(out, fmt.Sprintf("The provider does not list the claim %q among its claims; check the login claim.", v.LoginClaim))
	}
	return append(out, fmt.Sprintf("Register this redirect URI with the provider: %s", a.rp.RedirectURL())), nil
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
	err := a.view(ctx, func(tx tenantry.Tx) error {
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
	p, err := a.idpProvider(d)
	if err != nil {
		return nil, err
	}
	f := idpFlow{State: randomString(), Nonce: randomString(), Verifier: oidcrp.NewVerifier(), IdP: d.ID,
		Next: next, Expires: a.cfg.Now().Add(idpFlowTTL).Unix()}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	u, err := a.rp.AuthURL(ctx, p, f.State, f.Nonce, f.Verifier, strings.TrimSpace(login))
	if err != nil {
		return nil, a.rpError(ctx, d, err)
	}
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
	if err := a.view(ctx, func(tx tenantry.Tx) error {
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
	p, err := a.idpProvider(d)
	if err != nil {
		return nil, err
	}
	id, err := a.rp.Exchange(ctx, p, cb.Code, f.Verifier, f.Nonce, d.LoginClaim)
	if err != nil {
		return nil, a.rpError(ctx, d, err)
	}
	claims := id.Claims
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
	mfa := d.TrustMFA && slices.ContainsFunc(id.AMR, func(m string) bool { return slices.Contains(mfaMethods, m) })
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
		if u.IdPSubject != "" && u.IdPSubject != id.Subject {
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
			u.IdPSubject = id.Subject
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
