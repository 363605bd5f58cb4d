package web_test

import (
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/server/servertest"
)

// TestSensitivePagesAskToConfirmItIsYou is the portal's side of the
// audit's finding 5: past ten minutes since the session proved its user,
// the tokens page asks for the password first, and returns there.
func TestSensitivePagesAskToConfirmItIsYou(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	s := newSiteWith(t, servertest.Options{Now: now, Tune: func(c *app.Config) { c.Throttle.Base = 0 }})
	b := signedIn(t, s, "olivia@acme.example")
	if res, body := b.get("/account/tokens"); res.Request.URL.Path != "/account/tokens" || strings.Contains(body, "Confirm it is you") {
		t.Fatalf("fresh from signing in: %s", res.Request.URL)
	}
	offset.Store(int64(11 * time.Minute))
	b.get("/account") // the session stays alive; 11 minutes is under the idle limit
	res, body := b.get("/account/tokens")
	if res.Request.URL.Path != "/account/confirm" || !strings.Contains(body, "Confirm it is you") {
		t.Fatalf("a stale session opened the tokens page: %s", res.Request.URL)
	}
	if _, body := b.post("/account/confirm", url.Values{"next": {"/account/tokens"}, "password": {"not my password"}}); !strings.Contains(body, "is wrong") {
		t.Fatal("a wrong password passed")
	}
	res, _ = b.post("/account/confirm", url.Values{"next": {"/account/tokens"}, "password": {password}})
	if res.Request.URL.Path != "/account/tokens" {
		t.Fatalf("after confirming: %s", res.Request.URL)
	}
	if res, _ := b.post("/account/confirm", url.Values{"next": {"//evil.example/"}, "password": {password}}); !strings.HasPrefix(s.URL, "http://"+res.Request.URL.Host) || res.Request.URL.Path != "/account" {
		t.Fatalf("next led off the portal: %s", res.Request.URL)
	}
}
