package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/internal/app"
)

// TestEachCatalogueInTheBrowser is issue 12's "done means": for every
// seed portal's catalogue, the operator opens an account with it, its
// administrator signs in to the portal and creates a person with one of
// that catalogue's roles (for 003's cloud portal, also a role in a
// service), and the Users and Roles pages show that catalogue. The
// screenshots are docs/screenshots/{users,roles}-<catalogue>.png.
func TestEachCatalogueInTheBrowser(t *testing.T) {
	cases := []struct {
		catalogue, admin, role, roleWord, service, serviceRole, roleRow string
	}{
		{"1nce", "owner", "read_only", "Read only", "", "", "Sim list export"},
		{"partner", "partner_account_admin", "power_user_invoice_management", "Power user invoice management", "", "", "Process monitor"},
		{"cloud", "company_admin", "unit_admin", "Unit admin", "backup", "service_admin", "Disaster recovery"},
		{"hosting", "master_user", "technical", "Technical", "", "", "Name servers"},
	}
	for _, c := range cases {
		t.Run(c.catalogue, func(t *testing.T) {
			s := newSite(t)
			ctx0 := context.Background()
			acc, _, err := s.App.CreateAccount(ctx0, s.operator, app.NewAccount{Name: "Portal " + c.catalogue, Catalogue: c.catalogue,
				Owner: app.NewUser{Email: "admin@" + c.catalogue + ".example", FirstName: "Ada", LastName: "Admin"}})
			if err != nil {
				t.Fatal(err)
			}
			if c.service != "" {
				if _, err := s.App.SetServices(ctx0, s.operator, acc.ID, []string{c.service, "notary"}); err != nil {
					t.Fatal(err)
				}
			}
			s.activate(s.MailTo("admin@"+c.catalogue+".example").Text, "admin@"+c.catalogue+".example")
			ctx := browser(t)
			signIn(t, ctx, s, "admin@"+c.catalogue+".example", "")
			steps := []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(s.URL + "/users"),
				chromedp.Click(chromedp.CSS("#new-user")),
				chromedp.WaitVisible(chromedp.CSS("#new-user-form #f-email")),
				typeIn("#new-user-form #f-email", "pat@"+c.catalogue+".example"),
				typeIn("#new-user-form #f-first_name", "Pat"),
				typeIn("#new-user-form #f-last_name", "Person"),
				chromedp.Click(chromedp.CSS("#f-roles-" + c.role)),
			}
			if c.service != "" {
				steps = append(steps, chromedp.SetValue(chromedp.CSS("#f-service\\."+c.service), c.serviceRole))
			}
			steps = append(steps, chromedp.Click(chromedp.CSS("#create-user")), chromedp.WaitVisible(chromedp.CSS(".flash")))
			run(t, ctx, "create a person with a "+c.catalogue+" role", steps...)
			row := text(t, ctx, "#user-table")
			if !strings.Contains(row, "pat@"+c.catalogue+".example") || !strings.Contains(row, c.roleWord) || !strings.Contains(row, "Admin") {
				t.Fatalf("the users list:\n%s", row)
			}
			if c.service != "" && !strings.Contains(row, "Service admin (Backup)") {
				t.Fatalf("the service role is not listed:\n%s", row)
			}
			shot(t, ctx, "users-"+c.catalogue)
			run(t, ctx, "the roles page", chromedp.Navigate(s.URL+"/roles"), chromedp.WaitVisible(chromedp.CSS("main table")))
			if got := strings.ToLower(text(t, ctx, "main")); !strings.Contains(got, strings.ToLower(c.roleWord)) || !strings.Contains(got, strings.ToLower(c.roleRow)) {
				t.Fatalf("the %s roles page lacks %q or %q:\n%s", c.catalogue, c.roleWord, c.roleRow, got)
			}
			shot(t, ctx, "roles-"+c.catalogue)
		})
	}
}
