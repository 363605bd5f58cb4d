package notice

import (
	"strings"
	"testing"
)

func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	d := Data{Name: "Ada <script>", Login: "ada@example.com", Org: "Acme", Link: "https://portal.example.com/password?token=abc",
		Hours: 72, NewEmail: "new@example.com", Roles: "user", When: "2026-11-23 10:00 UTC"}
	for _, lang := range Languages {
		for kind, s := range catalogue[lang] {
			m, err := r.Render(kind, lang, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, kind, err)
			}
			named := kind != InvitationNew // sent to an address nobody has a login for yet
			if m.Subject == "" || (named && !strings.Contains(m.Text, "Ada <script>")) || strings.Contains(m.HTML, "<script>") {
				t.Fatalf("%s/%s: %+v", lang, kind, m)
			}
			if s.action != "" && (!strings.Contains(m.Text, d.Link) || !strings.Contains(m.HTML, `href="`+d.Link+`"`)) {
				t.Fatalf("%s/%s lacks the link", lang, kind)
			}
		}
	}
	de, _ := r.Render(Activation, "de", d)
	fr, _ := r.Render(Activation, "fr", d)
	if !strings.Contains(de.Text, "Passwort festlegen") || !strings.Contains(fr.Text, "Set your password") {
		t.Fatalf("languages: %q %q", de.Subject, fr.Subject)
	}
}

// TestRolesReadAsNames is issue 17, item 1: an invitation said
// "read_only". Roles given as codes read as names in the recipient's
// language, a service in brackets.
func TestRolesReadAsNames(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	d := Data{Org: "Acme", Link: "https://portal.example.com/invitation?token=abc", Hours: 72,
		RoleCodes: []string{"read_only", "user:connectivity", "power_user_reporting"}}
	for lang, want := range map[string]string{
		"en": "Read only, User (connectivity), Power user reporting",
		"de": "Nur lesen, Benutzer (connectivity), Power user reporting",
	} {
		m, err := r.Render(InvitationNew, lang, d)
		if err != nil || !strings.Contains(m.Text, want) || strings.Contains(m.Text, "read_only") {
			t.Fatalf("%s: %v\n%s", lang, err, m.Text)
		}
	}
}
