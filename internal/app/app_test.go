package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

var ctx = context.Background()

const pw = "a long enough test passphrase"

type env struct {
	t     *testing.T
	db    *sqlstore.DB
	app   *app.App
	clock *storetest.Clock
	// via, if set, is the store instance gives its App instead of db.
	via tenantry.Store
}

func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Parallel() // every test has databases of its own, and the SIGKILL rounds overlap them
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock()
			e := &env{t: t, db: b.Open(t, clock.Now), clock: clock}
			e.app = e.instance(nil)
			fn(t, e)
		})
	}
}

// instance starts an App on the test's database, as another instance of
// a deployment would; tune, if given, changes its configuration.
func (e *env) instance(tune func(*app.Config)) *app.App {
	e.t.Helper()
	cfg := app.DefaultConfig()
	cfg.SecretKey = sqltest.SecretKey
	cfg.Password = auth.Params{Memory: 64, Time: 1, Threads: 1}
	cfg.IdPAllowPrivate = true // the tests' identity providers listen on loopback
	cfg.Now = e.clock.Now
	if tune != nil {
		tune(&cfg)
	}
	var store tenantry.Store = e.db
	if e.via != nil {
		store = e.via
	}
	a, err := app.New(store, policy.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg, nil)
	e.must(err)
	return a
}

func token(link string) string { return link[strings.Index(link, "token=")+6:] }

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// operator bootstraps the platform and signs its operator in.
func (e *env) operator() *app.Actor {
	e.t.Helper()
	res, err := e.app.Bootstrap(ctx, false)
	e.must(err)
	e.must(e.app.SetPassword(ctx, token(res.Link), pw, "127.0.0.1"))
	return e.signIn("operator")
}

func (e *env) signIn(login string) *app.Actor {
	e.t.Helper()
	res, err := e.app.SignIn(ctx, login, pw, "", "127.0.0.1", "test")
	e.must(err)
	who, err := e.app.Authenticate(ctx, res.Token, "127.0.0.1")
	e.must(err)
	return who
}

// mailTo returns the newest outbox message to addr.
func (e *env) mailTo(addr string) *tenantry.Mail {
	e.t.Helper()
	e.app.Settle()
	var found *tenantry.Mail
	e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
		all, err := tx.Outbox(ctx, 1000)
		for _, m := range all {
			if found == nil && strings.EqualFold(m.To, addr) {
				found = m
			}
		}
		return err
	}))
	if found == nil {
		e.t.Fatalf("no mail to %s", addr)
	}
	return found
}

func (e *env) outboxSize() int {
	e.app.Settle()
	var n int
	e.db.View(ctx, func(tx tenantry.Tx) error { all, err := tx.Outbox(ctx, 10000); n = len(all); return err })
	return n
}

func mailToken(m *tenantry.Mail) string {
	return strings.Fields(m.Text[strings.Index(m.Text, "token=")+6:])[0]
}

func (e *env) activate(addr string) {
	e.t.Helper()
	e.must(e.app.SetPassword(ctx, mailToken(e.mailTo(addr)), pw, "127.0.0.1"))
}

// account opens an account and returns it with its signed-in owner.
func (e *env) account(op *app.Actor, email string) (*tenantry.Org, *app.Actor) {
	e.t.Helper()
	org, _, err := e.app.CreateAccount(ctx, op, app.NewAccount{Name: "Acme", Owner: app.NewUser{Email: email, FirstName: "O", LastName: "W"}})
	e.must(err)
	e.activate(email)
	return org, e.signIn(email)
}

func (e *env) events(org string) []string {
	e.t.Helper()
	var out []string
	e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
		evs, err := tx.Events(ctx, tenantry.EventFilter{OrgID: org, Limit: 100})
		for i := len(evs) - 1; i >= 0; i-- {
			out = append(out, evs[i].Action)
		}
		return err
	}))
	return out
}

func TestEveryChangeIsAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		u, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: "u@example.com", FirstName: "U", LastName: "S", Roles: []string{"user"}})
		e.must(err)
		name := "Renamed"
		_, err = e.app.UpdateUser(ctx, owner, u.ID, app.UserPatch{FirstName: &name})
		e.must(err)
		g, err := e.app.GrantRole(ctx, owner, u.ID, app.NewGrant{Role: "read_only"})
		e.must(err)
		e.must(e.app.RevokeRole(ctx, owner, u.ID, g.ID))
		e.must(e.app.DeleteUser(ctx, owner, u.ID))
		want := []string{"user.create", "user.password_set", "session.create", "user.create", "user.update",
			"grant.create", "grant.delete", "user.delete"}
		if got := e.events(acc.ID); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("events\n%v\nwant\n%v", got, want)
		}
		var evs []*tenantry.Event
		e.db.View(ctx, func(tx tenantry.Tx) error {
			evs, _ = tx.Events(ctx, tenantry.EventFilter{OrgID: acc.ID, Limit: 1})
			return nil
		})
		if evs[0].ActorID != owner.User.ID || evs[0].TargetID != u.ID || evs[0].IP != "127.0.0.1" {
			t.Fatalf("delete event: %+v", evs[0])
		}
	})
}

func TestFailedChangeWritesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, _, err := e.app.CreateAccount(ctx, op, app.NewAccount{Name: "Acme", Owner: app.NewUser{
			Email: "o@example.com", Login: "operator", FirstName: "O", LastName: "W"}})
		if tenantry.ErrorCode(err) != tenantry.Conflict {
			t.Fatalf("owner with a taken login: %v", err)
		}
		accs, err := e.app.Accounts(ctx, op, "", 10)
		e.must(err)
		if len(accs) != 0 || e.outboxSize() != 0 {
			t.Fatalf("half-written: %d accounts, %d mails", len(accs), e.outboxSize())
		}
	})
}

func TestSessionsEndWhenIdleOrOld(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.operator()
		res, err := e.app.SignIn(ctx, "operator", pw, "", "127.0.0.1", "test")
		e.must(err)
		use := func() error { _, err := e.app.Authenticate(ctx, res.Token, "127.0.0.1"); return err }
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
			e.clock.Advance(20 * time.Minute)
			if err := use(); err != nil {
				t.Fatalf("active session refused after %s: %v", elapsed+20*time.Minute, err)
			}
		}
		e.clock.Advance(20 * time.Minute)
		if tenantry.ErrorCode(use()) != tenantry.Unauthenticated {
			t.Fatal("session outlived its 12 hours")
		}
		res, err = e.app.SignIn(ctx, "operator", pw, "", "127.0.0.1", "test")
		e.must(err)
		e.clock.Advance(31 * time.Minute)
		if tenantry.ErrorCode(use()) != tenantry.Unauthenticated {
			t.Fatal("idle session still valid after 31 minutes")
		}
	})
}

func TestBootstrapLinksReplaceEachOther(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		first, err := e.app.Bootstrap(ctx, false)
		e.must(err)
		second, err := e.app.Bootstrap(ctx, false)
		e.must(err)
		if !first.Created || second.Created || first.Link == second.Link {
			t.Fatalf("bootstrap twice: %+v %+v", first, second)
		}
		if err := e.app.SetPassword(ctx, token(first.Link), pw, ""); tenantry.ErrorCode(err) != tenantry.TokenInvalid {
			t.Fatalf("replaced link still works: %v", err)
		}
		e.must(e.app.SetPassword(ctx, token(second.Link), pw, ""))
		third, err := e.app.Bootstrap(ctx, false)
		e.must(err)
		if third.Link != "" {
			t.Fatal("bootstrap hands out links after the operator set a password")
		}
		forced, err := e.app.Bootstrap(ctx, true)
		e.must(err)
		e.clock.Advance(73 * time.Hour)
		if err := e.app.SetPassword(ctx, token(forced.Link), pw, ""); tenantry.ErrorCode(err) != tenantry.TokenInvalid {
			t.Fatalf("expired link works: %v", err)
		}
	})
}

func TestSignInAnswersAlikeForEveryFailure(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		acc, owner := e.account(op, "o@example.com")
		_, err := e.app.CreateUser(ctx, owner, acc.ID, app.NewUser{Email: "invited@example.com", FirstName: "I", LastName: "N", Roles: []string{"user"}})
		e.must(err)
		for _, c := range [][2]string{{"nobody@example.com", pw}, {"o@example.com", "wrong password!"}, {"invited@example.com", ""}} {
			_, err := e.app.SignIn(ctx, c[0], c[1], "", "", "")
			if tenantry.ErrorCode(err) != tenantry.Unauthenticated || tenantry.ErrorMessage(err) != "login or password is wrong" {
				t.Errorf("sign-in %s: %v", c[0], err)
			}
		}
	})
}

func asError(err error, target **tenantry.Error) bool { return errors.As(err, target) }

// TestSignInRehashesOlderParameters: a password stored with parameters
// other than the configured ones is stored again at the next sign-in
// that proves it, and a wrong password changes nothing.
func TestSignInRehashesOlderParameters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		op := e.operator()
		_, owner := e.account(op, "o@example.com")
		older := auth.Params{Memory: 128, Time: 2, Threads: 1}
		hashOf := func() string {
			var h string
			e.must(e.db.View(ctx, func(tx tenantry.Tx) error {
				u, err := tx.User(ctx, owner.User.ID)
				if err == nil {
					h = u.PasswordHash
				}
				return err
			}))
			return h
		}
		e.must(e.db.Update(ctx, func(tx tenantry.Tx) error {
			u, err := tx.User(ctx, owner.User.ID)
			if err != nil {
				return err
			}
			u.PasswordHash = auth.HashPassword(pw, older)
			return tx.UpdateUser(ctx, u)
		}))
		before := hashOf()
		if _, err := e.app.SignIn(ctx, "o@example.com", "wrong password!", "", "127.0.0.1", ""); tenantry.ErrorCode(err) != tenantry.Unauthenticated {
			t.Fatalf("wrong password: %v", err)
		}
		if hashOf() != before {
			t.Fatal("a wrong password replaced the stored hash")
		}
		e.clock.Advance(time.Hour) // past the failure's throttle
		e.signIn("o@example.com")
		after := hashOf()
		if !strings.HasPrefix(after, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Fatalf("after sign-in the hash is %.40s…, want the configured parameters", after)
		}
		if ok, err := auth.CheckPassword(after, pw); !ok || err != nil {
			t.Fatalf("the new hash does not check: %v %v", ok, err)
		}
		e.signIn("o@example.com")
		if hashOf() != after {
			t.Fatal("a hash with the configured parameters was replaced again")
		}
	})
}
