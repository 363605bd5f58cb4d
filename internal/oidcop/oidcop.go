// Package oidcop is Tenantry as the OpenID Provider of the portal's
// applications: zitadel/oidc's op package (OpenID-certified) speaks the
// protocol; this package is its storage, backed by internal/app's use
// cases. The portal's sign-in page, 2FA and identity-provider federation
// are the login UI.
package oidcop

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/oauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// The provider's endpoints, below the issuer (the public URL).
const (
	authorizePath = "oidc/authorize"
	tokenPath     = "oidc/token"
	userinfoPath  = "oidc/userinfo"
	revokePath    = "oidc/revoke"
	endPath       = "oidc/end_session"
	keysPath      = "oidc/keys"
	introPath     = "oidc/introspect"
)

// OrgScopePrefix starts the scope with which an application asks the
// person to sign in for one org: org:ID.
const OrgScopePrefix = "org:"

// AccessTokenTTL is an access token's life: JWTs cannot be revoked, so
// they are short; refresh tokens carry the session.
const AccessTokenTTL = 5 * time.Minute

// Mount serves the OpenID Provider of issuer on mux: discovery at
// /.well-known/openid-configuration and the endpoints under /oidc/.
func Mount(mux *http.ServeMux, a *app.App, issuer string, cryptoKey [32]byte) error {
	cfg := &op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: "/signin?done=signed-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.English, language.German},
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr", "azp",
			"email", "email_verified", "name", "given_name", "family_name", "locale", "org_id", "org_name", "roles"},
	}
	opts := []op.Option{op.WithCustomEndpoints(op.NewEndpoint(authorizePath), op.NewEndpoint(tokenPath),
		op.NewEndpoint(userinfoPath), op.NewEndpoint(revokePath), op.NewEndpoint(endPath), op.NewEndpoint(keysPath)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(introPath)),
		// No device flow; the endpoint it would advertise stays under /oidc/.
		op.WithCustomDeviceAuthorizationEndpoint(op.NewEndpoint("oidc/device_authorization")),
		// Tenantry signs with Ed25519; the verifiers default to RS256.
		op.WithAccessTokenVerifierOpts(op.WithSupportedAccessTokenSigningAlgorithms(string(jose.EdDSA))),
		op.WithIDTokenHintVerifierOpts(op.WithSupportedIDTokenHintSigningAlgorithms(string(jose.EdDSA))),
		op.WithCrypto(accessTokenCrypto{codes: op.NewAES256GCMCrypto(cryptoKey, cfg.CryptoKeyId)})}
	if strings.HasPrefix(issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, &storage{app: a}, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return err
	}
	mux.Handle("/.well-known/openid-configuration", p)
	mux.Handle("/oidc/", p)
	return nil
}

// CallbackPath is where the login UI sends the browser once the person
// signed in: the provider issues the code there.
func CallbackPath(requestID string) string {
	return "/" + authorizePath + "/callback?id=" + requestID
}

// storage is op.Storage over the app.
type storage struct {
	app *app.App
}

var errNotSupported = errors.New("not supported")

// request is an authorization request as the provider sees it.
type request struct {
	rec *tenantry.OIDCRequest
	req oidc.AuthRequest
}

func newRequest(rec *tenantry.OIDCRequest) (*request, error) {
	r := &request{rec: rec}
	return r, json.Unmarshal([]byte(rec.Request), &r.req)
}

func (r *request) GetID() string          { return r.rec.ID }
func (r *request) GetACR() string         { return "" }
func (r *request) GetAMR() []string       { return r.rec.AMR }
func (r *request) GetAudience() []string  { return []string{r.rec.ClientID} }
func (r *request) GetAuthTime() time.Time { return r.rec.AuthTime }
func (r *request) GetClientID() string    { return r.rec.ClientID }
func (r *request) GetNonce() string       { return r.req.Nonce }
func (r *request) GetRedirectURI() string { return r.req.RedirectURI }
func (r *request) GetResponseType() oidc.ResponseType {
	return r.req.ResponseType
}
func (r *request) GetResponseMode() oidc.ResponseMode { return r.req.ResponseMode }
func (r *request) GetScopes() []string                { return r.req.Scopes }
func (r *request) GetState() string                   { return r.req.State }
func (r *request) GetSubject() string                 { return r.rec.UserID }
func (r *request) Done() bool                         { return r.rec.UserID != "" }
func (r *request) GetCodeChallenge() *oidc.CodeChallenge {
	if r.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: r.req.CodeChallenge, Method: r.req.CodeChallengeMethod}
}

// orgOf is the org a token request is for.
func orgOf(req any) string {
	switch r := req.(type) {
	case *request:
		return r.rec.OrgID
	case *refreshRequest:
		return r.t.OrgID
	}
	return ""
}

// CreateAuthRequest keeps a relying party's request. Public clients must
// send PKCE, and PKCE must be S256: plain is a downgrade.
func (s *storage) CreateAuthRequest(ctx context.Context, ar *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	rp, err := s.app.RelyingParty(ctx, ar.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient()
	}
	if ar.CodeChallenge != "" && ar.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	if rp.Public && ar.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("a public client must send a PKCE code_challenge (S256)")
	}
	raw, err := json.Marshal(ar)
	if err != nil {
		return nil, err
	}
	// An application asks for an org with the scope org:ID.
	org := ""
	for _, sc := range ar.Scopes {
		if id, ok := strings.CutPrefix(sc, OrgScopePrefix); ok {
			org = id
		}
	}
	rec, err := s.app.StartOIDCRequest(ctx, ar.ClientID, string(raw), org)
	if err != nil {
		return nil, err
	}
	return newRequest(rec)
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	rec, err := s.app.OIDCRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	return newRequest(rec)
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	rec, err := s.app.OIDCRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	return newRequest(rec)
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.app.SaveOIDCCode(ctx, id, code)
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.app.EndOIDCRequest(ctx, id)
}

// CreateAccessToken makes the access token itself, an RFC 9068 JWT, and
// gives it as the token's id, which accessTokenCrypto hands back as the
// token.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	exp := time.Now().Add(AccessTokenTTL)
	tok, err := s.accessToken(ctx, req, exp)
	return tok, exp, err
}

// accessClaims are an access token's claims (RFC 9068) with the person's
// org and roles there, their e-mail and name where the scopes ask.
type accessClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
	ClientID string   `json:"client_id"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	// ID carries the org, which userinfo and introspection need: ORG:ID.
	ID       string   `json:"jti"`
	Scope    string   `json:"scope,omitempty"`
	AuthTime int64    `json:"auth_time,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	Email    string   `json:"email,omitempty"`
	Name     string   `json:"name,omitempty"`
	OrgID    string   `json:"org_id"`
	OrgName  string   `json:"org_name"`
	Roles    []string `json:"roles"`
}

// accessToken signs the access token of req with the provider's key, in
// RFC 9068's profile (typ at+jwt).
func (s *storage) accessToken(ctx context.Context, req op.TokenRequest, exp time.Time) (string, error) {
	c, err := s.app.OIDCClaims(ctx, req.GetSubject(), orgOf(req))
	if err != nil {
		return "", err
	}
	now := time.Now()
	claims := accessClaims{Issuer: op.IssuerFromContext(ctx), Subject: c.Subject, Audience: req.GetAudience(),
		Expiry: exp.Unix(), IssuedAt: now.Unix(), ID: c.OrgID + ":" + newID(),
		Scope: strings.Join(req.GetScopes(), " "), OrgID: c.OrgID, OrgName: c.OrgName, Roles: c.Roles}
	if len(claims.Audience) > 0 {
		claims.ClientID = claims.Audience[0]
	}
	if r, ok := req.(op.IDTokenRequest); ok {
		claims.AMR = r.GetAMR()
		if t := r.GetAuthTime(); !t.IsZero() {
			claims.AuthTime = t.Unix()
		}
	}
	if slices.Contains(req.GetScopes(), oidc.ScopeEmail) {
		claims.Email = c.Email
	}
	if slices.Contains(req.GetScopes(), oidc.ScopeProfile) {
		claims.Name = strings.TrimSpace(c.GivenName + " " + c.FamilyName)
	}
	k, _, err := s.app.OIDCSigningKey(ctx)
	if err != nil {
		return "", err
	}
	return oauth.Sign(k, claims)
}

// accessTokenCrypto is the provider's Crypto. zitadel/oidc signs the JWT
// access tokens it makes itself with typ JWT, and offers no way to say
// at+jwt (RFC 9068); so applications take bearer tokens, whose id the
// storage makes a signed at+jwt JWT (CreateAccessToken) and which the
// library hands to Encrypt as "ID:SUBJECT": Encrypt gives the JWT back as
// the token. Authorization codes are sealed as the library would. Decrypt
// knows no opaque token, so userinfo, introspection and revocation verify
// the JWT with the provider's access token verifier.
type accessTokenCrypto struct{ codes op.Crypto }

func (c accessTokenCrypto) Encrypt(s string) (string, error) {
	if tok, _, ok := strings.Cut(s, ":"); ok && strings.Count(tok, ".") == 2 {
		return tok, nil
	}
	return c.codes.Encrypt(s)
}

func (accessTokenCrypto) Decrypt(string) (string, error) {
	return "", errors.New("access tokens are JWTs")
}

// refreshRequest is a refresh token as the provider sees it.
type refreshRequest struct {
	t      *tenantry.OIDCRefresh
	scopes []string
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.t.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.UserID }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// CreateAccessAndRefreshTokens issues the refresh token of a code
// exchange, or its rotation.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, _ string) (string, string, time.Time, error) {
	id, exp, err := s.CreateAccessToken(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	t := tenantry.OIDCRefresh{UserID: req.GetSubject(), OrgID: orgOf(req), Scopes: req.GetScopes()}
	switch r := req.(type) {
	case *request:
		t.ClientID, t.AMR, t.AuthTime = r.rec.ClientID, r.rec.AMR, r.rec.AuthTime
	case *refreshRequest:
		t.ClientID, t.AMR, t.AuthTime, t.Family = r.t.ClientID, r.t.AMR, r.t.AuthTime, r.t.Family
	default:
		return "", "", time.Time{}, errNotSupported
	}
	if !slices.Contains(t.Scopes, oidc.ScopeOfflineAccess) {
		return id, "", exp, nil
	}
	// A family starts only for a person who can still sign in for that
	// org; a rotation was checked when its token was redeemed.
	if t.Family == "" {
		if _, err := s.app.OIDCClaims(ctx, t.UserID, t.OrgID); err != nil {
			return "", "", time.Time{}, op.ErrInvalidRefreshToken
		}
	}
	refresh, err := s.app.IssueOIDCRefresh(ctx, t)
	return id, refresh, exp, err
}

// TokenRequestByRefreshToken redeems a refresh token once; a replayed one
// ends its family.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.app.UseOIDCRefresh(ctx, token, "")
	if err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	if _, err := s.app.OIDCClaims(ctx, t.UserID, t.OrgID); err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

// TerminateSession ends the person's refresh tokens at the application
// and, when this browser's Tenantry session is theirs, that session too
// (RP-initiated logout).
func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	if err := s.app.EndOIDCSessions(ctx, userID, clientID); err != nil {
		return err
	}
	if who := httpauth.Actor(ctx); who != nil && who.User.ID == userID {
		return s.app.SignOut(ctx, who)
	}
	return nil
}

func (s *storage) RevokeToken(ctx context.Context, token, userID, clientID string) *oidc.Error {
	if userID == "" {
		return nil // an access token: it ends by itself within minutes
	}
	if err := s.app.EndOIDCSessions(ctx, userID, clientID); err != nil {
		return oidc.ErrServerError()
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.app.PeekOIDCRefresh(ctx, token)
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.UserID, t.Hash, nil
}

// signingKey is Tenantry's Ed25519 key as the provider signs with it.
type signingKey struct {
	id  string
	key ed25519.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.EdDSA }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct {
	id  string
	key ed25519.PublicKey
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.EdDSA }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, _, err := s.app.OIDCSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{id: k.ID, key: k.Private}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.EdDSA}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	_, keys, err := s.app.OIDCSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		out = append(out, publicKey{id: k.ID, key: k.Public})
	}
	return out, nil
}

func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	rp, err := s.app.RelyingParty(ctx, clientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient()
	}
	return client{rp}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	if err := s.app.CheckRelyingParty(ctx, clientID, secret, httpauth.IP(ctx)); err != nil {
		return oidc.ErrInvalidClient()
	}
	return nil
}

// setUserinfo fills the claims of a person for an org.
func (s *storage) setUserinfo(ctx context.Context, ui *oidc.UserInfo, userID, orgID string, scopes []string) error {
	c, err := s.app.OIDCClaims(ctx, userID, orgID)
	if err != nil {
		return err
	}
	ui.Subject = c.Subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			ui.Email, ui.EmailVerified = c.Email, oidc.Bool(c.EmailVerified)
		case oidc.ScopeProfile:
			ui.Name, ui.GivenName, ui.FamilyName = strings.TrimSpace(c.GivenName+" "+c.FamilyName), c.GivenName, c.FamilyName
			ui.Locale = oidc.NewLocale(language.Make(c.Locale))
		}
	}
	ui.AppendClaims("org_id", c.OrgID)
	ui.AppendClaims("org_name", c.OrgName)
	ui.AppendClaims("roles", c.Roles)
	return nil
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ctx, ui, req.GetSubject(), orgOf(req), scopes)
}

func (s *storage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	return nil // SetUserinfoFromRequest fills the ID token
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	org, _, _ := strings.Cut(tokenID, ":")
	return s.setUserinfo(ctx, ui, subject, org, []string{oidc.ScopeEmail, oidc.ScopeProfile})
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	org, _, _ := strings.Cut(tokenID, ":")
	var ui oidc.UserInfo
	if err := s.setUserinfo(ctx, &ui, subject, org, []string{oidc.ScopeEmail, oidc.ScopeProfile}); err != nil {
		return err
	}
	resp.SetUserInfo(&ui)
	resp.Active, resp.ClientID = true, clientID
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotSupported
}

func (s *storage) Health(ctx context.Context) error { return s.app.Ready(ctx) }

// client is a relying party as the provider sees it.
type client struct{ rp *tenantry.RelyingParty }

func (c client) GetID() string                    { return c.rp.ClientID }
func (c client) RedirectURIs() []string           { return c.rp.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string { return c.rp.LogoutURIs }
func (c client) ApplicationType() op.ApplicationType {
	if c.rp.Public {
		return op.ApplicationTypeNative // loopback redirects on any port (RFC 8252), https, app schemes
	}
	return op.ApplicationTypeWeb
}
func (c client) AuthMethod() oidc.AuthMethod {
	if c.rp.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c client) LoginURL(id string) string            { return app.OIDCLoginPath + "?request=" + id }
func (c client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer } // a JWT all the same: accessTokenCrypto
func (c client) IDTokenLifetime() time.Duration       { return time.Hour }
func (c client) DevMode() bool                        { return false }
func (c client) IsScopeAllowed(s string) bool         { return strings.HasPrefix(s, OrgScopePrefix) }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
