package api_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestNewsAndAlertsReachSubscribersInTheirLanguage is issue 12's item 5:
// a tenant's Owner publishes an alert to a sub-organization and news to
// the whole account, the operator news to every customer; each goes by
// SMTP only to the subscribed people of the target's subtree, in their
// language, and is listed where it reaches.
func TestNewsAndAlertsReachSubscribersInTheirLanguage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		f.clients["userA"].must(200, "PATCH", "/api/v1/me", map[string]any{"language": "de", "notify_news": true, "notify_alerts": true})
		f.clients["adminA"].must(200, "PATCH", "/api/v1/me", map[string]any{"notify_news": true})
		f.clients["userB"].must(200, "PATCH", "/api/v1/me", map[string]any{"notify_news": true})
		r := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Depot",
			"owner": map[string]any{"email": "depot@a.example", "first_name": "D", "last_name": "Epot"}})
		depot := r.body["org"].(map[string]any)["id"].(string)
		f.activate("depot@a.example")
		depotOwner := f.signIn("depot@a.example")
		depotOwner.must(200, "PATCH", "/api/v1/me", map[string]any{"notify_alerts": true})

		texts := map[string]any{"en": map[string]string{"title": "Maintenance tonight", "body": "The network is down from 22:00 to 23:00."},
			"de": map[string]string{"title": "Wartung heute Nacht", "body": "Das Netz ist von 22:00 bis 23:00 Uhr nicht erreichbar."}}
		// Bad input is named by field.
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "news",
			"texts": map[string]any{"it": map[string]string{"title": "x", "body": "y"}, "en": map[string]string{"title": "two\nlines", "body": ""}}}); !strings.Contains(r.raw, "texts.it") || !strings.Contains(r.raw, "texts.en.title") || !strings.Contains(r.raw, "texts.en.body") {
			t.Fatalf("bad notice: %s", r.raw)
		}
		owner.must(422, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "news", "texts": texts, "target_org_id": f.ids["{B}"]})
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "news", "texts": texts})
		f.clients["ownerB"].must(404, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "news", "texts": texts})

		// An alert to the depot reaches its subscribed owner only.
		r = owner.must(201, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "alert", "texts": texts, "target_org_id": depot})
		if r.body["recipients"] != 1.0 {
			t.Fatalf("alert recipients: %s", r.raw)
		}
		if m := f.MailTo("depot@a.example"); !strings.Contains(m.Subject, "Alert from Account A: Maintenance tonight") || !strings.Contains(m.Text, "22:00 to 23:00") {
			t.Fatalf("the depot owner's alert: %q %q", m.Subject, m.Text)
		}
		// News to the account: its subscribers, each in their language,
		// the depot's owner not (subscribed to alerts only), B not at all.
		r = owner.must(201, "POST", f.path("/api/v1/orgs/{A}/notices"), map[string]any{"kind": "news", "texts": texts})
		if r.body["recipients"] != 2.0 {
			t.Fatalf("news recipients: %s", r.raw)
		}
		if m := f.MailTo("userA@example.com"); !strings.Contains(m.Subject, "Neuigkeiten von Account A: Wartung heute Nacht") || !strings.Contains(m.Text, "nicht erreichbar") {
			t.Fatalf("German news: %q %q", m.Subject, m.Text)
		}
		if m := f.MailTo("adminA@example.com"); !strings.Contains(m.Subject, "News from Account A: Maintenance tonight") {
			t.Fatalf("English news: %q", m.Subject)
		}
		for _, m := range f.SMTP.Messages() {
			if strings.Contains(m.Subject, "Maintenance") && m.To[0] == "userB@example.com" {
				t.Fatal("news of account A reached account B")
			}
		}
		// The operator's news reaches every customer's subscribers.
		r = f.clients["operator"].must(201, "POST", f.path("/api/v1/orgs/{platform}/notices"), map[string]any{"kind": "news",
			"texts": map[string]any{"en": map[string]string{"title": "New partners", "body": "Three partners joined."}}})
		if r.body["recipients"] != 3.0 {
			t.Fatalf("platform news recipients: %s", r.raw)
		}
		if m := f.MailTo("userB@example.com"); !strings.Contains(m.Subject, "New partners") {
			t.Fatalf("B's platform news: %q", m.Subject)
		}
		// Listed where they reach: the depot sees the platform's news,
		// the account's news and its alert, in the asked language.
		items := depotOwner.must(200, "GET", "/api/v1/orgs/"+depot+"/notices?lang=de", nil).body["items"].([]any)
		if len(items) != 3 || items[0].(map[string]any)["title"] != "New partners" || items[2].(map[string]any)["title"] != "Wartung heute Nacht" {
			t.Fatalf("the depot's notices: %v", items)
		}
		if items := f.clients["userB"].must(200, "GET", f.path("/api/v1/orgs/{B}/notices"), nil).body["items"].([]any); len(items) != 1 {
			t.Fatalf("B's notices: %v", items)
		}
	})
}
