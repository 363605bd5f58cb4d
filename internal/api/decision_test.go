package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// application registers one of the portal's applications: an API user of
// the platform with the role application, calling with its access token.
func (f *fixture) application(name string) *client {
	f.t.Helper()
	r := f.clients["operator"].must(201, "POST", f.path("/api/v1/orgs/{platform}/clients"), map[string]any{"name": name, "roles": []string{"application"}})
	status, body, _ := tokenCall(f.t, f.env, "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, [2]string{r.str("client_id"), r.str("client_secret")})
	if status != 200 {
		f.t.Fatalf("token for %s: %d %v", name, status, body)
	}
	c := f.anon()
	c.bearer = body["access_token"].(string)
	return c
}

// TestDecisionsOverAuthZENWithReasons is issue 14's items 2 and 3 over
// HTTP: the portal's applications ask OpenID AuthZEN questions and get
// the decision Tenantry's own API would take, with the grant or the rule
// behind it; people see the same reasons through explain and permissions.
func TestDecisionsOverAuthZENWithReasons(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		conf := f.anon().must(200, "GET", "/.well-known/authzen-configuration", nil)
		if conf.str("access_evaluation_endpoint") != "http://tenantry.test/access/v1/evaluation" {
			t.Fatalf("configuration: %s", conf.raw)
		}
		dash := f.application("sim-dashboard")
		ask := func(c *client, subject, action, resType, resID string) response {
			t.Helper()
			return c.must(200, "POST", "/access/v1/evaluation", map[string]any{
				"subject": map[string]any{"type": "user", "id": f.ids[subject]}, "action": map[string]any{"name": action},
				"resource": map[string]any{"type": resType, "id": f.path(resID)}})
		}
		// Only applications ask.
		for _, who := range []string{"ownerA", "userA"} {
			f.clients[who].must(403, "POST", "/access/v1/evaluation", map[string]any{"subject": map[string]any{"type": "user", "id": f.ids["{userA}"]},
				"action": map[string]any{"name": "users.see_all"}, "resource": map[string]any{"type": "organization", "id": f.ids["{A}"]}})
		}
		f.apiUser("A", "not-an-app").must(403, "POST", "/access/v1/evaluation", map[string]any{"subject": map[string]any{"type": "user", "id": f.ids["{userA}"]},
			"action": map[string]any{"name": "users.see_all"}, "resource": map[string]any{"type": "organization", "id": f.ids["{A}"]}})

		type want struct {
			subject, action, resType, resID string
			decision                        bool
			reason, says                    string
		}
		for _, w := range []want{
			{"{readonlyA}", "users.see_all", "organization", "{A}", true, "granted", "holds read only in Account A"},
			{"{userA}", "users.see_all", "organization", "{A}", false, "no_grant", "no role of userA@example.com in Account A allows users.see_all"},
			{"{adminA}", "users.see_all", "user", "{userB}", false, "outside_subtree", "holds admin in Account A, which allows users.see_all there only, not in Account B"},
			{"{ownerA}", "organisation.sim_transfer", "organization", "{A}", true, "granted", "holds owner"},
			{"{userA}", "no.such_action", "organization", "{A}", false, "unknown_action", "is no action"},
			{"{userA}", "users.see_all", "sim", "8988228066000000000", false, "unknown_resource", "there is no sim"},
		} {
			r := ask(dash, w.subject, w.action, w.resType, w.resID)
			ctx := r.body["context"].(map[string]any)
			if r.body["decision"] != w.decision || ctx["reason"] != w.reason || !strings.Contains(ctx["message"].(string), w.says) {
				t.Errorf("%s %s %s: %s", w.subject, w.action, w.resID, r.raw)
			}
		}
		f.clients["ownerA"].must(200, "POST", f.path("/api/v1/users/{userA}/lock"), nil)
		if r := ask(dash, "{userA}", "users.administer_own_user", "organization", "{A}"); r.body["decision"] != false || !strings.Contains(r.raw, `"reason":"user_locked"`) {
			t.Errorf("a locked user: %s", r.raw)
		}

		// A batch with defaults, stopping at the first deny.
		r := dash.must(200, "POST", "/access/v1/evaluations", map[string]any{
			"subject":  map[string]any{"type": "user", "id": f.ids["{readonlyA}"]},
			"resource": map[string]any{"type": "organization", "id": f.ids["{A}"]},
			"evaluations": []any{
				map[string]any{"action": map[string]any{"name": "users.see_all"}},
				map[string]any{"action": map[string]any{"name": "organisation.sim_transfer"}},
				map[string]any{"action": map[string]any{"name": "users.see_all"}},
			},
			"options": map[string]any{"evaluations_semantic": "deny_on_first_deny"}})
		if evs := r.body["evaluations"].([]any); len(evs) != 2 || evs[0].(map[string]any)["decision"] != true || evs[1].(map[string]any)["decision"] != false {
			t.Fatalf("batch: %s", r.raw)
		}
		if r := dash.must(422, "POST", "/access/v1/evaluations", map[string]any{"evaluations": []any{map[string]any{"action": map[string]any{"name": "x.y"}}}}); !strings.Contains(r.raw, "evaluations[0]") {
			t.Fatalf("a batch entry without subject: %s", r.raw)
		}

		// People ask why, about what they may see.
		if r := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/users/{readonlyA}/explain?action=users.see_all"), nil); r.body["decision"] != true ||
			!strings.Contains(r.raw, `"role":"read_only"`) {
			t.Fatalf("explain: %s", r.raw)
		}
		f.clients["readonlyA"].must(200, "GET", f.path("/api/v1/users/{readonlyA}/explain?action=organisation.sim_transfer"), nil)
		f.clients["userB"].must(404, "GET", f.path("/api/v1/users/{readonlyA}/explain?action=users.see_all"), nil)
		f.clients["thirdA"].must(403, "GET", f.path("/api/v1/users/{readonlyA}/explain?action=users.see_all"), nil)
		if r := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/users/{readonlyA}/explain?action=users.see_all&resource=user:{userB}"), nil); !strings.Contains(r.raw, "unknown_resource") {
			t.Fatalf("explain about another tenant's user: %s", r.raw)
		}
		perms := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/users/{readonlyA}/permissions"), nil)
		if !strings.Contains(perms.raw, `{"action":"users.see_all","decision":true`) || !strings.Contains(perms.raw, `{"action":"organisation.sim_transfer","decision":false`) {
			t.Fatalf("permissions: %s", perms.raw)
		}
	})
}
