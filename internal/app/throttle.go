package app

import (
	"context"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// throttleKey is one key with the policy that governs it. shared marks a
// key that many people's attempts fall under (an address): a success gives
// back its own slot instead of clearing everyone's failures.
type throttleKey struct {
	key    string
	policy auth.Throttle
	shared bool
}

// pairKey names a login tried from one address; the tab cannot occur in
// a login, so one login's pairs share a prefix no other login's have.
func pairKey(login, ip string) string { return "pair:" + strings.ToLower(login) + "\t" + ip }

// loginKeys are a sign-in's keys: the login from this address (locks
// after ten failures, so an attacker locks out only their own address),
// the login from anywhere (slows a spread-out guesser down, never locks),
// and the address across logins (locks an address that tries many).
func (a *App) loginKeys(login, ip string) []throttleKey {
	keys := []throttleKey{{key: pairKey(login, ip), policy: a.cfg.Throttle},
		{key: "login:" + strings.ToLower(login), policy: a.cfg.LoginThrottle}}
	if ip != "" {
		keys = append(keys, throttleKey{key: "ip:" + ip, policy: a.cfg.AddressThrottle, shared: true})
	}
	return keys
}

func (a *App) totpKeys(userID, ip string) []throttleKey {
	keys := []throttleKey{{key: "totp:" + userID, policy: a.cfg.Throttle}}
	if ip != "" {
		keys = append(keys, throttleKey{key: "ip:" + ip, policy: a.cfg.AddressThrottle, shared: true})
	}
	return keys
}

// reserve takes one attempt under every key, in its own committed
// transaction, before the slow check runs: so however many requests come
// at once, no more are evaluated than the limit allows. A slot is no wait:
// correct attempts at once all go through. When any key refuses, none is
// charged and the error says when to retry.
func (a *App) reserve(ctx context.Context, keys []throttleKey) error {
	return a.eachThrottle(ctx, keys, func(k throttleKey, c auth.Count, now time.Time) (auth.Count, error) {
		c, wait, ok := k.policy.Reserve(c, now)
		if !ok {
			return c, &tenantry.Error{Code: tenantry.Throttled, RetryAfter: wait.Round(time.Second) + time.Second,
				Message: "too many failed attempts; wait before trying again"}
		}
		return c, nil
	})
}

// failedWith records a failed attempt under keys and returns err, or the
// error of recording it.
func (a *App) failedWith(ctx context.Context, keys []throttleKey, err error) error {
	if ferr := a.failed(ctx, keys); ferr != nil {
		return ferr
	}
	return err
}

// failed records that the reserved attempt under keys failed, so that the
// next one waits as the keys' policies say.
func (a *App) failed(ctx context.Context, keys []throttleKey) error {
	return a.eachThrottle(ctx, keys, func(k throttleKey, c auth.Count, now time.Time) (auth.Count, error) {
		return k.policy.Fail(c, now), nil
	})
}

func (a *App) eachThrottle(ctx context.Context, keys []throttleKey, fn func(throttleKey, auth.Count, time.Time) (auth.Count, error)) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		for _, k := range keys {
			t, err := tx.LockThrottle(ctx, k.key)
			if err != nil {
				return err
			}
			c, err := fn(k, auth.Count{Failures: t.Failures, NextAt: t.NextAt, LastAt: t.LastAt}, now)
			if err != nil {
				return err
			}
			t.Failures, t.NextAt, t.LastAt = c.Failures, c.NextAt, c.LastAt
			if err := tx.PutThrottle(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// succeeded settles keys after a success, in the success's transaction:
// a person's keys are cleared, a shared key gets its slot back.
func succeeded(ctx context.Context, tx tenantry.Tx, keys []throttleKey) error {
	for _, k := range keys {
		if !k.shared {
			if err := tx.DeleteThrottle(ctx, k.key); err != nil {
				return err
			}
			continue
		}
		t, err := tx.LockThrottle(ctx, k.key)
		if err != nil {
			return err
		}
		c := k.policy.GiveBack(auth.Count{Failures: t.Failures, NextAt: t.NextAt, LastAt: t.LastAt})
		t.Failures = c.Failures
		if err := tx.PutThrottle(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// forgetLoginFailures lifts every sign-in limit on a login, from every
// address: an administrator unlocked the user or a password was reset.
func forgetLoginFailures(ctx context.Context, tx tenantry.Tx, login string) error {
	if err := tx.DeleteThrottle(ctx, "login:"+strings.ToLower(login)); err != nil {
		return err
	}
	return tx.DeleteThrottlePrefix(ctx, pairKey(login, ""))
}

// confirmPassword checks the actor's own password behind the sign-in
// limits, naming field when it is wrong. It returns the keys it reserved,
// which the change's transaction settles with succeeded.
func (a *App) confirmPassword(ctx context.Context, who *Actor, password, field string) ([]throttleKey, error) {
	keys := a.loginKeys(who.User.Login, who.IP)
	if err := a.reserve(ctx, keys); err != nil {
		return nil, err
	}
	ok, err := a.checkPassword(who.User, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, a.failedWith(ctx, keys, tenantry.FieldInvalid(field, "is wrong"))
	}
	return keys, nil
}
