package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// administered loads a user the actor may administer and who is not the
// actor: the target of lock, reset and the like. self is the refusal
// when it is the actor ("you cannot lock yourself"), a whole sentence so
// that each language says it its way.
func (a *App) administered(ctx context.Context, tx tenantry.Tx, who *Actor, id, self string) (*UserView, error) {
	view, err := a.visibleUser(ctx, tx, who, id)
	if err != nil {
		return nil, err
	}
	if view.ID == who.User.ID {
		return nil, &tenantry.Error{Code: tenantry.Forbidden, Message: self}
	}
	if err := a.mayAdminister(who, view); err != nil {
		return nil, err
	}
	if err := home(view); err != nil {
		return nil, err
	}
	return view, nil
}

// ResendActivation e-mails an invited user a new activation link; the
// old link stops working (U3).
func (a *App) ResendActivation(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, id, "you cannot re-invite yourself")
		if err != nil {
			return err
		}
		if view.Status != tenantry.UserInvited {
			return tenantry.Errorf(tenantry.Conflict, "this user has set a password already; reset it instead")
		}
		link, hash, err := a.issueToken(ctx, tx, view.User, tenantry.TokenActivation)
		if err != nil {
			return err
		}
		if err := a.queue(ctx, tx, view.Email, view.User, notice.Activation, hash, notice.Data{Link: link}); err != nil {
			return err
		}
		return event(ctx, tx, who, view.OrgID, "user.activation_resend", "user", view.ID, nil)
	})
}

// LockUser stops a user from signing in; every session and one-time token
// of the user ends at once (U5).
func (a *App) LockUser(ctx context.Context, who *Actor, id string) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if view, err = a.administered(ctx, tx, who, id, "you cannot lock yourself"); err != nil {
			return err
		}
		if err := a.handsOff(ctx, tx, who, view); err != nil {
			return err
		}
		return a.lock(ctx, tx, who, view.User)
	})
	return view, err
}

// lock locks u, unless it is locked already, and ends its sessions,
// tokens and applications' refresh tokens.
func (a *App) lock(ctx context.Context, tx tenantry.Tx, who *Actor, u *tenantry.User) error {
	if u.Status == tenantry.UserLocked {
		return nil
	}
	u.Status = tenantry.UserLocked
	u.TokenVersion++ // tokens issued before stay dead after an unlock
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	if err := tx.EndOIDCRefresh(ctx, "", u.ID, ""); err != nil {
		return err
	}
	if err := tx.DeleteAllUserTokens(ctx, u.ID); err != nil {
		return err
	}
	return event(ctx, tx, who, u.OrgID, "user.lock", "user", u.ID, nil)
}

// UnlockUser lets a locked user sign in again; one who never set a
// password goes back to invited. It also lifts the limits that failed
// sign-ins put on the user's login, from every address.
func (a *App) UnlockUser(ctx context.Context, who *Actor, id string) (*UserView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *UserView
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if view, err = a.administered(ctx, tx, who, id, "you cannot unlock yourself"); err != nil {
			return err
		}
		if err := a.handsOff(ctx, tx, who, view); err != nil {
			return err
		}
		if err := forgetLoginFailures(ctx, tx, view.Login); err != nil {
			return err
		}
		if view.Status != tenantry.UserLocked {
			return event(ctx, tx, who, view.OrgID, "user.unlock", "user", view.ID, map[string]any{"failed_sign_ins_cleared": true})
		}
		return a.unlock(ctx, tx, who, view.User)
	})
	return view, err
}

// unlock lets a locked u sign in again: active, or invited where they
// have neither a password nor an identity provider's sign-in yet.
func (a *App) unlock(ctx context.Context, tx tenantry.Tx, who *Actor, u *tenantry.User) error {
	u.Status = tenantry.UserActive
	if u.PasswordHash == "" && u.IdPSubject == "" {
		u.Status = tenantry.UserInvited
	}
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	return event(ctx, tx, who, u.OrgID, "user.unlock", "user", u.ID, nil)
}

// ResetPassword makes a user choose a new password (U5): their sessions
// end, they must set a new password before anything else, and they get a
// link to do so by e-mail. The administrator never sees or sets it.
func (a *App) ResetPassword(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, id, "you cannot reset your own password")
		if err != nil {
			return err
		}
		if view.Kind != tenantry.UserHuman || view.Status != tenantry.UserActive {
			return tenantry.Errorf(tenantry.Conflict, "only an active person's password can be reset")
		}
		view.MustChangePassword = true
		if err := tx.UpdateUser(ctx, view.User); err != nil {
			return err
		}
		if err := forgetLoginFailures(ctx, tx, view.Login); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, view.ID); err != nil {
			return err
		}
		link, hash, err := a.issueToken(ctx, tx, view.User, tenantry.TokenReset)
		if err != nil {
			return err
		}
		if err := a.queue(ctx, tx, view.Email, view.User, notice.AdminReset, hash, notice.Data{Link: link}); err != nil {
			return err
		}
		return event(ctx, tx, who, view.OrgID, "user.password_reset", "user", view.ID, nil)
	})
}

// ResetTOTP removes a user's authenticator and recovery codes (U9), for
// someone who lost their phone; their sessions end, and they enrol again
// where their organization requires it.
func (a *App) ResetTOTP(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		view, err := a.administered(ctx, tx, who, id, "you cannot reset your own two-factor sign-in")
		if err != nil {
			return err
		}
		if !view.TOTPEnabled {
			return tenantry.Errorf(tenantry.Conflict, "this user has no two-factor sign-in to reset")
		}
		return a.dropTOTP(ctx, tx, who, view.User, "user.totp_reset")
	})
}

func (a *App) dropTOTP(ctx context.Context, tx tenantry.Tx, who *Actor, u *tenantry.User, action string) error {
	if err := tx.DeleteTOTP(ctx, u.ID); err != nil {
		return err
	}
	u.TOTPEnabled = false
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	if who.User.ID != u.ID {
		if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
	}
	if err := a.queue(ctx, tx, u.Email, u, notice.TOTPDisabled, newID(), notice.Data{}); err != nil {
		return err
	}
	return event(ctx, tx, who, u.OrgID, action, "user", u.ID, nil)
}

// BeginTOTP starts enrolling an authenticator app: a new secret, its
// otpauth URI and a QR code of it. Nothing changes for sign-in until
// ConfirmTOTP.
func (a *App) BeginTOTP(ctx context.Context, who *Actor) (*auth.TOTPEnrolment, error) {
	if err := ready(who, stepEnrol); err != nil {
		return nil, err
	}
	if who.User.Kind != tenantry.UserHuman {
		return nil, forbidden("only people sign in with a second factor")
	}
	if err := a.recentAuth(who); err != nil {
		return nil, err
	}
	e, err := auth.NewTOTP(a.cfg.Issuer, who.User.Login)
	if err != nil {
		return nil, err
	}
	err = a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return tenantry.Errorf(tenantry.Conflict, "two-factor sign-in is on already; turn it off first to enrol another app")
		}
		if err := tx.PutTOTP(ctx, &tenantry.TOTP{UserID: u.ID, Secret: a.seal.Seal(totpContext(u.ID), e.Secret)}); err != nil {
			return err
		}
		return event(ctx, tx, who, u.OrgID, "user.totp_begin", "user", u.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// PendingTOTP is the enrolment begun and not yet confirmed, to show its
// QR code and key again (after a wrong code, issue 17 item 8); NotFound
// when there is none.
func (a *App) PendingTOTP(ctx context.Context, who *Actor) (*auth.TOTPEnrolment, error) {
	if err := ready(who, stepEnrol); err != nil {
		return nil, err
	}
	var secret string
	err := a.view(ctx, func(tx tenantry.Tx) error {
		t, err := tx.TOTP(ctx, who.User.ID)
		if err != nil {
			return err
		}
		if t.Confirmed {
			return tenantry.Errorf(tenantry.NotFound, "no authenticator app is being set up")
		}
		secret, err = a.seal.Open(totpContext(who.User.ID), t.Secret)
		return err
	})
	if err != nil {
		return nil, err
	}
	return auth.TOTPEnrolmentOf(a.cfg.Issuer, who.User.Login, secret)
}

// ConfirmTOTP turns two-factor sign-in on with a first code from the app,
// and returns ten single-use recovery codes, shown this once.
func (a *App) ConfirmTOTP(ctx context.Context, who *Actor, code string) ([]string, error) {
	if err := ready(who, stepEnrol); err != nil {
		return nil, err
	}
	if err := a.recentAuth(who); err != nil {
		return nil, err
	}
	keys := a.totpKeys(who.User.ID, who.IP)
	if err := a.reserve(ctx, keys); err != nil {
		return nil, err
	}
	a.totpChecks.Add(1)
	codes, hashes := auth.NewRecoveryCodes(10)
	err := a.update(ctx, func(tx tenantry.Tx) error {
		t, err := tx.TOTP(ctx, who.User.ID)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return tenantry.Errorf(tenantry.Conflict, "start setting up two-factor sign-in first")
		}
		if err != nil {
			return err
		}
		if t.Confirmed {
			return tenantry.Errorf(tenantry.Conflict, "two-factor sign-in is on already")
		}
		if err := a.useTOTPCode(ctx, tx, who.User.ID, code); err != nil {
			return &tenantry.Error{Code: tenantry.Invalid, Message: "code: is wrong; enter the current code from your app",
				Fields: []tenantry.FieldError{{Field: "code", Message: "is wrong; enter the current code from your app"}}}
		}
		if t, err = tx.TOTP(ctx, who.User.ID); err != nil { // with the step just used
			return err
		}
		t.Confirmed = true
		if err := tx.PutTOTP(ctx, t); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, who.User.ID, hashes); err != nil {
			return err
		}
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		u.TOTPEnabled = true
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := succeeded(ctx, tx, keys); err != nil {
			return err
		}
		if err := a.queue(ctx, tx, u.Email, u, notice.TOTPEnabled, newID(), notice.Data{}); err != nil {
			return err
		}
		return event(ctx, tx, who, u.OrgID, "user.totp_enable", "user", u.ID, nil)
	})
	if tenantry.ErrorCode(err) == tenantry.Invalid {
		return nil, a.failedWith(ctx, keys, err)
	}
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns the actor's two-factor sign-in off; it needs the
// password again, and is refused where the organization requires 2FA.
func (a *App) DisableTOTP(ctx context.Context, who *Actor, password string) error {
	if err := ready(who); err != nil {
		return err
	}
	if err := a.recentAuth(who); err != nil {
		return err
	}
	keys, err := a.confirmPassword(ctx, who, password, "password")
	if err != nil {
		return err
	}
	// The password was right, whatever is decided below.
	if err := a.store.Update(ctx, func(tx tenantry.Tx) error { return succeeded(ctx, tx, keys) }); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		if !u.TOTPEnabled {
			return tenantry.Errorf(tenantry.Conflict, "two-factor sign-in is off already")
		}
		s, err := a.securityOf(ctx, tx, u.OrgID)
		if err != nil {
			return err
		}
		if s.Require2FA.Value {
			return forbidden("your organization requires two-factor sign-in; ask an administrator to reset it if you lost your app")
		}
		return a.dropTOTP(ctx, tx, who, u, "user.totp_disable")
	})
}
