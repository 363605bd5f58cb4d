package api_test

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestAuditForOrgAdminsSubtreeAndExport is issue 15's item 3 over HTTP:
// "this org and below" widens the log to the children's events, and the
// filtered log exports as CSV and JSON Lines, to Owners and Admins only.
func TestAuditForOrgAdminsSubtreeAndExport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f)
		owner := f.clients["ownerA"]
		// Something happens in C1: its owner creates a person there.
		f.clients["ownerC1"].must(201, "POST", f.path("/api/v1/orgs/{C1}/users"), map[string]any{"email": "kid@example.com",
			"first_name": "Kid", "last_name": "Person", "roles": []string{"user"}})
		own := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events?action=user.create&limit=200"), nil)
		all := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events?action=user.create&limit=200&subtree=true"), nil)
		if strings.Contains(own.raw, "kid@example.com") || !strings.Contains(all.raw, "kid@example.com") ||
			len(all.body["items"].([]any)) <= len(own.body["items"].([]any)) {
			t.Fatalf("subtree: own %s / all %s", own.raw, all.raw)
		}
		f.clients["ownerC1"].must(200, "GET", f.path("/api/v1/orgs/{C1}/events?subtree=true"), nil)
		f.clients["userA"].must(403, "GET", f.path("/api/v1/orgs/{A}/events.csv"), nil)

		res := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events.csv?subtree=true&action=user."), nil)
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(res.raw)).ReadAll()
		if err != nil || len(rows) < 3 || rows[0][2] != "action" {
			t.Fatalf("CSV: %v %q", err, res.raw)
		}
		found := false
		for _, r := range rows[1:] {
			if !strings.HasPrefix(r[2], "user.") {
				t.Fatalf("a row outside the filter: %v", r)
			}
			found = found || r[1] == f.ids["{C1}"] && strings.Contains(r[8], "kid@example.com")
		}
		if !found {
			t.Fatalf("the child's event is not in the CSV: %q", res.raw)
		}
		lines := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events.jsonl?subtree=true"), nil)
		n := 0
		for _, line := range strings.Split(strings.TrimSpace(lines.raw), "\n") {
			var e map[string]any
			if err := json.Unmarshal([]byte(line), &e); err != nil || e["action"] == nil || e["created_at"] == nil {
				t.Fatalf("JSON line %q: %v", line, err)
			}
			n++
		}
		if n <= len(rows)-1 {
			t.Fatalf("JSON Lines has %d events, fewer than the user. ones alone (%d)", n, len(rows)-1)
		}
	})
}
