package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
)

// scimClient is a customer's directory calling Tenantry's SCIM endpoint
// with the org's token, as Microsoft Entra ID and Okta do.
type scimClient struct {
	t     *testing.T
	base  string
	token string
}

// scimResponse is what a SCIM call returned.
type scimResponse struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call sends one SCIM request; body is JSON text or nil. Every error must
// be a SCIM error, and no response may show a token.
func (c *scimClient) call(method, path, body string, header ...string) scimResponse {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := scimResponse{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/scim+json" {
			c.t.Fatalf("%s %s: content type %q", method, path, ct)
		}
	}
	if r.status >= 400 && !strings.Contains(r.raw, "urn:ietf:params:scim:api:messages:2.0:Error") {
		c.t.Fatalf("%s %s: %d is not a SCIM error: %s", method, path, r.status, raw)
	}
	if strings.Contains(r.raw, "tnt_scim_") || strings.Contains(r.raw, "argon2id") {
		c.t.Fatalf("%s %s: response shows a secret: %s", method, path, raw)
	}
	return r
}

// must is call that fails the test unless the status is want.
func (c *scimClient) must(want int, method, path, body string, header ...string) scimResponse {
	c.t.Helper()
	r := c.call(method, path, body, header...)
	if r.status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.raw)
	}
	return r
}

func (r scimResponse) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// total is a ListResponse's totalResults.
func (r scimResponse) total() int {
	n, _ := r.body["totalResults"].(float64)
	return int(n)
}

// roles lists the roles a user holds in their org, through the API.
func roles(t *testing.T, c *client, f *fixture, id string) []string {
	t.Helper()
	r := c.must(200, "GET", "/api/v1/users/"+id, nil)
	var out []string
	for _, g := range r.body["roles"].([]any) {
		g := g.(map[string]any)
		name := g["role"].(string)
		if s, _ := g["service"].(string); s != "" {
			name += ":" + s
		}
		out = append(out, name)
	}
	return out
}

// TestSCIMWithMicrosoftEntraID replays the requests Microsoft Entra ID's
// provisioning service sends, as its SCIM documentation shows them:
// match by filter, create, PATCH with capitalised ops and a filtered
// path, "False" as a string, groups by displayName with members added
// and removed by value, and delete.
func TestSCIMWithMicrosoftEntraID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		f.clients["userA"].must(403, "POST", f.path("/api/v1/orgs/{A}/scim"), map[string]any{})
		if r := owner.must(422, "POST", f.path("/api/v1/orgs/{A}/scim"), map[string]any{"role": "owner"}); !strings.Contains(r.raw, "role") {
			t.Fatalf("owner as the directory's role: %s", r.raw)
		}
		on := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/scim"), map[string]any{"exclusive": true})
		token := on.str("token")
		if !strings.HasPrefix(token, "tnt_scim_") || on.str("role") != "admin" || on.str("default_role") != "read_only" ||
			on.str("base_url") != "http://tenantry.test/scim/v2" || on.str("on_delete") != "deactivate" {
			t.Fatalf("enabled: %s", on.raw)
		}
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/scim"), nil); strings.Contains(r.raw, token) || r.str("token_hint") != token[len(token)-4:] {
			t.Fatalf("settings show the token, or no hint: %s", r.raw)
		}
		owner.must(409, "POST", f.path("/api/v1/orgs/{A}/scim"), map[string]any{})
		entra := &scimClient{t: t, base: f.URL + "/scim/v2", token: token}

		// The token opens /scim/ only; other tokens do not open it.
		f.anon().do("GET", "/api/v1/session", nil)
		api := f.anon()
		api.bearer = token
		api.must(401, "GET", f.path("/api/v1/orgs/{A}/users"), nil)
		(&scimClient{t: t, base: entra.base}).must(401, "GET", "/Users", "")
		(&scimClient{t: t, base: entra.base, token: "tnt_scim_forged"}).must(401, "GET", "/Users", "")

		// Discovery.
		if r := entra.must(200, "GET", "/ServiceProviderConfig", ""); !strings.Contains(r.raw, `"etag":{"supported":true}`) ||
			!strings.Contains(r.raw, `"patch":{"supported":true}`) {
			t.Fatalf("service provider config: %s", r.raw)
		}
		if r := entra.must(200, "GET", "/Schemas", ""); r.total() != 3 || !strings.Contains(r.raw, `"userName"`) {
			t.Fatalf("schemas: %s", r.raw)
		}
		entra.must(200, "GET", "/ResourceTypes/User", "")

		// Entra looks for the person first, then creates them.
		userName := "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"
		if r := entra.must(200, "GET", "/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`), ""); r.total() != 0 {
			t.Fatalf("filter before create: %s", r.raw)
		}
		created := entra.must(201, "POST", "/Users", `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			"userName": "`+userName+`",
			"active": true,
			"emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
			"meta": {"resourceType": "User"},
			"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
			"roles": [],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales", "manager": {"value": "123"}}
		}`)
		id := created.str("id")
		if created.header.Get("ETag") == "" || created.header.Get("Location") != "http://tenantry.test/scim/v2/Users/"+id ||
			created.str("userName") != userName || created.str("externalId") != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" {
			t.Fatalf("created: %v %s", created.header, created.raw)
		}
		if got := roles(t, owner, f, id); len(got) != 1 || got[0] != "read_only" {
			t.Fatalf("a new person holds %v, want the default role read_only", got)
		}
		if m := f.MailTo("Test_User_fd0ea19b@testuser.com"); !strings.Contains(m.Text, "/activate") && !strings.Contains(m.Text, "token=") {
			t.Fatalf("no activation mail: %s", m.Text)
		}
		for _, filter := range []string{`userName eq "` + strings.ToUpper(userName) + `"`, `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
			`emails[type eq "work" and value eq "test_user_fd0ea19b@testuser.com"]`, `emails.value sw "Test_User_fd"`,
			`name.familyName eq "familyName" and active eq true`} {
			if r := entra.must(200, "GET", "/Users?filter="+url.QueryEscape(filter), ""); r.total() != 1 {
				t.Fatalf("filter %s: %s", filter, r.raw)
			}
		}
		entra.must(409, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+userName+`",
			"emails":[{"value":"other@testuser.com"}],"name":{"givenName":"A","familyName":"B"}}`)
		if r := entra.must(400, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"emails":[{"value":"x@testuser.com"}]}`); !strings.Contains(r.str("detail"), "userName") {
			t.Fatalf("no userName: %s", r.raw)
		}
		if r := entra.must(400, "GET", "/Users?filter="+url.QueryEscape(`nickName eq "x"`), ""); r.str("scimType") != "invalidFilter" || !strings.Contains(r.str("detail"), "nickName") {
			t.Fatalf("unsupported filter: %s", r.raw)
		}

		// PATCH as Entra sends it: capitalised ops, a filtered path.
		etag := entra.must(200, "GET", "/Users/"+id, "").header.Get("ETag")
		patched := entra.must(200, "PATCH", "/Users/"+id, `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [
				{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@testuser.com"},
				{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
				{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"}
			]}`)
		if !strings.Contains(patched.raw, "updatedEmail@testuser.com") || !strings.Contains(patched.raw, `"familyName":"updatedFamilyName"`) {
			t.Fatalf("patched: %s", patched.raw)
		}
		entra.must(412, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"title","value":"Boss"}]}`, "If-Match", etag)
		entra.must(304, "GET", "/Users/"+id, "", "If-None-Match", patched.header.Get("ETag"))

		// An administrator cannot change a person the directory manages.
		if r := owner.must(403, "PATCH", "/api/v1/users/"+id, map[string]any{"first_name": "Hand"}); !strings.Contains(r.raw, "SCIM") {
			t.Fatalf("hand edit of a managed person: %s", r.raw)
		}
		owner.must(403, "POST", "/api/v1/users/"+id+"/lock", nil)

		// Entra's "False" as a string deactivates: the person is locked.
		if r := entra.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); r.body["active"] != false {
			t.Fatalf("deactivated: %s", r.raw)
		}
		if r := owner.must(200, "GET", "/api/v1/users/"+id, nil); r.str("status") != "locked" {
			t.Fatalf("status after active False: %s", r.raw)
		}
		entra.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"active","value":"True"}]}`)
		if r := owner.must(200, "GET", "/api/v1/users/"+id, nil); r.str("status") != "invited" {
			t.Fatalf("status after active True: %s", r.raw)
		}

		// Groups: Entra looks the group up by name, then creates it; a
		// group is a role, so the create finds the role.
		if r := entra.must(200, "GET", "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "User"`), ""); r.total() != 1 {
			t.Fatalf("group filter: %s", r.raw)
		}
		if r := entra.must(200, "GET", "/Groups", ""); strings.Contains(r.raw, `"id":"admin"`) || !strings.Contains(r.raw, `"id":"read_only"`) {
			t.Fatalf("an Admin's connection lists groups it may not give: %s", r.raw)
		}
		g := entra.must(201, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
			"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"User","members":[]}`)
		if g.str("id") != "user" {
			t.Fatalf("group create: %s", g.raw)
		}
		if r := entra.must(400, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}`); !strings.Contains(r.str("detail"), "Read only") {
			t.Fatalf("unknown group: %s", r.raw)
		}
		entra.must(200, "PATCH", "/Groups/user", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}]}`)
		if got := roles(t, owner, f, id); len(got) != 2 {
			t.Fatalf("after joining the group: %v", got)
		}
		if r := entra.must(200, "GET", "/Groups?filter="+url.QueryEscape(`members[value eq "`+id+`"]`), ""); r.total() != 2 {
			t.Fatalf("groups of the person: %s", r.raw)
		}
		entra.must(200, "PATCH", "/Groups/read_only", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}]}`)
		entra.must(200, "PATCH", "/Groups/user", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+id+`"}]}]}`)
		if got := roles(t, owner, f, id); len(got) != 1 || got[0] != "read_only" {
			t.Fatalf("after leaving every group the person holds %v, want the default role", got)
		}
		if r := entra.must(400, "PATCH", "/Groups/user", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Add","path":"members","value":[{"value":"`+f.ids["{userB}"]+`"}]}]}`); !strings.Contains(r.str("detail"), "not a person of this organization") {
			t.Fatalf("another org's person as a member: %s", r.raw)
		}

		// The directory sees its org only, and never an Owner's change.
		entra.must(404, "GET", "/Users/"+f.ids["{userB}"], "")
		entra.must(403, "PATCH", "/Users/"+f.ids["{ownerA}"], `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"Replace","path":"active","value":false}]}`)

		// Delete deactivates, as the org chose; the audit log says SCIM.
		entra.must(204, "DELETE", "/Users/"+id, "")
		if r := owner.must(200, "GET", "/api/v1/users/"+id, nil); r.str("status") != "locked" {
			t.Fatalf("after DELETE: %s", r.raw)
		}
		if r := owner.must(200, "GET", f.path("/api/v1/orgs/{A}/events?target="+id), nil); strings.Count(r.raw, `"via":"scim"`) < 5 {
			t.Fatalf("audit of SCIM changes: %s", r.raw)
		}

		// A new token ends the old one; turning SCIM off ends both and
		// gives the managed people back to the administrators.
		next := owner.must(200, "POST", f.path("/api/v1/orgs/{A}/scim/token"), nil).str("token")
		entra.must(401, "GET", "/Users", "")
		entra.token = next
		entra.must(200, "GET", "/Users", "")
		owner.must(204, "DELETE", f.path("/api/v1/orgs/{A}/scim"), nil)
		entra.must(401, "GET", "/Users", "")
		owner.must(404, "GET", f.path("/api/v1/orgs/{A}/scim"), nil)
		owner.must(200, "PATCH", "/api/v1/users/"+id, map[string]any{"first_name": "Hand"})
	})
}

// TestSCIMWithOkta replays Okta's SCIM 2.0 requests as its provisioning
// guide shows them: filter with startIndex and count, create with a
// password and locale it does not keep, PUT the whole person, deactivate
// with a path-less PATCH, push a group with PUT and PATCH, and page.
func TestSCIMWithOkta(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		owner := f.clients["ownerA"]
		token := owner.must(201, "POST", f.path("/api/v1/orgs/{A}/scim"), map[string]any{"default_role": "user", "on_delete": "delete"}).str("token")
		okta := &scimClient{t: t, base: f.URL + "/scim/v2", token: token}

		okta.must(200, "GET", "/Users?filter="+url.QueryEscape(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", "")
		created := okta.must(201, "POST", "/Users", `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName": "test.user@okta.local",
			"name": {"givenName": "Test", "familyName": "User"},
			"emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
			"displayName": "Test User",
			"locale": "de-DE",
			"externalId": "00ujl29u0le5T6Aj10h7",
			"groups": [],
			"password": "1mz050nq",
			"active": true
		}`)
		id := created.str("id")
		if created.str("preferredLanguage") != "de" || strings.Contains(created.raw, "1mz050nq") {
			t.Fatalf("created: %s", created.raw)
		}
		// PUT the whole person back, changed, as Okta does.
		put := created.body
		put["name"] = map[string]any{"givenName": "Tess", "familyName": "Userin"}
		put["title"] = "Engineer"
		raw, _ := json.Marshal(put)
		if r := okta.must(200, "PUT", "/Users/"+id, string(raw)); !strings.Contains(r.raw, `"givenName":"Tess"`) {
			t.Fatalf("put: %s", r.raw)
		}
		if r := owner.must(200, "GET", "/api/v1/users/"+id, nil); r.str("first_name") != "Tess" || r.str("last_name") != "Userin" {
			t.Fatalf("after PUT: %s", r.raw)
		}

		// Okta deactivates with a path-less replace.
		okta.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":false}}]}`)
		if r := owner.must(200, "GET", "/api/v1/users/"+id, nil); r.str("status") != "locked" {
			t.Fatalf("after deactivation: %s", r.raw)
		}
		okta.must(200, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"active":true}}]}`)

		// Push a group: create by name, rename refused, members by PUT
		// and PATCH with a filtered remove.
		g := okta.must(201, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Read only","members":[]}`)
		if g.str("id") != "read_only" {
			t.Fatalf("push: %s", g.raw)
		}
		okta.must(400, "PATCH", "/Groups/read_only", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"id":"read_only","displayName":"Renamed"}}]}`)
		okta.must(200, "PUT", "/Groups/read_only", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"read_only",
			"displayName":"Read only","members":[{"value":"`+id+`","display":"test.user@okta.local"}]}`)
		if got := roles(t, owner, f, id); len(got) != 2 {
			t.Fatalf("after the group push: %v", got)
		}
		okta.must(200, "PATCH", "/Groups/read_only", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"remove","path":"members[value eq \"`+id+`\"]"}]}`)
		if got := roles(t, owner, f, id); len(got) != 1 || got[0] != "user" {
			t.Fatalf("after the filtered remove: %v", got)
		}

		// Paging: the org's people, oldest first; machines are not users.
		var all bytes.Buffer
		first := okta.must(200, "GET", "/Users?startIndex=1&count=2", "")
		second := okta.must(200, "GET", "/Users?startIndex=3&count=2", "")
		all.WriteString(first.raw + second.raw)
		if first.total() != 8 || len(first.body["Resources"].([]any)) != 2 || second.body["startIndex"].(float64) != 3 {
			t.Fatalf("paging: %s / %s", first.raw, second.raw)
		}
		if strings.Contains(all.String(), `"userName":"scim:`) {
			t.Fatalf("the directory's own service account is listed: %s", all.String())
		}
		if r := okta.must(200, "GET", "/Users?count=0", ""); r.total() != 8 || len(r.body["Resources"].([]any)) != 0 {
			t.Fatalf("count=0: %s", r.raw)
		}

		// Delete deletes, as this org chose.
		okta.must(204, "DELETE", "/Users/"+id, "")
		okta.must(404, "GET", "/Users/"+id, "")
		owner.must(404, "GET", "/api/v1/users/"+id, nil)
	})
}
