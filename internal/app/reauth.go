package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// recentAuth refuses a session actor whose session has not proved its
// user (password, and TOTP where enrolled) within ReauthWindow, so that a
// stolen session cookie cannot mint a personal access token, change the
// second factor or the password, or rotate a client secret. Token actors
// pass: their credential was made by such a session, for automation.
func (a *App) recentAuth(who *Actor) error {
	if who.Via != ViaSession {
		return nil
	}
	if !who.AuthAt.IsZero() && a.cfg.Now().Sub(who.AuthAt) <= a.cfg.ReauthWindow {
		return nil
	}
	msg := "confirm it is you: enter your password again"
	if who.User.TOTPEnabled {
		msg = "confirm it is you: enter your password and a code from your authenticator app again"
	}
	return tenantry.Errorf(tenantry.ReauthenticationRequired, "%s", msg)
}

// NeedsReauth reports whether a sensitive change by the actor would first
// ask them to prove who they are; the portal asks before showing its form.
func (a *App) NeedsReauth(who *Actor) bool {
	return who != nil && a.recentAuth(who) != nil
}

// Reauthenticate proves the actor's session again: the password, and a
// code from the authenticator app (or a recovery code) where enrolled.
// It is throttled like a sign-in.
func (a *App) Reauthenticate(ctx context.Context, who *Actor, password, code, recoveryCode string) error {
	if err := ready(who, stepPassword, stepEnrol); err != nil {
		return err
	}
	if who.Via != ViaSession {
		return forbidden("only a signed-in session proves who it is again")
	}
	var v tenantry.Validation
	if password == "" {
		v.Add("password", "is required")
	}
	if who.User.TOTPEnabled && code == "" && recoveryCode == "" {
		v.Add("code", "enter the code from your authenticator app")
	}
	if err := v.Err(); err != nil {
		return err
	}
	keys, err := a.confirmPassword(ctx, who, password, "password")
	if err != nil {
		return err
	}
	err = a.update(ctx, func(tx tenantry.Tx) error {
		if who.User.TOTPEnabled {
			err := a.useSecondFactor(ctx, tx, who.User.ID, code, recoveryCode)
			if tenantry.ErrorCode(err) == tenantry.Unauthenticated {
				field := "code"
				if recoveryCode != "" {
					field = "recovery_code"
				}
				return tenantry.FieldInvalid(field, "is wrong or was used already")
			}
			if err != nil {
				return err
			}
		}
		if err := succeeded(ctx, tx, keys); err != nil {
			return err
		}
		if err := tx.CompleteMFA(ctx, who.Session); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "session.reauthenticate", "user", who.User.ID, nil)
	})
	if tenantry.ErrorCode(err) == tenantry.Invalid {
		return a.failedWith(ctx, keys, err)
	}
	return err
}
