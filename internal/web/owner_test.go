package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestChangeOfOwnerNamesThePeople is issue 17, item 5: an Admin's
// candidates for a new owner listed the current Owner, and the operator's
// list named neither who asked nor whom. The candidates leave the Owner
// out; both lists say who asked and who would become the owner.
func TestChangeOfOwnerNamesThePeople(t *testing.T) {
	s := newSite(t)
	s.person("adam@acme.example", "Adam", "admin")
	s.person("nina@acme.example", "Nina", "user")
	adam := signedIn(t, s, "adam@acme.example")
	_, body := adam.get("/support")
	start := strings.Index(body, `id="f-new_owner_id"`)
	if start < 0 {
		t.Fatalf("no candidates for a new owner:\n%s", body)
	}
	candidates := body[start : start+strings.Index(body[start:], "</select>")]
	if strings.Contains(candidates, "olivia@acme.example") || !strings.Contains(candidates, "nina@acme.example") {
		t.Fatalf("candidates for a new owner: %s", candidates)
	}
	nina := candidates[:strings.Index(candidates, "nina@acme.example")]
	nina = nina[strings.LastIndex(nina, `<option value="`)+len(`<option value="`):]
	ninaID := nina[:strings.Index(nina, `"`)]
	if _, body = adam.post("/support", url.Values{"kind": {"change_owner"}, "new_owner_id": {ninaID},
		"text": {"Olivia retires; Nina takes over"}}); !strings.Contains(body, "Nina Test (nina@acme.example) to become the owner") ||
		!strings.Contains(body, "Adam Test (adam@acme.example)") {
		t.Fatalf("the organization's own list of requests:\n%s", body)
	}
	op := signedIn(t, s, "operator")
	if _, body = op.get("/operator"); !strings.Contains(body, "Adam Test (adam@acme.example)") ||
		!strings.Contains(body, "Nina Test (nina@acme.example) to become the owner") {
		t.Fatalf("the operator's list:\n%s", body)
	}
}
