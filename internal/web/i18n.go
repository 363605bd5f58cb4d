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

// message is the sentence shown for e. For wrong fields it names the
// first by its label with its message, and how many more there are. Else,
// in English, it is the use case's own message; in German its translation
// where german has one, else the code's sentence with the English detail
// after it.
func (t Tr) message(e *tenantry.Error) string {
	// A wrong field is named as the form names it, never by its key
	// (issue 17, item 1: "New_owner_id: is required").
	var named []tenantry.FieldError
	for _, f := range e.Fields {
		if f.Field != "" && f.Line == 0 {
			named = append(named, f)
		}
	}
	if len(named) > 0 {
		msg := t.T(fieldLabel(named[0].Field)) + ": " + t.T(named[0].Message)
		if len(named) > 1 {
			msg += t.F(" (and %d more)", len(named)-1)
		}
		return msg
	}
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

// fieldLabels name the fields whose key does not read as their label.
var fieldLabels = map[string]string{
	"email": "E-mail", "new_owner_id": "New owner", "token": "Link", "iccids": "ICCIDs", "idp": "Identity provider",
	"identity_provider": "Identity provider", "roles_until": "Roles end", "expires_in_days": "Valid for (days)",
	"redirect_uris": "Redirect URIs", "post_logout_redirect_uris": "Post-logout redirect URIs", "url": "URL",
}

// fieldLabel is the English label of a field key: its entry in
// fieldLabels, else the key in words ("client_secret" is "Client secret").
func fieldLabel(key string) string {
	if l, ok := fieldLabels[key]; ok {
		return l
	}
	key = strings.ReplaceAll(strings.TrimSuffix(key, "_id"), "_", " ")
	key = strings.ReplaceAll(strings.ReplaceAll(key, "[", " "), "]", "")
	return capitalise(key)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// RoleWord names a role given as "role" or "role:service": "Read only",
// "User (connectivity)".
func (t Tr) RoleWord(code string) string {
	role, service, _ := strings.Cut(code, ":")
	if service != "" {
		return t.Word(role) + " (" + service + ")"
	}
	return t.Word(role)
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
