// Package lang owns the languages Tenantry speaks and the catalogue of
// their messages. English is written in the code and is each message's id;
// every other language is one file in messages/ (go-i18n's format), so
// adding a language is adding a file. Plural forms follow CLDR's rules for
// each language, and a visitor's language is matched from their browser's
// list with golang.org/x/text/language.
package lang

import (
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed messages/*.json
var files embed.FS

// English is the language of the code, the fallback for any other.
const English = "en"

// Catalogue holds every message in every language. It is immutable and
// safe for concurrent use.
type Catalogue struct {
	codes   []string                     // Codes()
	words   map[string]map[string]string // language → id → the message (its "other" form)
	plurals map[string]bool              // ids with plural forms
	local   map[string]*i18n.Localizer
	matcher language.Matcher
}

// Load reads the catalogue's files; an error means a broken file.
func Load() (*Catalogue, error) {
	b := i18n.NewBundle(language.English)
	c := &Catalogue{words: map[string]map[string]string{}, plurals: map[string]bool{}, local: map[string]*i18n.Localizer{}}
	names, err := files.ReadDir("messages")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := path.Join("messages", n.Name())
		buf, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := i18n.ParseMessageFileBytes(buf, name, nil)
		if err != nil {
			return nil, fmt.Errorf("lang: %s: %w", n.Name(), err)
		}
		code := f.Tag.String()
		if c.words[code] != nil {
			return nil, fmt.Errorf("lang: two files for %s", code)
		}
		c.words[code] = make(map[string]string, len(f.Messages))
		var plural []*i18n.Message
		for _, m := range f.Messages {
			if _, dup := c.words[code][m.ID]; dup {
				return nil, fmt.Errorf("lang: %s: %q twice", n.Name(), m.ID)
			}
			c.words[code][m.ID] = m.Other
			if m.One != "" || m.Few != "" || m.Many != "" || m.Two != "" || m.Zero != "" {
				c.plurals[m.ID] = true
				plural = append(plural, m)
			}
		}
		// Only what has plural forms goes through go-i18n's localizer; the
		// rest are map lookups, without a template each.
		if err := b.AddMessages(f.Tag, plural...); err != nil {
			return nil, fmt.Errorf("lang: %s: %w", n.Name(), err)
		}
	}
	if c.words[English] == nil {
		return nil, fmt.Errorf("lang: no English file")
	}
	c.codes = Codes()
	tags := make([]language.Tag, len(c.codes))
	for i, code := range c.codes {
		tags[i] = language.Make(code)
		c.local[code] = i18n.NewLocalizer(b, code)
	}
	c.matcher = language.NewMatcher(tags)
	// Every language gives every plural form its rules ask for: French
	// needs "many" for a million, and a form left out would fall back
	// to English.
	for id := range c.plurals {
		for _, code := range c.codes {
			if _, ok := c.words[code][id]; !ok {
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 100, 1_000_000} {
				_, tag, err := c.local[code].LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: n})
				if err != nil || tag.String() != code {
					return nil, fmt.Errorf("lang: %s.json: %q lacks the plural form for %d", code, id, n)
				}
			}
		}
	}
	return c, nil
}

// codes and names are read once from the embedded files: every page
// names the languages in its switch.
var codes, names = readCodes()

func readCodes() ([]string, map[string]string) {
	codes := []string{English}
	entries, _ := files.ReadDir("messages")
	for _, e := range entries {
		if code := strings.TrimSuffix(e.Name(), ".json"); code != English {
			codes = append(codes, code)
		}
	}
	names := make(map[string]string, len(codes))
	for _, code := range codes {
		names[code] = Capitalise(display.Self.Name(language.Make(code)))
	}
	return codes, names
}

// Codes are the languages there is a file for, English first: "en",
// "de", "fr". The slice is shared: callers do not change it.
func Codes() []string { return codes }

// Known reports whether code is one of Codes.
func Known(code string) bool { _, ok := names[code]; return ok }

// Name is code's language named in itself, for a language switch:
// "Deutsch", "Français".
func Name(code string) string { return names[code] }

// T returns the message id in lang: its translation, else id itself (for
// English, and for what a file lacks, which a test forbids).
func (c *Catalogue) T(lang, id string) string {
	if s, ok := c.words[lang][id]; ok && s != "" {
		return s
	}
	if s, ok := c.words[English][id]; ok && s != "" {
		return s
	}
	return id
}

// Has reports whether lang's file has the message id; English has every
// message.
func (c *Catalogue) Has(lang, id string) bool {
	if lang == English {
		return true
	}
	_, ok := c.words[lang][id]
	return ok
}

// Sprintf fills in format as lang says it. Where the message has plural
// forms, the first integer among args picks the form by lang's rules:
// "%d sub-organizations" with 1 reads "1 sub-organization", in French with
// 0 "0 sous-organisation".
func (c *Catalogue) Sprintf(lang, format string, args ...any) string {
	return fmt.Sprintf(c.form(lang, format, args), args...)
}

func (c *Catalogue) form(lang, id string, args []any) string {
	if !c.plurals[id] {
		return c.T(lang, id)
	}
	n, ok := firstInt(args)
	if !ok {
		return c.T(lang, id)
	}
	for _, l := range []string{lang, English} {
		loc, ok := c.local[l]
		if !ok {
			continue
		}
		s, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: n})
		if err == nil && (l == English || tag.String() == l) {
			return s
		}
	}
	return id
}

func firstInt(args []any) (int, bool) {
	for _, a := range args {
		switch v := a.(type) {
		case int:
			return v, true
		case int64:
			return int(v), true
		}
	}
	return 0, false
}

// Match picks the language for a browser's Accept-Language header: the
// best of Codes by x/text's matching ("de-CH" is German, "fr-BE" French),
// English when nothing fits.
func (c *Catalogue) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return English
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return English
	}
	return c.codes[i]
}

// IDs are the ids lang's file holds, sorted; for the tests that keep
// every language complete.
func (c *Catalogue) IDs(lang string) []string {
	ids := make([]string, 0, len(c.words[lang]))
	for id := range c.words[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Plural reports whether id has plural forms.
func (c *Catalogue) Plural(id string) bool { return c.plurals[id] }

// RoleName names a role given as "role" or "role:service" in lang:
// "read_only" is "Read only", in German "Nur lesen"; a service follows in
// brackets: "User (connectivity)".
func (c *Catalogue) RoleName(lang, code string) string {
	role, service, _ := strings.Cut(code, ":")
	name := c.T(lang, roleWords(role))
	if service != "" {
		name += " (" + service + ")"
	}
	return name
}

// EnglishRoleName is RoleName in English, for what has no reader's
// language (a directory's group names).
func EnglishRoleName(code string) string {
	role, service, _ := strings.Cut(code, ":")
	if service != "" {
		return roleWords(role) + " (" + service + ")"
	}
	return roleWords(role)
}

// roleWords is a role's code in words: "read_only" is "Read only",
// "api_user" "API user".
func roleWords(role string) string {
	name := strings.ReplaceAll(role, "_", " ")
	if strings.HasPrefix(name, "api ") {
		return "API" + name[3:]
	}
	return Capitalise(name)
}

// Capitalise upper-cases s's first letter.
func Capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
