package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// reader is what authentication and decisions read on every request. A
// tenantry.Tx is one; so is a cachedReader, which answers from memory
// while the store's security epoch stands still.
type reader interface {
	Now() time.Time
	User(ctx context.Context, id string) (*tenantry.User, error)
	UserGrants(ctx context.Context, userID string) ([]tenantry.Grant, error)
	Org(ctx context.Context, id string) (*tenantry.Org, error)
	OrgPath(ctx context.Context, id string) ([]*tenantry.Org, error)
	AccountServices(ctx context.Context, accountID string) ([]string, error)
	SIM(ctx context.Context, iccid string) (*tenantry.SIM, error)
	Session(ctx context.Context, hash string) (*tenantry.Session, error)
	PersonalTokenByHash(ctx context.Context, hash string) (*tenantry.PersonalToken, error)
	TokenRevoked(ctx context.Context, jti string) (bool, error)
}

var _ reader = tenantry.Tx(nil)

// stateCacheSize bounds the rows the cache holds; past it, it starts
// again empty.
const stateCacheSize = 20000

// stateCache holds rows that authentication and decisions read, as of one
// security epoch (tenantry.Store.Epoch). Every change to those rows
// changes the epoch in the same transaction, on every instance's database,
// so a lock, a revocation or a role taken away bites on the next request:
// each request reads the epoch first, and a new epoch empties the cache.
// Rows that were not found are not remembered, and SIMs not at all.
type stateCache struct {
	mu       sync.Mutex
	epoch    int64
	n        int
	users    map[string]*tenantry.User
	grants   map[string][]tenantry.Grant
	orgs     map[string]*tenantry.Org
	paths    map[string][]*tenantry.Org
	services map[string][]string
	sessions map[string]*tenantry.Session
	pats     map[string]*tenantry.PersonalToken
	revoked  map[string]bool
}

func newStateCache() *stateCache {
	c := &stateCache{}
	c.reset(0)
	return c
}

func (c *stateCache) reset(epoch int64) {
	c.epoch, c.n = epoch, 0
	c.users = map[string]*tenantry.User{}
	c.grants = map[string][]tenantry.Grant{}
	c.orgs = map[string]*tenantry.Org{}
	c.paths = map[string][]*tenantry.Org{}
	c.services = map[string][]string{}
	c.sessions = map[string]*tenantry.Session{}
	c.pats = map[string]*tenantry.PersonalToken{}
	c.revoked = map[string]bool{}
}

// at moves the cache to epoch, emptying it if the epoch changed.
func (c *stateCache) at(epoch int64) {
	c.mu.Lock()
	if c.epoch != epoch {
		c.reset(epoch)
	}
	c.mu.Unlock()
}

// forgetSession drops a session, after its last-seen time was written.
func (c *stateCache) forgetSession(hash string) {
	c.mu.Lock()
	delete(c.sessions, hash)
	c.mu.Unlock()
}

// errMiss ends a pass over the cache alone that needs a row it lacks.
var errMiss = errors.New("not cached")

// cachedReader reads through a stateCache. Without a transaction it
// answers from the cache or fails with errMiss; with one it reads what
// is missing and keeps it, if the cache is still at the epoch read before
// the transaction began (rows read later are at least that new).
type cachedReader struct {
	c     *stateCache
	epoch int64
	now   time.Time
	tx    tenantry.Tx
}

// lookup answers key from m, or reads it with read and keeps it. clone
// copies what the caller receives, so no caller changes the cache.
func lookup[V any](r *cachedReader, m func() map[string]V, key string, read func(tenantry.Tx) (V, error), clone func(V) V) (V, error) {
	r.c.mu.Lock()
	v, ok := m()[key]
	r.c.mu.Unlock()
	if ok {
		return clone(v), nil
	}
	if r.tx == nil {
		var zero V
		return zero, errMiss
	}
	v, err := read(r.tx)
	if err != nil {
		return v, err
	}
	r.c.mu.Lock()
	if r.c.epoch == r.epoch {
		if r.c.n >= stateCacheSize {
			r.c.reset(r.epoch)
		}
		m()[key] = v
		r.c.n++
	}
	r.c.mu.Unlock()
	return clone(v), nil
}

func clonePtr[T any](p *T) *T { v := *p; return &v }

// Now is the transaction's time, or the clock's without one.
func (r *cachedReader) Now() time.Time {
	if r.tx != nil {
		return r.tx.Now()
	}
	return r.now
}

func (r *cachedReader) User(ctx context.Context, id string) (*tenantry.User, error) {
	return lookup(r, func() map[string]*tenantry.User { return r.c.users }, id,
		func(tx tenantry.Tx) (*tenantry.User, error) { return tx.User(ctx, id) }, clonePtr)
}

func (r *cachedReader) UserGrants(ctx context.Context, userID string) ([]tenantry.Grant, error) {
	return lookup(r, func() map[string][]tenantry.Grant { return r.c.grants }, userID,
		func(tx tenantry.Tx) ([]tenantry.Grant, error) { return tx.UserGrants(ctx, userID) }, slices.Clone)
}

func (r *cachedReader) Org(ctx context.Context, id string) (*tenantry.Org, error) {
	return lookup(r, func() map[string]*tenantry.Org { return r.c.orgs }, id,
		func(tx tenantry.Tx) (*tenantry.Org, error) { return tx.Org(ctx, id) }, clonePtr)
}

func (r *cachedReader) OrgPath(ctx context.Context, id string) ([]*tenantry.Org, error) {
	return lookup(r, func() map[string][]*tenantry.Org { return r.c.paths }, id,
		func(tx tenantry.Tx) ([]*tenantry.Org, error) { return tx.OrgPath(ctx, id) },
		func(path []*tenantry.Org) []*tenantry.Org {
			out := make([]*tenantry.Org, len(path))
			for i, o := range path {
				out[i] = clonePtr(o)
			}
			return out
		})
}

func (r *cachedReader) AccountServices(ctx context.Context, accountID string) ([]string, error) {
	return lookup(r, func() map[string][]string { return r.c.services }, accountID,
		func(tx tenantry.Tx) ([]string, error) { return tx.AccountServices(ctx, accountID) }, slices.Clone)
}

// SIM is never cached: transfers move SIMs without changing the epoch.
func (r *cachedReader) SIM(ctx context.Context, iccid string) (*tenantry.SIM, error) {
	if r.tx == nil {
		return nil, errMiss
	}
	return r.tx.SIM(ctx, iccid)
}

// Session answers from the cache only while the session's last-seen time
// is fresh there: its last request is written at most every touchEvery
// without changing the epoch, so an older copy is read again, and the
// idle limit is always judged on what the database holds.
func (r *cachedReader) Session(ctx context.Context, hash string) (*tenantry.Session, error) {
	r.c.mu.Lock()
	if s, ok := r.c.sessions[hash]; ok && r.Now().Sub(s.LastSeenAt) >= touchEvery {
		delete(r.c.sessions, hash)
	}
	r.c.mu.Unlock()
	return lookup(r, func() map[string]*tenantry.Session { return r.c.sessions }, hash,
		func(tx tenantry.Tx) (*tenantry.Session, error) { return tx.Session(ctx, hash) },
		func(s *tenantry.Session) *tenantry.Session {
			c := clonePtr(s)
			c.AMR = slices.Clone(s.AMR)
			return c
		})
}

func (r *cachedReader) PersonalTokenByHash(ctx context.Context, hash string) (*tenantry.PersonalToken, error) {
	return lookup(r, func() map[string]*tenantry.PersonalToken { return r.c.pats }, hash,
		func(tx tenantry.Tx) (*tenantry.PersonalToken, error) { return tx.PersonalTokenByHash(ctx, hash) }, clonePtr)
}

func (r *cachedReader) TokenRevoked(ctx context.Context, jti string) (bool, error) {
	return lookup(r, func() map[string]bool { return r.c.revoked }, jti,
		func(tx tenantry.Tx) (bool, error) { return tx.TokenRevoked(ctx, jti) }, func(b bool) bool { return b })
}

// viewState runs fn, which only reads, against the cached state: first
// from the cache alone, and if a row is missing, again in a read
// transaction that fills the cache. The epoch is read before either.
func (a *App) viewState(ctx context.Context, fn func(r reader) error) error {
	epoch, err := a.store.Epoch(ctx)
	if err != nil {
		return err
	}
	a.state.at(epoch)
	r := &cachedReader{c: a.state, epoch: epoch, now: a.cfg.Now().UTC().Truncate(time.Microsecond)}
	if err := fn(r); !errors.Is(err, errMiss) {
		return err
	}
	return a.store.View(ctx, func(tx tenantry.Tx) error {
		r.tx = tx
		return fn(r)
	})
}
