package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// SignInResult is a new session: its secret goes into a cookie, never
// into a response body. When MFARequired is set, the session is good only
// for the second-factor step.
type SignInResult struct {
	Token       string
	ExpiresAt   time.Time
	Actor       *Actor
	MFARequired bool
}

var errBadCredentials = tenantry.Errorf(tenantry.Unauthenticated, "login or password is wrong")

// checkPassword evaluates a password against u (a dummy hash when u is
// nil), counting the evaluation.
func (a *App) checkPassword(u *tenantry.User, password string) (bool, error) {
	a.passwordChecks.Add(1)
	defer a.hashSlot()()
	if u == nil || u.PasswordHash == "" {
		auth.CheckDummy(password)
		return false, nil
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil {
		return false, fmt.Errorf("check password of %s: %w", u.ID, err)
	}
	return ok, nil
}

// hashSlot waits for one of the slots that bound how many argon2id
// computations run at once, and returns its release. Each one holds its
// memory (7 MiB with auth.DefaultParams) for tens of milliseconds: a burst
// of sign-ins must queue, not run every hash at once, or memory grows with
// the burst and every hash runs slower as they evict each other from the
// caches.
func (a *App) hashSlot() func() {
	a.hashSlots <- struct{}{}
	return func() { <-a.hashSlots }
}

func (a *App) hashPassword(password string) string {
	defer a.hashSlot()()
	return auth.HashPassword(password, a.cfg.Password)
}

// SignIn checks a login and password and starts a new session; oldToken,
// the session secret the client held before (if any), is ended, so a
// session is never carried across sign-in. Attempts are throttled per
// login and per source address before the password is evaluated. Unknown
// logins, wrong passwords, users who never set a password and API users
// all get the same answer, in about the same time. A user with TOTP gets a
// session that waits for the code (VerifySecondFactor).
func (a *App) SignIn(ctx context.Context, login, password, oldToken, ip, userAgent string) (*SignInResult, error) {
	keys := a.loginKeys(login, ip)
	if err := a.reserve(ctx, keys); err != nil {
		if tenantry.ErrorCode(err) == tenantry.Throttled {
			a.counts.signIn[signInThrottled].Add(1)
		}
		return nil, err
	}
	var u *tenantry.User
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		u, err = tx.UserByLogin(ctx, login)
		return err
	})
	if err != nil && tenantry.ErrorCode(err) != tenantry.NotFound {
		return nil, err
	}
	ok, err := a.checkPassword(u, password)
	if err != nil {
		return nil, err
	}
	if !ok || u.Kind != tenantry.UserHuman {
		a.counts.signIn[signInFailed].Add(1)
		return nil, a.failedWith(ctx, keys, errBadCredentials)
	}
	if u.Status == tenantry.UserLocked {
		a.counts.signIn[signInFailed].Add(1)
		return nil, a.failedWith(ctx, keys, tenantry.Errorf(tenantry.Unauthenticated, "this user is locked; ask an administrator"))
	}
	checked, rehash := u.PasswordHash, ""
	if auth.NeedsRehash(checked, a.cfg.Password) {
		rehash = a.hashPassword(password)
	}
	res := &SignInResult{}
	err = a.store.Update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, u.ID) // again, inside the transaction
		if err != nil {
			return err
		}
		if rehash != "" && u.PasswordHash == checked {
			// The password, just proved, is stored again with today's
			// parameters, unless it changed meanwhile.
			u.PasswordHash = rehash
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		if err := succeeded(ctx, tx, keys); err != nil {
			return err
		}
		sec, err := a.securityOf(ctx, tx, u.OrgID)
		if err != nil {
			return err
		}
		if sec.RequireIdP.Value && !u.BreakGlass {
			by := sec.RequireIdP.By
			if by == nil {
				by, err = tx.Org(ctx, u.OrgID)
				if err != nil {
					return err
				}
			}
			return tenantry.Errorf(tenantry.Unauthenticated, "%s requires sign-in through its identity provider; ask an administrator to give you that sign-in method", by.Name)
		}
		return a.openSession(ctx, tx, u, res, oldToken, ip, userAgent, u.TOTPEnabled, []string{"pwd"})
	})
	if err != nil {
		return nil, err
	}
	if res.MFARequired {
		a.counts.signIn[signInMFA].Add(1)
	} else {
		a.counts.signIn[signInOK].Add(1)
	}
	return res, nil
}

// openSession starts a session for u in tx, ending the one oldToken
// names, and fills res. pending says a second factor is still due; amr
// how the user proved themselves so far.
func (a *App) openSession(ctx context.Context, tx tenantry.Tx, u *tenantry.User, res *SignInResult, oldToken, ip, userAgent string, pending bool, amr []string) error {
	token, hash := auth.NewToken()
	res.Token, res.MFARequired = token, pending
	if oldToken != "" {
		if err := tx.DeleteSession(ctx, auth.HashToken(oldToken)); err != nil {
			return err
		}
	}
	now := tx.Now()
	sec, err := a.securityOf(ctx, tx, u.OrgID)
	if err != nil {
		return err
	}
	res.ExpiresAt = now.Add(min(a.cfg.SessionMax, time.Duration(sec.SessionHours.Value)*time.Hour))
	s := &tenantry.Session{Hash: hash, UserID: u.ID, ExpiresAt: res.ExpiresAt, IP: ip, UserAgent: userAgent, PendingMFA: pending, AMR: amr}
	if err := tx.CreateSession(ctx, s); err != nil {
		return err
	}
	if !pending {
		u.LastSignInAt = now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
	}
	if res.Actor, err = a.loadActor(ctx, tx, u); err != nil {
		return err
	}
	res.Actor.Session, res.Actor.IP, res.Actor.PendingMFA = hash, ip, pending
	res.Actor.setAMR(amr)
	action := "session.create"
	if pending {
		action = "session.password_ok"
	}
	return event(ctx, tx, res.Actor, u.OrgID, action, "user", u.ID, map[string]any{"amr": strings.Join(amr, " ")})
}

// VerifySecondFactor completes a sign-in that waits for its second factor,
// with a code from the authenticator app or one of the recovery codes.
// Attempts are throttled per user before a code is evaluated, and each
// code works once.
func (a *App) VerifySecondFactor(ctx context.Context, who *Actor, code, recoveryCode string) error {
	if who == nil || !who.PendingMFA {
		return tenantry.Errorf(tenantry.Unauthenticated, "sign in with your password first")
	}
	if (code == "") == (recoveryCode == "") {
		return &tenantry.Error{Code: tenantry.Invalid, Message: "code: give either a code or a recovery code",
			Fields: []tenantry.FieldError{{Field: "code", Message: "give either a code or a recovery code"}}}
	}
	keys := a.totpKeys(who.User.ID, who.IP)
	if err := a.reserve(ctx, keys); err != nil {
		return err
	}
	err := a.update(ctx, func(tx tenantry.Tx) error {
		via := "totp"
		if recoveryCode != "" {
			via = "recovery_code"
		}
		if err := a.useSecondFactor(ctx, tx, who.User.ID, code, recoveryCode); err != nil {
			return err
		}
		if err := succeeded(ctx, tx, keys); err != nil {
			return err
		}
		if err := tx.CompleteMFA(ctx, who.Session); err != nil {
			return err
		}
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		u.LastSignInAt = tx.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return event(ctx, tx, who, u.OrgID, "session.create", "user", u.ID, map[string]any{"second_factor": via})
	})
	if tenantry.ErrorCode(err) == tenantry.Unauthenticated {
		return a.failedWith(ctx, keys, err)
	}
	return err
}

// useSecondFactor accepts a code from the user's authenticator app, or
// else one of their recovery codes, once; a wrong or used one is
// Unauthenticated.
func (a *App) useSecondFactor(ctx context.Context, tx tenantry.Tx, userID, code, recoveryCode string) error {
	a.totpChecks.Add(1)
	if recoveryCode == "" {
		return a.useTOTPCode(ctx, tx, userID, code)
	}
	err := tx.UseRecoveryCode(ctx, userID, auth.HashRecoveryCode(recoveryCode))
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return tenantry.Errorf(tenantry.Unauthenticated, "the code is wrong or was used already")
	}
	return err
}

// useTOTPCode accepts a current code of the user's confirmed secret once.
func (a *App) useTOTPCode(ctx context.Context, tx tenantry.Tx, userID, code string) error {
	wrong := tenantry.Errorf(tenantry.Unauthenticated, "the code is wrong or was used already")
	t, err := tx.TOTP(ctx, userID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return wrong
	}
	if err != nil {
		return err
	}
	secret, err := a.seal.Open(totpContext(userID), t.Secret)
	if err != nil {
		return err
	}
	step, ok := auth.CheckTOTP(secret, code, tx.Now())
	if !ok {
		return wrong
	}
	if err := tx.UseTOTPStep(ctx, userID, step); err != nil {
		if tenantry.ErrorCode(err) == tenantry.Conflict {
			return wrong
		}
		return err
	}
	return nil
}

// SignOut ends the actor's session.
func (a *App) SignOut(ctx context.Context, who *Actor) error {
	if who == nil || who.Session == "" {
		return tenantry.Errorf(tenantry.Unauthenticated, "sign in first")
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.DeleteSession(ctx, who.Session); err != nil {
			return err
		}
		// Signing out of the portal signs out of its applications: their
		// refresh tokens end; their access tokens within minutes.
		if err := tx.EndOIDCRefresh(ctx, "", who.User.ID, ""); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "session.delete", "user", who.User.ID, nil)
	})
}

// person refuses machines (API users, service accounts) what only people
// have: sessions, personal access tokens, a profile of their own.
func person(who *Actor) error {
	if who.User.Kind != tenantry.UserHuman {
		return forbidden("API users and service accounts have no sessions or personal access tokens")
	}
	return nil
}

// SessionView is one of a user's sessions as they may see it: with the
// browser and operating system its User-Agent names ("" when it names
// none we know).
type SessionView struct {
	*tenantry.Session
	Current     bool
	Browser, OS string
	// Place is where the session's address is, from the operator's place
	// database (serve --geoip); empty without one.
	Place geo.Place
}

// MySessions lists the actor's own sessions that still let them in:
// never one that has expired, sat idle too long, or waits for its second
// factor (issue 17, item 8).
func (a *App) MySessions(ctx context.Context, who *Actor) ([]SessionView, error) {
	if err := ready(who, stepSelf); err != nil {
		return nil, err
	}
	if err := person(who); err != nil {
		return nil, err
	}
	var out []SessionView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		list, err := tx.UserSessions(ctx, who.User.ID)
		now := tx.Now()
		for _, s := range list {
			current := s.Hash == who.Session
			if !current && (!a.sessionAlive(s, now) || s.PendingMFA) {
				continue
			}
			browser, os := describeAgent(s.UserAgent)
			place, _ := a.cfg.Places.Lookup(s.IP)
			out = append(out, SessionView{Session: s, Current: current, Browser: browser, OS: os, Place: place})
		}
		return err
	})
	return out, err
}

// sessionAlive reports whether s still lets its user in at now: before
// its absolute end, and used within the idle time.
func (a *App) sessionAlive(s *tenantry.Session, now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(a.cfg.SessionIdle))
}

// EndOtherSessions signs the actor out everywhere but here, and says how
// many sessions it ended.
func (a *App) EndOtherSessions(ctx context.Context, who *Actor) (int, error) {
	if err := ready(who, stepSelf); err != nil {
		return 0, err
	}
	if err := person(who); err != nil {
		return 0, err
	}
	n := 0
	err := a.update(ctx, func(tx tenantry.Tx) (err error) {
		if n, err = tx.DeleteOtherSessions(ctx, who.User.ID, who.Session); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "session.delete_others", "user", who.User.ID, map[string]any{"count": n})
	})
	return n, err
}

// describeAgent names the browser and the operating system a User-Agent
// header names, for a person to recognise their devices: the major
// browsers and systems only. (A full parser, medama-io/go-useragent, holds
// 5.4 MiB of tables in memory for what is one line of one page.)
func describeAgent(ua string) (browser, os string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/") || has("Edge/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("Firefox/") || has("FxiOS/"):
		browser = "Firefox"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Chrome/") || has("CriOS/"):
		browser = "Chrome"
	case has("Safari/") && has("Version/"):
		browser = "Safari"
	case has("curl/"):
		browser = "curl"
	}
	switch {
	case has("Windows"):
		os = "Windows"
	case has("iPhone") || has("iPad") || has("iPod"):
		os = "iOS"
	case has("Mac OS X") || has("Macintosh"):
		os = "macOS"
	case has("Android"):
		os = "Android"
	case has("CrOS"):
		os = "ChromeOS"
	case has("Linux"):
		os = "Linux"
	}
	return browser, os
}

// EndSession ends one of the actor's own sessions by its id.
func (a *App) EndSession(ctx context.Context, who *Actor, id string) error {
	if err := ready(who, stepSelf); err != nil {
		return err
	}
	if err := person(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		if err := tx.DeleteSessionByID(ctx, who.User.ID, id); err != nil {
			return err
		}
		return event(ctx, tx, who, who.User.OrgID, "session.delete", "user", who.User.ID, map[string]any{"session": id})
	})
}

// passwordPerson is whom a new password of u is for: their login and
// e-mail, names, and the name of their organization (orgID when u is not
// stored yet, else u's).
func passwordPerson(ctx context.Context, tx tenantry.Tx, u *tenantry.User, orgID string) auth.Person {
	p := auth.Person{Login: u.Login, Email: u.Email, Words: []string{u.FirstName, u.LastName}}
	if orgID == "" {
		orgID = u.OrgID
	}
	if o, err := tx.Org(ctx, orgID); err == nil {
		p.Words = append(p.Words, o.Name)
	}
	return p
}

// SetPassword redeems an activation or reset token and sets the user's
// password. It activates an invited user, ends every session of the user,
// activates a pending organization whose initial owner this is, and tells
// the user by e-mail when an existing password was replaced. A refused
// password leaves the token usable.
func (a *App) SetPassword(ctx context.Context, token, password, ip string) error {
	var v tenantry.Validation
	if token == "" {
		v.Add("token", "is required")
	}
	if problem := auth.ValidatePassword(password, auth.MinPasswordLen, auth.Person{}); problem.Format != "" {
		v.AddText("password", tenantry.Text(problem))
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash := a.hashPassword(password)
	return a.update(ctx, func(tx tenantry.Tx) error {
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
		sec, err := a.securityOf(ctx, tx, u.OrgID)
		if err != nil {
			return err
		}
		if problem := auth.ValidatePassword(password, sec.PasswordMinLength.Value, passwordPerson(ctx, tx, u, "")); problem.Format != "" {
			v.AddText("password", tenantry.Text(problem))
			return v.Err()
		}
		if u.IdPID != "" {
			return tenantry.Errorf(tenantry.TokenInvalid, "this account signs in through its organization's identity provider and has no password here; sign in on the sign-in page")
		}
		hadPassword := u.PasswordHash != ""
		if u.Status == tenantry.UserInvited {
			u.Status = tenantry.UserActive
		}
		u.PasswordHash, u.MustChangePassword = hash, false
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := forgetLoginFailures(ctx, tx, u.Login); err != nil {
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
		if hadPassword {
			if err := a.queue(ctx, tx, u.Email, u, notice.PasswordChanged, t.Hash, notice.Data{}); err != nil {
				return err
			}
		}
		self := &Actor{User: u, IP: ip}
		return event(ctx, tx, self, u.OrgID, "user.password_set", "user", u.ID, map[string]any{"via": string(t.Purpose)})
	})
}

// ChangePassword replaces the actor's password: the current one must be
// given (and is throttled like a sign-in), every other session of the user
// ends, and the user is told by e-mail.
func (a *App) ChangePassword(ctx context.Context, who *Actor, current, next string) error {
	if err := ready(who, stepPassword); err != nil {
		return err
	}
	if err := a.recentAuth(who); err != nil {
		return err
	}
	var v tenantry.Validation
	var sec Security
	var person auth.Person
	if err := a.view(ctx, func(tx tenantry.Tx) (err error) {
		person = passwordPerson(ctx, tx, who.User, "")
		sec, err = a.securityOf(ctx, tx, who.User.OrgID)
		return err
	}); err != nil {
		return err
	}
	if problem := auth.ValidatePassword(next, sec.PasswordMinLength.Value, person); problem.Format != "" {
		v.AddText("new_password", tenantry.Text(problem))
	}
	if current == next {
		v.Add("new_password", "must differ from the current password")
	}
	if err := v.Err(); err != nil {
		return err
	}
	keys, err := a.confirmPassword(ctx, who, current, "current_password")
	if err != nil {
		return err
	}
	hash := a.hashPassword(next)
	return a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.User(ctx, who.User.ID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword = hash, false
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := succeeded(ctx, tx, keys); err != nil {
			return err
		}
		if _, err := tx.DeleteOtherSessions(ctx, u.ID, who.Session); err != nil {
			return err
		}
		if err := tx.DeleteUserTokens(ctx, u.ID, tenantry.TokenReset); err != nil {
			return err
		}
		if err := a.queue(ctx, tx, u.Email, u, notice.PasswordChanged, newID(), notice.Data{}); err != nil {
			return err
		}
		return event(ctx, tx, who, u.OrgID, "user.password_change", "user", u.ID, nil)
	})
}

// forgotThrottle allows a few reset e-mails per login, so that nobody can
// flood a mailbox through the forgot-password form.
var forgotThrottle = auth.Throttle{Limit: 5, Base: time.Minute, Max: 15 * time.Minute, LockFor: time.Hour}

// ForgotPassword e-mails a reset link to an active person with that login.
// It answers the same whether or not the login exists, in the same time:
// the answer comes after the throttle, which every login takes alike, and
// the lookup, the link and the mail follow after answering (Settle waits).
func (a *App) ForgotPassword(ctx context.Context, login, ip string) error {
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 254 {
		return &tenantry.Error{Code: tenantry.Invalid, Message: "login: is required",
			Fields: []tenantry.FieldError{{Field: "login", Message: "give your login or e-mail address"}}}
	}
	forgotKeys := []throttleKey{{key: "forgot:" + strings.ToLower(login), policy: forgotThrottle}}
	if err := a.reserve(ctx, forgotKeys); err != nil {
		return nil // answer as always; just send nothing more
	}
	// Every request counts, sent or not: the next one waits.
	if err := a.failed(ctx, forgotKeys); err != nil {
		return err
	}
	a.Go(ctx, "forgot password", func(ctx context.Context) error { return a.sendReset(ctx, login, ip) })
	return nil
}

// sendReset is ForgotPassword's work after answering.
func (a *App) sendReset(ctx context.Context, login, ip string) error {
	return a.update(ctx, func(tx tenantry.Tx) error {
		u, err := tx.UserByLogin(ctx, login)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return event(ctx, tx, nil, "", "password.forgot", "login", auth.HashToken(strings.ToLower(login))[:16], map[string]any{"ip": ip})
		}
		if err != nil {
			return err
		}
		if u.Kind != tenantry.UserHuman || u.Status != tenantry.UserActive || u.Email == "" || u.IdPID != "" {
			return event(ctx, tx, nil, u.OrgID, "password.forgot", "user", u.ID, map[string]any{"sent": false, "ip": ip})
		}
		link, hash, err := a.issueToken(ctx, tx, u, tenantry.TokenReset)
		if err != nil {
			return err
		}
		if err := a.queue(ctx, tx, u.Email, u, notice.ForgotPassword, hash, notice.Data{Link: link}); err != nil {
			return err
		}
		return event(ctx, tx, nil, u.OrgID, "password.forgot", "user", u.ID, map[string]any{"sent": true, "ip": ip})
	})
}

// issueToken creates a one-time token of purpose for u, replacing any
// earlier one, and returns the link that redeems it and the token's hash.
func (a *App) issueToken(ctx context.Context, tx tenantry.Tx, u *tenantry.User, purpose tenantry.TokenPurpose) (link, hash string, err error) {
	if err := tx.DeleteUserTokens(ctx, u.ID, purpose); err != nil {
		return "", "", err
	}
	token, hash := auth.NewToken()
	t := &tenantry.OneTimeToken{Hash: hash, Purpose: purpose, UserID: u.ID, ExpiresAt: tx.Now().Add(a.cfg.ActivationTTL)}
	if err := tx.CreateToken(ctx, t); err != nil {
		return "", "", err
	}
	return a.cfg.PublicURL + "/password?token=" + token, hash, nil
}

// PasswordAdvice is what to do about a password below the strength a new
// one needs.
const PasswordAdvice = auth.StrongEnough

// PasswordStrength estimates, for the portal's meter, how hard a new
// password is to guess for the person who would set it: the signed-in
// actor, or the holder of an activation, reset or invitation token (with
// the names they typed, for a new person); their login, e-mail, names
// and organization count against it as in the check on submit. An
// unknown token only loses the personal words. It needs no signed-in
// actor (who may be nil) and changes nothing. Each address gets
// meterRate estimates a second; past that the answer is Throttled.
func (a *App) PasswordStrength(ctx context.Context, who *Actor, token, password, ip string, names ...string) (auth.Strength, error) {
	if retry := a.meter.take(a.cfg.Now(), limit{ip, meterRate}); retry > 0 {
		return auth.Strength{}, &tenantry.Error{Code: tenantry.Throttled, RetryAfter: time.Duration(retry) * time.Second,
			Message: "too many password estimates from this address; wait a moment"}
	}
	person := auth.Person{Words: names}
	_ = a.view(ctx, func(tx tenantry.Tx) error {
		switch {
		case who != nil && who.User != nil:
			person = passwordPerson(ctx, tx, who.User, "")
		case token != "":
			hash := auth.HashToken(token)
			for _, purpose := range []tenantry.TokenPurpose{tenantry.TokenActivation, tenantry.TokenReset} {
				if t, err := tx.PeekToken(ctx, hash, purpose); err == nil {
					if u, err := tx.User(ctx, t.UserID); err == nil {
						person = passwordPerson(ctx, tx, u, "")
					}
					return nil
				}
			}
			if inv, err := pendingInvitation(ctx, tx, token); err == nil {
				u := &tenantry.User{Login: inv.Email, Email: inv.Email}
				if len(names) == 2 {
					u.FirstName, u.LastName = names[0], names[1]
				}
				person = passwordPerson(ctx, tx, u, inv.OrgID)
			}
		}
		return nil
	})
	if utf8.RuneCountInString(password) > auth.MaxPasswordLen {
		password = ""
	}
	return auth.PasswordStrength(password, append([]string{person.Login, person.Email}, person.Words...)...), nil
}

// meterRate is how many strength estimates one address gets a second.
// The meter answers before anyone signs in (activation, reset and
// invitation pages), and an estimate costs up to milliseconds of zxcvbn,
// so one address must not keep a core busy with it. A person's page asks
// after each pause in typing, a few times a second at most; an office's
// people share their address.
const meterRate = 20
