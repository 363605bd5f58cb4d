package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestParentSettingsReachTheWholeSubtree is issue 12's item 4 (B4) on a
// three-level tree, account > region > depot: what the account requires
// holds two levels down, a child tightens but never loosens, the source
// of each floor is named, running sessions are shortened, and the account
// sees (and lists) its grandchildren.
func TestParentSettingsReachTheWholeSubtree(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		var offset atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		f := newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test", Now: now,
			Tune: func(c *app.Config) { c.SessionIdle = 24 * time.Hour }})
		owner := f.clients["ownerA"]
		child := func(c *client, parent, name, email string) string {
			r := c.must(201, "POST", "/api/v1/orgs/"+parent+"/children", map[string]any{"name": name,
				"owner": map[string]any{"email": email, "first_name": "O", "last_name": name}})
			f.activate(email)
			return r.body["org"].(map[string]any)["id"].(string)
		}
		region := child(owner, f.ids["{A}"], "Region North", "region@a.example")
		regionOwner := f.signIn("region@a.example")
		depot := child(regionOwner, region, "Depot Kiel", "depot@a.example")
		depotOwner := f.signIn("depot@a.example")

		// The account's and the region's owners have authenticators; the
		// depot's owner has none.
		enrol := func(c *client) {
			r := c.must(200, "POST", "/api/v1/me/totp", nil)
			c.must(200, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": auth.TOTPCode(r.str("secret"), now())})
		}
		enrol(owner)
		enrol(regionOwner)

		owner.must(200, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"require_2fa": true, "session_hours": 8})
		sec := owner.must(200, "GET", "/api/v1/orgs/"+depot+"/security", nil).body
		want := map[string]string{"require_2fa": "true true Account A", "session_hours": "8 true Account A", "password_min_length": "12 false"}
		for k, w := range want {
			s := sec[k].(map[string]any)
			if got := strings.TrimSpace(strings.Join([]string{str(s["value"]), str(s["locked"]), str(s["set_by"])}, " ")); got != w {
				t.Fatalf("depot %s = %v, want value, locked, set_by %q", k, s, w)
			}
		}
		// Two levels down, the account's 2FA rule holds: the depot's owner
		// must enrol before anything else, and may not switch it off.
		if r := depotOwner.must(403, "GET", "/api/v1/orgs/"+depot+"/users", nil); r.str("code") != "totp_enrolment_required" {
			t.Fatalf("depot owner without an authenticator: %s", r.raw)
		}
		if r := regionOwner.must(422, "PATCH", "/api/v1/orgs/"+region+"/settings", map[string]any{"require_2fa": false}); !strings.Contains(r.raw, "require_2fa: is required by Account A") {
			t.Fatalf("switching off what the account requires: %s", r.raw)
		}
		owner.must(200, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"require_2fa": false})
		depotOwner.must(200, "GET", "/api/v1/orgs/"+depot+"/users", nil)
		// The region requires it of itself and below, the account no longer.
		regionOwner.must(200, "PATCH", "/api/v1/orgs/"+region+"/settings", map[string]any{"require_2fa": true})
		if r := depotOwner.must(403, "GET", "/api/v1/orgs/"+depot+"/users", nil); r.str("code") != "totp_enrolment_required" {
			t.Fatalf("the region's rule: %s", r.raw)
		}
		owner.must(200, "GET", f.path("/api/v1/orgs/{A}/users"), nil) // above the region: untouched
		regionOwner.must(200, "PATCH", "/api/v1/orgs/"+region+"/settings", map[string]any{"require_2fa": false})

		// A child may tighten, never loosen, and is told who set the bound.
		if r := regionOwner.must(422, "PATCH", "/api/v1/orgs/"+region+"/settings", map[string]any{"session_hours": 12}); !strings.Contains(r.raw, "Account A allows sessions of at most 8 hours") {
			t.Fatalf("loosening the session lifetime: %s", r.raw)
		}
		regionOwner.must(200, "PATCH", "/api/v1/orgs/"+region+"/settings", map[string]any{"session_hours": 4, "password_min_length": 32})
		if r := depotOwner.must(422, "PATCH", "/api/v1/orgs/"+depot+"/settings", map[string]any{"password_min_length": 20}); !strings.Contains(r.raw, "Region North requires passwords of at least 32 characters") {
			t.Fatalf("loosening the password length: %s", r.raw)
		}
		s := depotOwner.must(200, "GET", "/api/v1/orgs/"+depot+"/security", nil).body["session_hours"].(map[string]any)
		if s["value"] != 4.0 || s["set_by"] != "Region North" {
			t.Fatalf("depot session hours after the region tightened: %v", s)
		}
		// The depot's people: a new password is held to the region's length.
		depotOwner.must(201, "POST", "/api/v1/orgs/"+depot+"/users", map[string]any{"email": "picker@a.example",
			"first_name": "P", "last_name": "Icker", "roles": []string{"user"}})
		m := f.MailTo("picker@a.example")
		if r := f.anon().must(422, "POST", "/api/v1/password", map[string]string{"token": m.Token(), "password": password}); !strings.Contains(r.raw, "at least 32 characters") {
			t.Fatalf("a %d-character password under a 32-character rule: %s", len(password), r.raw)
		}
		f.anon().must(204, "POST", "/api/v1/password", map[string]string{"token": m.Token(), "password": password + " and then some"})

		// The account sees its whole subtree; the region sees only its own.
		tree := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/tree"), nil).body["items"].([]any)
		if len(tree) != 2 || tree[0].(map[string]any)["name"] != "Region North" || tree[1].(map[string]any)["depth"] != 2.0 {
			t.Fatalf("account's tree: %v", tree)
		}
		owner.must(200, "GET", "/api/v1/orgs/"+depot, nil)
		regionOwner.must(404, "GET", f.path("/api/v1/orgs/{A}/tree"), nil)
		if items := regionOwner.must(200, "GET", "/api/v1/orgs/"+region+"/tree", nil).body["items"].([]any); len(items) != 1 {
			t.Fatalf("region's tree: %v", items)
		}
		f.clients["ownerB"].must(404, "GET", "/api/v1/orgs/"+depot+"/security", nil)

		// The depot owner's session began before the 4-hour rule: it ends
		// 4 hours after it began; the account's owner keeps 8.
		offset.Store(int64(4*time.Hour + time.Minute))
		depotOwner.must(401, "GET", "/api/v1/session", nil)
		owner.must(200, "GET", "/api/v1/session", nil)
	})
}

// str prints a JSON value as the test compares it; null prints nothing.
func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// TestRemoveLinkedPerson is seed 004's "Remove user" (issue 12, item 6):
// a person invited from another account leaves this one with all their
// roles here, and keeps their login, their home and their roles there.
func TestRemoveLinkedPerson(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		ownerB := f.clients["ownerB"]
		ownerB.must(201, "POST", f.path("/api/v1/orgs/{B}/invitations"), map[string]any{"login": "userA@example.com", "roles": []string{"read_only"}})
		f.anon().must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": f.MailTo("userA@example.com").Token()})
		if r := ownerB.must(200, "GET", f.path("/api/v1/orgs/{B}/users"), nil); !strings.Contains(r.raw, f.ids["{userA}"]) {
			t.Fatalf("the linked person is not listed in B: %s", r.raw)
		}
		f.clients["userB"].must(403, "DELETE", f.path("/api/v1/users/{userA}/link"), nil)
		if r := f.clients["ownerA"].must(409, "DELETE", f.path("/api/v1/users/{userA}/link"), nil); !strings.Contains(r.raw, "delete them instead") {
			t.Fatalf("removing a person of one's own org: %s", r.raw)
		}
		ownerB.must(204, "DELETE", f.path("/api/v1/users/{userA}/link"), nil)
		ownerB.must(404, "GET", f.path("/api/v1/users/{userA}"), nil)
		if r := ownerB.must(200, "GET", f.path("/api/v1/orgs/{B}/users"), nil); strings.Contains(r.raw, f.ids["{userA}"]) {
			t.Fatalf("still listed in B: %s", r.raw)
		}
		if r := ownerB.must(200, "GET", f.path("/api/v1/orgs/{B}/events"), nil); !strings.Contains(r.raw, `"user.remove"`) {
			t.Fatalf("no audit event: %s", r.raw)
		}
		// At home nothing changed.
		if r := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/users/{userA}"), nil); !strings.Contains(r.raw, `"role":"user"`) || r.str("status") != "active" {
			t.Fatalf("at home: %s", r.raw)
		}
		f.signIn("userA@example.com").must(200, "GET", "/api/v1/session", nil)
	})
}
