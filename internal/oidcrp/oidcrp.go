// Package oidcrp is Tenantry as an OpenID Connect relying party of its
// customers' identity providers: discovery, the authorization request
// with PKCE, the code exchange and the ID token's verification, done by
// coreos/go-oidc and golang.org/x/oauth2. It knows nothing of users or
// sessions; internal/app decides what a verified identity may do.
package oidcrp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/internal/egress"
)

// Provider is an identity provider as the relying party needs it.
type Provider struct {
	ID       string
	Issuer   string
	ClientID string
	Secret   string
	Scopes   []string // besides openid
	// Updated tells a changed provider from the one discovered before.
	Updated time.Time
}

// Errors the relying party returns, for the caller to put in words.
var (
	// ErrUnreachable: the provider did not answer (discovery, keys or the
	// token request).
	ErrUnreachable = errors.New("the identity provider cannot be reached")
	// ErrNoIDToken: the token response had no ID token.
	ErrNoIDToken = errors.New("the identity provider sent no ID token")
	// ErrInvalidToken: the ID token failed verification.
	ErrInvalidToken = errors.New("the identity provider's ID token could not be verified")
	// ErrNonce: the ID token answers another authorization request.
	ErrNonce = errors.New("the identity provider's ID token answers another sign-in")
)

// NotPublicError, within an ErrUnreachable, is the refusal to reach a
// provider (or an endpoint its discovery names) at an address that is
// not public, unless New allowed private ones.
type NotPublicError = egress.NotPublicError

// RefusedError is the provider's refusal of the code exchange.
type RefusedError struct{ Code string }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("the identity provider did not accept the sign-in code (%s)", e.Code)
}

// Identity is what a verified ID token (and, for claims it lacks, the
// userinfo endpoint) says of the person.
type Identity struct {
	Subject string
	Claims  map[string]any
	// AMR are the authentication methods the provider names (RFC 8176).
	AMR []string
}

// RP is the relying party of every provider, each discovered once and
// again when it changes.
type RP struct {
	redirectURL string
	now         func() time.Time
	client      *http.Client
	mu          sync.Mutex
	parties     map[string]*party
}

type party struct {
	updated  time.Time
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// New returns a relying party whose providers send people back to
// redirectURL, checking token times against now. Unless allowPrivate, it
// reaches providers only at public addresses: an org's administrator
// chooses the issuer, which must not let them probe the operator's
// network (egress).
func New(redirectURL string, now func() time.Time, allowPrivate bool) *RP {
	client := egress.Client(egress.Options{Timeout: 10 * time.Second, AllowPrivate: allowPrivate,
		For: "identity providers", FollowRedirects: true})
	return &RP{redirectURL: redirectURL, now: now, client: client, parties: map[string]*party{}}
}

// RedirectURL is the redirect URI to register with providers.
func (r *RP) RedirectURL() string { return r.redirectURL }

// Forget drops what discovery found for a provider.
func (r *RP) Forget(id string) {
	r.mu.Lock()
	delete(r.parties, id)
	r.mu.Unlock()
}

func (r *RP) party(ctx context.Context, p Provider) (*party, error) {
	r.mu.Lock()
	pt := r.parties[p.ID]
	r.mu.Unlock()
	if pt != nil && pt.updated.Equal(p.Updated) {
		return pt, nil
	}
	// The key set fetches keys later with the context discovery had, so
	// it gets one that outlives this request.
	bg := oidc.ClientContext(context.WithoutCancel(ctx), r.client)
	prov, err := oidc.NewProvider(bg, p.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery: %w", ErrUnreachable, err)
	}
	pt = &party{updated: p.Updated, provider: prov,
		verifier: prov.Verifier(&oidc.Config{ClientID: p.ClientID, Now: r.now}),
		oauth: oauth2.Config{ClientID: p.ClientID, ClientSecret: p.Secret, Endpoint: prov.Endpoint(),
			RedirectURL: r.redirectURL, Scopes: append([]string{oidc.ScopeOpenID}, p.Scopes...)}}
	r.mu.Lock()
	r.parties[p.ID] = pt
	r.mu.Unlock()
	return pt, nil
}

// AuthURL is the authorization request for one sign-in: the code flow
// with PKCE (S256) over verifier, state, nonce, the exact redirect URI
// and the login as a hint.
func (r *RP) AuthURL(ctx context.Context, p Provider, state, nonce, verifier, loginHint string) (string, error) {
	pt, err := r.party(ctx, p)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return pt.oauth.AuthCodeURL(state, opts...), nil
}

// NewVerifier returns a PKCE code verifier.
func NewVerifier() string { return oauth2.GenerateVerifier() }

// Exchange redeems code with its PKCE verifier and verifies the ID token:
// signature by the provider's key set, iss, aud, exp and nonce. When the
// token lacks the claim want, the userinfo endpoint is asked, for the
// same subject.
func (r *RP) Exchange(ctx context.Context, p Provider, code, verifier, nonce, want string) (*Identity, error) {
	pt, err := r.party(ctx, p)
	if err != nil {
		return nil, err
	}
	hc := oidc.ClientContext(ctx, r.client)
	tok, err := pt.oauth.Exchange(hc, code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, &RefusedError{Code: re.ErrorCode}
		}
		return nil, fmt.Errorf("%w: token request: %w", ErrUnreachable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, ErrNoIDToken
	}
	idt, err := pt.verifier.Verify(hc, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if idt.Nonce != nonce {
		return nil, ErrNonce
	}
	id := &Identity{Subject: idt.Subject, Claims: map[string]any{}}
	if err := idt.Claims(&id.Claims); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if _, ok := id.Claims[want]; !ok && pt.provider.UserInfoEndpoint() != "" {
		if ui, err := pt.provider.UserInfo(hc, oauth2.StaticTokenSource(tok)); err == nil && ui.Subject == idt.Subject {
			extra := map[string]any{}
			if ui.Claims(&extra) == nil {
				for k, v := range extra {
					if _, ok := id.Claims[k]; !ok {
						id.Claims[k] = v
					}
				}
			}
		}
	}
	if list, ok := id.Claims["amr"].([]any); ok {
		for _, m := range list {
			if s, ok := m.(string); ok {
				id.AMR = append(id.AMR, s)
			}
		}
	}
	return id, nil
}

// Discovery is what a connection test found.
type Discovery struct {
	Authorization string
	JWKS          string
	Keys          int
	PKCE          bool // S256 announced
	Claims        []string
}

// Check reads a provider's discovery document and key set afresh, as a
// sign-in would meet them.
func (r *RP) Check(ctx context.Context, p Provider) (*Discovery, error) {
	r.Forget(p.ID)
	pt, err := r.party(ctx, p)
	if err != nil {
		return nil, err
	}
	var meta struct {
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		Claims        []string `json:"claims_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
	}
	if err := pt.provider.Claims(&meta); err != nil {
		return nil, err
	}
	if meta.Authorization == "" || meta.Token == "" || meta.JWKS == "" {
		return nil, fmt.Errorf("the discovery document lacks the authorization, token or jwks_uri endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, meta.JWKS, nil)
	if err != nil {
		return nil, err
	}
	res, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: key set at %s: %w", ErrUnreachable, meta.JWKS, err)
	}
	defer res.Body.Close()
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&keys); err != nil || res.StatusCode != http.StatusOK || len(keys.Keys) == 0 {
		return nil, fmt.Errorf("the key set at %s holds no keys", meta.JWKS)
	}
	return &Discovery{Authorization: meta.Authorization, JWKS: meta.JWKS, Keys: len(keys.Keys),
		PKCE: slices.Contains(meta.PKCE, "S256"), Claims: meta.Claims}, nil
}
