package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// throttledFixture is a fixture whose sign-in limits count without
// waiting, so a test reaches them without sleeping; the address limit is
// lowered to tune.
func throttledFixture(t *testing.T, b sqltest.Backend, addressLimit int) *fixture {
	t.Helper()
	return newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test", Tune: func(c *app.Config) {
		c.Throttle.Base = 0
		c.LoginThrottle.Base = 0
		c.AddressThrottle.Limit = addressLimit
	}})
}

// signInFrom signs in from a given loopback address and returns the status.
func (e *env) signInFrom(ip, login, pw string) int {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/api/v1/session", strings.NewReader(fmt.Sprintf(`{"login":%q,"password":%q}`, login, pw)))
	req.Header.Set("Content-Type", "application/json")
	res, err := (&http.Client{Transport: &http.Transport{DialContext: dialFrom(ip)}}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestNobodyLocksAnotherPersonOut is finding 9: ten wrong passwords from
// any address locked a login for 15 minutes, and neither an unlock nor a
// password reset lifted it.
func TestNobodyLocksAnotherPersonOut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := throttledFixture(t, b, 100)
		login := "userA@example.com"
		for i := 0; i < 10; i++ {
			if s := f.signInFrom("127.0.0.66", login, "wrong password number x"); s != 401 {
				t.Fatalf("attempt %d: %d", i, s)
			}
		}
		if s := f.signInFrom("127.0.0.66", login, password); s != 429 {
			t.Fatalf("the attacker's address is not locked: %d", s)
		}
		if s := f.signInFrom("127.0.0.1", login, password); s != 200 {
			t.Fatalf("the person, from their own address: %d", s)
		}
		// An administrator's unlock lifts the limit from every address.
		f.clients["ownerA"].must(200, "POST", f.path("/api/v1/users/{userA}/unlock"), nil)
		if s := f.signInFrom("127.0.0.66", login, password); s != 200 {
			t.Fatalf("after the unlock: %d", s)
		}
		// So does a password reset.
		for i := 0; i < 10; i++ {
			f.signInFrom("127.0.0.66", login, "wrong password number y")
		}
		f.clients["ownerA"].must(202, "POST", f.path("/api/v1/users/{userA}/password-reset"), nil)
		f.anon().must(204, "POST", "/api/v1/password", map[string]string{"token": f.MailTo(login).Token(), "password": password + " 2"})
		if s := f.signInFrom("127.0.0.66", login, password+" 2"); s != 200 {
			t.Fatalf("after the reset: %d", s)
		}
	})
}

// TestSuccessDoesNotResetTheAddressLimit is finding 10: 3 × (99 bad + 1
// good) from one address never got 429.
func TestSuccessDoesNotResetTheAddressLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := throttledFixture(t, b, 20)
		limited := false
		for round := 0; round < 3 && !limited; round++ {
			for i := 0; i < 19; i++ {
				if s := f.signInFrom("127.0.0.1", fmt.Sprintf("nobody%d-%d@example.com", round, i), "wrong password here"); s == 429 {
					limited = true
				}
			}
			if s := f.signInFrom("127.0.0.1", "userA@example.com", password); s == 429 {
				limited = true
			}
		}
		if !limited {
			t.Fatal("3 × (19 bad + 1 good) under a limit of 20 never got 429")
		}
	})
}

// TestCorrectSignInsAtOnceAllSucceed is finding 21: four correct sign-ins
// of one login at once gave 429 429 200 200.
func TestCorrectSignInsAtOnceAllSucceed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		var wg sync.WaitGroup
		statuses := make([]int, 4)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.signInFrom("127.0.0.1", "userA@example.com", password)
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 200 {
				t.Fatalf("statuses %v", statuses)
			}
		}
	})
}
