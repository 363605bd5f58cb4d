package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Tr translates the portal's words. English is the key; German comes
// from de (german.go), and a test makes sure every key the templates use
// has its German.
type Tr struct {
	Lang string // "en" or "de"
}

// T returns s in the page's language.
func (t Tr) T(s string) string {
	if t.Lang == "de" {
		if d, ok := german[s]; ok {
			return d
		}
	}
	return s
}

// F translates a format and fills it in.
func (t Tr) F(format string, args ...any) string { return fmt.Sprintf(t.T(format), args...) }

// Other is the language the switch offers.
func (t Tr) Other() string {
	if t.Lang == "de" {
		return "en"
	}
	return "de"
}

// langCookie keeps a visitor's choice of language.
const langCookie = "tenantry_lang"

// language picks the page language: the visitor's explicit choice, else
// the signed-in person's setting, else the browser's preference.
func (h *Handler) language(r *http.Request, who *app.Actor) Tr {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "en" || c.Value == "de") {
		return Tr{c.Value}
	}
	if who != nil && who.User.Language != "" {
		return Tr{who.User.Language}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "de") {
			return Tr{"de"}
		}
		if strings.HasPrefix(tag, "en") {
			return Tr{"en"}
		}
	}
	return Tr{"en"}
}

// setLanguage switches the portal's language and returns to the page.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.FormValue("lang")
	if lang != "de" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	back := safeNext(r.FormValue("back"))
	// The pages behind e-mailed links keep their token across the switch.
	if t := r.FormValue("token"); t != "" && (back == "/password" || back == "/invitation") {
		back += "?token=" + url.QueryEscape(t)
	}
	redirect(w, r, back)
}

// codeText says in words what an error code means, for the top of a page;
// the use case's own message, in English, follows it.
var codeText = map[tenantry.Code]string{
	tenantry.Invalid:                  "Please correct the marked fields.",
	tenantry.Unauthenticated:          "Please sign in.",
	tenantry.Forbidden:                "You may not do this.",
	tenantry.NotFound:                 "Not found.",
	tenantry.Conflict:                 "This clashes with what is already there.",
	tenantry.TooMany:                  "Too many attempts. Please wait a moment.",
	tenantry.InitialOwner:             "The initial owner of an account cannot be changed.",
	tenantry.MFARequired:              "Enter the code from your authenticator app.",
	tenantry.TOTPEnrolmentRequired:    "Your organization requires two-factor sign-in.",
	tenantry.OrgManagementUnavailable: "Organization management is not available for this account.",
	tenantry.TransferNotAllowed:       "This transfer is not allowed.",
	tenantry.OrgNotDeletable:          "This organization cannot be deleted yet.",
	tenantry.PasswordChangeRequired:   "Choose a new password first.",
}

// message is the sentence shown for e. In English it is the use case's own
// message. In German it is its translation where german has one; else, when
// fields are marked, the request to correct them (each field's message is
// translated at the field); else the code's sentence with the English
// detail after it.
func (t Tr) message(e *tenantry.Error) string {
	if t.Lang != "de" {
		return capitalise(e.Message)
	}
	if d, ok := german[e.Message]; ok {
		return capitalise(d)
	}
	for _, f := range e.Fields {
		if f.Field != "" {
			return t.T(codeText[tenantry.Invalid])
		}
	}
	head, ok := codeText[e.Code]
	if !ok {
		head = codeText[e.Code.Kind()]
	}
	return t.T(head) + " (" + e.Message + ")"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Word shows a stored word (a role, a status, a type) in the page's
// language: "read_only" is "Read only", in German "Nur lesen".
func (t Tr) Word(s string) string {
	switch s {
	case "human":
		return t.T("Person")
	case "api", "api_user":
		return t.T("API user")
	case "service":
		return t.T("Service account")
	case "en":
		return t.T("English")
	case "de":
		return t.T("German")
	}
	return t.T(capitalise(strings.ReplaceAll(s, "_", " ")))
}
