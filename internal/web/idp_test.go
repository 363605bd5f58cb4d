package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/idptest"
)

// idpSignIn signs in from the sign-in page through the identity provider:
// the login first, then the provider's own login page, as username.
func idpSignIn(t *testing.T, ctx context.Context, s *site, login, username string) {
	t.Helper()
	run(t, ctx, "to the provider as "+username,
		chromedp.Navigate(s.URL+"/signin"),
		typeIn("#f-login", login),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		// The provider's page, on another site.
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), idptest.Password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
	)
}

// TestOwnerSetsUpAnIdentityProviderAndAPersonSignsInThroughIt is issue
// 13's "done" in a real browser against a real OpenID Provider: the
// Owner sets the provider up on the Organisation tab and tests the
// connection, creates a person who signs in through it, and that person
// signs in: login first, the provider's page, back with a session. The
// errors a person can act on are shown in words, and the org's 2FA rule
// sends a person whose provider asserted no MFA to enrol an authenticator.
func TestOwnerSetsUpAnIdentityProviderAndAPersonSignsInThroughIt(t *testing.T) {
	s := newSite(t)
	op := idptest.Start(t, s.URL+app.IdPCallbackPath,
		idptest.Person{ID: "ida-sub", Username: "ida", Email: "ida@acme.example"},
		idptest.Person{ID: "mia-sub", Username: "mia", Email: "mia@acme.example", MFA: true},
		idptest.Person{ID: "stranger-sub", Username: "stranger", Email: "stranger@acme.example"},
		idptest.Person{ID: "nomail-sub", Username: "nomail"},
	)
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "set up the provider",
		chromedp.Navigate(s.URL+"/orgs"),
		chromedp.Click(chromedp.CSS("#new-idp")),
		typeIn("#f-name", "Acme IdP"),
		typeIn("#f-issuer", op.Issuer),
		typeIn("#f-client_id", op.ClientID),
		typeIn("#f-client_secret", op.ClientSecret),
	)
	if got := text(t, ctx, "#redirect-uri"); got != s.URL+app.IdPCallbackPath {
		t.Fatalf("the page gives the redirect URI %q", got)
	}
	run(t, ctx, "save and test it",
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#test-idp")),
		chromedp.Click(chromedp.CSS("#test-idp")),
		chromedp.WaitVisible(chromedp.CSS("#idp-test")))
	if got := text(t, ctx, "#idp-test"); !strings.Contains(got, "Discovery at "+op.Issuer+" answered") {
		t.Fatalf("the connection test says %q", got)
	}
	shot(t, ctx, "identity-provider")
	idps, err := s.App.IdPs(context.Background(), s.owner, s.account.ID)
	if err != nil || len(idps) != 1 || !idps[0].Active {
		t.Fatalf("providers %v, %v", idps, err)
	}

	run(t, ctx, "a person who signs in through it",
		chromedp.Navigate(s.URL+"/users/new"),
		chromedp.WaitVisible(chromedp.CSS("#new-user-form #f-email")),
		typeIn("#new-user-form #f-email", "ida@acme.example"),
		typeIn("#new-user-form #f-first_name", "Ida"),
		typeIn("#new-user-form #f-last_name", "Federated"),
		chromedp.Click(chromedp.CSS("#f-roles-user")),
		chromedp.SetValue(chromedp.CSS("#f-identity_provider"), idps[0].ID),
	)
	shot(t, ctx, "new-user-sign-in-method")
	run(t, ctx, "create", chromedp.Click(chromedp.CSS("#create-user")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, ctx, ".flash"); !strings.Contains(got, "sign in through their identity provider") {
		t.Fatalf("the flash says %q", got)
	}
	if m := s.MailTo("ida@acme.example"); !strings.Contains(m.Text, "you sign in with Acme IdP") {
		t.Fatalf("the welcome mail says %q", m.Text)
	}
	signOut(t, ctx)

	idpSignIn(t, ctx, s, "ida@acme.example", "ida")
	run(t, ctx, "back, signed in", chromedp.WaitVisible(chromedp.CSS(".me")))
	if got := text(t, ctx, ".me"); !strings.Contains(got, "Ida") {
		t.Fatalf("signed in as %q", got)
	}
	signOut(t, ctx)

	for _, tc := range []struct{ username, want string }{
		{"stranger", "no user signs in through this provider as stranger@acme.example"},
		{"nomail", `the provider sent no "email" claim`},
	} {
		idpSignIn(t, ctx, s, "ida@acme.example", tc.username)
		if got := text(t, ctx, "#page-error"); !strings.Contains(got, tc.want) {
			t.Errorf("signed in at the provider as %s, the page says %q", tc.username, got)
		}
	}
	shot(t, ctx, "identity-provider-error")

	// The org requires 2FA: without the provider's MFA, Ida enrols an
	// authenticator; Mia's provider asserted MFA, which the org trusts.
	on := true
	if _, err := s.App.UpdateOrgSettings(context.Background(), s.owner, s.account.ID, app.OrgSettingsPatch{Require2FA: &on}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.UpdateIdP(context.Background(), s.owner, idps[0].ID, app.IdPPatch{TrustMFA: &on}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.CreateUser(context.Background(), s.owner, s.account.ID, app.NewUser{Email: "mia@acme.example", FirstName: "Mia",
		LastName: "Multi", Roles: []string{"user"}, IdP: idps[0].ID}); err != nil {
		t.Fatal(err)
	}
	idpSignIn(t, ctx, s, "ida@acme.example", "ida")
	run(t, ctx, "Ida enrols first", chromedp.WaitVisible(chromedp.CSS("#begin-totp")))
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(".tools form[action='/signout'] button")), chromedp.WaitVisible(chromedp.CSS("#f-login")))
	idpSignIn(t, ctx, s, "mia@acme.example", "mia")
	run(t, ctx, "Mia is in", chromedp.WaitVisible(chromedp.CSS(".me")))
}
