package app

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// SignInResult is a new session: its secret goes into a cookie, never
// into a response body.
type SignInResult struct {
	Token     string
	ExpiresAt time.Time
	Actor     *Actor
}

var errBadCredentials = tenantry.Errorf(tenantry.Unauthenticated, "login or password is wrong")

// SignIn checks a login and password and starts a new session; oldToken,
// the session secret the client held before (if any), is ended, so a
// session is never carried across sign-in. Unknown logins, wrong
// passwords, users who never set a password and API users all get the
// same answer, in about the same time.
func (a *App) SignIn(ctx context.Context, login, password, oldToken, ip, userAgent string) (*SignInResult, error) {
	var u *tenantry.User
	err := a.store.View(ctx, func(tx tenantry.Tx) error {
		var err error
		u, err = tx.UserByLogin(ctx, login)
		return err
	})
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		auth.CheckDummy(password)
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("check password of %s: %w", u.ID, err)
	}
	if u.PasswordHash == "" {
		auth.CheckDummy(password)
	}
	if !ok || u.Kind != tenantry.UserHuman {
		return nil, errBadCredentials
	}
	if u.Status == tenantry.UserLocked {
		return nil, tenantry.Errorf(tenantry.Unauthenticated, "this user is locked; ask an administrator")
	}
	token, hash := auth.NewToken()
	res := &SignInResult{Token: token}
	err = a.store.Update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, u.ID) // again, inside the transaction
		if err != nil {
			return err
		}
		if oldToken != "" {
			if err := tx.DeleteSession(ctx, auth.HashToken(oldToken)); err != nil {
				return err
			}
		}
		now := tx.Now()
		res.ExpiresAt = now.Add(a.cfg.SessionMax)
		s := &tenantry.Session{Hash: hash, UserID: u.ID, ExpiresAt: res.ExpiresAt, IP: ip, UserAgent: userAgent}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		u.LastSignInAt = now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		grants, err := tx.UserGrants(ctx, u.ID)
		if err != nil {
			return err
		}
		res.Actor = a.newActor(u, grants, now)
		res.Actor.Session, res.Actor.IP = hash, ip
		return event(ctx, tx, res.Actor, u.OrgID, "session.create", "user", u.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// SignOut ends the actor's session.
func (a *App) SignOut(ctx context.Context, who *Actor) error {
	if who == nil || who.Session == "" {
		return tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	}
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		if err := tx.DeleteSession(ctx, who.Session); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "session.delete", "user", who.User.ID, nil)
	})
}

// SetPassword redeems an activation or reset token and sets the user's
// password. It activates an invited user, ends every session of the user,
// and activates a pending organization whose initial owner this is. A
// password that is refused leaves the token usable.
func (a *App) SetPassword(ctx context.Context, token, password, ip string) error {
	var v tenantry.Validation
	if token == "" {
		v.Add("token", "is required")
	}
	if msg := auth.ValidatePassword(password); msg != "" {
		v.Add("password", "%s", msg)
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash := auth.HashPassword(password, a.cfg.Password)
	return a.store.Update(ctx, func(tx tenantry.Tx) error {
		t, err := tx.UseToken(ctx, auth.HashToken(token), tenantry.TokenActivation)
		if tenantry.ErrorCode(err) == tenantry.TokenInvalid {
			t, err = tx.UseToken(ctx, auth.HashToken(token), tenantry.TokenReset)
		}
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, t.UserID)
		if err != nil {
			return err
		}
		if msg := auth.ValidatePassword(password, u.Login, u.Email); msg != "" {
			v.Add("password", "%s", msg)
			return v.Err()
		}
		if u.Status == tenantry.UserInvited {
			u.Status = tenantry.UserActive
		}
		u.PasswordHash, u.MustChangePassword = hash, false
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserTokens(ctx, u.ID, t.Purpose); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if u.InitialOwner {
			o, err := tx.Org(ctx, u.OrgID)
			if err != nil {
				return err
			}
			if o.Status == tenantry.OrgPending {
				o.Status = tenantry.OrgActive
				if err := tx.UpdateOrg(ctx, o); err != nil {
					return err
				}
			}
		}
		self := &Actor{User: u, IP: ip}
		return event(ctx, tx, self, u.OrgID, "user.password_set", "user", u.ID, map[string]any{"via": string(t.Purpose)})
	})
}

// issueToken creates a one-time token of purpose for u, replacing any
// earlier one, and returns the link that redeems it.
func (a *App) issueToken(ctx context.Context, tx tenantry.Tx, u *tenantry.User, purpose tenantry.TokenPurpose) (string, error) {
	if err := tx.DeleteUserTokens(ctx, u.ID, purpose); err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	t := &tenantry.OneTimeToken{Hash: hash, Purpose: purpose, UserID: u.ID, ExpiresAt: tx.Now().Add(a.cfg.ActivationTTL)}
	if err := tx.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return a.cfg.PublicURL + "/password?token=" + token, nil
}

// activationMessage is the e-mail that asks a new user to set a password.
func (a *App) activationMessage(u *tenantry.User, link string) Message {
	return Message{
		To:      u.Email,
		Subject: "Set your Tenantry password",
		Text: fmt.Sprintf("Hello %s,\n\nan account was created for you (login: %s).\n"+
			"Set your password within %d hours:\n\n%s\n\nThe link works once.\n",
			u.FirstName, u.Login, int(a.cfg.ActivationTTL.Hours()), link),
	}
}
