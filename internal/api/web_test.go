package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestActivationLinkOpensAWorkingPage follows the e-mailed link the way a
// person does: open it, submit the form, then sign in.
func TestActivationLinkOpensAWorkingPage(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/users"), newUser("user"))
	m := f.MailTo("new-user@example.com")
	link := strings.Fields(m.Text[strings.Index(m.Text, "http://tenantry.test/password?token="):])[0]
	path := strings.TrimPrefix(link, "http://tenantry.test")
	page := f.anon().must(200, "GET", path, nil)
	for _, want := range []string{`<label for="password">`, `name="token" value="` + m.Token() + `"`, `method="post"`} {
		if !strings.Contains(page.raw, want) {
			t.Fatalf("page lacks %q", want)
		}
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
	post := func(pw, confirm string) (int, string) {
		form := url.Values{"token": {m.Token()}, "password": {pw}, "confirm": {confirm}}
		res, err := http.PostForm(f.URL+"/password", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := res.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return res.StatusCode, b.String()
	}
	if code, body := post("too short", "too short"); code != 422 || !strings.Contains(body, "at least 12 characters") {
		t.Fatalf("short password: %d %s", code, body)
	}
	if code, body := post(password, password+"x"); code != 422 || !strings.Contains(body, "The two passwords differ.") {
		t.Fatalf("mismatch: %d", code)
	}
	if code, body := post(password, password); code != 200 || !strings.Contains(body, "Your password is set") {
		t.Fatalf("set: %d %s", code, body)
	}
	if code, body := post(password, password); code != 422 || !strings.Contains(body, "already used") {
		t.Fatalf("second use: %d", code)
	}
	f.signIn("new-user@example.com")
}

func TestInvitationLinkOpensAWorkingPage(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	f.clients["ownerB"].must(201, "POST", f.path("/api/v1/orgs/{B}/invitations"), `{"login":"userA@example.com","roles":["read_only"]}`)
	m := f.MailTo("userA@example.com")
	page := f.anon().must(200, "GET", "/invitation?token="+m.Token(), nil)
	if !strings.Contains(page.raw, "<title>Invitation · Tenantry</title>") || !strings.Contains(page.raw, `value="`+m.Token()+`"`) {
		t.Fatalf("page: %s", page.raw)
	}
	res, err := http.PostForm(f.URL+"/invitation", url.Values{"token": {m.Token()}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	f.clients["ownerB"].must(200, "GET", f.path("/api/v1/users/{userA}"), nil)
}
