package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type accountData struct {
	Me          *app.UserView
	Org         *tenantry.Org
	ProfileOpen bool
}

// account is the person's own profile: names, language, notification
// subscriptions and, where the org manages its own profile, phone, job
// title and company-contact flags.
func (h *Handler) account(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Account", "account")
	d, err := h.accountData(r, who)
	if err != nil {
		return err
	}
	p.Data, p.Form = d, userForm(d.Me)
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "account.html", p)
	return nil
}

func (h *Handler) accountData(r *http.Request, who *app.Actor) (*accountData, error) {
	me, err := h.app.Me(r.Context(), who)
	if err != nil {
		return nil, err
	}
	org, err := h.app.Org(r.Context(), who, who.User.OrgID)
	if err != nil {
		return nil, err
	}
	return &accountData{Me: me, Org: org, ProfileOpen: org.Settings.SelfManagedProfile}, nil
}

func (h *Handler) updateAccount(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Account", "account")
	d, err := h.accountData(r, who)
	if err != nil {
		return err
	}
	p.Data = d
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "account.html", p)
		return nil
	}
	v, err := h.app.UpdateProfile(r.Context(), who, profilePatch(p, d.ProfileOpen, false))
	if err != nil {
		h.fail(w, r, "account.html", p, err)
		return nil
	}
	// The page follows the language just chosen.
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: v.Language, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode})
	redirect(w, r, withFlash("/account", "saved"))
	return nil
}

func (h *Handler) passwordChangeForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Change password", "account")
	h.render(w, r, http.StatusOK, "password_change.html", p)
	return nil
}

func (h *Handler) passwordChange(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Change password", "account")
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "password_change.html", p)
		return nil
	}
	if p.V("new_password") != p.V("confirm") {
		p.Fields["confirm"] = p.T("The two passwords differ.")
		h.render(w, r, http.StatusUnprocessableEntity, "password_change.html", p)
		return nil
	}
	if err := h.app.ChangePassword(r.Context(), who, p.V("current_password"), p.V("new_password")); err != nil {
		h.fail(w, r, "password_change.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/account", "password"))
	return nil
}

type totpData struct {
	Enabled  bool
	Required bool
	QR       template.URL // data: URL of the QR code PNG
	Secret   string
	Recovery []string
	// RecoveryFile is the codes as a text file to download.
	RecoveryFile template.URL
}

// totpPage shows whether two-factor sign-in is on, and offers to set it
// up or turn it off.
func (h *Handler) totpPage(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Two-factor sign-in", "account")
	p.Data = &totpData{Enabled: who.User.TOTPEnabled, Required: who.MustEnrolTOTP}
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "totp_setup.html", p)
	return nil
}

// totpBegin makes a new secret and shows it as a QR code and as text.
func (h *Handler) totpBegin(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Two-factor sign-in", "account")
	e, err := h.app.BeginTOTP(r.Context(), who)
	if err != nil {
		return err
	}
	p.Data = &totpData{Required: who.MustEnrolTOTP, Secret: e.Secret, QR: totpQR(e.QRCode)}
	h.render(w, r, http.StatusOK, "totp_setup.html", p)
	return nil
}

// totpQR is a QR code's PNG as an image URL the page can show.
func totpQR(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// totpConfirm turns two-factor sign-in on with a first code and shows the
// recovery codes this once.
func (h *Handler) totpConfirm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Two-factor sign-in", "account")
	d := &totpData{Required: who.MustEnrolTOTP, Secret: r.PostFormValue("secret")}
	p.Data = d
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "totp_setup.html", p)
		return nil
	}
	codes, err := h.app.ConfirmTOTP(r.Context(), who, totpCode(p.V("code")))
	if err != nil {
		// The QR code and key stay on the page for the next try.
		if e, perr := h.app.PendingTOTP(r.Context(), who); perr == nil {
			d.Secret, d.QR = e.Secret, totpQR(e.QRCode)
		}
		h.fail(w, r, "totp_setup.html", p, err)
		return nil
	}
	d.Enabled, d.Required, d.Secret, d.Recovery = true, false, "", codes
	d.RecoveryFile = template.URL("data:text/plain;charset=utf-8," + url.PathEscape(strings.Join(codes, "\n")+"\n"))
	p.Flash = p.T("Two-factor sign-in is on.")
	h.render(w, r, http.StatusOK, "totp_setup.html", p)
	return nil
}

func (h *Handler) totpDisable(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Two-factor sign-in", "account")
	p.Data = &totpData{Enabled: who.User.TOTPEnabled}
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "totp_setup.html", p)
		return nil
	}
	if err := h.app.DisableTOTP(r.Context(), who, p.V("password")); err != nil {
		h.fail(w, r, "totp_setup.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/account/2fa", "totp-off"))
	return nil
}

type tokensData struct {
	MayCreate bool
	Tokens    []*tenantry.PersonalToken
	Created   *tenantry.PersonalToken
	Secret    string // the new token, shown once
}

// tokens lists the Owner's personal access tokens for the Management API.
func (h *Handler) tokens(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Personal access tokens", "account")
	list, err := h.app.PersonalTokens(r.Context(), who)
	if err != nil {
		return err
	}
	// Who may not make tokens sees no form; with none left to delete,
	// the page says why instead (issue 17, item 4).
	mayMake := h.app.MayMakePersonalTokens(who)
	if mayMake != nil && len(list) == 0 {
		return mayMake
	}
	p.Data = &tokensData{Tokens: list, MayCreate: mayMake == nil}
	p.Form.Set("expires_in_days", "90")
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "tokens.html", p)
	return nil
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Personal access tokens", "account")
	if !ok {
		return nil
	}
	d := &tokensData{MayCreate: true} // a refusal comes from the use case
	p.Data = d
	days, convErr := strconv.Atoi(strings.TrimSpace(p.V("expires_in_days")))
	if convErr != nil {
		days = 0
	}
	t, secret, err := h.app.CreatePersonalToken(r.Context(), who, p.V("name"), time.Duration(days)*24*time.Hour)
	if list, lerr := h.app.PersonalTokens(r.Context(), who); lerr == nil {
		d.Tokens = list
	}
	if err != nil {
		h.fail(w, r, "tokens.html", p, err)
		return nil
	}
	d.Created, d.Secret = t, secret
	p.Form = nil
	h.render(w, r, http.StatusCreated, "tokens.html", p)
	return nil
}

func (h *Handler) deleteToken(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if err := h.app.DeletePersonalToken(r.Context(), who, r.PathValue("id")); err != nil {
		return err
	}
	redirect(w, r, withFlash("/account/tokens", "token-gone"))
	return nil
}

func (h *Handler) sessions(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Active sessions", "account")
	list, err := h.app.MySessions(r.Context(), who)
	if err != nil {
		return err
	}
	p.Data = list
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "sessions.html", p)
	return nil
}

// endOtherSessions signs the person out everywhere but here.
func (h *Handler) endOtherSessions(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if _, err := h.app.EndOtherSessions(r.Context(), who); err != nil {
		return err
	}
	redirect(w, r, withFlash("/account/sessions", "others_ended"))
	return nil
}

func (h *Handler) endSession(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if err := h.app.EndSession(r.Context(), who, r.PathValue("id")); err != nil {
		return err
	}
	redirect(w, r, withFlash("/account/sessions", "ended"))
	return nil
}

// confirmTarget is where the confirm page returns to: a path of this
// portal, never another site.
func confirmTarget(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/account"
	}
	return next
}

func (h *Handler) confirmForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Confirm it is you", "account")
	p.Form.Set("next", confirmTarget(r.URL.Query().Get("next")))
	h.render(w, r, http.StatusOK, "confirm.html", p)
	return nil
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Confirm it is you", "account")
	if !ok {
		return nil
	}
	code, recovery := strings.TrimSpace(p.V("code")), ""
	if len(code) > 8 { // recovery codes are longer than any TOTP code
		code, recovery = "", code
	}
	if err := h.app.Reauthenticate(r.Context(), who, p.V("password"), code, recovery); err != nil {
		if e := (*tenantry.Error)(nil); errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Field == "recovery_code" {
			e.Fields[0].Field = "code"
		}
		h.fail(w, r, "confirm.html", p, err)
		return nil
	}
	redirect(w, r, confirmTarget(p.V("next")))
	return nil
}
