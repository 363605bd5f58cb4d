package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/webhook/webhooktest"
)

// TestBulkImportAllOrNothing is issue 16's item 5 over the API: a batch
// with bad lines writes nothing and names each line and field; a good
// batch creates everyone with their roles, without mail when asked, and
// invites a person whose login is in another account; only those who
// create people may import them.
func TestBulkImportAllOrNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		count := func() int {
			return len(owner.must(200, "GET", f.path("/api/v1/orgs/{A}/users?limit=200"), nil).body["items"].([]any))
		}
		before := count()
		bad := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/users/import"), map[string]any{"users": []map[string]any{
			{"email": "good@a.example", "first_name": "Good", "last_name": "One", "roles": []string{"user"}, "line": 2},
			{"email": "not-an-address", "first_name": "Bad", "last_name": "Mail", "roles": []string{"user"}, "line": 3},
			{"email": "good@a.example", "first_name": "Twice", "last_name": "Over", "roles": []string{"viewer"}, "line": 4},
		}})
		for _, want := range []string{`"field":"email","line":3`, `"field":"email","line":4`, "is on line 2 already", `"field":"roles","line":4`} {
			if !strings.Contains(bad.raw, want) {
				t.Fatalf("bad batch lacks %s: %s", want, bad.raw)
			}
		}
		if count() != before {
			t.Fatal("a failed batch wrote people")
		}
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/users/import"), map[string]any{"users": []map[string]any{
			{"email": "x@a.example", "first_name": "X", "last_name": "Y", "roles": []string{"read_only"}}}})

		// A webhook hears every imported person, though its listeners are
		// read once per import.
		rcv := webhooktest.Start(t)
		hook := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/webhooks"), map[string]any{"url": rcv.URL, "event_types": []string{"user.create"}})
		rcv.SetSecret(hook.str("secret"))

		var users []map[string]any
		for i := range 150 {
			users = append(users, map[string]any{"email": fmt.Sprintf("bulk%03d@a.example", i), "first_name": "Bulk",
				"last_name": fmt.Sprintf("No%03d", i), "roles": []string{"read_only"}})
		}
		users = append(users, map[string]any{"email": "userB@example.com", "first_name": "From", "last_name": "B", "roles": []string{"user"}})
		r := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users/import"), map[string]any{"users": users, "send_activation": false})
		if r.body["created"] != float64(150) || r.body["invited"] != float64(1) {
			t.Fatalf("import: %s", r.raw)
		}
		if n := count(); n != before+150 {
			t.Fatalf("%d people after importing 150 to %d", n, before)
		}
		f.drainHooks()
		if got := rcv.Took(); len(got) != 150 || got[0].Type != "user.create" {
			t.Fatalf("the webhook heard %d events", len(got))
		}
		if m := f.MailTo("userB@example.com"); !strings.Contains(m.Subject, "invites you") {
			t.Fatalf("the invited person's mail: %s", m.Subject)
		}
		list := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/users?last_name=No149"), nil)
		if !strings.Contains(list.raw, `"role":"read_only"`) || !strings.Contains(list.raw, `"status":"invited"`) {
			t.Fatalf("an imported person: %s", list.raw)
		}
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events?action=user.create"), nil); strings.Count(r.raw, `"user.create"`) < 50 {
			t.Fatalf("the import is not audited person by person: %d events", strings.Count(r.raw, `"user.create"`))
		}
	})
}
