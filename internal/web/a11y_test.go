package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/sims"
)

// axeScript is axe-core, the accessibility checker, which .ci/run fetches
// from the npm registry (pinned) and names in TENANTRY_AXE.
func axeScript(t *testing.T) string {
	path := os.Getenv("TENANTRY_AXE")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TENANTRY_AXE is not set: .ci/run fetches axe-core and sets it")
		}
		t.Skip("TENANTRY_AXE is not set (npm pack axe-core@4.14.1; set it to package/axe.min.js)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPagesAreAccessible runs axe-core's WCAG 2.1 A and AA rules and its
// best practices (labels, contrast, landmarks, names of buttons and links,
// table headers, valid ARIA …) on every page, in English and in German,
// and fails on any serious or critical violation.
func TestPagesAreAccessible(t *testing.T) {
	axe := axeScript(t)
	s := newSite(t)
	ctx0 := context.Background()
	child, _, err := s.App.CreateSubOrg(ctx0, s.owner, s.account.ID, app.NewSubOrg{Name: "Fleet North", Type: "unit",
		Owner: app.NewUser{Email: "fred@acme.example", FirstName: "Fred", LastName: "North"}})
	if err != nil {
		t.Fatal(err)
	}
	iccids := []string{}
	for i := range 30 {
		iccids = append(iccids, sims.WithCheckDigit(fmt.Sprintf("894400000000000%04d", i)))
	}
	if _, err := s.App.ImportSIMs(ctx0, s.operator, s.account.ID, "", iccids, nil); err != nil {
		t.Fatal(err)
	}
	nina := s.person("nina@acme.example", "Nina", "user")
	api, _, err := s.App.CreateClient(ctx0, s.owner, s.account.ID, app.NewClient{Name: "fleet-app", Roles: []string{"api_user"}})
	if err != nil {
		t.Fatal(err)
	}
	review, err := s.App.StartAccessReview(ctx0, s.owner, s.account.ID, app.NewAccessReview{DueAt: time.Now().AddDate(0, 0, 14), Subtree: true})
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/users/import?org=" + s.account.ID, "/orgs/" + s.account.ID + "/reviews", "/reviews/" + review.ID, "/orgs/" + s.account.ID + "/webhooks",
		"/users", "/users/new", "/users/new?kind=api", "/users/" + nina.ID, "/users/" + api.ID,
		"/users/" + nina.ID + "/delete", "/roles", "/orgs", "/orgs/new", "/orgs/" + child.ID + "/transfer",
		"/orgs/" + child.ID + "/delete", "/sims", "/account", "/account/password", "/account/2fa",
		"/account/tokens", "/account/sessions", "/audit", "/support"}

	ctx := browser(t)
	run(t, ctx, "sign-in page", chromedp.Navigate(s.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS("#f-login")))
	check := func(page string) {
		t.Helper()
		run(t, ctx, "load axe", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](axe+";true")(ctx, tg)
			return err
		}))
		report := value(t, ctx, "axe "+page, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
			.then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
				.map(v => v.id + ": " + v.help + " at " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")).join("\n"))`,
			chromedp.EvalAwaitPromise))
		if report != "" {
			t.Errorf("%s:\n%s", page, report)
		}
	}
	check("/signin")
	for _, p := range []string{"/forgot", "/password?token=x", "/invitation?token=x"} {
		run(t, ctx, "open "+p, chromedp.Navigate(s.URL+p), chromedp.WaitVisible(chromedp.CSS("main")))
		check(p)
	}
	signIn(t, ctx, s, "operator", "")
	run(t, ctx, "operator console", chromedp.Navigate(s.URL+"/operator"), chromedp.WaitVisible(chromedp.CSS("#accounts")))
	check("/operator")
	signOut(t, ctx)
	signIn(t, ctx, s, "olivia@acme.example", "")
	for _, code := range lang.Codes() {
		if code != lang.English {
			run(t, ctx, "switch to "+code, chromedp.Click(chromedp.CSS(".tools button[lang="+code+"]")),
				chromedp.WaitVisible(chromedp.CSS("html[lang="+code+"] main")))
		}
		for _, p := range pages {
			if strings.Contains(p, "?") {
				p += "&org=" + s.account.ID
			}
			run(t, ctx, "open "+p, chromedp.Navigate(s.URL+p), chromedp.WaitVisible(chromedp.CSS("main")))
			check(code + " " + p)
		}
	}
}
