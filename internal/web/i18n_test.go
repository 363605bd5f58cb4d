package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/auth"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// trIn is the portal's words in code.
func trIn(t *testing.T, code string) Tr {
	t.Helper()
	c, err := lang.Load()
	if err != nil {
		t.Fatal(err)
	}
	return Tr{code, c}
}

// TestEveryMessageIsInEveryLanguage is issue 17, item 2: it finds every
// message a person reads (the templates' and handlers' phrases, words
// from data, the use cases' answers, the password meter, the e-mails)
// and checks that every language's file has each, and nothing else, so
// no page is half English and adding a language is adding a file.
func TestEveryMessageIsInEveryLanguage(t *testing.T) {
	c, err := lang.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := messageIDs(t)
	// What the code says somewhere, for messages it picks at run time.
	var said strings.Builder
	for _, text := range sources(t, "../*/*.go", "../*/*/*.go", "templates/*.html") {
		said.WriteString(text)
	}
	stale := func(id string) bool {
		_, used := ids[id]
		return !used && !c.Plural(id) && !strings.Contains(said.String(), strconv.Quote(id)) &&
			!strings.Contains(said.String(), `"`+id+`"`)
	}
	if len(lang.Codes()) < 3 {
		t.Fatalf("languages: %v", lang.Codes())
	}
	for _, code := range lang.Codes()[1:] {
		have := map[string]bool{}
		for _, id := range c.IDs(code) {
			have[id] = true
			if stale(id) {
				t.Errorf("%s: %q is no message of Tenantry's (any more)", code, id)
			}
		}
		for id, where := range ids {
			if !have[id] {
				t.Errorf("%s: %s: no %s for %q", code, where, code, id)
			}
		}
	}
	// English's own file holds the plural forms; the others give theirs.
	for _, id := range c.IDs(lang.English) {
		if stale(id) {
			t.Errorf("en: %q is no message of Tenantry's (any more)", id)
		}
	}
}

// messageIDs finds every message a person can read, by the English that
// is its id, with where it was found.
func messageIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{}
	add := func(where string, s ...string) {
		for _, id := range s {
			if id != "" {
				ids[id] = where
			}
		}
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\.(?:T|F) "((?:[^"\\]|\\.)*)"`),
		regexp.MustCompile(`\.In "[^"]*" "([^"]*)"`),
		regexp.MustCompile(`"hint:([^"]*)"`),
		regexp.MustCompile(`\.Ch "[^"]*" "[^"]*" "([^"]*)"`),
		regexp.MustCompile(`p\.(?:T|F)\("((?:[^"\\]|\\.)*)"`),
		regexp.MustCompile(`newPage\(r, "([^"]+)"`),
	}
	n := 0
	for f, text := range sources(t, "templates/*.html", "*.go") {
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				add(f, unquote(t, m[1]))
				n++
			}
		}
	}
	if n < 200 {
		t.Fatalf("found only %d phrases: the patterns no longer match the templates", n)
	}
	for _, m := range []map[string]string{flashes, reasonText, actionText, fieldLabels} {
		for _, s := range m {
			add("a table of the portal", s)
		}
	}
	for _, s := range codeText {
		add("codeText", s)
	}
	add("the wizard", wizardSteps...)
	add("the strength meter", strengthLabels[:]...)
	add("the strength meter", auth.StrongEnough)
	for _, w := range []string{auth.WarnCommon, auth.WarnPersonal, auth.WarnRepeat, auth.WarnSequence, auth.WarnKeyboard,
		auth.WarnDate, auth.WarnWord, auth.WarnShort} {
		add("the strength meter", w, auth.TooEasy(w))
	}
	// Words from data: roles, statuses, areas and actions of the matrix.
	en := trIn(t, lang.English)
	pol := policy.Default()
	for _, c := range append(pol.Catalogues(), "platform") {
		m := pol.Matrix(c)
		for _, r := range m.Roles {
			add("a catalogue's role", en.Word(r), en.RoleWord(r))
		}
		for _, row := range m.Rows {
			area, action, _ := strings.Cut(row.Action, ".")
			if target, ok := policy.AdministerRow(row.Action); ok {
				action = target
			}
			add("a catalogue's matrix", en.Word(area), en.Word(action))
		}
	}
	for _, w := range append([]string{"active", "invited", "locked", "pending", "inactive", "suspended", "open", "closed",
		"resolved", "rejected", "partner", "folder", "customer", "unit", "direct", "marketplace", "invoice",
		"sim_action", "change_owner", "reset_2fa", "other", "human", "api", "service", "running", "done", "failed",
		"alert", "news", "cloud", "hosting", "accepted", "cancelled"}, lang.Codes()...) {
		add("a word from data", en.Word(w))
	}
	// The use cases' answers, and the reasons a transfer file is wrong.
	uses := regexp.MustCompile(`(?:Errorf\(tenantry\.\w+,|forbidden\(|refused\([^"\n]*|v\.Add(?:Line)?\([^"\n]*"[^"]*",|Message:|return|Say\(|Problem\{(?:Format:)?|deny\(\w+,|decided\([^"\n]*|administered\([^"\n]*)\s*"((?:[^"\\]|\\.)*)"`)
	notFound := regexp.MustCompile(`notFound\("([^"]+)"\)`)
	internal := map[string]bool{"no signing key in force; is key rotation running?": true, "client_secret: ": true,
		"sort: unknown column ": true, "the file has ": true, "line %d: %s": true, "%s (and %d more)": true,
		"%s: %v": true, "1 ": true, "%d (%s) %s": true, "signing key %s is not Ed25519": true,
		"another instance serves this database as %s (%s ago); every instance ": true}
	n = 0
	for f, text := range sources(t, "../app/*.go", "../auth/password.go", "../sims/*.go", "../sqlstore/user.go",
		"../sqlstore/invitation.go", "../sqlstore/grant.go", "orgs.go", "operator.go", "users.go", "pages.go", "session.go", "zone.go") {
		for _, m := range uses.FindAllStringSubmatch(text, -1) {
			if s := unquote(t, m[1]); strings.Contains(s, " ") && !internal[s] {
				add(f, s)
				n++
			}
		}
		for _, m := range notFound.FindAllStringSubmatch(text, -1) {
			add(f, m[1]+" not found")
		}
	}
	if n < 150 {
		t.Fatalf("found only %d messages: the pattern no longer matches the use cases", n)
	}
	add("sims", sims.ErrNotDigits.Error(), sims.ErrLength.Error(), sims.ErrCheckDigit.Error())
	add("e-mail", notice.Texts()...)
	return ids
}

func unquote(t *testing.T, s string) string {
	t.Helper()
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return u
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

// TestWrongFieldsAreNamedAsTheFormNamesThem is issue 17, item 1: the
// portal said "New_owner_id: is required" and "Client_secret: …". A
// wrong field is named by its label, in the page's language.
func TestWrongFieldsAreNamedAsTheFormNamesThem(t *testing.T) {
	e := &tenantry.Error{Code: tenantry.Invalid, Message: "new_owner_id: is required (and 1 more)", Fields: []tenantry.FieldError{
		{Field: "new_owner_id", Message: "is required"}, {Field: "client_secret", Message: "is required"}}}
	for code, want := range map[string]string{"en": "New owner: is required (and 1 more)",
		"de": "Neuer Inhaber: ist erforderlich (und 1 weitere)", "fr": "Nouveau propriétaire : est obligatoire (et 1 de plus)"} {
		if got := trIn(t, code).message(e); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	if got := fieldLabel("client_secret"); got != "Client secret" {
		t.Errorf("client_secret reads %q", got)
	}
}

// TestMessagesCountInEachLanguagesPlural is issue 17, item 2: "1 open
// workflows", "1 sub-organizations". A count picks its language's plural
// form, in the use cases' reasons as in the portal's own phrases, and the
// values a message carries (an error, workflow kinds) read in the page's
// language too.
func TestMessagesCountInEachLanguagesPlural(t *testing.T) {
	blockers := func(sims, workflows, children int) *tenantry.Error {
		return &tenantry.Error{Code: tenantry.OrgNotDeletable, Message: "this organization cannot be deleted", Fields: []tenantry.FieldError{
			tenantry.Reason(tenantry.Say("it holds %d SIMs; transfer them first", sims)),
			tenantry.Reason(tenantry.Say("it has %d open workflows (%s)", workflows, tenantry.Words{"change_owner", "reset_2fa"})),
			tenantry.Reason(tenantry.Say("it has %d sub-organizations; delete them first", children))}}
	}
	for _, c := range []struct {
		code    string
		n       int
		want    []string
		notWant string
	}{
		{"en", 1, []string{"it holds 1 SIM; transfer it first", "it has 1 open workflow (Change owner, Reset 2fa)", "it has 1 sub-organization; delete it first"}, "1 sub-organizations"},
		{"en", 2, []string{"it holds 2 SIMs; transfer them first", "it has 2 open workflows", "it has 2 sub-organizations; delete them first"}, ""},
		{"de", 1, []string{"sie hält 1 SIM", "1 offenen Workflow (Inhaberwechsel, Zwei-Faktor-Anmeldung zurücksetzen)", "1 Unterorganisation"}, "1 Unterorganisationen"},
		{"de", 3, []string{"sie hält 3 SIMs", "3 offene Workflows", "3 Unterorganisationen"}, ""},
		{"fr", 1, []string{"elle détient 1 SIM", "1 workflow ouvert", "1 sous-organisation"}, "1 sous-organisations"},
		{"fr", 2, []string{"elle détient 2 SIM", "2 workflows ouverts", "2 sous-organisations"}, ""},
	} {
		e := blockers(c.n, c.n, c.n)
		for i := range e.Fields {
			e.Fields[i].Code = fmt.Sprint("reason", i)
		}
		got := strings.ToLower(trIn(t, c.code).message(e))
		for _, w := range c.want {
			if !strings.Contains(got, strings.ToLower(w)) {
				t.Errorf("%s, %d: %q lacks %q", c.code, c.n, got, w)
			}
		}
		if c.notWant != "" && strings.Contains(got, c.notWant) {
			t.Errorf("%s, %d: %q", c.code, c.n, got)
		}
	}
	// A transfer file's reason with an error inside, in German.
	start := tenantry.Reason(tenantry.Say("start: %s", sims.ErrCheckDigit))
	if got := trIn(t, "de").Say(start); !strings.Contains(got, "Prüfziffer") || strings.Contains(got, "check digit") {
		t.Errorf("German reason %q", got)
	}
	if got := trIn(t, "fr").F("%d users sign in through it.", 0); !strings.HasPrefix(got, "0 utilisateur ") {
		t.Errorf("French zero is singular: %q", got)
	}
}

// TestLanguageIsMatchedFromTheBrowser: a browser's list picks the best
// language there is, regional variants included.
func TestLanguageIsMatchedFromTheBrowser(t *testing.T) {
	c, err := lang.Load()
	if err != nil {
		t.Fatal(err)
	}
	for accept, want := range map[string]string{"de-CH,de;q=0.9": "de", "fr-BE": "fr", "it,fr;q=0.5": "fr",
		"ja": "en", "": "en", "en-GB,de;q=0.5": "en", "xx;;": "en"} {
		if got := c.Match(accept); got != want {
			t.Errorf("%q: %s, want %s", accept, got, want)
		}
	}
	if !slices.Equal(lang.Codes(), []string{"en", "de", "fr"}) {
		t.Errorf("codes %v", lang.Codes())
	}
}
