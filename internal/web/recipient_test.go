package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
)

// TestLinkPagesSpeakTheRecipientsLanguage is issue 17, item 2: a German
// person's activation page came up in English in an English browser. The
// page of an e-mailed link speaks as its e-mail did, unless the visitor
// switches; a link that no longer works says why in that language and
// offers no form.
func TestLinkPagesSpeakTheRecipientsLanguage(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	for _, c := range []struct{ code, email, heading, dead string }{
		{"de", "dora@acme.example", "Passwort festlegen", "Dieser Link funktioniert nicht mehr"},
		{"fr", "france@acme.example", "Choisir votre mot de passe", "Ce lien ne fonctionne plus"},
	} {
		if _, err := s.App.CreateUser(ctx, s.owner, s.account.ID, app.NewUser{Email: c.email, FirstName: "Test",
			LastName: "Person", Language: c.code, Roles: []string{"user"}}); err != nil {
			t.Fatal(err)
		}
		link := s.MailTo(c.email).Link(s.URL + "/password?token=")
		path := strings.TrimPrefix(link, s.URL)
		b := newNoJS(t, s) // sends no Accept-Language: the browser's default would be English
		_, body := b.get(path)
		if !strings.Contains(body, `<html lang="`+c.code+`"`) || !strings.Contains(body, "<h1>"+c.heading+"</h1>") {
			t.Fatalf("%s: the activation page is not in the recipient's language:\n%s", c.code, body)
		}
		// The visitor's own choice wins.
		if _, body = b.post("/lang", url.Values{"lang": {"en"}, "back": {"/password"}, "token": {tokenOf(t, link)}}); !strings.Contains(body, "<h1>Set your password</h1>") {
			t.Fatalf("%s: switching to English kept the page in the recipient's language", c.code)
		}
		const pw = "a passphrase nobody guesses"
		if _, body = newNoJS(t, s).post("/password", url.Values{"token": {tokenOf(t, link)}, "password": {pw}, "confirm": {pw}}); strings.Contains(body, `id="dead-link"`) {
			t.Fatalf("%s: the first use failed: %s", c.code, body)
		}
		// Used once, the link is dead: the reason in the browser's
		// language (a used link no longer tells whose it was), and no form
		// to fill in for nothing.
		res, body := getIn(t, newNoJS(t, s), path, c.code)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, c.dead) || strings.Contains(body, `name="password"`) ||
			strings.Contains(body, "token: unknown") || strings.Contains(body, "token:") {
			t.Fatalf("%s: the dead link's page:\n%s", c.code, body)
		}
	}
	// An invitation speaks the invited person's language; a dead one says
	// so in the browser's, without a form.
	_, page := getIn(t, newNoJS(t, s), "/invitation?token=nothing-like-it", "fr-CH, de;q=0.5")
	if !strings.Contains(page, "Ce lien ne fonctionne plus") || strings.Contains(page, `name="password"`) ||
		!strings.Contains(page, "Lien : inconnu, déjà utilisé, annulé ou expiré") {
		t.Fatalf("a dead invitation in a French browser:\n%s", page)
	}
}

// getIn gets path as a browser asking for the languages accept.
func getIn(t *testing.T, b *noJS, path, accept string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", b.s.URL+path, nil)
	req.Header.Set("Accept-Language", accept)
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}
