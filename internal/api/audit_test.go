package api_test

// Tests for the findings of the outside security audit (issue 10), each
// named after what it guards; docs/security.md lists them by finding.

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
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

// TestDryRunRevealsNoOtherTenantsSIMs is finding 2: a dry run counted
// every org's SIMs in a range. The answer must be the same whether or not
// another account holds SIMs there.
func TestDryRunRevealsNoOtherTenantsSIMs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f) // account A holds ICCIDs 0..99
		dry := f.path(`{"from":"{A}","to":"{C1}","dry_run":true,"ranges":[{"start":"` + storetest.ICCID(0) + `","end":"` + storetest.ICCID(299) + `"}]}`)
		before := f.clients["ownerA"].must(200, "POST", "/api/v1/transfers", dry)
		f.clients["operator"].must(201, "POST", f.path("/api/v1/accounts/{B}/sims"), map[string]any{"iccids": iccids(100, 199)})
		after := f.clients["ownerA"].must(200, "POST", "/api/v1/transfers", dry)
		rng := after.body["ranges"].([]any)[0].(map[string]any)
		if before.raw != after.raw || rng["moved"] != 100.0 || rng["not_owned"] != 200.0 {
			t.Fatalf("the answer changed with B's SIMs or is wrong:\nbefore %s\nafter  %s", before.raw, after.raw)
		}
	})
}

// TestAPIUserTransfersToSubOrganizations is finding 8: the API user's
// catalogue row grants organisation.sim_transfer, yet finding the child
// took organisation.see_all.
func TestAPIUserTransfersToSubOrganizations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f)
		robot := f.apiUser("A", "fleet")
		rng := `"ranges":[{"start":"` + storetest.ICCID(0) + `","end":"` + storetest.ICCID(9) + `"}]`
		r := robot.must(200, "POST", "/api/v1/transfers", f.path(`{"from":"{A}","to":"{C1}",`+rng+`}`))
		if r.body["moved"] != 10.0 {
			t.Fatalf("moved: %s", r.raw)
		}
		robot.must(200, "POST", "/api/v1/transfers", f.path(`{"from":"{C1}","to":"{A}",`+rng+`}`))
		robot.must(404, "GET", f.path("/api/v1/orgs/{C1}"), nil) // it still cannot look into the child
		robot.must(404, "POST", "/api/v1/transfers", f.path(`{"from":"{A}","to":"{B}",`+rng+`}`))
	})
}
