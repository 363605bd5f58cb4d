package app

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/oauth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Via says how an actor authenticated.
type Via int

// The ways in.
const (
	ViaSession Via = iota // a browser or API session cookie
	ViaClient             // an OAuth2 access token of an API user or service account
	ViaPAT                // an Owner's personal access token
	ViaSCIM               // an org's SCIM token: its directory provisioning people
)

// machines holds what token work keeps in memory: the signing keys (the
// database has the truth; every instance reads the same), the pepper of
// client-secret hashes, and the token endpoint's rate limits.
type machines struct {
	mu       sync.RWMutex
	keys     []*oauth.Key
	loadedAt time.Time
	pepper   []byte
	limits   buckets  // grants per client and per address, per second
	failures limiter  // wrong client secrets per client_id and per address, per minute
	clients  sync.Map // client_id -> *cachedClient
	// verified holds the claims of access tokens whose signature this
	// instance checked, by the token's hash, so a token's Ed25519 check
	// runs once, not at every request. Revocation, the client's state and
	// its roles are still read at every request.
	verified     sync.Map // sha256 of the token -> *oauth.Claims
	verifiedSize atomic.Int64
}

// maxVerified bounds the verified-token cache; when full it starts over.
const maxVerified = 10000

// verifiedClaims returns the claims of a token this instance verified
// before and that has not expired, or nil.
func (m *machines) verifiedClaims(raw string, now time.Time) *oauth.Claims {
	v, ok := m.verified.Load(sha256.Sum256([]byte(raw)))
	if !ok {
		return nil
	}
	c := v.(*oauth.Claims)
	if c.Expiry == nil || !now.Before(c.Expiry.Time()) || (c.NotBefore != nil && now.Before(c.NotBefore.Time())) {
		return nil
	}
	return c
}

// rememberVerified keeps a verified token's claims.
func (m *machines) rememberVerified(raw string, c *oauth.Claims) {
	if m.verifiedSize.Add(1) > maxVerified {
		m.verified.Clear()
		m.verifiedSize.Store(1)
	}
	m.verified.Store(sha256.Sum256([]byte(raw)), c)
}

// cachedClient is what a grant needs to know of a client, as of one
// security epoch: a client's secrets, its user row, grants and org move
// the epoch when they change, so a client locked or deleted, or a secret
// revoked, stops being granted tokens at the next grant on every instance.
type cachedClient struct {
	epoch   int64
	actor   *Actor
	secrets []*tenantry.ClientSecret
}

// pepperKey names the setting that holds the client-secret pepper.
const pepperKey = "client_secret_pepper"

func (a *App) secretPepper(ctx context.Context) ([]byte, error) {
	a.m.mu.RLock()
	p := a.m.pepper
	a.m.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	var hexed string
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		b := make([]byte, 32)
		rand.Read(b)
		if err := tx.PutSettingIfAbsent(ctx, pepperKey, a.seal.Seal(pepperKey, hex.EncodeToString(b))); err != nil {
			return err
		}
		stored, err := tx.Setting(ctx, pepperKey)
		if err != nil {
			return err
		}
		hexed, err = a.seal.Open(pepperKey, stored)
		return err
	})
	if err != nil {
		return nil, err
	}
	p, err = hex.DecodeString(hexed)
	if err != nil {
		return nil, err
	}
	a.m.mu.Lock()
	a.m.pepper = p
	a.m.mu.Unlock()
	return p, nil
}

// hashSecret is the keyed hash a client secret is stored as. Secrets carry
// at least 32 characters chosen for entropy, so a fast keyed hash is
// enough, and a grant costs microseconds, not an argon2 run.
func hashSecret(pepper []byte, secret string) string {
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// keysMaxAge bounds how long an instance trusts its cached key list
// before reading the shared one again.
const keysMaxAge = 30 * time.Second

// signingKeys returns the cached keys, reading them again when stale or
// when kid is not among them.
func (a *App) signingKeys(ctx context.Context, now time.Time, kid string) ([]*oauth.Key, error) {
	a.m.mu.RLock()
	keys, age := a.m.keys, now.Sub(a.m.loadedAt)
	a.m.mu.RUnlock()
	known := kid == "" || slices.ContainsFunc(keys, func(k *oauth.Key) bool { return k.ID == kid })
	// An unknown kid reads the keys again, but at most once a second, so
	// tokens with made-up kids cannot keep the database busy.
	if age < keysMaxAge && (known || age < time.Second) {
		return keys, nil
	}
	var stored []*tenantry.SigningKey
	if err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		stored, err = tx.SigningKeys(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	keys = keys[:0:0]
	for _, s := range stored {
		k, err := a.decodeKey(s)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	a.m.mu.Lock()
	a.m.keys, a.m.loadedAt = keys, now
	a.m.mu.Unlock()
	return keys, nil
}

func (a *App) decodeKey(s *tenantry.SigningKey) (*oauth.Key, error) {
	opened, err := a.seal.Open(signingKeyContext(s.ID), s.PrivateKey)
	if err != nil {
		return nil, err
	}
	privDER, err := base64.StdEncoding.DecodeString(opened)
	if err != nil {
		return nil, err
	}
	priv, err := x509.ParsePKCS8PrivateKey(privDER)
	if err != nil {
		return nil, err
	}
	edPriv, ok := priv.(ed25519.PrivateKey)
	if !ok {
		return nil, tenantry.Errorf(tenantry.Internal, "signing key %s is not Ed25519", s.ID)
	}
	return &oauth.Key{ID: s.ID, Private: edPriv, Public: edPriv.Public().(ed25519.PublicKey), CreatedAt: s.CreatedAt,
		RetireAt: s.RetireAt, ExpiresAt: s.ExpiresAt}, nil
}

// RotateKeys makes sure a signing key is in force and a successor exists
// well before it retires. Every instance calls it; keys are shared in the
// database, and a retired key stays published until its tokens expire.
func (a *App) RotateKeys(ctx context.Context) error {
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		stored, err := tx.SigningKeys(ctx)
		if err != nil {
			return err
		}
		if len(stored) > 0 && stored[0].RetireAt.Sub(now) > a.cfg.KeyRotation/2 {
			return nil
		}
		k, err := oauth.NewKey(now, a.cfg.KeyRotation, a.cfg.TokenTTL)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			return err
		}
		pub, err := x509.MarshalPKIXPublicKey(k.Public)
		if err != nil {
			return err
		}
		return tx.AddSigningKey(ctx, &tenantry.SigningKey{ID: k.ID, PrivateKey: a.seal.Seal(signingKeyContext(k.ID), base64.StdEncoding.EncodeToString(der)),
			PublicKey: base64.StdEncoding.EncodeToString(pub), CreatedAt: now, RetireAt: k.RetireAt, ExpiresAt: k.ExpiresAt})
	})
	if err != nil {
		return err
	}
	a.m.mu.Lock()
	a.m.loadedAt = time.Time{} // read them again
	a.m.mu.Unlock()
	return nil
}

// JWKS returns the published public keys.
func (a *App) JWKS(ctx context.Context) (any, error) {
	now := a.cfg.Now()
	keys, err := a.signingKeys(ctx, now, "")
	if err != nil {
		return nil, err
	}
	return oauth.JWKS(keys, now), nil
}

// Issuer and Audience of Tenantry's tokens.
func (a *App) Issuer() string   { return a.cfg.PublicURL }
func (a *App) Audience() string { return a.cfg.PublicURL + "/api" }

// NewClient is an API user or service account to create (U6, U7).
type NewClient struct {
	Kind   tenantry.UserKind // api or service
	Name   string            // client_id is the account number, "_", and this
	Secret string            // "" to have one generated
	Roles  []string          // default: api_user
}

var clientName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,49}$`)

// checkSecret says what is wrong with a chosen client secret.
func checkSecret(secret, name string) string {
	distinct := map[rune]bool{}
	for _, r := range secret {
		distinct[r] = true
	}
	switch {
	case len([]rune(secret)) < 32:
		return "must have at least 32 characters"
	case len(secret) > 512:
		return "must have at most 512 characters"
	case len(distinct) < 12:
		return "is too repetitive: use at least 12 different characters"
	case auth.IsCommonPassword(secret) || strings.Contains(strings.ToLower(secret), name):
		return "is too easy to guess"
	}
	return ""
}

// CreateClient creates an API user or a service account with a client
// secret; the secret is returned this once and stored only as a keyed hash.
// The client_id (its login) is the account number, an underscore and the
// name. API users and service accounts cannot use the portal.
func (a *App) CreateClient(ctx context.Context, who *Actor, orgID string, in NewClient) (*UserView, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	var v tenantry.Validation
	if in.Kind == "" {
		in.Kind = tenantry.UserAPI
	}
	if in.Kind != tenantry.UserAPI && in.Kind != tenantry.UserService {
		v.Add("kind", "must be api or service")
	}
	if !clientName.MatchString(in.Name) {
		v.Add("name", "must be 3 to 50 lower-case letters, digits, dots, dashes or underscores")
	}
	generated := in.Secret == ""
	if generated {
		b := make([]byte, 32)
		rand.Read(b)
		in.Secret = base64.RawURLEncoding.EncodeToString(b)
	} else if msg := checkSecret(in.Secret, in.Name); msg != "" {
		v.Add("client_secret", "%s", msg)
	}
	if len(in.Roles) == 0 {
		in.Roles = []string{"api_user"}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	pepper, err := a.secretPepper(ctx)
	if err != nil {
		return nil, "", err
	}
	var view *UserView
	err = a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.mgmtOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		roles, err := a.assignableRoles(ctx, tx, &v, who, org, in.Roles, true, in.Kind)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		// client_id: the account number, or "platform" for the portal's
		// own applications, an underscore and the name.
		prefix := "platform"
		if org.Kind != tenantry.OrgPlatform {
			acc, err := tx.Org(ctx, org.AccountID)
			if err != nil {
				return err
			}
			prefix = acc.AccountNumber
		}
		u := &tenantry.User{ID: newID(), OrgID: org.ID, Kind: in.Kind, Status: tenantry.UserActive,
			Login: prefix + "_" + in.Name, FirstName: in.Name, Language: "en"}
		if err := tx.CreateUser(ctx, u); err != nil {
			if tenantry.ErrorCode(err) == tenantry.Conflict {
				return &tenantry.Error{Code: tenantry.Conflict, Message: "name: this account has a client of that name already",
					Fields: []tenantry.FieldError{{Field: "name", Message: "is taken in this account"}}}
			}
			return err
		}
		view = &UserView{User: u, Org: org.ID}
		for _, r := range roles {
			g := tenantry.Grant{ID: newID(), UserID: u.ID, OrgID: org.ID, Role: r, CreatedBy: who.User.ID}
			if err := tx.CreateGrant(ctx, &g); err != nil {
				return err
			}
			view.Grants = append(view.Grants, g)
		}
		if err := tx.AddClientSecret(ctx, &tenantry.ClientSecret{ID: newID(), UserID: u.ID, Hash: hashSecret(pepper, in.Secret)}); err != nil {
			return err
		}
		return event(ctx, tx, who, org.ID, "client.create", "user", u.ID, map[string]any{"client_id": u.Login, "kind": string(u.Kind), "roles": roles})
	})
	if err != nil {
		return nil, "", err
	}
	if !generated {
		return view, "", nil // the creator knows it; it is never sent back
	}
	return view, in.Secret, nil
}

// RotateClientSecret adds a new secret to a client; its other secrets keep
// working for overlap (zero ends them now), so callers can switch without
// downtime. The new secret is returned when generated.
func (a *App) RotateClientSecret(ctx context.Context, who *Actor, userID, secret string, overlap time.Duration) (string, error) {
	if err := ready(who); err != nil {
		return "", err
	}
	if err := a.recentAuth(who); err != nil {
		return "", err
	}
	generated := secret == ""
	if generated {
		b := make([]byte, 32)
		rand.Read(b)
		secret = base64.RawURLEncoding.EncodeToString(b)
	}
	pepper, err := a.secretPepper(ctx)
	if err != nil {
		return "", err
	}
	err = a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, userID, "you cannot rotate your own secret")
		if err != nil {
			return err
		}
		if view.Kind == tenantry.UserHuman {
			return tenantry.Errorf(tenantry.Invalid, "people have passwords, not client secrets")
		}
		if !generated {
			if msg := checkSecret(secret, view.FirstName); msg != "" {
				return &tenantry.Error{Code: tenantry.Invalid, Message: "client_secret: " + msg,
					Fields: []tenantry.FieldError{{Field: "client_secret", Message: msg}}}
			}
		}
		id := newID()
		if err := tx.AddClientSecret(ctx, &tenantry.ClientSecret{ID: id, UserID: view.ID, Hash: hashSecret(pepper, secret)}); err != nil {
			return err
		}
		if err := tx.ExpireClientSecrets(ctx, view.ID, id, tx.Now().Add(overlap)); err != nil {
			return err
		}
		return event(ctx, tx, who, view.OrgID, "client.secret_rotate", "user", view.ID, map[string]any{"overlap_seconds": int(overlap.Seconds())})
	})
	if err != nil || !generated {
		return "", err
	}
	return secret, nil
}

// IssuedToken is the answer of a successful grant.
type IssuedToken struct {
	AccessToken string
	ExpiresIn   int
	Scope       string
}

// clientByCredentials checks a client_id and secret without writing
// anything.
func (a *App) clientByCredentials(ctx context.Context, clientID, secret string) (*Actor, error) {
	pepper, err := a.secretPepper(ctx)
	if err != nil {
		return nil, err
	}
	want := hashSecret(pepper, secret)
	now := a.cfg.Now()
	// Read before the client, so what is read is at least this new.
	epoch, err := a.store.Epoch(ctx)
	if err != nil {
		return nil, err
	}
	c, _ := a.m.clients.Load(clientID)
	cached, _ := c.(*cachedClient)
	if cached == nil || cached.epoch != epoch {
		cached = &cachedClient{epoch: epoch}
		err = a.view(ctx, func(tx tenantry.Tx) error {
			u, err := tx.UserByLogin(ctx, clientID)
			if tenantry.ErrorCode(err) == tenantry.NotFound {
				return nil // remembered as no client
			}
			if err != nil {
				return err
			}
			if u.Kind == tenantry.UserHuman || u.Status != tenantry.UserActive {
				return nil
			}
			if cached.secrets, err = tx.ClientSecrets(ctx, u.ID); err != nil {
				return err
			}
			cached.actor, err = a.loadActor(ctx, tx, u)
			return err
		})
		if err != nil {
			return nil, err
		}
		a.m.clients.Store(clientID, cached)
	}
	if cached.actor == nil {
		return nil, oauth.ErrInvalidClient()
	}
	ok := false
	for _, s := range cached.secrets {
		if (s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt)) && subtle.ConstantTimeCompare([]byte(s.Hash), []byte(want)) == 1 {
			ok = true
		}
	}
	if !ok {
		return nil, oauth.ErrInvalidClient()
	}
	who := *cached.actor // a copy: callers may narrow its principal
	who.principal.Grants = slices.Clone(cached.actor.principal.Grants)
	return &who, nil
}

// Wrong client secrets allowed per minute on one instance (finding 12 of
// the security audit): per client_id from one address, and per address
// over all client_ids. Secrets carry 192 bits or more, so this guards
// against noise and load, not against guessing; it is keyed by the
// address too so that nobody locks a client out by naming it.
const (
	SecretFailuresPerMinute        = 10
	SecretFailuresPerAddressMinute = 100
)

// checkClient is clientByCredentials behind the limits on wrong secrets:
// once a client_id from one address, or an address, is over its limit in
// the current minute, it is refused until the minute ends, right secret or
// not.
func (a *App) checkClient(ctx context.Context, now time.Time, clientID, secret, ip string) (*Actor, error) {
	keys := []limit{{"client:" + clientID + "\x00" + ip, SecretFailuresPerMinute}, {"ip:" + ip, SecretFailuresPerAddressMinute}}
	if retry := a.m.failures.over(now, keys...); retry > 0 {
		return nil, oauth.ErrSlowDown(retry)
	}
	who, err := a.clientByCredentials(ctx, clientID, secret)
	var oe *oauth.Error
	if errors.As(err, &oe) && oe.Code == "invalid_client" {
		a.m.failures.take(now, keys...)
	}
	return who, err
}

// IssueToken is the client_credentials grant (RFC 6749 §4.4): it checks
// the client and returns a signed access token with the client's roles,
// narrowed to scope (space-separated action names) if one is asked. It
// writes nothing to the database.
func (a *App) IssueToken(ctx context.Context, clientID, secret, scope, ip string) (*IssuedToken, error) {
	now := a.cfg.Now()
	if retry := a.m.limits.take(now, limit{"client:" + clientID, a.cfg.TokenRatePerClient},
		limit{"ip:" + ip, a.cfg.TokenRatePerAddress}); retry > 0 {
		a.counts.tokens[tokenThrottled].Add(1)
		return nil, oauth.ErrSlowDown(retry)
	}
	who, err := a.checkClient(ctx, now, clientID, secret, ip)
	if err != nil {
		a.counts.tokens[tokenRefused].Add(1)
		return nil, err
	}
	var roles []string
	var actions []string
	for _, g := range who.Grants {
		if g.OrgID == who.User.OrgID {
			roles = append(roles, g.Role)
		}
	}
	if scope != "" {
		for _, name := range strings.Fields(scope) {
			act, ok := policy.ParseAction(name)
			if !ok || !a.policy.Allowed(who.Principal(), act, policy.Target{Org: who.User.OrgID}) {
				return nil, oauth.ErrInvalidScope("the client may not have the scope " + name)
			}
			actions = append(actions, name)
		}
	}
	keys, err := a.signingKeys(ctx, now, "")
	if err != nil {
		return nil, err
	}
	// Sign with the newest key in force that every instance has had time
	// to read (keysMaxAge); a key younger than that is published, not yet
	// used, unless it is the only one.
	var key *oauth.Key
	for _, k := range keys {
		if !now.Before(k.RetireAt) || now.Before(k.CreatedAt) {
			continue
		}
		if key == nil {
			key = k
			continue
		}
		seasoned := now.Sub(k.CreatedAt) >= keysMaxAge
		newer := k.CreatedAt.After(key.CreatedAt) || (k.CreatedAt.Equal(key.CreatedAt) && k.RetireAt.After(key.RetireAt))
		if seasoned && (now.Sub(key.CreatedAt) < keysMaxAge || newer) {
			key = k
		}
	}
	if key == nil {
		return nil, tenantry.Errorf(tenantry.Internal, "no signing key in force; is key rotation running?")
	}
	exp := now.Add(a.cfg.TokenTTL)
	c := oauth.Claims{Claims: jwt.Claims{Issuer: a.Issuer(), Subject: who.User.ID, Audience: jwt.Audience{a.Audience()},
		Expiry: jwt.NewNumericDate(exp), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ID: newID()},
		ClientID: who.User.Login, Org: who.User.OrgID, Roles: roles, Scope: strings.Join(actions, " "), Version: who.User.TokenVersion}
	raw, err := oauth.Sign(key, c)
	if err != nil {
		return nil, err
	}
	a.counts.tokens[tokenIssued].Add(1)
	return &IssuedToken{AccessToken: raw, ExpiresIn: int(a.cfg.TokenTTL.Seconds()), Scope: c.Scope}, nil
}

// AuthenticateBearer returns the actor of an access token or a personal
// access token. A token of a client that was locked, deleted or lost its
// roles since it was issued gives nothing: the check reads the client's
// current state on every request.
func (a *App) AuthenticateBearer(ctx context.Context, raw, ip string) (*Actor, error) {
	unauth := tenantry.Errorf(tenantry.Unauthenticated, "the bearer token is invalid, expired or revoked")
	if strings.HasPrefix(raw, PATPrefix) {
		return a.authenticatePAT(ctx, raw, ip)
	}
	now := a.cfg.Now()
	c := a.m.verifiedClaims(raw, now)
	if c == nil {
		var err error
		c, err = oauth.Verify(raw, func(kid string) ([]*oauth.Key, error) { return a.signingKeys(ctx, now, kid) },
			a.Issuer(), a.Audience(), now)
		if errors.Is(err, oauth.ErrInvalid) {
			return nil, unauth
		}
		if err != nil {
			return nil, err
		}
		a.m.rememberVerified(raw, c)
	}
	var who *Actor
	err := a.viewState(ctx, func(tx reader) error {
		u, err := tx.User(ctx, c.Subject)
		if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
			return err // the database, not the token, is at fault
		}
		if err != nil || u.Status != tenantry.UserActive || u.TokenVersion != c.Version {
			return unauth
		}
		revoked, err := tx.TokenRevoked(ctx, c.ID)
		if err != nil {
			return err
		}
		if revoked {
			return unauth
		}
		all, err := tx.UserGrants(ctx, u.ID)
		if err != nil {
			return err
		}
		// Only roles both in the token and still held count.
		var grants []tenantry.Grant
		for _, g := range all {
			if slices.Contains(c.Roles, g.Role) && g.OrgID == c.Org {
				grants = append(grants, g)
			}
		}
		who = a.newActor(u, grants, tx.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	who.Via, who.IP = ViaClient, ip
	if c.Scope != "" {
		var acts []policy.Action
		for _, name := range strings.Fields(c.Scope) {
			if act, ok := policy.ParseAction(name); ok {
				acts = append(acts, act)
			}
		}
		who.principal.LimitTo(acts)
	}
	who.claims = c
	return who, nil
}

// Introspection is what RFC 7662 says about a token.
type Introspection struct {
	Active    bool
	Subject   string
	ClientID  string
	Org       string
	Roles     []string
	Scope     string
	Issuer    string
	Audience  string
	ID        string // jti
	Expires   time.Time
	IssuedAt  time.Time
	NotBefore time.Time
}

// Introspect tells an authenticated client whether a token is active now
// and what it carries (RFC 7662). Only the token's own client, or another
// client of the same organization (a resource server of that tenant),
// learns anything; any other caller hears active:false, as for a token
// that does not exist.
func (a *App) Introspect(ctx context.Context, clientID, secret, token, ip string) (*Introspection, error) {
	caller, err := a.checkClient(ctx, a.cfg.Now(), clientID, secret, ip)
	if err != nil {
		return nil, err
	}
	who, err := a.AuthenticateBearer(ctx, token, "")
	if err != nil || who.Via != ViaClient || who.User.OrgID != caller.User.OrgID {
		return &Introspection{Active: false}, nil
	}
	c := who.claims
	out := &Introspection{Active: true, Subject: who.User.ID, ClientID: who.User.Login, Org: who.User.OrgID,
		Scope: c.Scope, Issuer: c.Issuer, ID: c.ID, Expires: c.Expiry.Time(), IssuedAt: c.IssuedAt.Time()}
	if c.NotBefore != nil {
		out.NotBefore = c.NotBefore.Time()
	}
	if len(c.Audience) > 0 {
		out.Audience = c.Audience[0]
	}
	for _, g := range who.Grants {
		out.Roles = append(out.Roles, g.Role)
	}
	return out, nil
}

// RevokeToken revokes an access token of the calling client (RFC 7009).
// An unknown, invalid or expired token is ignored, as the RFC asks; a
// valid token of another client is refused (unauthorized_client), as its
// §2.1 says, and stays valid.
func (a *App) RevokeToken(ctx context.Context, clientID, secret, token, ip string) error {
	client, err := a.checkClient(ctx, a.cfg.Now(), clientID, secret, ip)
	if err != nil {
		return err
	}
	who, err := a.AuthenticateBearer(ctx, token, "")
	if err != nil || who.Via != ViaClient {
		return nil
	}
	if who.User.ID != client.User.ID {
		return oauth.ErrUnauthorizedClient("the token was not issued to this client")
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.RevokeToken(ctx, who.claims.ID, who.claims.Expiry.Time()); err != nil {
			return err
		}
		return event(ctx, tx, client, client.User.OrgID, "token.revoke", "user", client.User.ID, map[string]any{"jti": who.claims.ID})
	})
}

// mgmtOrg is memberOrg for the Management API (R3): an actor who came
// with a token (an API client's, or an Owner's personal one) must hold
// configuration.management_api there, which only Owners do.
func (a *App) mgmtOrg(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Org, error) {
	o, err := a.memberOrg(ctx, tx, who, id)
	if err != nil {
		return nil, err
	}
	return o, a.mgmt(who, o.ID)
}

func (a *App) mgmt(who *Actor, org string) error {
	if who.Via != ViaSession && !a.policy.Allowed(who.Principal(), policy.ConfigurationManagementAPI, policy.Target{Org: org}) {
		return forbidden("the Management API takes an Owner's personal access token")
	}
	return nil
}

// limiter is a fixed-window rate limit per key, in this instance's
// memory: the token endpoint must not touch the database to count.
type limiter struct {
	size   time.Duration // the window's length
	mu     sync.Mutex
	window time.Time
	counts map[string]int
}

type limit struct {
	key string
	max int // per second; 0 for no limit
}

// take counts one request under every key; it returns how many seconds
// to wait when any key is over its limit in this window (and then counts
// nothing), else 0.
func (l *limiter) take(now time.Time, limits ...limit) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if retry := l.overLocked(now, limits); retry > 0 {
		return retry
	}
	for _, k := range limits {
		l.counts[k.key]++
	}
	return 0
}

// over is take without counting.
func (l *limiter) over(now time.Time, limits ...limit) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.overLocked(now, limits)
}

func (l *limiter) overLocked(now time.Time, limits []limit) int {
	w := now.Truncate(l.size)
	if !w.Equal(l.window) || l.counts == nil {
		l.window, l.counts = w, map[string]int{}
	}
	for _, k := range limits {
		if k.max > 0 && l.counts[k.key] >= k.max {
			return max(1, int(w.Add(l.size).Sub(now).Seconds()+0.999))
		}
	}
	return 0
}

// ClientSecrets lists a client's secrets (ids and times, never hashes).
func (a *App) ClientSecrets(ctx context.Context, who *Actor, userID string) ([]*tenantry.ClientSecret, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.ClientSecret
	err := a.view(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, userID, "you cannot manage your own secrets")
		if err != nil {
			return err
		}
		if view.Kind == tenantry.UserHuman {
			return tenantry.Errorf(tenantry.Invalid, "people have passwords, not client secrets")
		}
		out, err = tx.ClientSecrets(ctx, view.ID)
		return err
	})
	return out, err
}

// RevokeClientSecret ends one secret of a client at once, typically the
// old one after a rotation; a client's last secret cannot be revoked (lock
// or delete the client instead).
func (a *App) RevokeClientSecret(ctx context.Context, who *Actor, userID, secretID string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, userID, "you cannot manage your own secrets")
		if err != nil {
			return err
		}
		secrets, err := tx.ClientSecrets(ctx, view.ID)
		if err != nil {
			return err
		}
		if len(secrets) == 1 && secrets[0].ID == secretID {
			return tenantry.Errorf(tenantry.Conflict, "this is the client's last secret; add a new one first, or lock the client")
		}
		if err := tx.DeleteClientSecret(ctx, view.ID, secretID); err != nil {
			return err
		}
		return event(ctx, tx, who, view.OrgID, "client.secret_revoke", "user", view.ID, map[string]any{"secret": secretID})
	})
}

// Scopes lists what a client may ask for as scope: the actions of the
// customer catalogues, each narrowing a token to itself.
func (a *App) Scopes() []string { return ScopesOf(a.policy) }

// ScopesOf is Scopes for policy p.
func ScopesOf(p *policy.Policy) []string { return p.CustomerActions() }
