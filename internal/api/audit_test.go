package api_test

// Tests for the findings of the outside security audit (issue 10), each
// named after what it guards; docs/security.md lists them by finding.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestMachinesNeverHoldOwner is finding 1: a service account with the
// Owner role could be removed by nobody. Machines never hold Owner, and the
// org's Owner removes any machine of it.
func TestMachinesNeverHoldOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"ghost","kind":"service","roles":["owner"]}`)
		if !strings.Contains(r.raw, "people only") {
			t.Fatalf("refusal does not say why: %s", r.raw)
		}
		r = f.clients["adminA"].must(201, "POST", f.path("/api/v1/orgs/{A}/clients"), `{"name":"robot","kind":"service","roles":["user"]}`)
		id := r.body["user"].(map[string]any)["id"].(string)
		// Machines are listed apart from people when asked (issue 17, item 7).
		machines := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/users?kind=api&kind=service"), nil)
		people := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/users?kind=human&limit=200"), nil)
		if items := machines.body["items"].([]any); len(items) != 1 || !strings.Contains(machines.raw, id) || strings.Contains(people.raw, id) ||
			!strings.Contains(people.raw, "ownerA@example.com") {
			t.Fatalf("machines %s\npeople %s", machines.raw, people.raw)
		}
		owner.must(422, "GET", f.path("/api/v1/orgs/{A}/users?kind=robot"), nil)
		owner.must(422, "PATCH", "/api/v1/users/"+id, `{"job_title":"Night shift"}`)
		owner.must(422, "POST", "/api/v1/users/"+id+"/roles", `{"role":"owner"}`)
		owner.must(200, "POST", "/api/v1/users/"+id+"/lock", nil)
		owner.must(200, "GET", "/api/v1/users/"+id+"/secrets", nil)
		owner.must(204, "DELETE", "/api/v1/users/"+id, nil)
	})
}

// TestGrantsNameOnlyServicesThatExist is finding 3: a grant for a made-up
// service made a full admin. The 1NCE catalogue has no services, so a
// per-service grant is refused, naming the field.
func TestGrantsNameOnlyServicesThatExist(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		r := f.clients["ownerA"].must(422, "POST", f.path("/api/v1/users/{userA}/roles"), `{"role":"admin","service":"billing-only"}`)
		if len(r.body["errors"].([]any)) != 1 || !strings.Contains(r.raw, `"field":"service"`) {
			t.Fatalf("want an error at service: %s", r.raw)
		}
		f.clients["userA"].must(403, "GET", f.path("/api/v1/orgs/{A}/users"), nil)
	})
}

// TestDryRunRevealsNoOtherTenantsSIMs is finding 2: a dry run counted
// every org's SIMs in a range. The answer must be the same whether or not
// another account holds SIMs there.
func TestDryRunRevealsNoOtherTenantsSIMs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f) // account A holds ICCIDs 0..99
		dry := f.path(`{"from":"{A}","to":"{C1}","dry_run":true,"ranges":[{"start":"` + storetest.ICCID(0) + `","end":"` + storetest.ICCID(299) + `"}]}`)
		before := f.clients["ownerA"].must(200, "POST", "/api/v1/transfers", dry)
		f.clients["operator"].must(201, "POST", f.path("/api/v1/accounts/{B}/sims"), map[string]any{"iccids": iccids(100, 199)})
		after := f.clients["ownerA"].must(200, "POST", "/api/v1/transfers", dry)
		rng := after.body["ranges"].([]any)[0].(map[string]any)
		if before.raw != after.raw || rng["moved"] != 100.0 || rng["not_owned"] != 200.0 {
			t.Fatalf("the answer changed with B's SIMs or is wrong:\nbefore %s\nafter  %s", before.raw, after.raw)
		}
	})
}

// TestAPIUserTransfersToSubOrganizations is finding 8: the API user's
// catalogue row grants organisation.sim_transfer, yet finding the child
// took organisation.see_all.
func TestAPIUserTransfersToSubOrganizations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f)
		robot := f.apiUser("A", "fleet")
		rng := `"ranges":[{"start":"` + storetest.ICCID(0) + `","end":"` + storetest.ICCID(9) + `"}]`
		r := robot.must(200, "POST", "/api/v1/transfers", f.path(`{"from":"{A}","to":"{C1}",`+rng+`}`))
		if r.body["moved"] != 10.0 {
			t.Fatalf("moved: %s", r.raw)
		}
		robot.must(200, "POST", "/api/v1/transfers", f.path(`{"from":"{C1}","to":"{A}",`+rng+`}`))
		robot.must(404, "GET", f.path("/api/v1/orgs/{C1}"), nil) // it still cannot look into the child
		robot.must(404, "POST", "/api/v1/transfers", f.path(`{"from":"{A}","to":"{B}",`+rng+`}`))
	})
}

// hostile are strings no field should choke on.
var hostile = []string{"a\x00b", "\xff\xfe\xfd", "\x1b[31m", "'; DROP TABLE users; --", strings.Repeat("x", 5000),
	"../../../etc/passwd", "%00", "-1", "99999999999999999999999999", "{{.}}<script>", "\u202e\U0001d54f", ""}

// TestNoRouteAnswers5xxToHostileInput is finding 4: NUL bytes and bad
// cursors made PostgreSQL answer 500. Every operation of the OpenAPI
// document gets hostile strings in every path and query parameter and
// every string of its body, signed in and not; none may answer 5xx.
func TestNoRouteAnswers5xxToHostileInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		var doc struct {
			Paths      map[string]map[string]openAPIOp `json:"paths"`
			Components struct {
				Schemas map[string]*openAPISchema `json:"schemas"`
			} `json:"components"`
		}
		raw := f.anon().must(200, "GET", "/api/v1/openapi.json", nil).raw
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatal(err)
		}
		requests := 0
		send := func(c *client, method, target, ctype, body string) {
			t.Helper()
			req, err := http.NewRequest(method, f.URL+target, strings.NewReader(body))
			if err != nil {
				return // a string net/http itself refuses to send
			}
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			res, err := (&http.Client{Jar: c.jar}).Do(req)
			if err != nil {
				t.Fatalf("%s %q: %v", method, target, err)
			}
			out, _ := io.ReadAll(res.Body)
			res.Body.Close()
			requests++
			if res.StatusCode >= 500 {
				t.Errorf("%s %q %q: %d %s", method, target, body, res.StatusCode, out)
			}
		}
		for path, ops := range doc.Paths {
			for method, op := range ops {
				for _, h := range hostile {
					target := path
					q := url.Values{}
					for _, p := range op.Parameters {
						switch p.In {
						case "path":
							target = strings.ReplaceAll(target, "{"+p.Name+"}", url.PathEscape(h))
						case "query":
							q.Set(p.Name, h)
						}
					}
					if len(q) > 0 {
						target += "?" + q.Encode()
					}
					body := ""
					if s := op.RequestBody.Content["application/json"].Schema; s != nil {
						b, _ := json.Marshal(s.sample(doc.Components.Schemas, h, 0))
						body = string(b)
					}
					for _, who := range []string{"anon", "ownerA"} {
						send(f.clients[who], strings.ToUpper(method), target, "application/json", body)
					}
				}
			}
		}
		for _, h := range hostile {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {h}, "client_secret": {h}}.Encode()
			send(f.anon(), "POST", "/oauth2/token", "application/x-www-form-urlencoded", form)
			send(f.anon(), "POST", "/oauth2/introspect", "application/x-www-form-urlencoded", form+"&token="+url.QueryEscape(h))
			send(f.anon(), "POST", "/signin", "application/x-www-form-urlencoded", url.Values{"login": {h}, "password": {h}}.Encode())
			send(f.clients["ownerA"], "GET", "/users?q="+url.QueryEscape(h)+"&cursor="+url.QueryEscape(h), "", "")
		}
		if requests < 1000 {
			t.Fatalf("only %d requests", requests)
		}
	})
}

type openAPIOp struct {
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody struct {
		Content map[string]struct {
			Schema *openAPISchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type openAPISchema struct {
	Ref        string                    `json:"$ref"`
	Type       any                       `json:"type"`
	Properties map[string]*openAPISchema `json:"properties"`
	Items      *openAPISchema            `json:"items"`
}

// sample builds a value of the schema with s in every string.
func (sc *openAPISchema) sample(all map[string]*openAPISchema, s string, depth int) any {
	if sc.Ref != "" {
		if r := all[sc.Ref[strings.LastIndexByte(sc.Ref, '/')+1:]]; r != nil && depth < 4 {
			return r.sample(all, s, depth+1)
		}
		return nil
	}
	typ, _ := sc.Type.(string)
	if l, ok := sc.Type.([]any); ok && len(l) > 0 {
		typ, _ = l[0].(string)
	}
	switch typ {
	case "object":
		m := map[string]any{}
		for k, p := range sc.Properties {
			if k != "$schema" {
				m[k] = p.sample(all, s, depth+1)
			}
		}
		return m
	case "array":
		if sc.Items != nil {
			return []any{sc.Items.sample(all, s, depth+1)}
		}
		return []any{}
	case "integer", "number":
		return -1
	case "boolean":
		return true
	}
	return s
}

// TestCursorsAreValidated is finding 16 (and 4's invalid cursors): a
// cursor or `before` that no page gave is 422 at that field, not page 1.
func TestCursorsAreValidated(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		for _, c := range []struct{ path, field string }{
			{"/api/v1/orgs/{A}/sims?cursor=Z2FyYmFnZQ", "cursor"},
			{"/api/v1/orgs/{A}/sims?cursor=!!", "cursor"},
			{"/api/v1/orgs/{A}/events?before=garbage", "before"},
			{"/api/v1/orgs/{A}/users?cursor=eyJpIjoiXHUwMDAwIiwiayI6IngifQ", "cursor"},
			{"/api/v1/orgs/{A}/events?since=yesterday", "since"},
		} {
			r := owner.must(422, "GET", f.path(c.path), nil)
			if !strings.Contains(r.raw, `"field":"`+c.field+`"`) {
				t.Errorf("%s: want an error at %s: %s", c.path, c.field, r.raw)
			}
		}
	})
}

// TestErrorsNeverEchoTheBody is finding 17: 415 and 400 answers quoted the
// request body, passwords included, and were coded internal.
func TestErrorsNeverEchoTheBody(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		e := newEnv(t, b)
		const secret = "Sup3r-Secret-Passphrase-42"
		for _, c := range []struct {
			ctype, body string
			status      int
			code        string
		}{
			{"text/plain", `{"login":"a@example.com","password":"` + secret + `"}`, 415, "unsupported_media_type"},
			{"application/json", `{"login":"a@example.com","password":"` + secret, 400, "malformed_request"},
			{"application/json", `{"login":"a@example.com","password":"` + secret + `",}`, 400, "malformed_request"},
			{"application/json", `{"login":"a@example.com","password":"` + secret + `","extra":"` + secret + `"}`, 422, "invalid"},
		} {
			req, _ := http.NewRequest("POST", e.URL+"/api/v1/session", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var p struct{ Code string }
			json.Unmarshal(raw, &p)
			if res.StatusCode != c.status || p.Code != c.code || strings.Contains(string(raw), secret) ||
				res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %q: %d %s", c.ctype, c.body, res.StatusCode, raw)
			}
		}
	})
}

// TestSchemaLinksNameThePublicURL is finding 20: `$schema` was built from
// the request's Host header.
func TestSchemaLinksNameThePublicURL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		e := newEnv(t, b)
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/session", strings.NewReader(`{"login":"x@example.com","password":"wrong password here"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(raw), `"$schema":"http://tenantry.test/api/v1/schemas/`) || strings.Contains(string(raw)+res.Header.Get("Link"), "evil") {
			t.Fatalf("schema link: %s %s", res.Header.Get("Link"), raw)
		}
	})
}

// TestAPIUsersHaveNoProfileSessionsOrTokens is finding 14: API users
// could PATCH /me and read /me/sessions and /me/tokens.
func TestAPIUsersHaveNoProfileSessionsOrTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		robot := f.apiUser("A", "fleet")
		robot.must(403, "PATCH", "/api/v1/me", `{"first_name":"Evil"}`)
		robot.must(403, "GET", "/api/v1/me/sessions", nil)
		robot.must(403, "GET", "/api/v1/me/tokens", nil)
		f.clients["userA"].must(200, "PATCH", "/api/v1/me", `{"first_name":"Still"}`)
		f.clients["ownerA"].must(200, "GET", "/api/v1/me/tokens", nil)
	})
}

// keys lists a JSON object's keys, sorted, with the values' kinds.
func keys(m map[string]any) string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s:%T", k, v))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestNoAnswerTellsWhetherAnAddressHasALoginElsewhere is finding 13:
// inviting returned another tenant's user id, an unknown address was 422,
// and creating a user with another tenant's address was 409.
func TestNoAnswerTellsWhetherAnAddressHasALoginElsewhere(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		userB := f.ids["{userB}"]
		invKnown := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/invitations"), `{"login":"userB@example.com","roles":["read_only"]}`)
		invNew := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/invitations"), `{"login":"newcomer@example.com","roles":["read_only"]}`)
		// The platform's operators are no tenant's users (issue 17, item 3).
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/users"), `{"email":"ops@example.com","login":"operator","first_name":"O","last_name":"P","roles":["user"]}`); !strings.Contains(r.raw, "platform's operators") {
			t.Fatalf("inviting the operator: %s", r.raw)
		}
		if keys(invKnown.body) != keys(invNew.body) || strings.Contains(invKnown.raw, userB) {
			t.Fatalf("invitations differ or name B's user:\n%s\n%s", invKnown.raw, invNew.raw)
		}
		mkKnown := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), `{"email":"ownerB@example.com","first_name":"O","last_name":"B","roles":["user"]}`)
		mkNew := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/users"), `{"email":"fresh@example.com","first_name":"F","last_name":"N","roles":["user"]}`)
		if keys(mkKnown.body) != keys(mkNew.body) || mkKnown.str("status") != mkNew.str("status") || strings.Contains(mkKnown.raw, f.ids["{ownerB}"]) {
			t.Fatalf("creation answers differ or name B's user:\n%s\n%s", mkKnown.raw, mkNew.raw)
		}
		// Both people hear of it; the one without a login makes one on accepting.
		if m := f.MailTo("userB@example.com"); !strings.Contains(m.Text, "/invitation?token=") {
			t.Fatalf("no invitation to B's person: %s", m.Text)
		}
		tok := f.MailTo("newcomer@example.com").Token()
		r := f.anon().must(422, "POST", "/api/v1/invitations/accept", map[string]string{"token": tok})
		if !strings.Contains(r.raw, `"field":"first_name"`) || !strings.Contains(r.raw, `"field":"password"`) {
			t.Fatalf("accepting without a login asks for nothing: %s", r.raw)
		}
		f.anon().must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": tok, "first_name": "New", "last_name": "Comer", "password": password})
		me := f.signIn("newcomer@example.com").must(200, "GET", "/api/v1/session", nil)
		if me.str("org_id") != f.ids["{A}"] {
			t.Fatalf("the newcomer is not in A: %s", me.raw)
		}
		events := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events"), nil)
		if strings.Contains(events.raw, userB) {
			t.Fatal("A's audit log names B's user")
		}
	})
}

// TestUnknownAPIPathsAreProblems is issue 11's item 12: unknown paths and
// wrong methods under /api/v1 answered text/plain.
func TestUnknownAPIPathsAreProblems(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		e := newEnv(t, b)
		c := e.anon()
		if r := c.must(404, "GET", "/api/v1/nothing-here", nil); r.str("code") != "not_found" {
			t.Fatalf("unknown path: %s", r.raw)
		}
		r := c.must(405, "PUT", "/api/v1/session", nil)
		if r.str("code") != "method_not_allowed" || !strings.Contains(r.header.Get("Allow"), "POST") {
			t.Fatalf("wrong method: %s %v", r.raw, r.header)
		}
	})
}

// TestDatabaseOutageIsUnavailableNotSignedOut is issue 11's item 2: a
// database error while resolving a session answered 401 "sign in first"
// and sent portal users to the sign-in page mid-form.
func TestDatabaseOutageIsUnavailableNotSignedOut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		robot := f.apiUser("A", "fleet")
		owner := f.clients["ownerA"]
		f.DB.Close() // the database goes away under the running server
		for name, c := range map[string]*client{"session": owner, "token": robot} {
			r := c.must(503, "GET", f.path("/api/v1/orgs/{A}/users"), nil)
			if r.header.Get("Retry-After") == "" || r.str("code") != "unavailable" {
				t.Fatalf("%s: %s %v", name, r.raw, r.header)
			}
		}
		// The portal keeps the form (but not its password) for a retry.
		req, _ := http.NewRequest("POST", f.URL+"/account", strings.NewReader(url.Values{"first_name": {"Olga"}, "password": {"hidden"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", f.URL)
		res, err := (&http.Client{Jar: owner.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 503 || !strings.Contains(string(page), `name="first_name" value="Olga"`) || strings.Contains(string(page), `value="hidden"`) {
			t.Fatalf("portal: %d %s", res.StatusCode, page)
		}
	})
}

// metric is the value of the sample name (with its labels) in a /metrics
// text.
func metric(t *testing.T, text, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, name+" ") {
			var v float64
			fmt.Sscan(strings.TrimPrefix(line, name+" "), &v)
			return v
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}

// TestMetricsAnOperatorPagesOn is issue 11's item 11: /metrics had only
// HTTP counts. It now shows the database pools, the outbox backlog and its
// oldest message's age (a mail outage shows as a growing backlog),
// deliveries, sign-in and token outcomes and background work.
func TestMetricsAnOperatorPagesOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b) // its mail is delivered as it activates people
		f.anon().do("POST", "/api/v1/session", map[string]string{"login": "userA@example.com", "password": "not the password"})
		f.apiUser("A", "metrics")
		// Mail that cannot go out yet waits in the outbox.
		f.clients["ownerA"].must(201, "POST", f.path("/api/v1/orgs/{A}/users"), `{"email":"waiting@example.com","first_name":"W","last_name":"M","roles":["user"]}`)
		metric := func(text, name string) float64 { return metric(t, text, name) }
		m := f.anon().must(200, "GET", "/metrics", nil).raw
		if metric(m, "tenantry_outbox_backlog") < 1 || metric(m, `tenantry_sign_ins_total{outcome="ok"}`) < 1 ||
			metric(m, `tenantry_sign_ins_total{outcome="failed"}`) < 1 || metric(m, `tenantry_token_requests_total{outcome="issued"}`) < 1 ||
			metric(m, `tenantry_db_connections_open{pool="write"}`) < 1 || metric(m, `tenantry_mail_deliveries_total{outcome="sent"}`) < 1 {
			t.Fatalf("metrics:\n%s", m)
		}
		metric(m, "tenantry_outbox_oldest_age_seconds")
		metric(m, "tenantry_background_jobs")
		f.MailTo("waiting@example.com")
		if m := f.anon().must(200, "GET", "/metrics", nil).raw; metric(m, "tenantry_outbox_backlog") != 0 {
			t.Fatalf("backlog after delivery: %v", metric(m, "tenantry_outbox_backlog"))
		}
	})
}

// TestLimitsAgree is issue 11's item 9: an inventory load stopped at a
// 1 MiB body (about 45,000 ICCIDs) though the document said 2,000,000, and
// a binary file's error answer listed every line (1.3 MB).
func TestLimitsAgree(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		many := iccids(0, 47_999) // over 1 MiB of JSON, the limit that was
		if b, _ := json.Marshal(map[string]any{"iccids": many}); len(b) <= 1<<20 {
			t.Fatalf("the body is %d bytes, not over 1 MiB", len(b))
		}
		r := f.clients["operator"].must(201, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": many})
		if r.body["loaded"] != 48000.0 {
			t.Fatalf("loaded: %s", r.raw)
		}
		junk := make([]string, 5000)
		for i := range junk {
			junk[i] = fmt.Sprintf("not-an-iccid-%d", i)
		}
		r = f.clients["operator"].must(422, "POST", f.path("/api/v1/accounts/{B}/sims"), map[string]any{"iccids": junk})
		errs := r.body["errors"].([]any)
		if len(errs) != tenantry.MaxFieldErrors+1 || !strings.Contains(r.raw, "and 4900 more not listed") || !strings.Contains(r.str("detail"), "5000 of 5000") {
			t.Fatalf("%d errors listed: %.300s", len(errs), r.raw)
		}
	})
}
