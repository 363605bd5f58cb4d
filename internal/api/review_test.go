package api_test

import (
	"context"
	"encoding/csv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/server/servertest"
	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// TestAccessReviewOfTheSubtree: account A reads dates in Berlin time;
// a person of account B is invited as third party until a date; an Admin
// starts a review of A and below, every administrator hears of it, each
// confirms or revokes what they administer but never their own access,
// a revoked role ends at once (an only role locks its person), the
// review closes itself at its due date and ends what nobody decided, and
// the evidence exports as CSV in the org's time zone.
func TestAccessReviewOfTheSubtree(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		var offset atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		later := func(d time.Duration) { offset.Add(int64(d)) }
		f := newFixtureWith(t, servertest.Options{Backend: b, PublicURL: "http://tenantry.test", Now: now,
			Tune: func(c *app.Config) { c.SessionIdle, c.SessionMax = 30*24*time.Hour, 30*24*time.Hour }})
		owner, admin, admin2 := f.clients["ownerA"], f.clients["adminA"], f.clients["admin2A"]

		// The org's time zone.
		if r := owner.must(422, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"time_zone": "Mars/Olympus"}); !strings.Contains(r.raw, `"field":"time_zone"`) {
			t.Fatalf("a bad time zone: %s", r.raw)
		}
		owner.must(200, "PATCH", f.path("/api/v1/orgs/{A}/settings"), map[string]any{"time_zone": "Europe/Berlin"})
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/security"), nil); r.str("time_zone") != "Europe/Berlin" {
			t.Fatalf("security: %s", r.raw)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")

		// Third-party access until a date, by invitation.
		until := time.Date(now().Year()+1, 1, 31, 18, 0, 0, 0, berlin)
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/invitations"), map[string]any{"login": "userB@example.com",
			"roles": []string{"third_party"}, "until": now().Add(time.Hour).Format(time.RFC3339)}); !strings.Contains(r.raw, `"field":"until"`) {
			t.Fatalf("an end before the link runs out: %s", r.raw)
		}
		inv := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/invitations"), map[string]any{"login": "userB@example.com",
			"roles": []string{"third_party"}, "until": until.Format(time.RFC3339)})
		if !strings.HasPrefix(inv.str("access_until"), until.UTC().Format("2006-01-02T15:04")) {
			t.Fatalf("invitation: %s", inv.raw)
		}
		mail := f.MailTo("userB@example.com")
		if want := until.Format("2006-01-02 15:04 MST"); !strings.Contains(mail.Text, "The access ends by itself on "+want) {
			t.Fatalf("the invitation does not say when the access ends (%s):\n%s", want, mail.Text)
		}
		f.anon().must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": mail.Token()})
		if r := owner.must(200, "GET", f.path("/api/v1/users/{userB}"), nil); !strings.Contains(r.raw, `"expires_at":"`+until.UTC().Format("2006-01-02T15:04")) {
			t.Fatalf("the invited person's role has no end: %s", r.raw)
		}

		// A sub-organization with an owner of its own.
		owner.must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Depot",
			"owner": map[string]any{"email": "depot@example.com", "first_name": "Dora", "last_name": "Depot"}})

		// Starting.
		due := now().Add(14 * 24 * time.Hour)
		start := map[string]any{"due_at": due.Format(time.RFC3339), "subtree": true, "end_unreviewed": true, "title": "Q4 review"}
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), start)
		f.clients["ownerB"].must(404, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), start)
		if r := admin.must(422, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), map[string]any{"due_at": now().Format(time.RFC3339)}); !strings.Contains(r.raw, `"field":"due_at"`) {
			t.Fatalf("a due date now: %s", r.raw)
		}
		rev := admin.must(201, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), start)
		id := rev.str("id")
		// ownerA, owner2A, adminA, admin2A, userA, readonlyA, thirdA, userB (third party), and Depot's owner.
		if rev.body["roles"] != float64(9) || rev.str("status") != "open" || rev.str("time_zone") != "Europe/Berlin" {
			t.Fatalf("started: %s", rev.raw)
		}
		admin.must(409, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), start)
		for _, who := range []string{"ownerA@example.com", "admin2A@example.com"} {
			if m := f.MailTo(who); !strings.Contains(m.Subject, "Access review of Account A") || !strings.Contains(m.Text, "/reviews/"+id) {
				t.Fatalf("%s: %s\n%s", who, m.Subject, m.Text)
			}
		}
		f.clients["ownerB"].must(404, "GET", "/api/v1/access-reviews/"+id, nil)
		f.clients["readonlyA"].must(403, "GET", "/api/v1/access-reviews/"+id, nil)

		items := func(c *client) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, x := range c.must(200, "GET", "/api/v1/access-reviews/"+id, nil).body["items"].([]any) {
				it := x.(map[string]any)
				out[it["login"].(string)+" "+it["role"].(string)] = it
			}
			return out
		}
		seen := items(admin)
		if it := seen["adminA@example.com admin"]; it["may_decide"] != false || !strings.Contains(it["why_not"].(string), "your own access") {
			t.Fatalf("one's own access: %v (all: %v)", it, seen)
		}
		if it := seen["ownerA@example.com owner"]; it["may_decide"] != false || !strings.Contains(it["why_not"].(string), "platform operator") {
			t.Fatalf("the owner's role: %v", it)
		}
		if it := seen["depot@example.com owner"]; it["org_name"] != "Depot" {
			t.Fatalf("the subtree's role: %v", it)
		}
		third := seen["userB@example.com third_party"]
		if third == nil || third["ends_at"] == nil || third["granted_by"] != "ownerA@example.com" {
			t.Fatalf("the third party's role: %v (all: %v)", third, seen)
		}
		decide := func(c *client, want int, key, decision, note string) response {
			return c.must(want, "POST", "/api/v1/access-reviews/"+id+"/items/"+seen[key]["id"].(string)+"/decision",
				map[string]any{"decision": decision, "note": note})
		}
		decide(admin, 403, "adminA@example.com admin", "confirm", "")
		if r := decide(admin, 422, "userA@example.com user", "keep", ""); !strings.Contains(r.raw, `"field":"body.decision"`) &&
			!strings.Contains(r.raw, `"field":"decision"`) {
			t.Fatalf("a bad decision: %s", r.raw)
		}
		if r := decide(admin, 200, "userA@example.com user", "confirm", "runs the SIM fleet"); r.str("outcome") != "kept" || r.str("decided_by") != "adminA@example.com" {
			t.Fatalf("confirmed: %s", r.raw)
		}
		if r := decide(admin, 200, "readonlyA@example.com read_only", "revoke", "left the company"); r.str("outcome") != "locked" {
			t.Fatalf("an only role revoked: %s", r.raw)
		}
		f.clients["readonlyA"].must(401, "GET", "/api/v1/session", nil)
		if r := decide(admin, 200, "userB@example.com third_party", "revoke", "contract ended"); r.str("outcome") != "ended" {
			t.Fatalf("the third party revoked: %s", r.raw)
		}
		f.clients["userB"].must(404, "GET", f.path("/api/v1/orgs/{A}"), nil)
		decide(admin, 409, "userB@example.com third_party", "confirm", "")
		if r := decide(admin2, 403, "adminA@example.com admin", "confirm", ""); !strings.Contains(r.raw, "does not administer") {
			t.Fatalf("an Admin decides on another Admin: %s", r.raw)
		}
		decide(owner, 200, "adminA@example.com admin", "confirm", "")
		if r := admin.must(200, "GET", f.path("/api/v1/orgs/{A}/events"), nil); !strings.Contains(r.raw, `"review.revoke"`) || !strings.Contains(r.raw, `"review.start"`) {
			t.Fatalf("audit: %s", r.raw)
		}

		// A day before the due date, each reviewer hears how many roles
		// they may decide are still open.
		later(13*24*time.Hour + time.Hour)
		if _, err := f.App.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		for who, open := range map[string]string{"ownerA@example.com": "2", "adminA@example.com": "1"} {
			m := f.MailTo(who)
			if !strings.Contains(m.Subject, "Reminder: decide on the access review of Account A") ||
				!strings.Contains(m.Text, "still open: "+open+".") || !strings.Contains(m.Text, "/reviews/"+id+"?show=mine") {
				t.Fatalf("%s's reminder: %s\n%s", who, m.Subject, m.Text)
			}
		}

		// The due date passes: the sweep closes it and ends what nobody decided.
		later(2 * 24 * time.Hour)
		if _, err := f.App.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		closed := owner.must(200, "GET", "/api/v1/access-reviews/"+id, nil)
		if closed.str("status") != "closed" || closed.str("closed_by") != "" || closed.body["confirmed"] != float64(2) || closed.body["revoked"] != float64(2) {
			t.Fatalf("closed: %s", closed.raw)
		}
		seen = items(owner)
		for key, want := range map[string]string{"thirdA@example.com third_party": "ended_unreviewed", "ownerA@example.com owner": "kept_unreviewed",
			"userA@example.com user": "kept", "admin2A@example.com admin": "ended_unreviewed"} {
			if got := seen[key]["outcome"]; got != want {
				t.Fatalf("%s: outcome %v, want %s", key, got, want)
			}
		}
		decide(admin, 409, "userA@example.com user", "revoke", "")
		owner.must(409, "POST", "/api/v1/access-reviews/"+id+"/close", nil)

		// The evidence.
		ev := owner.must(200, "GET", "/api/v1/access-reviews/"+id+"/evidence.csv", nil)
		body := ev.raw
		if !strings.HasPrefix(ev.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("evidence: %s", ev.header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) != 10 || rows[0][0] != "review" {
			t.Fatalf("evidence: %v\n%s", err, body)
		}
		found := false
		for _, row := range rows[1:] {
			if row[8] == "readonlyA@example.com" {
				found = row[15] == "revoke" && row[16] == "adminA@example.com" && row[18] == "left the company" && row[19] == "locked" &&
					strings.HasSuffix(row[17], "+01:00") && row[0] == "Q4 review"
			}
		}
		if !found {
			t.Fatalf("the revoked role's line:\n%s", body)
		}
		// A new review may start now.
		admin.must(201, "POST", f.path("/api/v1/orgs/{A}/access-reviews"), map[string]any{"due_at": now().Add(48 * time.Hour).Format(time.RFC3339)})
	})
}
