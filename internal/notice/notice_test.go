package notice

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/lang"
)

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	c, err := lang.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	r := newRenderer(t)
	d := Data{Name: "Ada <script>", Login: "ada@example.com", Org: "Acme", Link: "https://portal.example.com/password?token=abc",
		Hours: 72, NewEmail: "new@example.com", Roles: "user", When: "2026-11-23 10:00 UTC"}
	for _, code := range lang.Codes() {
		for kind, s := range messages {
			m, err := r.Render(kind, code, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", code, kind, err)
			}
			named := kind != InvitationNew // sent to an address nobody has a login for yet
			if m.Subject == "" || (named && !strings.Contains(m.Text, "Ada <script>")) || strings.Contains(m.HTML, "<script>") {
				t.Fatalf("%s/%s: %+v", code, kind, m)
			}
			if s.action != "" && (!strings.Contains(m.Text, d.Link) || !strings.Contains(m.HTML, `href="`+d.Link+`"`)) {
				t.Fatalf("%s/%s lacks the link", code, kind)
			}
		}
	}
	for code, want := range map[string]string{"en": "Set your password", "de": "Passwort festlegen",
		"fr": "Choisir votre mot de passe", "xx": "Set your password"} {
		if m, _ := r.Render(Activation, code, d); !strings.Contains(m.Text, want) {
			t.Errorf("%s: %q", code, m.Text)
		}
	}
}

// TestRolesReadAsNames is issue 17, item 1: an invitation said
// "read_only". Roles given as codes read as names in the recipient's
// language, a service in brackets.
func TestRolesReadAsNames(t *testing.T) {
	r := newRenderer(t)
	d := Data{Org: "Acme", Link: "https://portal.example.com/invitation?token=abc", Hours: 72,
		RoleCodes: []string{"read_only", "user:connectivity", "power_user_reporting"}}
	for code, want := range map[string]string{
		"en": "Read only, User (connectivity), Power user reporting",
		"de": "Nur lesen, Benutzer (connectivity), Power-User Berichte",
		"fr": "Lecture seule, Utilisateur (connectivity), Utilisateur avancé rapports",
	} {
		m, err := r.Render(InvitationNew, code, d)
		if err != nil || !strings.Contains(m.Text, want) || strings.Contains(m.Text, "read_only") {
			t.Fatalf("%s: %v\n%s", code, err, m.Text)
		}
	}
}

// TestTellsWhen: the security notices say when; an activation does not,
// so its sender reads no time zone (a bulk import sends thousands).
func TestTellsWhen(t *testing.T) {
	if !TellsWhen(PasswordChanged) || TellsWhen(Activation) {
		t.Fatalf("TellsWhen: password changed %v, activation %v", TellsWhen(PasswordChanged), TellsWhen(Activation))
	}
}
