package app

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
	"strings"
)

// throttleKey is one key with the policy that governs it.
type throttleKey struct {
	key    string
	policy auth.Throttle
}

func (a *App) loginKeys(login, ip string) []throttleKey {
	keys := []throttleKey{{"login:" + strings.ToLower(login), a.cfg.Throttle}}
	if ip != "" {
		keys = append(keys, throttleKey{"ip:" + ip, a.cfg.AddressThrottle})
	}
	return keys
}

func (a *App) totpKeys(userID, ip string) []throttleKey {
	keys := []throttleKey{{"totp:" + userID, a.cfg.Throttle}}
	if ip != "" {
		keys = append(keys, throttleKey{"ip:" + ip, a.cfg.AddressThrottle})
	}
	return keys
}

// reserve takes one attempt under every key, in its own committed
// transaction, before the slow check runs: so however many requests come
// at once, no more are evaluated than the limit allows. When any key
// refuses, none is charged and the error says when to retry.
func (a *App) reserve(ctx context.Context, keys []throttleKey) error {
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		now := tx.Now()
		for _, k := range keys {
			t, err := tx.LockThrottle(ctx, k.key)
			if err != nil {
				return err
			}
			f, next, wait, ok := k.policy.Reserve(t.Failures, t.NextAt, now)
			if !ok {
				return &tenantry.Error{Code: tenantry.Throttled, RetryAfter: wait.Round(time.Second) + time.Second,
					Message: "too many failed attempts; wait before trying again"}
			}
			t.Failures, t.NextAt = f, next
			if err := tx.PutThrottle(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// clearThrottle forgets the failures under keys after a success.
func clearThrottle(ctx context.Context, tx tenantry.Tx, keys []throttleKey) error {
	for _, k := range keys {
		if err := tx.DeleteThrottle(ctx, k.key); err != nil {
			return err
		}
	}
	return nil
}
