package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/oauth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Tenantry as the OpenID Provider of the portal's applications (issue 14):
// the use cases behind internal/oidcop, which speaks the protocol.

// OIDCRequestTTL bounds an authorization request from the application's
// redirect to the code exchange, sign-in included.
const OIDCRequestTTL = 15 * time.Minute

// OIDCRefreshTTL is how long a refresh token works unless rotated first.
const OIDCRefreshTTL = 30 * 24 * time.Hour

// NewRelyingParty registers one of the portal's applications for sign-in.
type NewRelyingParty struct {
	Name string // lower-case, as API user names
	// Public: a browser or native app without a secret (PKCE S256 only).
	Public       bool
	RedirectURIs []string
	LogoutURIs   []string
}

// checkRedirect says what is wrong with a redirect URI, or "": absolute,
// https (http only to this machine), no fragment (OAuth 2.0 §3.1.2).
func checkRedirect(s string) string {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "must be an absolute URL"
	}
	if u.Fragment != "" {
		return "must have no fragment"
	}
	if u.Scheme == "http" {
		if h := u.Hostname(); h != "localhost" && !net.ParseIP(h).IsLoopback() {
			return "must be https (http only for localhost)"
		}
	} else if u.Scheme != "https" {
		return "must be https"
	}
	return ""
}

// checkURIs checks an application's redirect and post-logout URIs.
func checkURIs(redirects, logouts []string) error {
	var v tenantry.Validation
	if len(redirects) == 0 {
		v.Add("redirect_uris", "give at least one")
	}
	for i, u := range redirects {
		if msg := checkRedirect(u); msg != "" {
			v.Add("redirect_uris", "%d (%s) %s", i+1, u, msg)
		}
	}
	for i, u := range logouts {
		if msg := checkRedirect(u); msg != "" {
			v.Add("post_logout_redirect_uris", "%d (%s) %s", i+1, u, msg)
		}
	}
	return v.Err()
}

// ChangeRelyingParty replaces an application's redirect and post-logout
// URIs; the next authorization request is checked against the new ones.
// The operator does.
func (a *App) ChangeRelyingParty(ctx context.Context, who *Actor, clientID string, redirects, logouts []string) (*tenantry.RelyingParty, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.PlatformAccountsCreate, policy.Target{Org: who.User.OrgID}) {
		return nil, forbidden("only the operator changes applications")
	}
	if err := checkURIs(redirects, logouts); err != nil {
		return nil, err
	}
	var rp *tenantry.RelyingParty
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if rp, err = tx.RelyingParty(ctx, clientID); err != nil {
			return err
		}
		rp.RedirectURIs, rp.LogoutURIs = redirects, logouts
		if err := tx.UpdateRelyingParty(ctx, rp); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "relying_party.update", "user", rp.UserID,
			map[string]any{"client_id": rp.ClientID, "redirect_uris": strings.Join(redirects, " "), "post_logout_redirect_uris": strings.Join(logouts, " ")})
	})
	return rp, err
}

// RegisterRelyingParty registers an application that signs people in
// through Tenantry: an API user of the platform with the role
// application (so it asks for decisions with the same credentials) and
// its redirect URIs. The operator does. It returns the client id and, for
// a confidential client, its secret, shown once.
func (a *App) RegisterRelyingParty(ctx context.Context, who *Actor, in NewRelyingParty) (*tenantry.RelyingParty, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	if err := checkURIs(in.RedirectURIs, in.LogoutURIs); err != nil {
		return nil, "", err
	}
	if !a.policy.Allowed(who.Principal(), policy.PlatformAccountsCreate, policy.Target{Org: who.User.OrgID}) {
		return nil, "", forbidden("only the operator registers applications")
	}
	view, secret, err := a.CreateClient(ctx, who, who.User.OrgID, NewClient{Name: in.Name, Roles: []string{"application"}})
	if err != nil {
		return nil, "", err
	}
	rp := &tenantry.RelyingParty{ClientID: view.Login, UserID: view.ID, Name: in.Name, Public: in.Public,
		RedirectURIs: in.RedirectURIs, LogoutURIs: in.LogoutURIs}
	err = a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.CreateRelyingParty(ctx, rp); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "relying_party.create", "user", view.ID,
			map[string]any{"client_id": rp.ClientID, "public": rp.Public, "redirect_uris": strings.Join(rp.RedirectURIs, " ")})
	})
	if err != nil {
		return nil, "", err
	}
	if in.Public {
		secret = ""
	}
	return rp, secret, nil
}

// RelyingParties lists the registered applications, for the operator.
func (a *App) RelyingParties(ctx context.Context, who *Actor) ([]*tenantry.RelyingParty, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if !a.policy.Allowed(who.Principal(), policy.PlatformAccountsCreate, policy.Target{Org: who.User.OrgID}) {
		return nil, forbidden("only the operator sees the registered applications")
	}
	var out []*tenantry.RelyingParty
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		out, err = tx.RelyingParties(ctx)
		return err
	})
	return out, err
}

// The OpenID Provider's own calls: the protocol layer asks, with no actor,
// about clients, requests and tokens it holds the keys to.

// RelyingParty returns a registered client whose API user is active, or
// NotFound.
func (a *App) RelyingParty(ctx context.Context, clientID string) (*tenantry.RelyingParty, error) {
	var rp *tenantry.RelyingParty
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		if rp, err = tx.RelyingParty(ctx, clientID); err != nil {
			return err
		}
		u, err := tx.User(ctx, rp.UserID)
		if err != nil {
			return err
		}
		if u.Status != tenantry.UserActive {
			return notFound("relying party")
		}
		return nil
	})
	return rp, err
}

// CheckRelyingParty checks a confidential client's secret, with the
// limits on wrong secrets of the token endpoint.
func (a *App) CheckRelyingParty(ctx context.Context, clientID, secret, ip string) error {
	rp, err := a.RelyingParty(ctx, clientID)
	if err != nil || rp.Public {
		return oauth.ErrInvalidClient()
	}
	_, err = a.checkClient(ctx, a.cfg.Now(), clientID, secret, ip)
	return err
}

// StartOIDCRequest keeps an authorization request until the code exchange;
// org is the org the application asks the person to sign in for, or "".
func (a *App) StartOIDCRequest(ctx context.Context, clientID, request, org string) (*tenantry.OIDCRequest, error) {
	r := &tenantry.OIDCRequest{ID: newID(), ClientID: clientID, Request: request, OrgID: org, ExpiresAt: a.cfg.Now().Add(OIDCRequestTTL)}
	return r, a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateOIDCRequest(ctx, r) })
}

// OIDCRequest returns an unexpired authorization request.
func (a *App) OIDCRequest(ctx context.Context, id string) (*tenantry.OIDCRequest, error) {
	var r *tenantry.OIDCRequest
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		r, err = tx.OIDCRequest(ctx, id)
		return err
	})
	return r, err
}

// OIDCRequestByCode returns the request a code was issued for.
func (a *App) OIDCRequestByCode(ctx context.Context, code string) (*tenantry.OIDCRequest, error) {
	var r *tenantry.OIDCRequest
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		r, err = tx.OIDCRequestByCode(ctx, auth.HashToken(code))
		return err
	})
	return r, err
}

// SaveOIDCCode records the code issued for a signed-in request; it works
// once, until the request expires.
func (a *App) SaveOIDCCode(ctx context.Context, id, code string) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		r, err := tx.OIDCRequest(ctx, id)
		if err != nil {
			return err
		}
		r.CodeHash = auth.HashToken(code)
		return tx.UpdateOIDCRequest(ctx, r)
	})
}

// EndOIDCRequest removes a request whose code was exchanged or refused.
func (a *App) EndOIDCRequest(ctx context.Context, id string) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.DeleteOIDCRequest(ctx, id) })
}

// OIDCOrgs are the orgs a person may sign in to an application for: those
// where they hold a role, by name.
func (a *App) OIDCOrgs(ctx context.Context, who *Actor) ([]*tenantry.Org, error) {
	var out []*tenantry.Org
	err := a.view(ctx, func(tx tenantry.Tx) error {
		seen := map[string]bool{}
		for _, g := range who.Grants {
			if seen[g.OrgID] {
				continue
			}
			seen[g.OrgID] = true
			o, err := tx.Org(ctx, g.OrgID)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	slices.SortFunc(out, func(x, y *tenantry.Org) int { return strings.Compare(x.Name, y.Name) })
	return out, err
}

// CompleteOIDCRequest records that the signed-in person finished an
// authorization request, for the org they chose (one where they hold a
// role), with how their session proved them.
func (a *App) CompleteOIDCRequest(ctx context.Context, who *Actor, id, orgID string) error {
	if err := ready(who); err != nil {
		return err
	}
	if who.Via != ViaSession {
		return forbidden("sign in with the portal's session to sign in to an application")
	}
	if !a.policy.Member(who.Principal(), orgID) {
		return notFound("organization")
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		r, err := tx.OIDCRequest(ctx, id)
		if err != nil {
			return err
		}
		if r.OrgID != "" && r.OrgID != orgID {
			// The application asked for that org (scope org:ID).
			return forbidden("the application asks you to sign in for another organization")
		}
		r.UserID, r.OrgID, r.AuthTime = who.User.ID, orgID, who.AuthAt
		r.AMR = who.AMR
		if len(r.AMR) == 0 {
			r.AMR = []string{"pwd"}
		}
		if err := tx.UpdateOIDCRequest(ctx, r); err != nil {
			return err
		}
		return event(ctx, tx, who, orgID, "oidc.sign_in", "user", who.User.ID, map[string]any{"client_id": r.ClientID})
	})
}

// OIDCClaims is what an ID token, an access token and userinfo say of a
// person signed in to an application for an org.
type OIDCClaims struct {
	Subject       string
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	Locale        string
	OrgID         string
	OrgName       string
	// Roles are the person's roles in the org; per service where a grant
	// names one ("service_admin:backup").
	Roles []string
}

// OIDCClaims reads the claims of an active person for an org. A locked or
// deleted person, or one without a role there any more, is Unauthenticated.
func (a *App) OIDCClaims(ctx context.Context, userID, orgID string) (*OIDCClaims, error) {
	var c *OIDCClaims
	err := a.view(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, userID)
		if tenantry.ErrorCode(err) == tenantry.NotFound || (err == nil && u.Status != tenantry.UserActive) {
			return tenantry.Errorf(tenantry.Unauthenticated, "the person can no longer sign in")
		}
		if err != nil {
			return err
		}
		grants, err := tx.UserGrants(ctx, u.ID)
		if err != nil {
			return err
		}
		c = &OIDCClaims{Subject: u.ID, Email: u.Email, EmailVerified: u.Status == tenantry.UserActive, GivenName: u.FirstName,
			FamilyName: u.LastName, Locale: u.Language, OrgID: orgID}
		now := tx.Now()
		for _, g := range grants {
			if g.OrgID != orgID || !g.Active(now) {
				continue
			}
			c.Roles = append(c.Roles, RoleSpelling(g.Role, g.Service))
		}
		if len(c.Roles) == 0 {
			return tenantry.Errorf(tenantry.Unauthenticated, "the person holds no role in that organization any more")
		}
		o, err := tx.Org(ctx, orgID)
		if err != nil {
			return err
		}
		c.OrgName = o.Name
		return nil
	})
	return c, err
}

// IssueOIDCRefresh starts a refresh token family for a finished request,
// or continues family after a rotation; it returns the token.
func (a *App) IssueOIDCRefresh(ctx context.Context, t tenantry.OIDCRefresh) (string, error) {
	token, hash := auth.NewToken()
	t.Hash, t.Used = hash, false
	if t.Family == "" {
		t.Family = newID()
	}
	t.ExpiresAt = a.cfg.Now().Add(OIDCRefreshTTL)
	return token, a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateOIDCRefresh(ctx, &t) })
}

// UseOIDCRefresh redeems a refresh token of clientID once. A token used
// before (a replay: the token leaked) ends its whole family, and the
// person signs in again (reuse detection, OAuth 2.0 Security BCP 4.14).
func (a *App) UseOIDCRefresh(ctx context.Context, token, clientID string) (*tenantry.OIDCRefresh, error) {
	invalid := tenantry.Errorf(tenantry.Unauthenticated, "the refresh token is invalid, expired or was used before")
	var t *tenantry.OIDCRefresh
	var reused bool
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		var err error
		t, err = tx.OIDCRefresh(ctx, auth.HashToken(token))
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return invalid
		}
		if err != nil {
			return err
		}
		if (clientID != "" && t.ClientID != clientID) || !tx.Now().Before(t.ExpiresAt) {
			return invalid
		}
		ok, err := tx.UseOIDCRefresh(ctx, t.Hash)
		if err != nil {
			return err
		}
		if !ok {
			reused = true
			if err := tx.EndOIDCRefresh(ctx, t.Family, "", ""); err != nil {
				return err
			}
			return event(ctx, tx, nil, t.OrgID, "oidc.refresh_reused", "user", t.UserID, map[string]any{"client_id": clientID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, invalid
	}
	return t, nil
}

// EndOIDCSessions ends a person's refresh tokens at one application, or at
// every application when clientID is "" (sign-out, a lock, a revocation).
func (a *App) EndOIDCSessions(ctx context.Context, userID, clientID string) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error { return tx.EndOIDCRefresh(ctx, "", userID, clientID) })
}

// OIDCSigningKey returns the key that signs ID and access tokens now, and
// every key still published.
func (a *App) OIDCSigningKey(ctx context.Context) (*oauth.Key, []*oauth.Key, error) {
	now := a.cfg.Now()
	keys, err := a.signingKeys(ctx, now, "")
	if err != nil {
		return nil, nil, err
	}
	var current *oauth.Key
	for _, k := range keys {
		if k.Private != nil && now.Before(k.RetireAt) && (current == nil || k.CreatedAt.After(current.CreatedAt)) {
			current = k
		}
	}
	if current == nil {
		return nil, nil, tenantry.Errorf(tenantry.Internal, "no signing key in force; is key rotation running?")
	}
	return current, keys, nil
}

// OIDCLoginPath is the portal's page where an application's sign-in
// request meets the person's session: sign in first, pick the org, back
// to the provider.
const OIDCLoginPath = "/signin/app"

// PeekOIDCRefresh reads a refresh token without using it.
func (a *App) PeekOIDCRefresh(ctx context.Context, token string) (*tenantry.OIDCRefresh, error) {
	var t *tenantry.OIDCRefresh
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		t, err = tx.OIDCRefresh(ctx, auth.HashToken(token))
		return err
	})
	return t, err
}

// DeriveKey is a 32-byte key for one purpose, from the deployment's secret
// key: the OpenID Provider's own encryption, say.
func (a *App) DeriveKey(purpose string) [32]byte {
	m := hmac.New(sha256.New, a.cfg.SecretKey)
	m.Write([]byte("tenantry key for " + purpose))
	var k [32]byte
	copy(k[:], m.Sum(nil))
	return k
}
