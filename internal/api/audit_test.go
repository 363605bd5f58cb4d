package api_test

// Tests for the findings of the outside security audit (issue 10), each
// named after what it guards; docs/security.md lists them by finding.

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestMachinesNeverHoldOwner is finding 1: a service account with the
// Owner role could be removed by nobody. Machines never hold Owner, and the
// org's Owner removes any machine of it.
func TestMachinesNeverHoldOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"ghost","kind":"service","roles":["owner"]}`)
		if !strings.Contains(r.raw, "people only") {
			t.Fatalf("refusal does not say why: %s", r.raw)
		}
		r = f.clients["adminA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"robot","kind":"service","roles":["user"]}`)
		id := r.body["user"].(map[string]any)["id"].(string)
		owner.must(422, "POST", "/api/v1/users/"+id+"/roles", `{"role":"owner"}`)
		owner.must(200, "POST", "/api/v1/users/"+id+"/lock", nil)
		owner.must(200, "GET", "/api/v1/users/"+id+"/secrets", nil)
		owner.must(204, "DELETE", "/api/v1/users/"+id, nil)
	})
}

// TestGrantsNameOnlyServicesThatExist is finding 3: a grant for a made-up
// service made a full admin. The 1NCE catalogue has no services, so a
// per-service grant is refused, naming the field.
func TestGrantsNameOnlyServicesThatExist(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		r := f.clients["ownerA"].must(422, "POST", f.path("/api/v1/users/{userA}/roles"), `{"role":"admin","service":"billing-only"}`)
		if len(r.body["errors"].([]any)) != 1 || !strings.Contains(r.raw, `"field":"service"`) {
			t.Fatalf("want an error at service: %s", r.raw)
		}
		f.clients["userA"].must(403, "GET", f.path("/api/v1/orgs/{A}/users"), nil)
	})
}
