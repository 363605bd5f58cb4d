package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// The contexts sealed values are bound to, so that none opens in
// another row.
func totpContext(userID string) string    { return "totp:" + userID }
func signingKeyContext(kid string) string { return "signing-key:" + kid }

// SealStored seals the secrets an older Tenantry stored in the clear (TOTP
// secrets, signing keys, the client-secret pepper), in one transaction,
// and reports how many it sealed. It also proves the secret key opens
// what is sealed already: a wrong key fails here, at start-up, not at the
// first sign-in.
func (a *App) SealStored(ctx context.Context) (int, error) {
	n := 0
	err := a.store.Update(ctx, func(tx tenantry.Tx) error {
		n = 0
		ids, err := tx.TOTPUserIDs(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			t, err := tx.TOTP(ctx, id)
			if err != nil {
				return err
			}
			if _, err := a.seal.Open(totpContext(id), t.Secret); err != nil {
				return err
			}
			if !seal.Sealed(t.Secret) {
				t.Secret = a.seal.Seal(totpContext(id), t.Secret)
				if err := tx.PutTOTP(ctx, t); err != nil {
					return err
				}
				n++
			}
		}
		keys, err := tx.SigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := a.seal.Open(signingKeyContext(k.ID), k.PrivateKey); err != nil {
				return err
			}
			if !seal.Sealed(k.PrivateKey) {
				if err := tx.SetSigningKeyPrivate(ctx, k.ID, a.seal.Seal(signingKeyContext(k.ID), k.PrivateKey)); err != nil {
					return err
				}
				n++
			}
		}
		p, err := tx.Setting(ctx, pepperKey)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := a.seal.Open(pepperKey, p); err != nil {
			return err
		}
		if !seal.Sealed(p) {
			n++
			return tx.PutSetting(ctx, pepperKey, a.seal.Seal(pepperKey, p))
		}
		return nil
	})
	return n, err
}
