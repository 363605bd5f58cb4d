package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/examples/sim-dashboard/dashboard"
	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
)

// TestExampleApplicationSignsInAndAsksBeforeEachAction is issue 14's
// example end to end in Chromium: examples/sim-dashboard signs people in
// through Tenantry's OpenID Provider and asks Tenantry's AuthZEN endpoint
// before showing an area or doing an action. Owner, User and Read Only see
// exactly the areas and actions their catalogue rows allow; an action
// the catalogue denies is refused with Tenantry's reason; signing out of
// the dashboard ends the Tenantry session.
func TestExampleApplicationSignsInAndAsksBeforeEachAction(t *testing.T) {
	s := newSite(t)
	ctx0 := context.Background()
	dash := httptest.NewUnstartedServer(nil)
	base := "http://" + dash.Listener.Addr().String()
	rp, secret, err := s.App.RegisterRelyingParty(ctx0, s.operator, app.NewRelyingParty{Name: "sim-dashboard",
		RedirectURIs: []string{base + "/callback"}, LogoutURIs: []string{base + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(ctx0, dashboard.Config{Issuer: s.URL, ClientID: rp.ClientID, ClientSecret: secret, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	dash.Config.Handler = d
	dash.Start()
	t.Cleanup(dash.Close)

	s.person("uma@acme.example", "Uma", "user")
	s.person("rita@acme.example", "Rita", "read_only")
	pol := s.App.Policy()
	allows := func(role, action string) bool {
		r, _ := pol.Role(role)
		a, ok := pol.LookupAction(action)
		return ok && pol.Allowed(&policy.Principal{Grants: []policy.Grant{{Org: s.account.ID, Role: r}}}, a, policy.Target{Org: s.account.ID})
	}
	for _, who := range []struct{ login, role string }{
		{"olivia@acme.example", "owner"}, {"uma@acme.example", "user"}, {"rita@acme.example", "read_only"},
	} {
		t.Run(who.role, func(t *testing.T) {
			ctx := browser(t)
			run(t, ctx, "to the dashboard and on to Tenantry",
				chromedp.Navigate(base+"/"),
				chromedp.Click(chromedp.CSS("#signin")),
				typeIn("#f-login", who.login),
				chromedp.Click(chromedp.CSS("main button[type=submit]")),
				typeIn("#f-password", password),
				chromedp.Click(chromedp.CSS("main button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#areas")))
			var want []string
			for _, ar := range dashboard.Areas {
				if allows(who.role, ar.See) {
					want = append(want, ar.Name)
				}
			}
			if got := strings.Fields(text(t, ctx, "#areas")); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("%s sees areas %v, the catalogue says %v", who.role, got, want)
			}
			if !allows(who.role, "sims.see_all") {
				return
			}
			run(t, ctx, "the SIMs area", chromedp.Navigate(base+"/area/SIMs"), chromedp.WaitVisible(chromedp.CSS("#actions button")))
			var denied string
			for _, act := range dashboard.Areas[1].Actions {
				got := value(t, ctx, "read "+act, chromedp.Evaluate[string](`document.querySelector('button[value="`+act+`"]').dataset.allowed`))
				if want := allows(who.role, act); (got == "true") != want {
					t.Errorf("%s may %s: the dashboard shows %s, the catalogue says %v", who.role, act, got, want)
				}
				if got != "true" && denied == "" {
					denied = act
				}
			}
			shot(t, ctx, "sim-dashboard-"+who.role)
			if denied != "" {
				run(t, ctx, "try "+denied, chromedp.Click(chromedp.CSS(`button[value="`+denied+`"]`)), chromedp.WaitVisible(chromedp.CSS("#refused")))
				if got := text(t, ctx, "#refused"); !strings.Contains(got, "no role of "+who.login+" in Acme IoT allows "+denied) {
					t.Errorf("refused with %q", got)
				}
			}
			run(t, ctx, "sign out of the dashboard",
				chromedp.Click(chromedp.CSS("#signout")),
				chromedp.WaitVisible(chromedp.CSS("#signin")),
				chromedp.Navigate(s.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS("form[action='/signin'] #f-login")))
		})
	}
}
