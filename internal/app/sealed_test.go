package app_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/mail"
	"github.com/tenantry/tenantry/internal/mail/smtptest"
	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestSecretsAtRestAreSealed is finding 6: TOTP secrets, the token
// signing key and the client-secret pepper were stored in the clear, and
// sent mail kept live one-time links in the outbox. A copy of the
// database must yield none of them.
func TestSecretsAtRestAreSealed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, owner := e.account(op, "o@example.com")
		enrol, err := e.app.BeginTOTP(ctx, owner)
		e.must(err)
		_, _, err = e.app.CreateClient(ctx, owner, owner.User.OrgID, app.NewClient{Name: "fleet"})
		e.must(err)
		e.must(e.app.RotateKeys(ctx))
		e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
			t0, err := tx.TOTP(ctx, owner.User.ID)
			if err != nil {
				return err
			}
			if !seal.Sealed(t0.Secret) || strings.Contains(t0.Secret, enrol.Secret) {
				t.Errorf("TOTP secret stored as %q", t0.Secret)
			}
			keys, err := tx.SigningKeys(ctx)
			if err != nil {
				return err
			}
			for _, k := range keys {
				if !seal.Sealed(k.PrivateKey) {
					t.Errorf("signing key %s stored in the clear", k.ID)
				}
			}
			p, err := tx.Setting(ctx, "client_secret_pepper")
			if err != nil {
				return err
			}
			if !seal.Sealed(p) {
				t.Error("the client-secret pepper is stored in the clear")
			}
			return nil
		}))
		// The activation mail, once delivered, leaves no link behind.
		srv := smtptest.Start(t, nil)
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "t@tenantry.test"})
		e.must(err)
		_, err = mail.NewDispatcher(e.db, tr, slog.New(slog.DiscardHandler)).Drain(context.Background())
		e.must(err)
		e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
			all, err := tx.Outbox(ctx, 1000)
			for _, m := range all {
				if strings.Contains(m.Text+m.HTML, "token=") {
					t.Errorf("sent mail %q still holds a link (sent %v, failed %v, %s)", m.Subject, m.SentAt, m.FailedAt, m.LastError)
				}
			}
			return err
		}))
	})
}

// TestOlderClearSecretsAreSealedAtStart: a database from before sealing
// has its secrets sealed by SealStored, and they still work.
func TestOlderClearSecretsAreSealedAtStart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, owner := e.account(op, "o@example.com")
		enrol, err := e.app.BeginTOTP(ctx, owner)
		e.must(err)
		// As an older version stored it.
		e.must(e.db.Update(ctx, func(tx tenantry.Tx) error {
			t0, err := tx.TOTP(ctx, owner.User.ID)
			if err != nil {
				return err
			}
			t0.Secret = enrol.Secret
			return tx.PutTOTP(ctx, t0)
		}))
		n, err := e.app.SealStored(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sealed %d: %v", n, err)
		}
		if n, _ := e.app.SealStored(ctx); n != 0 {
			t.Fatalf("sealed again: %d", n)
		}
		if _, err := e.app.ConfirmTOTP(ctx, owner, auth.TOTPCode(enrol.Secret, e.clock.Now())); err != nil {
			t.Fatalf("the sealed secret does not work: %v", err)
		}
	})
}
