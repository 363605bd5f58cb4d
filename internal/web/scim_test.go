package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOwnerConnectsTheDirectoryOverSCIM is issue 15's SCIM in the
// browser: the Owner turns SCIM on from the Organisation tab, copies the
// URL and the token shown once, the directory creates a person with it
// over real HTTP, the person is in the users list, the page says when the
// directory last called, and the Owner turns SCIM off again.
func TestOwnerConnectsTheDirectoryOverSCIM(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "open SCIM from the Organisation tab",
		chromedp.Navigate(s.URL+"/orgs"),
		chromedp.WaitVisible(chromedp.CSS("#scim-summary")),
		chromedp.Click(chromedp.CSS("#scim-settings")),
		chromedp.WaitVisible(chromedp.CSS("#scim-on")),
		chromedp.Click(chromedp.CSS("#f-exclusive")),
		chromedp.Click(chromedp.CSS("#scim-on")),
	)
	token := text(t, ctx, "#scim-secret")
	if base := text(t, ctx, "#scim-url"); base != s.URL+"/scim/v2" || !strings.HasPrefix(token, "tnt_scim_") {
		t.Fatalf("the page gives %q and %q", base, token)
	}
	if got := text(t, ctx, "#scim-state"); got != "On" {
		t.Fatalf("state %q", got)
	}
	shot(t, ctx, "scim")

	req, _ := http.NewRequest("POST", s.URL+"/scim/v2/Users", strings.NewReader(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "dora@acme.example",
		"name": {"givenName": "Dora", "familyName": "Directory"}, "emails": [{"value": "dora@acme.example", "primary": true}],
		"active": true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the directory's create: %d %s", res.StatusCode, body)
	}
	run(t, ctx, "the person is in the users list", chromedp.Navigate(s.URL+"/users"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if got := text(t, ctx, "main table"); !strings.Contains(got, "Directory") {
		t.Fatalf("users list: %q", got)
	}
	run(t, ctx, "back to SCIM", chromedp.Navigate(s.URL+"/orgs/"+s.account.ID+"/scim"))
	if got := text(t, ctx, "#scim-used"); got == "Never" || got == "" {
		t.Fatalf("last call %q", got)
	}
	run(t, ctx, "turn it off", chromedp.Click(chromedp.CSS("#scim-off")), chromedp.WaitVisible(chromedp.CSS("#scim-on")))
	if got := text(t, ctx, "main"); !strings.Contains(got, "SCIM is off") {
		t.Fatalf("after turning it off: %q", got)
	}
	if _, err := s.App.SCIM(context.Background(), s.owner, s.account.ID); err == nil {
		t.Fatal("SCIM is still on")
	}
}
