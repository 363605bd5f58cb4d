package api_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/webhook/webhooktest"
)

// drainHooks sends the webhook outbox as serve's dispatcher would.
func (f *fixture) drainHooks() {
	f.t.Helper()
	f.App.Settle()
	if _, err := f.Webhooks.Drain(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// TestWebhooksOfTheSubtreeSignedAndVerified: an Owner registers an
// endpoint for people and role events; it hears them from the account
// and the sub-organization below, never from another account, each signed
// so that Svix's verifier accepts it; a secret rotation signs with both
// secrets for a while; only those who read the audit log manage it.
func TestWebhooksOfTheSubtreeSignedAndVerified(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		rcv := webhooktest.Start(t)

		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/webhooks"), map[string]any{"url": "http://hooks.example.com/x",
			"event_types": []string{"users.*"}}); !strings.Contains(r.raw, `"field":"url"`) ||
			!strings.Contains(r.raw, "must be https") || !strings.Contains(r.raw, `\"users.*\" is not an event type`) {
			t.Fatalf("bad endpoint: %s", r.raw)
		}
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/webhooks"), map[string]any{"url": rcv.URL, "event_types": []string{"*"}})
		f.clients["readonlyA"].must(403, "GET", f.path("/api/v1/orgs/{A}/webhooks"), nil)
		created := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/webhooks"), map[string]any{"url": rcv.URL + "/tenantry",
			"description": "SIEM", "event_types": []string{"user.*", "grant.create"}})
		secret, id := created.str("secret"), created.str("id")
		if !strings.HasPrefix(secret, "whsec_") || created.str("secret_hint") != secret[len(secret)-4:] || created.body["active"] != true {
			t.Fatalf("created: %s", created.raw)
		}
		rcv.SetSecret(secret)
		if r := owner.must(200, "GET", "/api/v1/webhooks/"+id, nil); strings.Contains(r.raw, secret) || strings.Contains(r.raw, "whsec_") {
			t.Fatalf("the endpoint shows its secret again: %s", r.raw)
		}
		f.clients["ownerB"].must(404, "GET", "/api/v1/webhooks/"+id, nil)
		f.clients["ownerB"].must(404, "DELETE", "/api/v1/webhooks/"+id, nil)

		// Changes in A, in a sub-organization of A and in B.
		person := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "new@a.example",
			"first_name": "Nina", "last_name": "New", "roles": []string{"user"}}).str("id")
		child := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Depot",
			"owner": map[string]any{"email": "depot@a.example", "first_name": "D", "last_name": "Owner"}})
		depotOwner := child.body["owner"].(map[string]any)["id"].(string)
		f.clients["ownerB"].must(201, "POST", f.path("/api/v1/orgs/{B}/users"), map[string]any{"email": "other@b.example",
			"first_name": "Otto", "last_name": "Other", "roles": []string{"user"}})
		// Until the dispatcher runs, they wait, and /metrics says so.
		f.App.Settle()
		if m := f.anon().must(200, "GET", "/metrics", nil).raw; metric(t, m, "tenantry_webhook_backlog") < 2 ||
			metric(t, m, "tenantry_webhook_oldest_age_seconds") < 0 {
			t.Fatalf("webhook backlog before delivery:\n%s", m)
		}
		f.drainHooks()
		if m := f.anon().must(200, "GET", "/metrics", nil).raw; metric(t, m, "tenantry_webhook_backlog") != 0 ||
			metric(t, m, "tenantry_webhook_oldest_age_seconds") != 0 {
			t.Fatalf("webhook backlog after delivery:\n%s", m)
		}
		got := rcv.Took()
		want := []string{"user.create@" + person, "user.create@" + depotOwner}
		slices.Sort(want)
		if webhooktest.Types(got) != strings.Join(want, " ") {
			t.Fatalf("the receiver took %q, want %q", webhooktest.Types(got), want)
		}
		for _, h := range got {
			org := f.ids["{A}"]
			if h.Data.TargetID == depotOwner {
				org = child.body["org"].(map[string]any)["id"].(string)
			}
			if h.Data.OrgID != org || h.Data.ActorLogin != "ownerA@example.com" || h.Header.Get("webhook-id") == "" ||
				h.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("hook: %s %v", h.Payload, h.Header)
			}
		}

		log := owner.must(200, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil).body["items"].([]any)
		if len(log) != 2 || log[0].(map[string]any)["state"] != "delivered" || log[0].(map[string]any)["last_status"] != float64(204) {
			t.Fatalf("delivery log: %v", log)
		}

		// Rotation: for a day, every message carries both signatures.
		rotated := owner.must(200, "POST", "/api/v1/webhooks/"+id+"/secret", map[string]any{})
		fresh := rotated.str("secret")
		if fresh == secret || rotated.body["old_secret_until"] == nil {
			t.Fatalf("rotated: %s", rotated.raw)
		}
		owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "second@a.example",
			"first_name": "Sven", "last_name": "Second", "roles": []string{"read_only"}})
		f.drainHooks()
		got = rcv.Took() // verified with the old secret
		if len(got) != 1 {
			t.Fatalf("after rotation: %q", webhooktest.Types(got))
		}
		for _, s := range []string{secret, fresh} {
			wh, _ := svix.NewWebhook(s)
			if err := wh.Verify(got[0].Payload, got[0].Header); err != nil {
				t.Fatalf("not signed with %s…: %v", s[:10], err)
			}
		}
		rcv.SetSecret(fresh)
		owner.must(200, "POST", "/api/v1/webhooks/"+id+"/secret", map[string]any{"keep_old_hours": 0})
		owner.must(202, "POST", "/api/v1/webhooks/"+id+"/test", nil)
		f.drainHooks()
		if rejected := rcv.Rejected(); rejected != 1 {
			t.Fatalf("a message signed only with a newer secret: rejected %d, want 1", rejected)
		}
		if got := rcv.Took(); len(got) != 0 {
			t.Fatalf("a message signed only with a newer secret was taken: %q", webhooktest.Types(got))
		}

		// The audit log names every change of the endpoint.
		events := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events?action=webhook."), nil).raw
		for _, a := range []string{"webhook.create", "webhook.secret_rotate"} {
			if !strings.Contains(events, a) {
				t.Fatalf("audit lacks %s: %s", a, events)
			}
		}
		owner.must(204, "DELETE", "/api/v1/webhooks/"+id, nil)
		owner.must(404, "GET", "/api/v1/webhooks/"+id, nil)
	})
}

// TestWebhookReceiverDownSlowOrFailing: a receiver that answers 500 is
// tried again on the Standard Webhooks schedule and takes the message
// when it recovers; one that hangs fails the attempt at the timeout; one
// that is down for a day gets its endpoint turned off, its administrators
// an e-mail, and after the fix a replay brings the message with its
// original webhook-id.
func TestWebhookReceiverDownSlowOrFailing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		var offset atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		later := func(d time.Duration) { offset.Add(int64(d)) }
		f := newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test", Now: now,
			WebhookTimeout: 2 * time.Second, Tune: func(c *app.Config) { c.SessionIdle, c.SessionMax = 72*time.Hour, 72*time.Hour }})
		owner := f.clients["ownerA"]
		register := func(url string) (string, string) {
			r := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/webhooks"), map[string]any{"url": url, "event_types": []string{"user.*"}})
			return r.str("id"), r.str("secret")
		}
		lastDelivery := func(id string) map[string]any {
			items := owner.must(200, "GET", "/api/v1/webhooks/"+id+"/deliveries?limit=1", nil).body["items"].([]any)
			if len(items) == 0 {
				t.Fatalf("no delivery for %s", id)
			}
			return items[0].(map[string]any)
		}

		// Failing with 500, then recovering.
		failing := webhooktest.Start(t)
		failing.SetMode(webhooktest.Fail)
		failingID, secret := register(failing.URL)
		failing.SetSecret(secret)
		owner.must(202, "POST", "/api/v1/webhooks/"+failingID+"/test", nil)
		f.drainHooks()
		d := lastDelivery(failingID)
		if d["state"] != "retrying" || d["last_status"] != float64(500) || !strings.Contains(d["last_error"].(string), "boom") {
			t.Fatalf("after a 500: %v", d)
		}
		f.drainHooks() // not due yet
		if d := lastDelivery(failingID); d["attempts"] != float64(1) {
			t.Fatalf("tried again before its time: %v", d)
		}
		later(5 * time.Second)
		f.drainHooks()
		if d := lastDelivery(failingID); d["attempts"] != float64(2) || d["state"] != "retrying" {
			t.Fatalf("second attempt: %v", d)
		}
		failing.SetMode(webhooktest.OK)
		later(5 * time.Minute)
		f.drainHooks()
		if got := failing.Took(); len(got) != 1 || got[0].Type != "webhook.test" {
			t.Fatalf("the recovered receiver took %q", webhooktest.Types(got))
		}
		if d := lastDelivery(failingID); d["state"] != "delivered" || d["attempts"] != float64(3) {
			t.Fatalf("after recovery: %v", d)
		}
		owner.must(204, "DELETE", "/api/v1/webhooks/"+failingID, nil)

		// Hanging past the timeout.
		slow := webhooktest.Start(t)
		slow.SetMode(webhooktest.Hang)
		slowID, _ := register(slow.URL)
		owner.must(202, "POST", "/api/v1/webhooks/"+slowID+"/test", nil)
		f.drainHooks()
		if d := lastDelivery(slowID); d["state"] != "retrying" || !strings.Contains(d["last_error"].(string), "no answer within 2s") {
			t.Fatalf("after a hang: %v", d)
		}
		owner.must(204, "DELETE", "/api/v1/webhooks/"+slowID, nil)

		// Down for a day: an address where nothing listens.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		deadURL := "http://" + ln.Addr().String() + "/hooks"
		ln.Close()
		downID, downSecret := register(deadURL)
		owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "while-down@a.example",
			"first_name": "Wanda", "last_name": "Down", "roles": []string{"user"}})
		f.drainHooks()
		d = lastDelivery(downID)
		if d["state"] != "retrying" || !strings.Contains(d["last_error"].(string), "refused") || d["event_type"] != "user.create" {
			t.Fatalf("receiver down: %v", d)
		}
		messageID := d["message_id"].(string)
		for _, wait := range []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
			10 * time.Hour, 10 * time.Hour} {
			later(wait)
			f.drainHooks()
		}
		ep := owner.must(200, "GET", "/api/v1/webhooks/"+downID, nil)
		if ep.body["active"] != false || !strings.Contains(ep.str("disabled_reason"), "refused") {
			t.Fatalf("a day down, the endpoint is still on: %s", ep.raw)
		}
		if d := lastDelivery(downID); d["state"] != "failed" || d["attempts"] != float64(8) {
			t.Fatalf("a day down, the delivery: %v", d)
		}
		mail := f.MailTo("ownerA@example.com")
		if !strings.Contains(mail.Subject, "Webhook turned off") || !strings.Contains(mail.Text, deadURL) ||
			!strings.Contains(mail.Text, "/webhooks/"+downID+"\n") {
			t.Fatalf("mail: %s\n%s", mail.Subject, mail.Text)
		}
		// Off, it hears nothing new.
		owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), map[string]any{"email": "while-off@a.example",
			"first_name": "Otto", "last_name": "Off", "roles": []string{"user"}})
		if items := owner.must(200, "GET", "/api/v1/webhooks/"+downID+"/deliveries", nil).body["items"].([]any); len(items) != 1 {
			t.Fatalf("an endpoint that is off got %d deliveries", len(items))
		}

		// Fixed: a new URL, on again, and the lost message replayed.
		back := webhooktest.Start(t)
		back.SetSecret(downSecret)
		on := true
		owner.must(200, "PUT", "/api/v1/webhooks/"+downID, map[string]any{"url": back.URL, "event_types": []string{"user.*"}, "active": on})
		delivery := lastDelivery(downID)["id"].(string)
		owner.must(202, "POST", "/api/v1/webhook-deliveries/"+delivery+"/replay", nil)
		owner.must(409, "POST", "/api/v1/webhook-deliveries/"+delivery+"/replay", nil)
		f.drainHooks()
		got := back.Took()
		if len(got) != 1 || got[0].Type != "user.create" || got[0].Header.Get("webhook-id") != messageID {
			t.Fatalf("replay: %q", webhooktest.Types(got))
		}
		if one := owner.must(200, "GET", "/api/v1/webhook-deliveries/"+delivery, nil); one.str("state") != "delivered" ||
			!strings.Contains(one.raw, `"type":"user.create"`) {
			t.Fatalf("delivery after replay: %s", one.raw)
		}
		f.clients["ownerB"].must(404, "POST", "/api/v1/webhook-deliveries/"+delivery+"/replay", nil)
	})
}
