package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Tr translates the portal's words. English is the key; every other
// language comes from the catalogue's files (internal/lang), and a test
// makes sure every phrase the templates and handlers use is in each.
type Tr struct {
	Lang string // one of lang.Codes()
	c    *lang.Catalogue
}

// T returns s in the page's language.
func (t Tr) T(s string) string { return t.c.T(t.Lang, s) }

// F translates a format and fills it in, with the plural form its first
// number asks for.
func (t Tr) F(format string, args ...any) string { return t.c.Sprintf(t.Lang, format, args...) }

// Language is one entry of the language switch.
type Language struct{ Code, Name string }

// languages are the languages there are, each named in itself.
func languages() []Language {
	var out []Language
	for _, code := range lang.Codes() {
		out = append(out, Language{code, lang.Name(code)})
	}
	return out
}

// Others are the languages the switch offers.
func (t Tr) Others() []Language {
	var out []Language
	for _, l := range languages() {
		if l.Code != t.Lang {
			out = append(out, l)
		}
	}
	return out
}

// langCookie keeps a visitor's choice of language.
const langCookie = "tenantry_lang"

// tr is the page language code.
func (h *Handler) tr(code string) Tr { return Tr{code, h.msgs} }

// language picks the page language: the visitor's explicit choice, else
// the signed-in person's setting, else the browser's preference matched
// against the languages there are.
func (h *Handler) language(r *http.Request, who *app.Actor) Tr {
	if c, err := r.Cookie(langCookie); err == nil && lang.Known(c.Value) {
		return h.tr(c.Value)
	}
	if who != nil && lang.Known(who.User.Language) {
		return h.tr(who.User.Language)
	}
	return h.tr(h.msgs.Match(r.Header.Get("Accept-Language")))
}

// setLanguage switches the portal's language and returns to the page.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("lang")
	if !lang.Known(code) {
		code = lang.English
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600,
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
// first by its label with its message, and how many more there are; for
// the reasons an action cannot be done (a deletion's blockers), the
// code's sentence and each reason. Else it is the use case's own message
// in the page's language where the catalogue has it, else the code's
// sentence with the English detail after it.
func (t Tr) message(e *tenantry.Error) string {
	// A wrong field is named as the form names it, never by its key
	// (issue 17, item 1: "New_owner_id: is required").
	var named, reasons []tenantry.FieldError
	lines := 0
	for _, f := range e.Fields {
		switch {
		case f.Line > 0:
			lines++
		case f.Field != "" && f.Line == 0:
			named = append(named, f)
		case f.Field == "" && f.Line == 0 && f.Code != "":
			reasons = append(reasons, f)
		}
	}
	if len(named) > 0 {
		msg := t.F("%s: %s", t.T(fieldLabel(named[0].Field)), t.Say(named[0]))
		if len(named) > 1 {
			msg += t.F(" (and %d more)", len(named)-1)
		}
		return msg
	}
	if lines > 0 {
		// Each line's reason is listed with the form.
		return t.F("%d lines are wrong; nothing was changed. Mend them and try again.", lines)
	}
	head, ok := codeText[e.Code]
	if !ok {
		head = codeText[e.Code.Kind()]
	}
	if len(reasons) > 0 {
		parts := make([]string, len(reasons))
		for i, r := range reasons {
			parts[i] = t.Say(r)
		}
		return t.T(head) + " " + capitalise(strings.Join(parts, "; ")) + "."
	}
	text := e.Text
	if text.Format == "" {
		text.Format = e.Message
	}
	if t.Lang == lang.English || t.c.Has(t.Lang, text.Format) {
		return capitalise(t.fill(text))
	}
	for _, f := range e.Fields {
		if f.Field != "" {
			return t.T(codeText[tenantry.Invalid])
		}
	}
	return t.T(head) + " (" + e.Message + ")"
}

// Say is a field error's message in the page's language.
func (t Tr) Say(f tenantry.FieldError) string {
	if f.Text.Format == "" {
		return t.T(f.Message)
	}
	return t.fill(f.Text)
}

// SayText is text in the page's language.
func (t Tr) SayText(text tenantry.Text) string { return t.fill(text) }

// fill puts text in the page's language: the format from the catalogue
// (in the plural form its first number asks for), errors among the
// values as their own messages, and words as words.
func (t Tr) fill(text tenantry.Text) string {
	if len(text.Args) == 0 {
		return t.T(text.Format)
	}
	args := make([]any, len(text.Args))
	for i, a := range text.Args {
		switch v := a.(type) {
		case error:
			args[i] = t.T(v.Error())
		case tenantry.Words:
			words := make([]string, len(v))
			for j, w := range v {
				words[j] = t.Word(w)
			}
			args[i] = strings.Join(words, ", ")
		default:
			args[i] = a
		}
	}
	return t.F(text.Format, args...)
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

func capitalise(s string) string { return lang.Capitalise(s) }

// RoleWord names a role given as "role" or "role:service": "Read only",
// "User (connectivity)".
func (t Tr) RoleWord(code string) string { return t.c.RoleName(t.Lang, code) }

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
	case "fr":
		return t.T("French")
	}
	return t.T(capitalise(strings.ReplaceAll(s, "_", " ")))
}
