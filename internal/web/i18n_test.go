package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// TestEveryPhraseHasGerman finds every phrase the templates and handlers
// translate and checks that German has it, so no page is half English.
func TestEveryPhraseHasGerman(t *testing.T) {
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.(?:T|F) "((?:[^"\\]|\\.)*)"`),
		regexp.MustCompile(`\.In "[^"]*" "([^"]*)"`),
		regexp.MustCompile(`"hint:([^"]*)"`),
		regexp.MustCompile(`\.Ch "[^"]*" "[^"]*" "([^"]*)"`),
		regexp.MustCompile(`p\.(?:T|F)\("((?:[^"\\]|\\.)*)"`),
		regexp.MustCompile(`newPage\(r, "([^"]+)"`),
	}
	phrases := map[string]string{} // phrase -> where
	for f, text := range sources(t, "templates/*.html", "*.go") {
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				phrases[m[1]] = f
			}
		}
	}
	for _, s := range flashes {
		phrases[s] = "flashes"
	}
	for _, s := range codeText {
		phrases[s] = "codeText"
	}
	for _, s := range reasonText {
		phrases[s] = "reasonText"
	}
	for _, s := range wizardSteps {
		phrases[s] = "wizardSteps"
	}
	for _, s := range actionText {
		phrases[s] = "actionText"
	}
	if len(phrases) < 200 {
		t.Fatalf("found only %d phrases: the patterns no longer match the templates", len(phrases))
	}
	for p, where := range phrases {
		if p == "" {
			continue
		}
		if _, ok := german[p]; !ok {
			t.Errorf("%s: no German for %q", where, p)
		}
	}
	// Words from data: roles, statuses, areas and actions of the matrix.
	de := Tr{"de"}
	var words []string
	pol := policy.Default()
	for _, c := range append(pol.Catalogues(), "platform") {
		m := pol.Matrix(c)
		words = append(words, m.Roles...)
		for _, row := range m.Rows {
			area, action, _ := strings.Cut(row.Action, ".")
			if target, ok := policy.AdministerRow(row.Action); ok {
				action = target
			}
			words = append(words, area, action)
		}
	}
	words = append(words, "active", "invited", "locked", "pending", "inactive", "suspended", "open", "closed",
		"resolved", "rejected", "partner", "folder", "customer", "unit", "direct", "marketplace", "invoice",
		"sim_action", "change_owner", "reset_2fa", "other", "human", "api", "service", "running", "done", "failed")
	for _, w := range words {
		if got := de.Word(w); got == (Tr{"en"}).Word(w) && german[got] == "" && !sameInGerman[got] {
			t.Errorf("no German for the word %q (%q)", w, got)
		}
	}
}

// sameInGerman are words German borrows unchanged.
var sameInGerman = map[string]bool{"Admin": true, "Dashboard": true, "Partner": true, "Person": true, "Status": true,
	"Support": true, "Browser": true, "Workflows": true, "Name": true, "Login": true, "Filter": true, "Text": true}

// TestUseCaseMessagesHaveGerman finds every fixed message the use cases
// and the password policy give people (errors and field errors without
// placeholders) and checks that German has it, so a German page does not
// explain itself in English.
func TestUseCaseMessagesHaveGerman(t *testing.T) {
	re := regexp.MustCompile(`(?:Errorf\(tenantry\.\w+,|forbidden\(|v\.Add\("[^"]*",|Message:|return)\s*"((?:[^"\\]|\\.)*)"`)
	notFound := regexp.MustCompile(`notFound\("([^"]+)"\)`)
	internal := map[string]bool{"no signing key in force; is key rotation running?": true, "": true,
		"client_secret: ": true, "sort: unknown column ": true, "the file has ": true}
	n := 0
	for f, text := range sources(t, "../app/*.go", "../auth/password.go", "orgs.go", "operator.go", "users.go", "pages.go") {
		var msgs []string
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			msgs = append(msgs, m[1])
		}
		for _, m := range notFound.FindAllStringSubmatch(text, -1) {
			msgs = append(msgs, m[1]+" not found")
		}
		for _, m := range msgs {
			if strings.Contains(m, "%") || internal[m] || !strings.Contains(m, " ") {
				continue
			}
			n++
			if _, ok := german[m]; !ok {
				t.Errorf("%s: no German for %q", f, m)
			}
		}
	}
	if n < 100 {
		t.Fatalf("found only %d messages: the pattern no longer matches the use cases", n)
	}
}

// sources reads the files the globs match, tests left out, by name.
func sources(t *testing.T, globs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, glob := range globs {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
	}
	return out
}

// TestPasswordStrengthHasGerman: every warning of the strength meter, the
// message that refuses a password for it, the advice and the meter's
// labels read in German.
func TestPasswordStrengthHasGerman(t *testing.T) {
	msgs := []string{auth.StrongEnough}
	for _, w := range []string{auth.WarnCommon, auth.WarnPersonal, auth.WarnRepeat, auth.WarnSequence, auth.WarnKeyboard,
		auth.WarnDate, auth.WarnWord, auth.WarnShort} {
		msgs = append(msgs, w, auth.TooEasy(w))
	}
	msgs = append(msgs, strengthLabels[:]...)
	for _, m := range msgs {
		if _, ok := german[m]; !ok {
			t.Errorf("no German for %q", m)
		}
	}
}

// TestWrongFieldsAreNamedAsTheFormNamesThem is issue 17, item 1: the
// portal said "New_owner_id: is required" and "Client_secret: …". A
// wrong field is named by its label, in the page's language.
func TestWrongFieldsAreNamedAsTheFormNamesThem(t *testing.T) {
	e := &tenantry.Error{Code: tenantry.Invalid, Message: "new_owner_id: is required (and 1 more)", Fields: []tenantry.FieldError{
		{Field: "new_owner_id", Message: "is required"}, {Field: "client_secret", Message: "is required"}}}
	for lang, want := range map[string]string{"en": "New owner: is required (and 1 more)", "de": "Neuer Inhaber: ist erforderlich (und 1 weitere)"} {
		if got := (Tr{lang}).message(e); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := fieldLabel("client_secret"); got != "Client secret" {
		t.Errorf("client_secret reads %q", got)
	}
	for key, label := range fieldLabels {
		if _, ok := german[label]; !ok {
			t.Errorf("no German for the label %q of %s", label, key)
		}
	}
}
