package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func testMachines(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		for _, id := range []string{"s1", "s2"} {
			if err := tx.AddClientSecret(ctx, &tenantry.ClientSecret{ID: id, UserID: u.ID, Hash: "h-" + id}); err != nil {
				return err
			}
			clock.Advance(time.Second)
		}
		if err := tx.ExpireClientSecrets(ctx, u.ID, "s2", clock.Now().Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.AddSigningKey(ctx, &tenantry.SigningKey{ID: "k1", PrivateKey: "p", PublicKey: "q", CreatedAt: clock.Now(),
			RetireAt: clock.Now().Add(time.Hour), ExpiresAt: clock.Now().Add(2 * time.Hour)}); err != nil {
			return err
		}
		if err := tx.RevokeToken(ctx, "jti-1", clock.Now().Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.RevokeToken(ctx, "jti-1", clock.Now().Add(time.Hour)); err != nil {
			return err
		}
		if err := tx.CreatePersonalToken(ctx, &tenantry.PersonalToken{ID: "t1", UserID: u.ID, Name: "ci", Hash: "ph", ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.PutSettingIfAbsent(ctx, "k", "v1"); err != nil {
			return err
		}
		return tx.PutSettingIfAbsent(ctx, "k", "v2")
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		secrets, err := tx.ClientSecrets(ctx, u.ID)
		if err != nil || len(secrets) != 2 || secrets[0].ID != "s2" || !secrets[0].ExpiresAt.IsZero() || secrets[1].ExpiresAt.IsZero() {
			t.Fatalf("secrets %+v %v", secrets, err)
		}
		keys, _ := tx.SigningKeys(ctx)
		revoked, _ := tx.TokenRevoked(ctx, "jti-1")
		other, _ := tx.TokenRevoked(ctx, "jti-2")
		pat, err := tx.PersonalTokenByHash(ctx, "ph")
		v, _ := tx.Setting(ctx, "k")
		if len(keys) != 1 || keys[0].PublicKey != "q" || !revoked || other || err != nil || pat.Name != "ci" || v != "v1" {
			t.Fatalf("keys %v revoked %v/%v pat %+v %v setting %q", keys, revoked, other, pat, err, v)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeletePersonalToken(ctx, u.ID, "t1") })
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.DeleteClientSecret(ctx, u.ID, "nope") }), tenantry.NotFound)
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteUser(ctx, u.ID) }) // secrets go with the user
}
