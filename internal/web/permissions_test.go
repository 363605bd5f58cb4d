package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWhatCanThisPersonDoHere is issue 14's item 3 in the portal: the
// Owner opens a Read Only person's page and reads, for every action of
// the catalogue, whether they may and why, in words.
func TestWhatCanThisPersonDoHere(t *testing.T) {
	s := newSite(t)
	ro := s.person("rita@acme.example", "Rita", "read_only")
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "open Rita's page", chromedp.Navigate(s.URL+"/users/"+ro.ID), chromedp.WaitVisible(chromedp.CSS("#permission-table")))
	table := text(t, ctx, "#permission-table")
	for _, want := range []string{
		"Users · See all\t✓\tAllowed by a role: rita@acme.example holds Read only in Acme IoT",
		"Organisation · Sim transfer\t–\tNo role allows it: no role of rita@acme.example in Acme IoT allows organisation.sim_transfer",
	} {
		// The words are what count, not their case.
		if !strings.Contains(strings.ToLower(table), strings.ToLower(want)) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	shot(t, ctx, "user-permissions")
	// Each reason in the reader's language, the role by its name.
	b := signedIn(t, s, "olivia@acme.example")
	b.post("/lang", url.Values{"lang": {"fr"}, "back": {"/"}})
	if _, body := b.get("/users/" + ro.ID); !strings.Contains(body, "rita@acme.example détient Lecture seule dans Acme IoT") ||
		!strings.Contains(body, "aucun rôle de rita@acme.example dans Acme IoT n&#39;autorise organisation.sim_transfer") {
		t.Fatalf("the reasons in French:\n%s", body[strings.Index(body, `id="permission-table"`):])
	}
}

// TestOperatorRegistersAnApplication: the operator console registers one
// of the portal's applications for sign-in and decisions, shows its
// secret once, lists it, and names what is wrong with a bad redirect URI.
func TestOperatorRegistersAnApplication(t *testing.T) {
	s := newSite(t)
	b := signedIn(t, s, "operator")
	res, body := b.post("/operator/apps", url.Values{"name": {"sim-dashboard"}, "redirect_uris": {"https://dash.example/callback\nhttp://localhost:9090/callback"}})
	if res.StatusCode != 201 || !strings.Contains(body, "platform_sim-dashboard") || !strings.Contains(body, `id="new-app-secret"`) {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	_, body = b.get("/operator")
	if !strings.Contains(body, "https://dash.example/callback") || strings.Contains(body, `id="new-app-secret"`) {
		t.Fatalf("the list: %s", body)
	}
	res, body = b.post("/operator/apps", url.Values{"name": {"evil"}, "redirect_uris": {"http://evil.example/cb"}})
	if res.StatusCode != 422 || !strings.Contains(body, "must be https (http only for localhost)") {
		t.Fatalf("a bad redirect URI: %d", res.StatusCode)
	}
	// The application's URIs change from its row.
	res, body = b.post("/operator/apps/platform_sim-dashboard", url.Values{"redirect_uris": {"https://dash.example/v2/callback"},
		"logout_uris": {"https://dash.example/bye"}})
	if res.StatusCode != 200 || !strings.Contains(body, "https://dash.example/v2/callback") || strings.Contains(body, "https://dash.example/callback<") {
		t.Fatalf("change: %d", res.StatusCode)
	}
	if res, body = b.post("/operator/apps/platform_sim-dashboard", url.Values{"redirect_uris": {"ftp://x"}}); res.StatusCode != 422 || !strings.Contains(body, "must be https") {
		t.Fatalf("a bad change: %d", res.StatusCode)
	}
}
