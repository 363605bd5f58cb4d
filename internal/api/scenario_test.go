package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

// scenario is one API call by one actor and what they must see.
type scenario struct {
	actor  string
	method string
	path   string
	body   string
	status int
	code   string // the problem's code, for errors
}

func newUser(role string) string {
	return `{"email":"new-` + role + `@example.com","first_name":"New","last_name":"Person","roles":["` + role + `"]}`
}

// every returns the same call by each actor with the expected status.
func every(method, path, body string, want map[string]int) []scenario {
	var out []scenario
	for actor, status := range want {
		code := map[int]string{400: "malformed_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 422: "invalid"}[status]
		out = append(out, scenario{actor: actor, method: method, path: path, body: body, status: status, code: code})
	}
	return out
}

// scenarios covers every endpoint for every role: own account, the other
// account (always 404, never 403), and no session at all.
func scenarios() []scenario {
	var s []scenario
	add := func(more ...[]scenario) {
		for _, m := range more {
			s = append(s, m...)
		}
	}
	add(
		every("POST", "/api/v1/accounts", `{"name":"New Co","owner":{"email":"n@new.example","first_name":"N","last_name":"O"}}`, map[string]int{
			"operator": 201, "ownerA": 403, "adminA": 403, "userA": 403, "readonlyA": 403, "thirdA": 403, "anon": 401}),
		every("GET", "/api/v1/accounts", "", map[string]int{
			"operator": 200, "ownerA": 403, "adminA": 403, "userA": 403, "readonlyA": 403, "thirdA": 403, "anon": 401}),
		every("GET", "/api/v1/orgs/{A}", "", map[string]int{
			"operator": 200, "ownerA": 200, "adminA": 200, "userA": 200, "readonlyA": 200, "thirdA": 200, "ownerB": 404, "userB": 404, "anon": 401}),
		every("GET", "/api/v1/orgs/{platform}", "", map[string]int{"operator": 200, "ownerA": 404, "anon": 401}),
		every("GET", "/api/v1/orgs/{A}/children", "", map[string]int{
			"operator": 403, "ownerA": 200, "adminA": 200, "userA": 403, "readonlyA": 200, "thirdA": 403, "ownerB": 404, "anon": 401}),
		every("GET", "/api/v1/orgs/{A}/users", "", map[string]int{
			"operator": 404, "ownerA": 200, "owner2A": 200, "adminA": 200, "userA": 403, "readonlyA": 200, "thirdA": 403, "ownerB": 404, "anon": 401}),
		every("GET", "/api/v1/orgs/{A}/users?cursor=not-a-cursor", "", map[string]int{"ownerA": 422}),
		every("GET", "/api/v1/orgs/{A}/users?limit=201", "", map[string]int{"ownerA": 422}),
		every("GET", "/api/v1/orgs/{A}/users?sort=password", "", map[string]int{"ownerA": 422}),
		every("GET", "/api/v1/orgs/{nope}/users", "", map[string]int{"ownerA": 404}),

		// Creating users: only roles the actor administers (R2).
		every("POST", "/api/v1/orgs/{A}/users", newUser("user"), map[string]int{
			"operator": 404, "ownerA": 201, "owner2A": 201, "adminA": 201, "userA": 403, "readonlyA": 403, "thirdA": 403, "ownerB": 404, "anon": 401}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("admin"), map[string]int{"ownerA": 201, "adminA": 403, "userA": 403}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("owner"), map[string]int{"ownerA": 201, "adminA": 403}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("read_only"), map[string]int{"adminA": 201, "readonlyA": 403}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("third_party"), map[string]int{"adminA": 201, "thirdA": 403}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("operator"), map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/orgs/{A}/users", newUser("wizard"), map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/orgs/{A}/users", `{"email":"userA@example.com","first_name":"X","last_name":"Y","roles":["user"]}`, map[string]int{"ownerA": 409}),
		every("POST", "/api/v1/orgs/{A}/users", `{"email":"x@example.com","login":"userB@example.com","first_name":"X","last_name":"Y","roles":["user"]}`, map[string]int{"ownerA": 201}),
		every("POST", "/api/v1/orgs/{A}/users", `{"email":"x@example.com","first_name":"X","last_name":"Y","roles":["user"],"is_admin":true}`, map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/orgs/{A}/users", `{"email":"x@example.com","first_name":"X","last_name":"Y","roles":[]}`, map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/orgs/{A}/users", `{"email":"x@example.com","first_name":"X","last_name":"Y","roles":["user"]`, map[string]int{"ownerA": 400}),
		every("POST", "/api/v1/orgs/{B}/users", newUser("user"), map[string]int{"ownerA": 404, "ownerB": 201}),

		// Reading one user.
		every("GET", "/api/v1/users/{userA}", "", map[string]int{
			"operator": 404, "ownerA": 200, "adminA": 200, "userA": 200, "readonlyA": 200, "thirdA": 403, "ownerB": 404, "anon": 401}),
		every("GET", "/api/v1/users/{thirdA}", "", map[string]int{"thirdA": 200, "userA": 403}),
		every("GET", "/api/v1/users/{userB}", "", map[string]int{"ownerA": 404, "adminA": 404, "ownerB": 200}),
		every("GET", "/api/v1/session", "", map[string]int{"userA": 200, "anon": 401}),

		// Editing: nobody else edits the initial owner; owners are edited by nobody in the tenant.
		every("PATCH", "/api/v1/users/{ownerA}", `{"first_name":"Changed"}`, map[string]int{
			"ownerA": 200, "owner2A": 403, "adminA": 403, "userA": 403, "ownerB": 404, "operator": 404, "anon": 401}),
		every("PATCH", "/api/v1/users/{owner2A}", `{"first_name":"Changed"}`, map[string]int{"ownerA": 403, "adminA": 403, "owner2A": 200}),
		every("PATCH", "/api/v1/users/{adminA}", `{"first_name":"Changed"}`, map[string]int{
			"ownerA": 200, "admin2A": 403, "adminA": 200, "userA": 403, "readonlyA": 403, "ownerB": 404}),
		every("PATCH", "/api/v1/users/{userA}", `{"first_name":"Changed","language":"de"}`, map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 200, "readonlyA": 403, "thirdA": 403, "ownerB": 404}),
		every("PATCH", "/api/v1/users/{userA}", `{"org_id":"{B}"}`, map[string]int{"ownerA": 422}),
		every("PATCH", "/api/v1/users/{userA}", `{"email":"adminA@example.com"}`, map[string]int{"ownerA": 409}),
		every("PATCH", "/api/v1/users/{userA}", `{"email":"not-an-address"}`, map[string]int{"ownerA": 422}),
		every("PATCH", "/api/v1/users/{userA}", `{"login":"sneaky@example.com"}`, map[string]int{"ownerA": 422}),
		every("PATCH", "/api/v1/users/{userB}", `{"first_name":"Changed"}`, map[string]int{"ownerA": 404, "ownerB": 200}),

		// Deleting.
		every("DELETE", "/api/v1/users/{userA}", "", map[string]int{
			"ownerA": 204, "adminA": 204, "userA": 403, "readonlyA": 403, "thirdA": 403, "ownerB": 404, "operator": 404, "anon": 401}),
		every("DELETE", "/api/v1/users/{adminA}", "", map[string]int{"ownerA": 204, "admin2A": 403, "adminA": 403}),
		every("DELETE", "/api/v1/users/{ownerA}", "", map[string]int{"ownerA": 403, "owner2A": 403, "adminA": 403}),
		every("DELETE", "/api/v1/users/{owner2A}", "", map[string]int{"ownerA": 403}),
		every("DELETE", "/api/v1/users/{userB}", "", map[string]int{"ownerA": 404, "ownerB": 204}),

		// Roles: give only what you administer, never to yourself.
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"read_only"}`, map[string]int{
			"ownerA": 201, "adminA": 201, "userA": 403, "readonlyA": 403, "ownerB": 404, "anon": 401}),
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"admin"}`, map[string]int{"ownerA": 201, "adminA": 403}),
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"owner"}`, map[string]int{"ownerA": 403}),
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"user"}`, map[string]int{"ownerA": 409}),
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"read_only","expires_at":"2001-01-01T00:00:00Z"}`, map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/users/{userA}/roles", `{"role":"read_only","expires_at":"2101-01-01T00:00:00Z"}`, map[string]int{"ownerA": 201}),
		every("POST", "/api/v1/users/{adminA}/roles", `{"role":"user"}`, map[string]int{"ownerA": 201, "adminA": 403, "admin2A": 403}),
		every("POST", "/api/v1/users/{ownerA}/roles", `{"role":"admin"}`, map[string]int{"ownerA": 403, "owner2A": 403}),
		every("POST", "/api/v1/users/{userB}/roles", `{"role":"admin"}`, map[string]int{"ownerA": 404}),
		every("DELETE", "/api/v1/users/{userA}/roles/{userA.grant}", "", map[string]int{"ownerA": 422, "userA": 403, "ownerB": 404}),
		every("DELETE", "/api/v1/users/{userA}/roles/{adminA.grant}", "", map[string]int{"ownerA": 404}),
		every("DELETE", "/api/v1/users/{userB}/roles/{userB.grant}", "", map[string]int{"ownerA": 404}),

		// Account lifecycle by administrators (U5, U9).
		every("POST", "/api/v1/users/{userA}/lock", "", map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 403, "readonlyA": 403, "thirdA": 403, "ownerB": 404, "operator": 404, "anon": 401}),
		every("POST", "/api/v1/users/{adminA}/lock", "", map[string]int{"ownerA": 200, "admin2A": 403}),
		every("POST", "/api/v1/users/{ownerA}/lock", "", map[string]int{"owner2A": 403, "ownerA": 403}),
		every("POST", "/api/v1/users/{userA}/unlock", "", map[string]int{"ownerA": 200, "userA": 403, "ownerB": 404}),
		every("POST", "/api/v1/users/{userA}/password-reset", "", map[string]int{"ownerA": 202, "adminA": 202, "readonlyA": 403, "userA": 403, "ownerB": 404}),
		every("POST", "/api/v1/users/{userA}/activation", "", map[string]int{"ownerA": 409, "userA": 403, "ownerB": 404}),
		every("POST", "/api/v1/users/{userA}/totp-reset", "", map[string]int{"ownerA": 409, "userA": 403, "ownerB": 404}),
		every("PATCH", "/api/v1/orgs/{A}/settings", `{"require_2fa":true}`, map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 403, "readonlyA": 403, "ownerB": 404, "anon": 401}),
		every("POST", "/api/v1/orgs/{A}/invitations", `{"login":"userB@example.com","roles":["read_only"]}`, map[string]int{
			"ownerA": 201, "adminA": 201, "userA": 403, "ownerB": 404, "anon": 401}),
		every("POST", "/api/v1/orgs/{A}/invitations", `{"login":"userB@example.com","roles":["admin"]}`, map[string]int{"ownerA": 201, "adminA": 403}),
		every("POST", "/api/v1/orgs/{A}/invitations", `{"login":"userA@example.com","roles":["user"]}`, map[string]int{"ownerA": 409}),
		every("POST", "/api/v1/orgs/{A}/invitations", `{"login":"nobody@example.com","roles":["user"]}`, map[string]int{"ownerA": 201}),
		every("GET", "/api/v1/orgs/{A}/invitations", "", map[string]int{"ownerA": 200, "readonlyA": 200, "userA": 403, "ownerB": 404}),
		every("POST", "/api/v1/me/password", `{"current_password":"wrong one","new_password":"a new long passphrase"}`, map[string]int{"thirdA": 422, "anon": 401}),
		every("POST", "/api/v1/me/password", `{"current_password":"`+password+`","new_password":"a new long passphrase"}`, map[string]int{"userA": 204}),
		every("GET", "/api/v1/me/sessions", "", map[string]int{"userA": 200, "anon": 401}),
		every("POST", "/api/v1/session/totp", `{"code":"123456"}`, map[string]int{"userA": 401, "anon": 401}),

		// Organizations and SIMs by role and by relation: own, parent, child, sibling, unrelated account.
		every("GET", "/api/v1/orgs/{A}/sims", "", map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 200, "readonlyA": 200, "thirdA": 200, "ownerC1": 404, "ownerB": 404, "operator": 200, "anon": 401}),
		every("GET", "/api/v1/orgs/{C1}/sims", "", map[string]int{"ownerC1": 200, "ownerA": 404, "ownerC2": 404, "ownerB": 404}),
		every("GET", "/api/v1/orgs/{A}/sims.csv", "", map[string]int{"ownerA": 200, "readonlyA": 200, "thirdA": 403, "ownerB": 404}),
		every("GET", "/api/v1/orgs/{A}/sims?prefix=89x", "", map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/accounts/{A}/sims", `{"iccids":["`+storetest.ICCID(500)+`"]}`, map[string]int{
			"operator": 201, "ownerA": 403, "adminA": 403, "anon": 401}),
		every("POST", "/api/v1/accounts/{C1}/sims", `{"iccids":["`+storetest.ICCID(500)+`"]}`, map[string]int{"operator": 404}),
		every("GET", "/api/v1/orgs/{C1}", "", map[string]int{"ownerA": 200, "readonlyA": 200, "userA": 404, "ownerC1": 200, "ownerC2": 404, "ownerB": 404}),
		every("GET", "/api/v1/orgs/{A}", "", map[string]int{"ownerC1": 404}),
		every("GET", "/api/v1/orgs/{C1}/users", "", map[string]int{"ownerC1": 200, "ownerA": 404, "ownerC2": 404}),
		every("GET", "/api/v1/orgs/{A}/children", "", map[string]int{"ownerC1": 404}),
		every("POST", "/api/v1/transfers", `{"from":"{A}","to":"{C1}","ranges":[{"start":"`+storetest.ICCID(0)+`","end":"`+storetest.ICCID(9)+`"}]}`, map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 404, "readonlyA": 403, "thirdA": 404, "ownerC1": 404, "ownerC2": 404, "ownerB": 404, "operator": 404, "anon": 401}),
		every("POST", "/api/v1/transfers", `{"from":"{C1}","to":"{C2}","ranges":[{"start":"`+storetest.ICCID(0)+`","end":"`+storetest.ICCID(9)+`"}]}`, map[string]int{"ownerA": 403}),
		every("DELETE", "/api/v1/orgs/{C2}", "", map[string]int{
			"ownerA": 204, "adminA": 204, "userA": 404, "readonlyA": 403, "ownerC2": 403, "ownerC1": 404, "ownerB": 404, "anon": 401}),
		every("POST", "/api/v1/orgs/{C1}/workflows", `{"kind":"invoice","title":"Invoice 1"}`, map[string]int{"operator": 201, "ownerA": 403, "ownerC1": 403}),
		every("GET", "/api/v1/orgs/{C1}/workflows", "", map[string]int{"operator": 200, "ownerC1": 200, "ownerA": 404}),
		every("GET", "/api/v1/service-requests", "", map[string]int{"operator": 200, "ownerA": 403, "anon": 401}),
		every("POST", "/api/v1/orgs/{A}/service-requests", `{"kind":"other","text":"More SIMs please"}`, map[string]int{
			"ownerA": 201, "userA": 201, "thirdA": 201, "readonlyA": 403, "ownerB": 404, "ownerC1": 404}),
		every("GET", "/api/v1/orgs/{A}/service-requests", "", map[string]int{"ownerA": 200, "readonlyA": 200, "ownerB": 404}),
		every("POST", "/api/v1/orgs/{A}/contacts", `{"kind":"billing","name":"Bill"}`, map[string]int{
			"ownerA": 201, "adminA": 201, "userA": 403, "readonlyA": 403, "ownerB": 404, "ownerC1": 404}),
		every("GET", "/api/v1/orgs/{A}/contacts", "", map[string]int{"ownerA": 200, "readonlyA": 200, "thirdA": 403, "ownerB": 404}),

		// API users and service accounts (U6, U7) and personal access tokens (R3).
		every("POST", "/api/v1/orgs/{A}/clients", `{"name":"app"}`, map[string]int{
			"ownerA": 201, "adminA": 201, "userA": 403, "readonlyA": 403, "thirdA": 403, "ownerB": 404, "ownerC1": 404, "operator": 404, "anon": 401}),
		every("POST", "/api/v1/orgs/{A}/clients", `{"name":"svc","kind":"service","roles":["read_only"]}`, map[string]int{"ownerA": 201, "adminA": 201}),
		every("POST", "/api/v1/orgs/{A}/clients", `{"name":"boss","roles":["admin"]}`, map[string]int{"ownerA": 201, "adminA": 403}),
		every("POST", "/api/v1/orgs/{A}/clients", `{"name":"X Y"}`, map[string]int{"ownerA": 422}),
		every("POST", "/api/v1/me/tokens", `{"name":"ci","expires_in_days":30}`, map[string]int{
			"ownerA": 201, "owner2A": 201, "adminA": 403, "userA": 403, "operator": 403, "anon": 401}),
		every("GET", "/api/v1/me/tokens", "", map[string]int{"ownerA": 200, "anon": 401}),
		every("GET", "/api/v1/users/{userA}/secrets", "", map[string]int{"ownerA": 422, "userA": 403, "ownerB": 404}),

		every("GET", "/api/v1/orgs/{A}/events", "", map[string]int{
			"ownerA": 200, "adminA": 200, "userA": 403, "readonlyA": 403, "thirdA": 403, "ownerB": 404, "ownerC1": 404, "operator": 404, "anon": 401}),
		every("GET", "/api/v1/orgs/{A}/events?action=user.&limit=5", "", map[string]int{"ownerA": 200}),

		every("GET", "/api/v1/roles/1nce", "", map[string]int{"userA": 200, "thirdA": 200, "anon": 401}),
		every("GET", "/api/v1/roles/nope", "", map[string]int{"userA": 404}),
		every("DELETE", "/api/v1/session", "", map[string]int{"userA": 204, "anon": 401}),
		every("POST", "/api/v1/password", `{"token":"made-up","password":"a long enough new password"}`, map[string]int{"anon": 422}),
		every("POST", "/api/v1/session", `{"login":"userA@example.com","password":"wrong password"}`, map[string]int{"anon": 401}),
		every("POST", "/api/v1/session", `{"login":"nobody@example.com","password":"wrong password"}`, map[string]int{"anon": 401}),
	)
	// The initial owner's edits, and bad tokens, are refused with their own codes.
	for i := range s {
		if s[i].path == "/api/v1/password" {
			s[i].code = "token_invalid"
		}
		if strings.Contains(s[i].body, `"from":"{C1}","to":"{C2}"`) {
			s[i].code = "transfer_not_allowed"
		}
		if strings.HasPrefix(s[i].path, "/api/v1/users/{ownerA}") && s[i].status == 403 && s[i].actor != "ownerA" {
			s[i].code = "initial_owner"
		}
	}
	return s
}

func TestAPIScenarios(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			shared := newFixture(t, b)
			withChildren(t, shared)
			for _, sc := range scenarios() {
				name := fmt.Sprintf("%s %s %s as %s", sc.method, sc.path, strings.ReplaceAll(sc.body, "/", "|"), sc.actor)
				// Calls that succeed in changing something get a fixture of their own.
				changes := sc.method != "GET" && sc.status < 300
				t.Run(name, func(t *testing.T) {
					f := shared
					if changes {
						t.Parallel() // after every read-only scenario: shared is idle
						f = shared.clone(t, b)
					}
					c, ok := f.clients[sc.actor]
					if !ok {
						t.Fatalf("no actor %q", sc.actor)
					}
					var body any
					if sc.body != "" {
						body = f.path(sc.body)
					}
					f.env.t = t
					r := c.do(sc.method, f.path(sc.path), body)
					f.env.t = nil
					if r.status != sc.status {
						t.Fatalf("status %d, want %d: %s", r.status, sc.status, r.raw)
					}
					if sc.code != "" && r.str("code") != sc.code {
						t.Fatalf("code %q, want %q: %s", r.str("code"), sc.code, r.raw)
					}
				})
			}
		})
	}
}
