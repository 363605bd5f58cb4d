package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/webhook/webhooktest"
)

// TestOwnerRegistersAWebhookAndReplaysAFailedDelivery is issue 15's
// webhooks in the browser: the Owner adds an endpoint from the
// Organisation tab for people events, copies the secret shown once, the
// receiver verifies what comes with it; a delivery the receiver refused
// shows its answer in the delivery log, and "Send again" brings it.
func TestOwnerRegistersAWebhookAndReplaysAFailedDelivery(t *testing.T) {
	s := newSite(t)
	rcv := webhooktest.Start(t)
	ctx := browser(t)
	signIn(t, ctx, s, "olivia@acme.example", "")
	run(t, ctx, "add an endpoint from the Organisation tab",
		chromedp.Navigate(s.URL+"/orgs"),
		chromedp.WaitVisible(chromedp.CSS("#webhooks-summary")),
		chromedp.Click(chromedp.CSS("#webhook-settings")),
		chromedp.WaitVisible(chromedp.CSS("#add-webhook")),
		chromedp.SendKeys(chromedp.CSS("#f-url"), rcv.URL+"/hooks"),
		chromedp.SendKeys(chromedp.CSS("#f-description"), "SIEM"),
		chromedp.Click(chromedp.CSS("#f-event_types-user")),
		chromedp.Click(chromedp.CSS("#add-webhook")),
	)
	secret := text(t, ctx, "#webhook-secret")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the page shows the secret %q", secret)
	}
	rcv.SetSecret(secret)
	shot(t, ctx, "webhook")

	drain := func() {
		s.App.Settle()
		if _, err := s.Webhooks.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.App.CreateUser(context.Background(), s.owner, s.account.ID, app.NewUser{Email: "nina@acme.example",
		FirstName: "Nina", LastName: "New", Roles: []string{"user"}}); err != nil {
		t.Fatal(err)
	}
	drain()
	got := rcv.Took()
	if len(got) != 1 || got[0].Type != "user.create" {
		t.Fatalf("the receiver took %q", webhooktest.Types(got))
	}
	first := got[0].Header.Get("webhook-id")

	rcv.SetMode(webhooktest.Fail)
	// The page shows a flash already (the secret's): wait for the test's.
	run(t, ctx, "send a test message", chromedp.Click(chromedp.CSS("#webhook-test")),
		waitFor(`location.search.includes("done=webhook-test")`))
	drain()
	page := s.URL + value(t, ctx, "the endpoint's page", chromedp.Evaluate[string](`document.querySelector('form[action^="/webhooks/"]').getAttribute('action')`))
	run(t, ctx, "read the log", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#delivery-log")))
	log := text(t, ctx, "#delivery-log")
	for _, want := range []string{"Webhook test message", "HTTP 500", "boom", "Person created", "Delivered", "HTTP 204"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the delivery log lacks %q:\n%s", want, log)
		}
	}
	// The refused test message is tried again by itself; what was
	// delivered can be sent again by hand, with its webhook-id.
	if !strings.Contains(log, "Tried again at") {
		t.Fatalf("a refused delivery is not shown as retrying:\n%s", log)
	}
	rcv.SetMode(webhooktest.OK)
	run(t, ctx, "send the delivered one again",
		chromedp.Click(chromedp.CSS(`#delivery-log tr[data-state="delivered"] button[value="replay"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, ctx, ".flash"); !strings.Contains(got, "Sent again") {
		t.Fatalf("flash %q", got)
	}
	drain()
	if again := rcv.Took(); len(again) != 1 || again[0].Type != "user.create" || again[0].Header.Get("webhook-id") != first {
		t.Fatalf("the replay brought %q", webhooktest.Types(again))
	}
}
