package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestARefusalSaysWhy is issue 14's "a denied action in the portal says
// why in words": a third party opening the Users tab is refused, and the
// page says which rule denies it, from the same explanation decisions
// give; in German too.
func TestARefusalSaysWhy(t *testing.T) {
	s := newSite(t)
	s.person("tim@acme.example", "Tim", "third_party")
	b := newNoJS(t, s)
	b.post("/signin", url.Values{"login": {"tim@acme.example"}, "password": {password}, "next": {"/account"}})
	res, body := b.get("/users")
	if res.StatusCode != 403 || !strings.Contains(body, `id="page-why"`) ||
		!strings.Contains(body, "no role of tim@acme.example in Acme IoT allows users.see_all") {
		t.Fatalf("the refusal: %d\n%s", res.StatusCode, body)
	}
	b.post("/lang", url.Values{"lang": {"de"}, "back": {"/users"}})
	if _, body := b.get("/users"); !strings.Contains(body, "Warum:") {
		t.Fatalf("the refusal in German:\n%s", body)
	}
}
