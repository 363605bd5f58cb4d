package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestEveryCatalogueWorksEndToEnd is issue 12's item 1 over the API, on
// both databases: the operator opens an account with each seed portal's
// catalogue; its owner gets the catalogue's owner role and gives each
// role the catalogue lets it give (a role of another catalogue is 422);
// and each holder of each role is let into the users list exactly when
// the catalogue file's users.see_all cell says so. The expectations come
// from the policy loaded from the files, so a changed cell changes them.
func TestEveryCatalogueWorksEndToEnd(t *testing.T) {
	pol := policy.Default()
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		op := f.clients["operator"]
		list := op.must(200, "GET", "/api/v1/roles", nil)
		var names []string
		for _, c := range list.body["items"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		if !slices.Equal(names, []string{"1nce", "cloud", "hosting", "partner"}) {
			t.Fatalf("catalogues: %v", names)
		}
		if m := op.must(200, "GET", "/api/v1/roles/partner", nil); len(m.body["roles"].([]any)) != 12 {
			t.Fatalf("the partner catalogue has %d roles: %s", len(m.body["roles"].([]any)), m.raw)
		}
		op.must(404, "GET", "/api/v1/roles/nope", nil)
		bad := op.must(422, "POST", "/api/v1/accounts", map[string]any{"name": "Bad", "catalogue": "nope",
			"owner": map[string]any{"email": "bad@example.com", "first_name": "B", "last_name": "Ad"}})
		if !strings.Contains(bad.raw, `"catalogue"`) || !strings.Contains(bad.raw, "1nce, cloud, hosting, partner") {
			t.Fatalf("an unknown catalogue: %s", bad.raw)
		}

		for _, cat := range pol.Catalogues() {
			ownerRole, _ := pol.AccountOwner(cat)
			email := "owner@" + cat + ".example"
			r := op.must(201, "POST", "/api/v1/accounts", map[string]any{"name": "Portal " + cat, "catalogue": cat,
				"owner": map[string]any{"email": email, "first_name": "O", "last_name": "Wner"}})
			acc := r.body["account"].(map[string]any)
			roles := r.body["owner"].(map[string]any)["roles"].([]any)
			if acc["catalogue"] != cat || len(roles) != 1 || roles[0].(map[string]any)["role"] != pol.RoleName(ownerRole) {
				t.Fatalf("%s account: %s", cat, r.raw)
			}
			accID := acc["id"].(string)
			f.activate(email)
			owner := f.signIn(email)
			ownerP := &policy.Principal{ID: "owner", Grants: []policy.Grant{{Org: accID, Role: ownerRole}}}
			seeUsers, _ := pol.LookupAction("users.see_all")
			for i, role := range pol.Roles(cat) {
				name := pol.RoleName(role)
				person := fmt.Sprintf("p%d@%s.example", i, cat)
				body := map[string]any{"email": person, "first_name": "P", "last_name": name, "roles": []string{name}}
				if !pol.CanAssign(ownerP, accID, role, true) {
					owner.must(403, "POST", "/api/v1/orgs/"+accID+"/users", body)
					continue
				}
				owner.must(201, "POST", "/api/v1/orgs/"+accID+"/users", body)
				f.activate(person)
				holder := f.signIn(person)
				want := 403
				if pol.Allowed(&policy.Principal{ID: "p", Grants: []policy.Grant{{Org: accID, Role: role}}}, seeUsers, policy.Target{Org: accID}) {
					want = 200
				}
				holder.must(want, "GET", "/api/v1/orgs/"+accID+"/users", nil)
			}
			other := "owner"
			if cat == "1nce" {
				other = "partner_account_admin"
			}
			r = owner.must(422, "POST", "/api/v1/orgs/"+accID+"/users", map[string]any{"email": "x@" + cat + ".example",
				"first_name": "X", "last_name": "Y", "roles": []string{other}})
			if !strings.Contains(r.raw, other) {
				t.Fatalf("a role of another catalogue in %s: %s", cat, r.raw)
			}
		}
	})
}
