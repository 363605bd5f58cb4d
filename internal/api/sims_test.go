package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

// upload posts a transfer file as multipart form data.
func (c *client) upload(query, file string) response {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "ranges.csv")
	part.Write([]byte(file))
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.URL+"/api/v1/transfers/upload?"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := (&http.Client{Jar: c.jar}).Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	json.Unmarshal(raw, &r.body)
	return r
}

func iccids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, storetest.ICCID(i))
	}
	return out
}

// withChildren adds to the fixture two active children of account A, C1
// and C2, each with an owner, and 100 SIMs in account A.
func withChildren(t *testing.T, f *fixture) {
	t.Helper()
	for _, name := range []string{"C1", "C2"} {
		email := "owner" + name + "@example.com"
		r := f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Child " + name, "type": "customer",
			"owner": map[string]any{"email": email, "first_name": "O", "last_name": name}})
		org := r.body["org"].(map[string]any)
		if org["status"] != "pending" || org["parent_id"] != f.ids["{A}"] {
			t.Fatalf("new child: %s", r.raw)
		}
		f.ids["{"+name+"}"] = org["id"].(string)
		f.activate(email)
		f.clients["owner"+name] = f.signIn(email)
	}
	f.clients["operator"].must(201, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(0, 99)})
}

// TestSubOrgAndSIMWalkthrough is issue 4's "done when": create a child, see
// it pending, activate it, load SIMs, move a range down and a file back up,
// see a broken file's lines, and fail to delete the child until its SIMs
// and workflows are gone.
func TestSubOrgAndSIMWalkthrough(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		ownerA, op := f.clients["ownerA"], f.clients["operator"]
		r := ownerA.must(201, "POST", f.path("/api/v1/orgs/{A}/children"), map[string]any{"name": "Fleet North", "type": "unit",
			"owner": map[string]any{"email": "north@example.com", "first_name": "Nora", "last_name": "North"}})
		child := r.body["org"].(map[string]any)["id"].(string)
		if got := ownerA.must(200, "GET", "/api/v1/orgs/"+child, nil).str("status"); got != "pending" {
			t.Fatalf("new child is %s", got)
		}
		r = ownerA.must(409, "DELETE", "/api/v1/orgs/"+child, nil)
		if r.str("code") != "org_not_deletable" || !strings.Contains(r.raw, `"code":"pending"`) {
			t.Fatalf("deleting a pending child: %s", r.raw)
		}
		f.activate("north@example.com")
		if got := ownerA.must(200, "GET", "/api/v1/orgs/"+child, nil).str("status"); got != "active" {
			t.Fatalf("activated child is %s", got)
		}
		op.must(201, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(0, 99)})
		bad := append(iccids(100, 101), "123", storetest.ICCID(100))
		r = op.must(422, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": bad})
		if !strings.Contains(r.raw, `"line":3`) || !strings.Contains(r.raw, `"line":4`) {
			t.Fatalf("bad inventory: %s", r.raw)
		}
		r = op.must(409, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(99, 100)})
		if !strings.Contains(r.raw, `"line":1`) {
			t.Fatalf("existing ICCIDs: %s", r.raw)
		}

		// A range down: dry run first.
		body := map[string]any{"from": f.ids["{A}"], "to": child, "dry_run": true,
			"ranges": []map[string]string{{"start": storetest.ICCID(10), "end": storetest.ICCID(39)}}}
		r = ownerA.must(200, "POST", "/api/v1/transfers", body)
		if r.body["moved"].(float64) != 30 || r.str("id") != "" {
			t.Fatalf("dry run: %s", r.raw)
		}
		body["dry_run"] = false
		r = ownerA.must(200, "POST", "/api/v1/transfers", body)
		if r.body["moved"].(float64) != 30 || r.str("id") == "" {
			t.Fatalf("transfer: %s", r.raw)
		}
		kids := ownerA.must(200, "GET", f.path("/api/v1/orgs/{A}/children"), nil)
		if !strings.Contains(kids.raw, `"sim_count":30`) {
			t.Fatalf("children totals: %s", kids.raw)
		}
		ownerA.must(404, "GET", "/api/v1/orgs/"+child+"/sims", nil) // O3: the parent does not see the child's SIMs
		north := f.signIn("north@example.com")
		if page := north.must(200, "GET", "/api/v1/orgs/"+child+"/sims?limit=200", nil); len(page.body["items"].([]any)) != 30 {
			t.Fatalf("child's SIMs: %s", page.raw[:200])
		}

		// A broken file: every bad line, nothing moves.
		broken := storetest.ICCID(10) + ";" + storetest.ICCID(19) + "\n" + storetest.ICCID(20) + ";" + storetest.ICCID(29) + ";\n\n" +
			`"` + storetest.ICCID(30) + `";"` + storetest.ICCID(39) + `"` + "\n" + storetest.ICCID(15) + ";" + storetest.ICCID(16) + "\n"
		q := "from=" + child + "&to=" + f.ids["{A}"]
		r = ownerA.upload(q, broken)
		if r.status != 422 || !strings.Contains(r.raw, `"line":2`) || !strings.Contains(r.raw, "trailing semicolon") ||
			!strings.Contains(r.raw, `"line":5`) || !strings.Contains(r.raw, "overlaps the range on line 1") {
			t.Fatalf("broken file: %d %s", r.status, r.raw)
		}
		fixed := strings.Replace(broken, storetest.ICCID(29)+";\n", storetest.ICCID(29)+"\n", 1)
		fixed = fixed[:strings.LastIndex(strings.TrimSpace(fixed), "\n")+1]
		r = ownerA.upload(q+"&dry_run=true", fixed)
		if r.status != 200 || r.body["moved"].(float64) != 30 {
			t.Fatalf("dry run of the file: %d %s", r.status, r.raw)
		}

		// Delete refused while SIMs and workflows remain.
		op.must(201, "POST", "/api/v1/orgs/"+child+"/workflows", map[string]string{"kind": "invoice", "title": "Invoice 2026-11"})
		r = ownerA.must(409, "DELETE", "/api/v1/orgs/"+child, nil)
		if !strings.Contains(r.raw, `"code":"has_sims"`) || !strings.Contains(r.raw, "30 SIMs") || !strings.Contains(r.raw, `"code":"open_workflows"`) || !strings.Contains(r.raw, "1 open workflow (invoice)") {
			t.Fatalf("delete with SIMs and workflows: %s", r.raw)
		}
		r = ownerA.upload(q, fixed)
		if r.status != 200 || r.body["moved"].(float64) != 30 {
			t.Fatalf("file up: %d %s", r.status, r.raw)
		}
		r = ownerA.must(409, "DELETE", "/api/v1/orgs/"+child, nil)
		if strings.Contains(r.raw, "has_sims") || !strings.Contains(r.raw, "open_workflows") {
			t.Fatalf("delete with workflows: %s", r.raw)
		}
		wf := op.must(200, "GET", "/api/v1/orgs/"+child+"/workflows", nil).body["items"].([]any)[0].(map[string]any)
		op.must(200, "POST", "/api/v1/workflows/"+wf["id"].(string)+"/close", nil)
		ownerA.must(204, "DELETE", "/api/v1/orgs/"+child, nil)
		ownerA.must(404, "GET", "/api/v1/orgs/"+child, nil)
		hist := ownerA.must(200, "GET", f.path("/api/v1/orgs/{A}/transfers"), nil)
		if n := len(hist.body["items"].([]any)); n != 2 {
			t.Fatalf("%d transfers in A's history", n)
		}
		csv := ownerA.must(200, "GET", f.path("/api/v1/orgs/{A}/sims.csv?prefix=")+storetest.ICCID(10)[:17], nil)
		if !strings.HasPrefix(csv.raw, "iccid,status,updated_at\n"+storetest.ICCID(10)+",active,") || strings.Count(csv.raw, "\n") != 11 {
			t.Fatalf("csv: %q", csv.raw[:80])
		}
	})
}

func TestTransferRulesByRelation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f)
		rng := `"ranges":[{"start":"` + storetest.ICCID(0) + `","end":"` + storetest.ICCID(9) + `"}]`
		move := func(actor, from, to string, status int, code string) {
			t.Helper()
			r := f.clients[actor].do("POST", "/api/v1/transfers", f.path(`{"from":"`+from+`","to":"`+to+`",`+rng+`}`))
			if r.status != status || (code != "" && r.str("code") != code) {
				t.Fatalf("%s %s->%s: %s", actor, from, to, r.raw)
			}
		}
		move("ownerA", "{A}", "{C1}", 200, "")
		move("adminA", "{C1}", "{A}", 200, "") // the parent's admin pulls them back
		move("ownerA", "{A}", "{C1}", 200, "")
		move("ownerC1", "{C1}", "{A}", 200, "") // the child gives them up
		move("ownerC1", "{A}", "{C1}", 404, "") // the child cannot take from a parent it cannot see
		move("ownerA", "{C1}", "{C2}", 403, "transfer_not_allowed")
		move("ownerA", "{A}", "{B}", 404, "")
		move("ownerB", "{A}", "{C1}", 404, "")
		move("userA", "{A}", "{C1}", 404, "") // a User does not see sub-organizations at all
		move("readonlyA", "{A}", "{C1}", 403, "forbidden")
		move("ownerA", "{A}", "{A}", 403, "transfer_not_allowed")
		move("ownerA", "{C1}", "{A}", 409, "nothing_to_transfer")
		f.clients["ownerA"].must(422, "POST", "/api/v1/transfers", f.path(`{"from":"{A}","to":"{C1}","ranges":[{"start":"`+storetest.ICCID(9)+`","end":"`+storetest.ICCID(0)+`"}]}`))
		// Sub-organization management by role and relation.
		sub := `{"name":"X","owner":{"email":"x@example.com","first_name":"X","last_name":"Y"}}`
		for actor, want := range map[string]int{"ownerA": 201, "adminA": 201, "userA": 403, "readonlyA": 403, "ownerB": 404, "ownerC1": 404, "operator": 404} {
			body := strings.Replace(sub, "x@example.com", actor+"-sub@example.com", 1)
			f.clients[actor].must(want, "POST", f.path("/api/v1/orgs/{A}/children"), body)
		}
		f.clients["ownerC1"].must(201, "POST", f.path("/api/v1/orgs/{C1}/children"), `{"name":"Grandchild","owner":{"email":"gc@example.com","first_name":"G","last_name":"C"}}`)
		r := f.clients["ownerA"].must(409, "DELETE", f.path("/api/v1/orgs/{C1}"), nil)
		if !strings.Contains(r.raw, `"code":"has_children"`) {
			t.Fatalf("delete with children: %s", r.raw)
		}
		f.clients["ownerC1"].must(403, "DELETE", f.path("/api/v1/orgs/{C1}"), nil)
		f.clients["ownerA"].must(403, "DELETE", f.path("/api/v1/orgs/{A}"), nil)
		// O6: only the parent switches the child's profile; then contacts exist.
		f.clients["ownerC1"].must(403, "POST", f.path("/api/v1/orgs/{C1}/contacts"), `{"kind":"billing","name":"Bill"}`)
		f.clients["ownerC1"].must(403, "PATCH", f.path("/api/v1/orgs/{C1}/settings"), `{"self_managed_profile":true}`)
		f.clients["ownerA"].must(200, "PATCH", f.path("/api/v1/orgs/{C1}/settings"), `{"self_managed_profile":true}`)
		c := f.clients["ownerC1"].must(201, "POST", f.path("/api/v1/orgs/{C1}/contacts"), `{"kind":"billing","name":"Bill","email":"bill@example.com"}`)
		f.clients["ownerA"].must(404, "PUT", "/api/v1/contacts/"+c.str("id"), `{"kind":"billing","name":"B"}`)
		f.clients["ownerC1"].must(200, "PUT", "/api/v1/contacts/"+c.str("id"), `{"kind":"technical","name":"Bill T"}`)
		// Contacts never sign in: there is no user with that address.
		f.anon().must(401, "POST", "/api/v1/session", `{"login":"bill@example.com","password":"whatever password"}`)
	})
}

func TestMarketplaceAccountsHaveNoOrgManagement(t *testing.T) {
	f := newFixture(t, sqltest.Backends()[0])
	r := f.clients["operator"].must(201, "POST", "/api/v1/accounts", `{"name":"Market","channel":"marketplace","owner":{"email":"m@example.com","first_name":"M","last_name":"P"}}`)
	acc := r.body["account"].(map[string]any)["id"].(string)
	f.activate("m@example.com")
	m := f.signIn("m@example.com")
	for _, call := range [][3]string{
		{"POST", "/api/v1/orgs/" + acc + "/children", `{"name":"X","owner":{"email":"x@example.com","first_name":"X","last_name":"Y"}}`},
		{"GET", "/api/v1/orgs/" + acc + "/children", ""},
	} {
		var body any
		if call[2] != "" {
			body = call[2]
		}
		r := m.must(403, call[0], call[1], body)
		if r.str("code") != "org_management_unavailable" || !strings.Contains(r.str("detail"), "marketplace") {
			t.Fatalf("%s %s: %s", call[0], call[1], r.raw)
		}
	}
}

func TestChangeOwnerOnlyThroughAServiceRequest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		adminA := f.clients["adminA"]
		r := adminA.must(201, "POST", f.path("/api/v1/orgs/{A}/service-requests"), f.path(`{"kind":"change_owner","text":"Olga left; Adam takes over","new_owner_id":"{adminA}"}`))
		f.clients["readonlyA"].must(403, "POST", f.path("/api/v1/orgs/{A}/service-requests"), `{"kind":"other","text":"hello"}`)
		f.clients["ownerA"].must(403, "POST", "/api/v1/service-requests/"+r.str("id")+"/resolve", `{"accept":true}`)
		// The operator sees who asked and whom they propose (issue 17, item 5).
		list := f.clients["operator"].must(200, "GET", "/api/v1/service-requests?status=open", nil)
		if !strings.Contains(list.raw, r.str("id")) || !strings.Contains(list.raw, `"requester":"`) ||
			!strings.Contains(list.raw, `(adminA@example.com)"`) || !strings.Contains(list.raw, `"person":"`) {
			t.Fatalf("operator's list: %s", list.raw)
		}
		done := f.clients["operator"].must(200, "POST", "/api/v1/service-requests/"+r.str("id")+"/resolve", `{"accept":true,"resolution":"confirmed by phone"}`)
		if done.str("status") != "resolved" {
			t.Fatalf("resolve: %s", done.raw)
		}
		// The former owner and the new one hear of it, each with their role
		// now; whoever asked hears the answer.
		if m := f.MailTo("ownerA@example.com"); !strings.Contains(m.Subject, "is now the owner of Account A") || !strings.Contains(m.Text, "Your role there is now Admin.") {
			t.Fatalf("the former owner's mail: %s\n%s", m.Subject, m.Text)
		}
		var toAdam []string
		for _, m := range f.SMTP.Messages() {
			if strings.EqualFold(m.To[0], "adminA@example.com") {
				toAdam = append(toAdam, m.Subject+"\n"+m.Text)
			}
		}
		if all := strings.Join(toAdam, "\n"); !strings.Contains(all, "Your role there is now Owner.") ||
			!strings.Contains(all, "Your request for Account A is done") || !strings.Contains(all, "Their answer: confirmed by phone") {
			t.Fatalf("the new owner, who asked, was told: %s", all)
		}
		adam := f.clients["ownerA"].must(200, "GET", f.path("/api/v1/users/{adminA}"), nil)
		olga := f.signIn("ownerA@example.com").must(200, "GET", "/api/v1/session", nil)
		if adam.body["initial_owner"] != true || !strings.Contains(adam.raw, `"role":"owner"`) || olga.body["initial_owner"] == true || !strings.Contains(olga.raw, `"role":"admin"`) {
			t.Fatalf("after the change:\n%s\n%s", adam.raw, olga.raw)
		}
		f.clients["operator"].must(409, "POST", "/api/v1/service-requests/"+r.str("id")+"/resolve", `{"accept":true}`)
	})
}
