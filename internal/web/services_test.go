package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestServicesAndRolesWithoutJavaScript is issue 12's item 2 in the
// portal: the operator opens a cloud account (seed 003) and turns on a
// service on its Services page; its Company administrator's New user
// page offers "Services and roles" with that service, and the person
// created holds the role in that service only. A folder tenant has no
// such section (003: not available in partner and folder tenants).
func TestServicesAndRolesWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	op := signedIn(t, s, "operator")
	_, body := op.post("/operator/accounts", url.Values{"name": {"Cloud Co"}, "catalogue": {"cloud"},
		"owner.email": {"cora@cloud.example"}, "owner.first_name": {"Cora"}, "owner.last_name": {"Cloud"}})
	if !strings.Contains(body, "Cloud Co") {
		t.Fatal("the cloud account is not listed")
	}
	accs, err := s.App.Accounts(t.Context(), s.operator, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var acc string
	for _, a := range accs {
		if a.Catalogue == "cloud" {
			acc = a.ID
		}
	}
	if !strings.Contains(body, "/operator/accounts/"+acc+"/services") {
		t.Fatal("the console should link the cloud account's services")
	}
	_, body = op.post("/operator/accounts/"+acc+"/services", url.Values{"services": {"backup", "notary"}})
	if !strings.Contains(body, "Services saved.") || !strings.Contains(body, `id="s-backup" name="services" value="backup" checked`) {
		t.Fatalf("the services page after saving: %s", body)
	}
	cora := s.activate(s.MailTo("cora@cloud.example").Text, "cora@cloud.example")

	b := signedIn(t, s, "cora@cloud.example")
	_, body = b.get("/users/new?org=" + acc)
	if !strings.Contains(body, `id="services-and-roles"`) || !strings.Contains(body, `name="service.backup"`) ||
		!strings.Contains(body, `name="service.notary"`) || strings.Contains(body, `id="f-roles-service_admin"`) || !strings.Contains(body, `id="f-roles-unit_admin"`) {
		t.Fatalf("the New user page of a cloud account: %s", body[strings.Index(body, "<main"):])
	}
	res, _ := b.post("/users/new?org="+acc, url.Values{"kind": {"human"}, "email": {"sam@cloud.example"}, "first_name": {"Sam"},
		"last_name": {"Service"}, "roles": {"unit_admin"}, "service.backup": {"service_admin"}, "service.notary": {""}})
	if !strings.HasPrefix(res.Request.URL.Path, "/users") {
		t.Fatalf("after creating: %s", res.Request.URL)
	}
	users, _, err := s.App.ListUsers(t.Context(), cora, tenantry.UserFilter{OrgID: acc, Email: "sam@"})
	if err != nil || len(users) != 1 {
		t.Fatalf("sam: %v %v", users, err)
	}
	_, body = b.get("/users/" + users[0].ID)
	if !strings.Contains(body, "Service admin (backup)") || strings.Contains(body, "(notary)") || !strings.Contains(body, `name="service"`) {
		t.Fatalf("Sam's roles: %s", body[strings.Index(body, `<ul id="user-roles"`):])
	}

	folder, _, err := s.App.CreateSubOrg(t.Context(), cora, acc, app.NewSubOrg{Name: "Folder", Type: "folder",
		Owner: app.NewUser{Email: "fred@cloud.example", FirstName: "Fred", LastName: "Folder"}})
	if err != nil {
		t.Fatal(err)
	}
	fred := newNoJS(t, s)
	s.activate(s.MailTo("fred@cloud.example").Text, "fred@cloud.example")
	fred.post("/signin", url.Values{"login": {"fred@cloud.example"}, "password": {password}})
	if _, body = fred.get("/users/new?org=" + folder.ID); strings.Contains(body, "services-and-roles") || !strings.Contains(body, "New user") {
		t.Fatalf("a folder tenant's New user page: %s", body[strings.Index(body, "<main"):])
	}
}

// TestUserListShowsCompanyContacts is seed 003's Company contacts column:
// where an org manages its own profile, the users list says which company
// contacts each person is.
func TestUserListShowsCompanyContacts(t *testing.T) {
	s := newSite(t)
	if _, err := s.App.CreateUser(t.Context(), s.owner, s.account.ID, app.NewUser{Email: "bill@acme.example", FirstName: "Bill",
		LastName: "Payer", Roles: []string{"user"}, ContactBilling: true, ContactTechnical: true}); err != nil {
		t.Fatal(err)
	}
	b := signedIn(t, s, "olivia@acme.example")
	_, body := b.get("/users?org=" + s.account.ID)
	if !strings.Contains(body, "<th>Company contacts</th>") || !strings.Contains(body, `<td class="contacts">Billing, Technical</td>`) {
		t.Fatalf("the users list: %s", body[strings.Index(body, `<div id="user-table"`):])
	}
}
