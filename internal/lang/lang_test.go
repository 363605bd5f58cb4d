package lang

import (
	"regexp"
	"slices"
	"testing"
)

// placeholders are a message's verbs and template fields: %s, %d, {{.Org}}.
var placeholders = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z%]|\{\{[^}]*\}\}`)

// TestTranslationsKeepTheirPlaceholders: a translation that drops or adds
// a %s or a {{.Org}} would print %!s(MISSING) or fail to render an e-mail.
func TestTranslationsKeepTheirPlaceholders(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := func(s string) []string {
		p := placeholders.FindAllString(s, -1)
		slices.Sort(p)
		return p
	}
	for _, code := range Codes() {
		for _, id := range c.IDs(code) {
			if got := want(c.T(code, id)); !slices.Equal(got, want(id)) {
				t.Errorf("%s: %q has %v, its translation %v", code, id, want(id), got)
			}
		}
	}
}

// TestPluralsFollowEachLanguagesRules: English and German say "1 SIM",
// French says "0 SIM" and "1 SIM" in the singular too.
func TestPluralsFollowEachLanguagesRules(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code string
		n    int
		want string
	}{
		{"en", 0, "0 users sign in through it."}, {"en", 1, "1 user signs in through it."}, {"en", 2, "2 users sign in through it."},
		{"de", 1, "1 Benutzer meldet sich darüber an."}, {"de", 0, "0 Benutzer melden sich darüber an."},
		{"fr", 0, "0 utilisateur se connecte par ce biais."}, {"fr", 1, "1 utilisateur se connecte par ce biais."},
		{"fr", 2, "2 utilisateurs se connectent par ce biais."}, {"fr", 1_000_000, "1000000 utilisateurs se connectent par ce biais."},
		{"xx", 1, "1 user signs in through it."},
	} {
		if got := c.Sprintf(tc.code, "%d users sign in through it.", tc.n); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.code, tc.n, got, tc.want)
		}
	}
	if got := c.T("de", "no such message"); got != "no such message" {
		t.Errorf("a missing message reads %q", got)
	}
	if Name("fr") != "Français" || Name("de") != "Deutsch" || !Known("fr") || Known("../en") || Known("") {
		t.Error("names or known codes are wrong")
	}
}
