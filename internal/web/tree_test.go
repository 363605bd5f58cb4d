package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/mail/smtptest"
)

// TestOrganisationTreeAndInheritedSettings is issue 12's items 3 and 4 in
// the browser, on a three-level tree Acme IoT > Region North > Depot
// Kiel: the account's owner opens the tree to the grandchild, and the
// depot's owner sees the region's 2FA rule greyed out with its source and
// the account's session bound named.
func TestOrganisationTreeAndInheritedSettings(t *testing.T) {
	s := newSite(t)
	ctx0 := context.Background()
	sub := func(who *app.Actor, parent, name, email string) (string, *app.Actor) {
		o, _, err := s.App.CreateSubOrg(ctx0, who, parent, app.NewSubOrg{Name: name,
			Owner: app.NewUser{Email: email, FirstName: "Owner", LastName: name}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID, s.activate(s.MailTo(email).Text, email)
	}
	region, regionOwner := sub(s.owner, s.account.ID, "Region North", "rita@north.example")
	depot, depotOwner := sub(regionOwner, region, "Depot Kiel", "dirk@kiel.example")
	e, err := s.App.BeginTOTP(ctx0, depotOwner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.ConfirmTOTP(ctx0, depotOwner, auth.TOTPCode(e.Secret, time.Now())); err != nil {
		t.Fatal(err)
	}
	eight, on := 8, true
	if _, err := s.App.UpdateOrgSettings(ctx0, s.owner, s.account.ID, app.OrgSettingsPatch{SessionHours: &eight}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.UpdateOrgSettings(ctx0, regionOwner, region, app.OrgSettingsPatch{Require2FA: &on}); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "the tree, closed below the children",
		chromedp.Navigate(s.URL+"/orgs"),
		chromedp.WaitVisible(chromedp.CSS("#children")),
		waitFor(`document.querySelector('#children a[href="/orgs?org=`+depot+`"]') && !document.querySelector('#children a[href="/orgs?org=`+depot+`"]').checkVisibility()`))
	run(t, ctx, "open Region North",
		chromedp.Click(chromedp.CSS("#children summary")),
		chromedp.WaitVisible(chromedp.CSS(`#children a[href="/orgs?org=`+depot+`"]`)))
	shot(t, ctx, "organisation-tree")
	if present(t, ctx, `#children a[href="/users?org=`+depot+`"]`) {
		t.Fatal("the account's owner holds no role in the depot, yet gets a Users link there")
	}
	run(t, ctx, "open the grandchild",
		chromedp.Click(chromedp.CSS(`#children a[href="/orgs?org=`+depot+`"]`)),
		waitFor(`document.querySelector("main h1") && document.querySelector("main h1").textContent.includes("Depot Kiel")`))
	if got := text(t, ctx, "main h1"); !strings.Contains(got, "Depot Kiel") {
		t.Fatalf("the grandchild's page: %q", got)
	}
	signOut(t, ctx)

	signIn(t, ctx, s, "dirk@kiel.example", e.Secret)
	run(t, ctx, "the depot's settings", chromedp.Navigate(s.URL+"/orgs"), chromedp.WaitVisible(chromedp.CSS("#f-session_hours")))
	disabled := value(t, ctx, "2FA box", chromedp.Evaluate[bool](`document.querySelector("#f-require_2fa").disabled && document.querySelector("#f-require_2fa").checked`))
	if !disabled {
		t.Fatal("the region's 2FA rule is not greyed out on the depot's page")
	}
	if got := text(t, ctx, "#h-require_2fa"); !strings.Contains(got, "Required by Region North") {
		t.Fatalf("2FA source: %q", got)
	}
	if got := text(t, ctx, "#h-session_hours"); !strings.Contains(got, "In force: 8 hours") || !strings.Contains(got, "set by Acme IoT") {
		t.Fatalf("session source: %q", got)
	}
	shot(t, ctx, "settings-inherited")
	run(t, ctx, "try to loosen the session lifetime",
		chromedp.SetValue(chromedp.CSS("#f-session_hours"), "4"),
		chromedp.Click(chromedp.CSS(`form[action="/orgs/settings"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, ctx, "#h-session_hours"); !strings.Contains(got, "In force: 4 hours") {
		t.Fatalf("after tightening to 4: %q", got)
	}
}

// TestRemoveUserInvitedFromElsewhere is seed 004's "Remove user": the
// owner removes a person linked by invitation from the users list, after
// a confirmation, and the person keeps their own account.
func TestRemoveUserInvitedFromElsewhere(t *testing.T) {
	s := newSite(t)
	ctx0 := context.Background()
	if _, _, err := s.App.CreateAccount(ctx0, s.operator, app.NewAccount{Name: "Beta Logistics",
		Owner: app.NewUser{Email: "bea@beta.example", FirstName: "Bea", LastName: "Beta"}}); err != nil {
		t.Fatal(err)
	}
	s.activate(s.MailTo("bea@beta.example").Text, "bea@beta.example")
	if _, err := s.App.Invite(ctx0, s.owner, s.account.ID, app.NewInvitation{Login: "bea@beta.example", Roles: []string{"user"}}); err != nil {
		t.Fatal(err)
	}
	tok := smtptest.Message{Text: s.MailTo("bea@beta.example").Text}.Token()
	if _, err := s.App.AcceptInvitation(ctx0, tok, "", nil); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "the list offers to remove her",
		chromedp.Navigate(s.URL+"/users"),
		chromedp.WaitVisible(chromedp.CSS("#user-table a.remove")))
	if got := value(t, ctx, "label", chromedp.Evaluate[string](`document.querySelector("#user-table a.remove").getAttribute("aria-label")`)); got != "Remove bea@beta.example from this organization" {
		t.Fatalf("the remove link says %q", got)
	}
	run(t, ctx, "confirm",
		chromedp.Click(chromedp.CSS("#user-table a.remove")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-remove")))
	if got := text(t, ctx, "main p"); !strings.Contains(got, "their login and their own organization stay") {
		t.Fatalf("the confirmation says %q", got)
	}
	shot(t, ctx, "user-remove-confirm")
	run(t, ctx, "remove",
		chromedp.Click(chromedp.CSS("#confirm-remove")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, ctx, "#user-table"); strings.Contains(got, "bea@beta.example") {
		t.Fatalf("still listed: %q", got)
	}
	if _, err := s.App.SignIn(ctx0, "bea@beta.example", password, "", "", ""); err != nil {
		t.Fatalf("her own login: %v", err)
	}
}

// TestPublishNewsInTheBrowser is issue 12's item 5 in the portal: the
// owner publishes news in English and German; a subscribed German reader
// gets it by e-mail in German and finds it on the News page, without a
// form to publish.
func TestPublishNewsInTheBrowser(t *testing.T) {
	s := newSite(t)
	ctx0 := context.Background()
	s.person("uwe@acme.example", "Uwe", "user")
	uwe, err := s.App.SignIn(ctx0, "uwe@acme.example", password, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	reader, _ := s.App.Authenticate(ctx0, uwe.Token, "")
	de, on := "de", true
	if _, err := s.App.UpdateProfile(ctx0, reader, app.UserPatch{Language: &de, NotifyNews: &on}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "publish",
		chromedp.Navigate(s.URL+"/news"),
		chromedp.WaitVisible(chromedp.CSS("#publish-form")),
		typeIn("#f-texts\\.en\\.title", "New APN from Monday"),
		typeIn("#f-texts\\.en\\.body", "Switch your devices to iot.example by Friday."),
		typeIn("#f-texts\\.de\\.title", "Neuer APN ab Montag"),
		typeIn("#f-texts\\.de\\.body", "Stellen Sie Ihre Geräte bis Freitag auf iot.example um."),
		chromedp.Click(chromedp.CSS("#publish-notice")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, ctx, "#notices"); !strings.Contains(got, "New APN from Monday") || !strings.Contains(got, "e-mailed to 1 person") {
		t.Fatalf("the news page after publishing: %q", got)
	}
	shot(t, ctx, "news")
	if m := s.MailTo("uwe@acme.example"); !strings.Contains(m.Subject, "Neuer APN ab Montag") || !strings.Contains(m.Text, "bis Freitag") {
		t.Fatalf("the German reader's mail: %q %q", m.Subject, m.Text)
	}
	signOut(t, ctx)
	signIn(t, ctx, s, "uwe@acme.example", "")
	run(t, ctx, "read", chromedp.Navigate(s.URL+"/news"), chromedp.WaitVisible(chromedp.CSS("#notices")))
	if got := text(t, ctx, "#notices"); !strings.Contains(got, "Neuer APN ab Montag") {
		t.Fatalf("the reader's news page: %q", got)
	}
	if present(t, ctx, "#publish-form") {
		t.Fatal("a User is offered the publish form")
	}
}
