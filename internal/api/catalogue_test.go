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
			services := pol.Services(cat)
			if len(services) > 0 {
				op.must(200, "PUT", "/api/v1/accounts/"+accID+"/services", map[string]any{"services": services})
			}
			f.activate(email)
			owner := f.signIn(email)
			ownerP := &policy.Principal{ID: "owner", Grants: []policy.Grant{{Org: accID, Role: ownerRole}}}
			seeUsers, _ := pol.LookupAction("users.see_all")
			for i, role := range pol.Roles(cat) {
				name := pol.RoleName(role)
				person := fmt.Sprintf("p%d@%s.example", i, cat)
				given, service := name, ""
				if pol.PerService(role) {
					service = services[0]
					given += ":" + service
				}
				body := map[string]any{"email": person, "first_name": "P", "last_name": name, "roles": []string{given}}
				if !pol.CanAssign(ownerP, accID, role, true) {
					owner.must(403, "POST", "/api/v1/orgs/"+accID+"/users", body)
					continue
				}
				owner.must(201, "POST", "/api/v1/orgs/"+accID+"/users", body)
				f.activate(person)
				holder := f.signIn(person)
				want := 403
				if pol.Allowed(&policy.Principal{ID: "p", Grants: []policy.Grant{{Org: accID, Role: role, Service: service}}}, seeUsers, policy.Target{Org: accID}) {
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

// TestServicesPerAccount is issue 12's item 2: the operator enables
// services per account; a per-service role names an enabled service of
// the catalogue or is refused by name; disabling a service takes the
// roles limited to it, audited; a catalogue without services has none.
func TestServicesPerAccount(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		op := f.clients["operator"]
		r := op.must(201, "POST", "/api/v1/accounts", map[string]any{"name": "Cloud Co", "catalogue": "cloud",
			"owner": map[string]any{"email": "ca@cloud.example", "first_name": "C", "last_name": "A"}})
		acc := r.body["account"].(map[string]any)["id"].(string)
		f.activate("ca@cloud.example")
		owner := f.signIn("ca@cloud.example")
		users := "/api/v1/orgs/" + acc + "/users"
		person := func(email string, roles ...string) map[string]any {
			return map[string]any{"email": email, "first_name": "S", "last_name": "A", "roles": roles}
		}
		for _, tc := range []struct{ roles, want string }{
			{"service_admin", "service_admin is given per service, and no service is enabled for this account yet"},
			{"service_admin:backup", "the service backup is not enabled for this account (enabled: none)"},
			{"service_admin:mail", `\"mail\" is not a service of this organization; its services are backup, disaster_recovery, file_sync_share, notary`},
		} {
			if r := owner.must(422, "POST", users, person("s@cloud.example", tc.roles)); !strings.Contains(r.raw, tc.want) {
				t.Fatalf("%s: %s", tc.roles, r.raw)
			}
		}
		path := "/api/v1/accounts/" + acc + "/services"
		if r := op.must(422, "PUT", path, map[string]any{"services": []string{"backup", "mail"}}); !strings.Contains(r.raw, `\"mail\" is not a service of the cloud catalogue`) {
			t.Fatalf("an unknown service: %s", r.raw)
		}
		owner.must(403, "PUT", path, map[string]any{"services": []string{"backup"}})
		op.must(200, "PUT", path, map[string]any{"services": []string{"backup"}})
		got := owner.must(200, "GET", "/api/v1/orgs/"+acc+"/services", nil)
		if fmt.Sprint(got.body["services"]) != "[backup]" || len(got.body["available"].([]any)) != 4 {
			t.Fatalf("services: %s", got.raw)
		}
		if r := owner.must(422, "POST", users, person("s@cloud.example", "service_admin")); !strings.Contains(r.raw, "name one, as service_admin:backup (enabled: backup)") {
			t.Fatalf("a per-service role without its service: %s", r.raw)
		}
		r = owner.must(201, "POST", users, person("s@cloud.example", "service_admin:backup", "unit_admin"))
		id := r.str("id")
		if !strings.Contains(r.raw, `"role":"service_admin","service":"backup"`) {
			t.Fatalf("the created user's roles: %s", r.raw)
		}
		// A service enabled later: roles limited to it can be given at
		// once; disabling backup takes the role limited to it.
		op.must(200, "PUT", path, map[string]any{"services": []string{"notary"}})
		r = owner.must(200, "GET", "/api/v1/users/"+id, nil)
		if strings.Contains(r.raw, "backup") || !strings.Contains(r.raw, "unit_admin") {
			t.Fatalf("after disabling backup: %s", r.raw)
		}
		owner.must(201, "POST", "/api/v1/users/"+id+"/roles", map[string]any{"role": "service_user", "service": "notary"})
		if r := owner.must(422, "POST", "/api/v1/users/"+id+"/roles", map[string]any{"role": "service_user"}); !strings.Contains(r.raw, "given per service") {
			t.Fatalf("a per-service role for every service: %s", r.raw)
		}
		ev := owner.must(200, "GET", "/api/v1/orgs/"+acc+"/events?action=account.services", nil)
		if !strings.Contains(ev.raw, `"roles_revoked":1`) || !strings.Contains(ev.raw, `"disabled":["backup"]`) {
			t.Fatalf("audit of the services change: %s", ev.raw)
		}
		// 1NCE has no services.
		if r := op.must(422, "PUT", f.path("/api/v1/accounts/{A}/services"), map[string]any{"services": []string{"backup"}}); !strings.Contains(r.raw, "the 1nce catalogue has no services") {
			t.Fatalf("services for 1nce: %s", r.raw)
		}
	})
}

// TestTenantTypesFollowTheCatalogue is issue 12's item 3: the cloud
// catalogue declares partner > folder > customer > unit; a child of a type
// its parent may not contain is refused naming the allowed ones, and the
// child gets its account's catalogue; 1NCE leaves the type free.
func TestTenantTypesFollowTheCatalogue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		r := f.clients["operator"].must(201, "POST", "/api/v1/accounts", map[string]any{"name": "Cloud Co", "catalogue": "cloud",
			"owner": map[string]any{"email": "ca@cloud.example", "first_name": "C", "last_name": "A"}})
		acc := r.body["account"].(map[string]any)["id"].(string)
		f.activate("ca@cloud.example")
		owner := f.signIn("ca@cloud.example")
		child := func(parent, typ, email string) map[string]any {
			body := map[string]any{"name": "Org " + email, "owner": map[string]any{"email": email, "first_name": "O", "last_name": "W"}}
			if typ != "" {
				body["type"] = typ
			}
			return body
		}
		if r := owner.must(422, "POST", "/api/v1/orgs/"+acc+"/children", child(acc, "unit", "u@cloud.example")); !strings.Contains(r.raw, "must be one of partner, folder, customer: the types allowed under account") {
			t.Fatalf("a unit under the account: %s", r.raw)
		}
		if r := owner.must(422, "POST", "/api/v1/orgs/"+acc+"/children", child(acc, "", "u@cloud.example")); !strings.Contains(r.raw, "must be one of partner, folder, customer") {
			t.Fatalf("no type under a cloud account: %s", r.raw)
		}
		r = owner.must(201, "POST", "/api/v1/orgs/"+acc+"/children", child(acc, "customer", "cu@cloud.example"))
		cust := r.body["org"].(map[string]any)
		if cust["catalogue"] != "cloud" || cust["type"] != "customer" {
			t.Fatalf("the customer tenant: %s", r.raw)
		}
		f.activate("cu@cloud.example")
		custOwner := f.signIn("cu@cloud.example")
		if r := custOwner.must(422, "POST", "/api/v1/orgs/"+cust["id"].(string)+"/children", child("", "folder", "f@cloud.example")); !strings.Contains(r.raw, "must be one of unit: the types allowed under customer") {
			t.Fatalf("a folder under a customer: %s", r.raw)
		}
		custOwner.must(201, "POST", "/api/v1/orgs/"+cust["id"].(string)+"/children", child("", "unit", "un@cloud.example"))
		// 1NCE declares no tenant types: the type stays optional.
		f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/children"), child("", "", "free@a.example"))
	})
}
