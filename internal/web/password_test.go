package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

// TestPasswordFlowsWithoutJavaScript: a forgotten password is replaced
// through the e-mailed link; an admin's reset makes the person choose a
// new password at the next sign-in before anything else; a person with
// TOTP signs in with a recovery code, which then is spent.
func TestPasswordFlowsWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	nina := s.person("nina@acme.example", "Nina", "user")

	anon := newNoJS(t, s)
	if _, body := anon.post("/forgot", url.Values{"login": {"nina@acme.example"}}); !strings.Contains(body, "If this login exists") {
		t.Fatal("forgot password: no neutral confirmation")
	}
	if _, body := anon.post("/forgot", url.Values{"login": {"nobody@acme.example"}}); !strings.Contains(body, "If this login exists") {
		t.Fatal("an unknown login must get the same answer")
	}
	link := s.MailTo("nina@acme.example").Link(s.URL + "/password?token=")
	u, _ := url.Parse(link)
	const fresh = "another long passphrase for nina"
	if _, body := anon.post("/password", url.Values{"token": {u.Query().Get("token")}, "password": {fresh}, "confirm": {fresh}}); !strings.Contains(body, "Your password is set") {
		t.Fatal("setting the new password")
	}
	res, _ := anon.post("/signin", url.Values{"login": {"nina@acme.example"}, "password": {fresh}})
	if res.Request.URL.Path == "/signin" {
		t.Fatal("sign-in with the new password failed")
	}

	admin := signedIn(t, s, "olivia@acme.example")
	if _, body := admin.post("/users/"+nina.ID+"/reset-password", nil); !strings.Contains(body, "We have e-mailed a link") {
		t.Fatal("admin reset: no confirmation")
	}
	if _, body := anon.get("/users"); !strings.Contains(body, `id="f-login"`) {
		t.Fatal("a reset ends the person's sessions")
	}
	res, _ = anon.post("/signin", url.Values{"login": {"nina@acme.example"}, "password": {fresh}})
	if res.Request.URL.Path != "/account/password" {
		t.Fatalf("after an admin reset the next sign-in leads to %s, want /account/password", res.Request.URL.Path)
	}
	if res, _ := anon.get("/sims"); res.Request.URL.Path != "/account/password" {
		t.Fatal("nothing else opens before the new password is chosen")
	}
	const third = "a third passphrase, chosen by nina"
	res, _ = anon.post("/account/password", url.Values{"current_password": {fresh}, "new_password": {third}, "confirm": {third}})
	if res.Request.URL.Path != "/account" {
		t.Fatalf("after the change: %s", res.Request.URL.Path)
	}
	if res, _ := anon.get("/sims"); res.Request.URL.Path != "/sims" {
		t.Fatal("after the change the tabs open again")
	}

	e, err := s.App.BeginTOTP(t.Context(), s.owner)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.App.ConfirmTOTP(t.Context(), s.owner, auth.TOTPCode(e.Secret, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for round, want := range []string{"/users", "/signin/totp"} {
		b := newNoJS(t, s)
		res, _ := b.post("/signin", url.Values{"login": {"olivia@acme.example"}, "password": {password}})
		if res.Request.URL.Path != "/signin/totp" {
			t.Fatalf("with TOTP the sign-in asks for a code, got %s", res.Request.URL.Path)
		}
		if res, _ := b.get("/users"); res.Request.URL.Path != "/signin/totp" {
			t.Fatal("nothing opens before the second factor")
		}
		res, body := b.post("/signin/totp", url.Values{"recovery": {codes[0]}, "next": {"/users"}})
		if res.Request.URL.Path != want {
			t.Fatalf("round %d: recovery code led to %s, want %s", round, res.Request.URL.Path, want)
		}
		if round == 1 && !strings.Contains(body, `role="alert"`) {
			t.Fatal("a spent recovery code should say why it is refused")
		}
	}
}

// TestPasswordMeterIsLimitedPerAddress: the meter answers before anyone
// signs in, so one address gets 20 estimates a second; the next is 429
// with Retry-After and no fragment, while another address, and the same
// one a second later, are answered.
func TestPasswordMeterIsLimitedPerAddress(t *testing.T) {
	clock := storetest.NewClock()
	s := newSiteWith(t, servertest.Options{Now: clock.Now, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	from := func(addr string) *noJS {
		b := newNoJS(t, s)
		b.from = addr
		return b
	}
	form := url.Values{"password": {"crisp autumn harbour"}}
	b := from("203.0.113.7")
	for i := range 20 {
		if res, body := b.post("/password-strength", form); res.StatusCode != http.StatusOK || !strings.Contains(body, "<meter") {
			t.Fatalf("estimate %d: %d %q", i+1, res.StatusCode, body)
		}
	}
	res, body := b.post("/password-strength", form)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" || body != "" {
		t.Fatalf("the 21st estimate in a second: %d, Retry-After %q, %q", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if res, _ := from("203.0.113.8").post("/password-strength", form); res.StatusCode != http.StatusOK {
		t.Fatalf("another address: %d", res.StatusCode)
	}
	clock.Advance(time.Second)
	if res, _ := b.post("/password-strength", form); res.StatusCode != http.StatusOK {
		t.Fatalf("a second later: %d", res.StatusCode)
	}
}
