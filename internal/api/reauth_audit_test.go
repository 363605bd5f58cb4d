package api_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestStolenSessionCannotTakeOverTheSecondFactor is finding 5: a session
// alone minted personal access tokens and enrolled TOTP. Past the
// re-authentication window every sensitive change is refused until the
// session proves its user again; an Owner's lost 2FA is reset by the
// operator through a service request, audited.
func TestStolenSessionCannotTakeOverTheSecondFactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		var offset atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		f := newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test", Now: now,
			Tune: func(c *app.Config) { c.Throttle.Base = 0 }})
		owner := f.clients["ownerA"]
		// Fresh from signing in: allowed.
		owner.must(201, "POST", "/api/v1/me/tokens", `{"name":"fresh","expires_in_days":30}`)
		robot := f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"robot"}`).body["user"].(map[string]any)["id"].(string)

		offset.Store(int64(11 * time.Minute)) // the cookie was stolen a while ago
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/v1/me/tokens", `{"name":"stolen","expires_in_days":30}`},
			{"POST", "/api/v1/me/totp", ""},
			{"POST", "/api/v1/me/password", `{"current_password":"` + password + `","new_password":"an entirely new passphrase"}`},
			{"POST", "/api/v1/users/" + robot + "/secrets", `{}`},
			{"PATCH", f.path("/api/v1/users/{userA}"), `{"email":"elsewhere@example.com"}`},
		} {
			r := owner.must(403, c.method, c.path, c.body)
			if r.str("code") != "reauthentication_required" {
				t.Fatalf("%s %s: %s", c.method, c.path, r.raw)
			}
		}
		owner.must(422, "POST", "/api/v1/session/reauth", `{"password":"not the password at all"}`)
		owner.must(204, "POST", "/api/v1/session/reauth", `{"password":"`+password+`"}`)
		r := owner.must(200, "POST", "/api/v1/me/totp", nil)
		secret := r.str("secret")
		codes := owner.must(200, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": auth.TOTPCode(secret, now())})
		if len(codes.body["recovery_codes"].([]any)) == 0 {
			t.Fatalf("confirm: %s", codes.raw)
		}

		// With TOTP on, re-authentication needs the code too.
		offset.Store(int64(30 * time.Minute))
		r = owner.must(422, "POST", "/api/v1/session/reauth", `{"password":"`+password+`"}`)
		if r.body["errors"].([]any)[0].(map[string]any)["field"] != "code" {
			t.Fatalf("reauth without code: %s", r.raw)
		}
		owner.must(204, "POST", "/api/v1/session/reauth", map[string]string{"password": password, "code": auth.TOTPCode(secret, now())})
		owner.must(201, "POST", "/api/v1/me/tokens", `{"name":"after proof","expires_in_days":30}`)

		// The Owner lost the phone: an Admin asks, the operator checks and resets, audited.
		admin, op := f.signIn("adminA@example.com"), f.signIn("operator") // their sessions went idle meanwhile
		admin.must(403, "POST", f.path("/api/v1/users/{ownerA}/totp-reset"), nil)
		req := admin.must(201, "POST", f.path("/api/v1/orgs/{A}/service-requests"),
			f.path(`{"kind":"reset_2fa","text":"Olga lost her phone; verified by call","new_owner_id":"{ownerA}"}`))
		op.must(200, "POST", "/api/v1/service-requests/"+req.str("id")+"/resolve", `{"accept":true,"resolution":"identity checked"}`)
		me := f.signIn("ownerA@example.com").must(200, "GET", f.path("/api/v1/users/{ownerA}"), nil)
		if me.body["two_factor"] != false {
			t.Fatalf("2FA still on: %s", me.raw)
		}
		events := admin.must(200, "GET", f.path("/api/v1/orgs/{A}/events?action=user.totp_reset"), nil)
		if items, _ := events.body["items"].([]any); len(items) != 1 {
			t.Fatalf("no audit event: %s", events.raw)
		}
	})
}
