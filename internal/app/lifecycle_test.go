package app_test

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

func code(err error) tenantry.Code { return tenantry.ErrorCode(err) }

// person creates a user with role in acc and activates them.
func (e *env) person(owner *app.Actor, acc *tenantry.Org, email, role string) *app.UserView {
	e.t.Helper()
	v, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: email, FirstName: "F", LastName: "L", Roles: []string{role}})
	e.must(err)
	e.activate(email)
	return v
}

func TestConcurrentWrongPasswordsAreEvaluatedAtMostTenTimes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, _ = e.account(op, "victim@example.com")
		before := e.app.PasswordChecks()
		var refused, wrong atomic.Int32
		for round := 0; round < 10; round++ {
			var wg sync.WaitGroup
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := e.app.SignIn(ctx, "victim@example.com", "not the password", "", "", "")
					switch code(err) {
					case tenantry.Throttled:
						refused.Add(1)
					case tenantry.Unauthenticated:
						wrong.Add(1)
					default:
						t.Errorf("sign-in: %v", err)
					}
				}()
			}
			wg.Wait()
			e.clock.Advance(31 * time.Second) // past the longest wait, short of the lock's end
		}
		evaluated := e.app.PasswordChecks() - before
		if evaluated > 10 || wrong.Load() != int32(evaluated) || refused.Load()+wrong.Load() != 500 {
			t.Fatalf("500 attempts: %d evaluated, %d wrong, %d refused", evaluated, wrong.Load(), refused.Load())
		}
		_, err := e.app.SignIn(ctx, "victim@example.com", pw, "", "", "")
		var te *tenantry.Error
		if code(err) != tenantry.Throttled || !asError(err, &te) || te.RetryAfter <= 0 {
			t.Fatalf("right password during the lock: %v", err)
		}
		e.clock.Advance(15 * time.Minute)
		if _, err := e.app.SignIn(ctx, "victim@example.com", pw, "", "", ""); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
	})
}

func TestConcurrentWrongTOTPCodesAreEvaluatedAtMostTenTimes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, owner := e.account(op, "o@example.com")
		enrol, err := e.app.BeginTOTP(ctx, owner)
		e.must(err)
		_, err = e.app.ConfirmTOTP(ctx, owner, auth.TOTPCode(enrol.Secret, e.clock.Now()))
		e.must(err)
		e.clock.Advance(time.Minute)
		res, err := e.app.SignIn(ctx, "o@example.com", pw, "", "", "")
		e.must(err)
		if !res.MFARequired {
			t.Fatal("no second factor asked")
		}
		pending, err := e.app.Authenticate(ctx, res.Token, "")
		e.must(err)
		if _, err := e.app.User(ctx, pending, owner.User.ID); code(err) != tenantry.MFARequired {
			t.Fatalf("pending session used: %v", err)
		}
		before := e.app.TOTPChecks()
		for round := 0; round < 10; round++ {
			var wg sync.WaitGroup
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := e.app.VerifySecondFactor(ctx, pending, "000000", "")
					if c := code(err); c != tenantry.Throttled && c != tenantry.Unauthenticated {
						t.Errorf("verify: %v", err)
					}
				}()
			}
			wg.Wait()
			e.clock.Advance(31 * time.Second)
		}
		if n := e.app.TOTPChecks() - before; n > 10 {
			t.Fatalf("%d of 500 wrong codes evaluated", n)
		}
		if err := e.app.VerifySecondFactor(ctx, pending, auth.TOTPCode(enrol.Secret, e.clock.Now()), ""); code(err) != tenantry.Throttled {
			t.Fatalf("right code during the lock: %v", err)
		}
		e.clock.Advance(15 * time.Minute)
		res, err = e.app.SignIn(ctx, "o@example.com", pw, "", "", "")
		e.must(err)
		pending, err = e.app.Authenticate(ctx, res.Token, "")
		e.must(err)
		now := auth.TOTPCode(enrol.Secret, e.clock.Now())
		e.must(e.app.VerifySecondFactor(ctx, pending, now, ""))
		full, err := e.app.Authenticate(ctx, res.Token, "")
		e.must(err)
		if _, err := e.app.User(ctx, full, owner.User.ID); err != nil {
			t.Fatalf("after the second factor: %v", err)
		}
		// The same code does not work twice.
		res, _ = e.app.SignIn(ctx, "o@example.com", pw, "", "", "")
		again, _ := e.app.Authenticate(ctx, res.Token, "")
		if err := e.app.VerifySecondFactor(ctx, again, now, ""); code(err) != tenantry.Unauthenticated {
			t.Fatalf("code reused: %v", err)
		}
	})
}

func TestConcurrentRedemptionsOfOneToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		_, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: "new@example.com", FirstName: "N", LastName: "U", Roles: []string{"user"}})
		e.must(err)
		token := mailToken(e.mailTo("new@example.com"))
		var ok, invalid atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch err := e.app.SetPassword(ctx, token, pw, ""); code(err) {
				case "":
					ok.Add(1)
				case tenantry.TokenInvalid, tenantry.Conflict:
					invalid.Add(1)
				default:
					t.Errorf("redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 || invalid.Load() != 49 {
			t.Fatalf("%d succeeded, %d refused", ok.Load(), invalid.Load())
		}
		err = e.app.SetPassword(ctx, token, pw, "")
		if code(err) != tenantry.TokenInvalid || !strings.Contains(tenantry.ErrorMessage(err), "already used, cancelled or expired") {
			t.Fatalf("used token: %v", err)
		}
	})
}

var passwordVectors = []struct {
	pw string
	ok bool
}{
	{strings.Repeat("p", 7), false},
	{"abcdefghijk", false},
	{"abcdefghijkl", false}, // long enough, but a sequence
	{"crisp autumn harbour", true},
	{strings.Repeat("ab", 32), false},
	{"zebra quartz lantern mosaic velvet ember " + strings.Repeat("x", 983), true}, // 1,024
	{strings.Repeat("x", 1025), false},
	{"🔐🔑🐙🌵🎻🧲🪁🔐🔑🐙🌵🎻", true}, // 12 code points
	{"🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐", false},
	{"correct horse battery", true},
	{"qwerty123456", false},
	{"password1234", false},
}

func TestPasswordPolicyAtEveryEntryPoint(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		n := 0
		newPerson := func() string {
			n++
			email := strings.Repeat("u", n) + "@example.com"
			_, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: email, FirstName: "F", LastName: "L", Roles: []string{"user"}})
			e.must(err)
			return email
		}
		check := func(where string, v struct {
			pw string
			ok bool
		}, err error) {
			t.Helper()
			if (err == nil) != v.ok || (err != nil && code(err) != tenantry.Invalid) {
				t.Fatalf("%s with %.12q (%d code points): %v", where, v.pw, len([]rune(v.pw)), err)
			}
		}
		for _, v := range passwordVectors {
			// activation
			email := newPerson()
			token := mailToken(e.mailTo(email))
			check("activation", v, e.app.SetPassword(ctx, token, v.pw, ""))
			if !v.ok {
				e.must(e.app.SetPassword(ctx, token, pw, "")) // a refused password leaves the link usable
			}
			// change
			email = newPerson()
			e.activate(email)
			who := e.signIn(email)
			check("change", v, e.app.ChangePassword(ctx, who, pw, v.pw))
			// an administrator's reset, then the e-mailed link
			email = newPerson()
			e.activate(email)
			who = e.signIn(email)
			e.must(e.app.ResetPassword(ctx, owner, who.User.ID))
			check("reset", v, e.app.SetPassword(ctx, mailToken(e.mailTo(email)), v.pw, ""))
		}
	})
}

func TestLockEndsEverySessionAndLink(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		v := e.person(owner, acc, "u@example.com", "user")
		res, err := e.app.SignIn(ctx, "u@example.com", pw, "", "", "")
		e.must(err)
		e.must(e.app.ForgotPassword(ctx, "u@example.com", ""))
		link := mailToken(e.mailTo("u@example.com"))
		_, err = e.app.LockUser(ctx, owner, v.ID)
		e.must(err)
		if _, err := e.app.Authenticate(ctx, res.Token, ""); code(err) != tenantry.Unauthenticated {
			t.Fatalf("session of a locked user: %v", err)
		}
		if err := e.app.SetPassword(ctx, link, "a brand new passphrase", ""); code(err) != tenantry.TokenInvalid {
			t.Fatalf("link of a locked user: %v", err)
		}
		if _, err := e.app.SignIn(ctx, "u@example.com", pw, "", "", ""); !strings.Contains(tenantry.ErrorMessage(err), "locked") {
			t.Fatalf("locked sign-in: %v", err)
		}
		_, err = e.app.UnlockUser(ctx, owner, v.ID)
		e.must(err)
		e.clock.Advance(time.Second) // the refused sign-in above counted as a failure
		e.signIn("u@example.com")
		if _, err := e.app.LockUser(ctx, owner, owner.User.ID); code(err) != tenantry.Forbidden {
			t.Fatalf("self-lock: %v", err)
		}
	})
}

func TestAdminResetForcesANewPasswordFirst(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		v := e.person(owner, acc, "u@example.com", "user")
		e.must(e.app.ResetPassword(ctx, owner, v.ID))
		who := e.signIn("u@example.com") // the old password still signs in …
		if _, err := e.app.User(ctx, who, v.ID); code(err) != tenantry.PasswordChangeRequired {
			t.Fatalf("before choosing a new password: %v", err)
		}
		e.must(e.app.ChangePassword(ctx, who, pw, "a brand new passphrase")) // … only to change it
		res, err := e.app.SignIn(ctx, "u@example.com", "a brand new passphrase", "", "", "")
		e.must(err)
		who, err = e.app.Authenticate(ctx, res.Token, "")
		e.must(err)
		if _, err := e.app.User(ctx, who, v.ID); err != nil {
			t.Fatalf("after: %v", err)
		}
		m := e.mailTo("u@example.com")
		if !strings.Contains(m.Subject, "password was changed") {
			t.Fatalf("no notice of the change: %q", m.Subject)
		}
	})
}

func TestForgotPasswordRevealsNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, _ = e.account(op, "o@example.com")
		before := e.outboxSize()
		if err := e.app.ForgotPassword(ctx, "nobody@example.com", "127.0.0.1"); err != nil {
			t.Fatalf("unknown login: %v", err)
		}
		if err := e.app.ForgotPassword(ctx, "O@example.com", "127.0.0.1"); err != nil {
			t.Fatalf("known login: %v", err)
		}
		if e.outboxSize() != before+1 || !strings.Contains(e.mailTo("o@example.com").Subject, "Reset your password") {
			t.Fatal("the known login got no reset mail")
		}
		for i := 0; i < 10; i++ {
			if err := e.app.ForgotPassword(ctx, "o@example.com", ""); err != nil {
				t.Fatalf("repeat %d: %v", i, err)
			}
		}
		if e.outboxSize() > before+5 {
			t.Fatalf("a mailbox can be flooded: %d mails", e.outboxSize()-before)
		}
	})
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, owner := e.account(op, "o@example.com")
		other, err := e.app.SignIn(ctx, "o@example.com", pw, "", "", "")
		e.must(err)
		if err := e.app.ChangePassword(ctx, owner, "wrong current password", "a brand new passphrase"); code(err) != tenantry.Invalid {
			t.Fatalf("wrong current password: %v", err)
		}
		e.clock.Advance(time.Minute)
		berlin := "Europe/Berlin"
		_, err = e.app.UpdateOrgSettings(ctx, owner, owner.User.OrgID, app.OrgSettingsPatch{TimeZone: &berlin})
		e.must(err)
		e.must(e.app.ChangePassword(ctx, owner, pw, "a brand new passphrase"))
		if _, err := e.app.Authenticate(ctx, other.Token, ""); code(err) != tenantry.Unauthenticated {
			t.Fatalf("other session survived: %v", err)
		}
		// The notice tells the time as the owner's org reads it.
		loc, _ := time.LoadLocation(berlin)
		if want := "was changed on " + e.clock.Now().In(loc).Format("2006-01-02 15:04 MST"); !strings.Contains(e.mailTo("o@example.com").Text, want) {
			t.Fatalf("the password notice should say %q:\n%s", want, e.mailTo("o@example.com").Text)
		}
		list, err := e.app.MySessions(ctx, owner)
		e.must(err)
		if len(list) != 1 || !list[0].Current {
			t.Fatalf("sessions: %+v", list)
		}
	})
}

func TestRequire2FAMakesEnrolmentPartOfActivation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		on := true
		_, err := e.app.UpdateOrgSettings(ctx, owner, acc.ID, app.OrgSettingsPatch{Require2FA: &on})
		e.must(err)
		v := e.person(owner, acc, "u@example.com", "user")
		who := e.signIn("u@example.com")
		if _, err := e.app.User(ctx, who, v.ID); code(err) != tenantry.TOTPEnrolmentRequired {
			t.Fatalf("before enrolment: %v", err)
		}
		enrol, err := e.app.BeginTOTP(ctx, who)
		e.must(err)
		codes, err := e.app.ConfirmTOTP(ctx, who, auth.TOTPCode(enrol.Secret, e.clock.Now()))
		e.must(err)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes", len(codes))
		}
		if err := e.app.DisableTOTP(ctx, e.signInMFA("u@example.com", codes[0]), pw); code(err) != tenantry.Forbidden {
			t.Fatalf("disabling required 2FA: %v", err)
		}
		e.must(e.app.ResetTOTP(ctx, owner, v.ID))
		who = e.signIn("u@example.com")
		if _, err := e.app.User(ctx, who, v.ID); code(err) != tenantry.TOTPEnrolmentRequired {
			t.Fatalf("after an admin reset: %v", err)
		}
	})
}

// signInMFA signs in with a password and a recovery code.
func (e *env) signInMFA(login, recovery string) *app.Actor {
	e.t.Helper()
	res, err := e.app.SignIn(ctx, login, pw, "", "", "")
	e.must(err)
	who, err := e.app.Authenticate(ctx, res.Token, "")
	e.must(err)
	e.must(e.app.VerifySecondFactor(ctx, who, "", recovery))
	who, err = e.app.Authenticate(ctx, res.Token, "")
	e.must(err)
	return who
}

func TestInvitationLinksAPersonWithoutMovingThem(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		accA, ownerA := e.account(op, "a@example.com")
		accB, ownerB := e.account(op, "b@example.com")
		bob := e.person(ownerB, accB, "bob@example.com", "user")
		// Creating him invites him (answering as for a new person); cancel
		// that, and invite him as the rest of the test wants.
		v, err := e.app.CreateUser(ctx, ownerA, accA.ID, app.NewUser{Email: "bob@example.com", FirstName: "B", LastName: "B", Roles: []string{"user"}})
		if err != nil || v.Invitation == nil || v.ID == bob.ID {
			t.Fatalf("creating a person who has a login elsewhere: %v", err)
		}
		e.must(e.app.CancelInvitation(ctx, ownerA, v.Invitation.ID))
		inv, err := e.app.Invite(ctx, ownerA, accA.ID, app.NewInvitation{Login: "bob@example.com", Roles: []string{"read_only"}})
		e.must(err)
		if _, err := e.app.User(ctx, ownerA, bob.ID); code(err) != tenantry.NotFound {
			t.Fatalf("invited but not accepted, yet visible: %v", err)
		}
		first := mailToken(e.mailTo("bob@example.com"))
		_, err = e.app.ResendInvitation(ctx, ownerA, inv.ID)
		e.must(err)
		if _, err := e.app.AcceptInvitation(ctx, first, "", nil); code(err) != tenantry.TokenInvalid {
			t.Fatalf("old link after re-send: %v", err)
		}
		_, err = e.app.AcceptInvitation(ctx, mailToken(e.mailTo("bob@example.com")), "", nil)
		e.must(err)
		bobActor := e.signIn("bob@example.com")
		if bobActor.User.OrgID != accB.ID || !e.app.Policy().Member(bobActor.Principal(), accA.ID) {
			t.Fatalf("bob moved or not linked: org %s", bobActor.User.OrgID)
		}
		list, _, err := e.app.ListUsers(ctx, ownerA, tenantry.UserFilter{OrgID: accA.ID})
		e.must(err)
		if len(list) != 2 || !slices.ContainsFunc(list, func(v *app.UserView) bool { return v.ID == bob.ID && len(v.Grants) == 1 }) {
			t.Fatalf("A's list does not show bob with his role there: %d rows", len(list))
		}
		seen, err := e.app.User(ctx, ownerA, bob.ID)
		e.must(err)
		if len(seen.Grants) != 1 || seen.Grants[0].Role != "read_only" || seen.Grants[0].OrgID != accA.ID {
			t.Fatalf("A sees bob with %+v", seen.Grants)
		}
		if _, err := e.app.LockUser(ctx, ownerA, bob.ID); code(err) != tenantry.Forbidden {
			t.Fatalf("A locks B's person: %v", err)
		}
		inv2, err := e.app.Invite(ctx, ownerA, accA.ID, app.NewInvitation{Login: "b@example.com", Roles: []string{"user"}})
		e.must(err)
		e.must(e.app.CancelInvitation(ctx, ownerA, inv2.ID))
		if _, err := e.app.AcceptInvitation(ctx, mailToken(e.mailTo("b@example.com")), "", nil); code(err) != tenantry.TokenInvalid {
			t.Fatalf("cancelled invitation accepted: %v", err)
		}
	})
}
