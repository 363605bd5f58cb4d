// Package oauth makes and checks Tenantry's OAuth2 access tokens: JWTs in
// the RFC 9068 profile, signed with Ed25519 keys that the store keeps so
// every instance signs and verifies alike. It does no I/O: the caller gives
// it the keys.
package oauth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Key is one signing key: the private half only where this instance may
// sign with it.
type Key struct {
	ID        string
	Private   ed25519.PrivateKey // nil when only verifying
	Public    ed25519.PublicKey
	CreatedAt time.Time
	RetireAt  time.Time // no new tokens after this
	ExpiresAt time.Time // no longer published or accepted after this
}

// NewKey makes a fresh Ed25519 key.
func NewKey(now time.Time, signFor, tokenTTL time.Duration) (*Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 12)
	rand.Read(id)
	retire := now.Add(signFor)
	return &Key{ID: base64.RawURLEncoding.EncodeToString(id), Private: priv, Public: pub, CreatedAt: now,
		RetireAt: retire, ExpiresAt: retire.Add(tokenTTL)}, nil
}

// Claims are the claims of an access token (RFC 9068) with Tenantry's own.
type Claims struct {
	jwt.Claims
	ClientID string   `json:"client_id"`
	Org      string   `json:"org"`
	Roles    []string `json:"roles"`
	Scope    string   `json:"scope,omitempty"`
	// Version is the subject's token version when issued; locking or
	// deleting a client raises it, which ends every token issued before.
	Version int64 `json:"ver"`
}

// Sign returns a compact JWT of claims signed with key, typed at+jwt (RFC
// 9068): Claims for Tenantry's API, or an OpenID Provider's own.
func Sign(key *Key, claims any) (string, error) {
	if key.Private == nil {
		return "", errors.New("oauth: key cannot sign")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key.Private},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", key.ID))
	if err != nil {
		return "", err
	}
	// The claims are marshalled once here: go-jose's JWT builder would
	// marshal them, parse them back into a map and marshal that again.
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// ErrInvalid is every reason a token is refused; Verify wraps the detail.
var ErrInvalid = errors.New("invalid token")

// KeySource returns the keys to check a token against, given the kid it
// names: a cache may read its keys again for a kid it does not know.
type KeySource func(kid string) ([]*Key, error)

// Static is a KeySource of fixed keys.
func Static(keys ...*Key) KeySource {
	return func(string) ([]*Key, error) { return keys, nil }
}

// Verify checks a token's signature against the key its kid names, its
// type, its issuer and audience, and its lifetime at now. The token is
// parsed once.
func Verify(raw string, source KeySource, issuer, audience string, now time.Time) (*Claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(tok.Headers) != 1 {
		return nil, fmt.Errorf("%w: one signature expected", ErrInvalid)
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "at+jwt" {
		return nil, fmt.Errorf("%w: not an access token", ErrInvalid)
	}
	keys, err := source(h.KeyID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(keys, func(k *Key) bool { return k.ID == h.KeyID })
	if i < 0 || !now.Before(keys[i].ExpiresAt) {
		return nil, fmt.Errorf("%w: unknown signing key", ErrInvalid)
	}
	var c Claims
	if err := tok.Claims(keys[i].Public, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}, Time: now}, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if c.Expiry == nil || c.ID == "" || c.Subject == "" {
		return nil, fmt.Errorf("%w: exp, jti and sub are required", ErrInvalid)
	}
	return &c, nil
}

// JWKS returns the public keys as a JSON Web Key Set (RFC 7517).
func JWKS(keys []*Key, now time.Time) jose.JSONWebKeySet {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range keys {
		if now.Before(k.ExpiresAt) {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public, KeyID: k.ID, Algorithm: string(jose.EdDSA), Use: "sig"})
		}
	}
	return set
}
