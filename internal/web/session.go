package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/httperr"
	"github.com/tenantry/tenantry/internal/lang"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// safeNext keeps a post-sign-in target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Sign in", "")
	p.Bare = true
	p.Form.Set("next", safeNext(r.URL.Query().Get("next")))
	if login := strings.TrimSpace(r.URL.Query().Get("login")); login != "" && len(login) <= 254 {
		p.Form.Set("login", login)
	}
	if r.URL.Query().Get("done") == "signed-out" {
		p.Flash = p.T("You are signed out.")
	}
	h.render(w, r, http.StatusOK, "signin.html", p)
}

// signIn asks for the login first (home-realm discovery): a login that
// signs in through an identity provider goes there; any other, known or
// not, is asked for its password. A form with the password signs in.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Sign in", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "signin.html", p)
		return
	}
	if _, ok := r.PostForm["password"]; ok {
		h.passwordSignIn(w, r) // the form is read: it reads it again from r
		return
	}
	login := strings.TrimSpace(p.V("login"))
	p.Form.Set("next", safeNext(p.V("next")))
	if login == "" || len(login) > 254 {
		h.fail(w, r, "signin.html", p, &tenantry.Error{Code: tenantry.Invalid, Message: "login: is required",
			Fields: []tenantry.FieldError{{Field: "login", Message: "give your login or e-mail address"}}})
		return
	}
	d, err := h.app.SignInMethod(r.Context(), login)
	if err != nil {
		h.fail(w, r, "signin.html", p, err)
		return
	}
	if d == nil {
		p.Form.Set("method", "password")
		h.render(w, r, http.StatusOK, "signin.html", p)
		return
	}
	target := "/signin/idp?" + url.Values{"login": {login}, "next": {p.V("next")}}.Encode()
	if r.Header.Get("HX-Request") == "true" {
		// A full navigation: the provider's page is another site.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusOK)
		return
	}
	// Without script, a link: the page's form-action policy keeps a form
	// post from ending on another site.
	p.Data = idpChoice{Name: d.Name, Link: target}
	h.render(w, r, http.StatusOK, "signin.html", p)
}

// idpChoice is the sign-in page's way on to an identity provider.
type idpChoice struct {
	Name string
	Link string
}

func (h *Handler) passwordSignIn(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Sign in", "signin.html", func(p *page) (string, error) {
		ctx := r.Context()
		p.Form.Set("method", "password")
		res, err := h.app.SignIn(ctx, strings.TrimSpace(p.V("login")), p.V("password"),
			httpauth.SessionToken(ctx), httpauth.IP(ctx), httpauth.UserAgent(ctx))
		if err != nil {
			return "", err
		}
		return h.started(w, res, p.V("next")), nil
	})
}

// started sets the session cookie of a sign-in and returns where to go:
// the second factor when it is due, else next.
func (h *Handler) started(w http.ResponseWriter, res *app.SignInResult, next string) string {
	c := httpauth.Cookie(res.Token, res.ExpiresAt, h.secure)
	http.SetCookie(w, &c)
	next = safeNext(next)
	if res.MFARequired {
		return "/signin/totp?next=" + url.QueryEscape(next)
	}
	return next
}

// idpFlowCookie keeps a sign-in through an identity provider's sealed
// state in the browser between leaving and coming back. It is Lax, so
// the provider's redirect back, a top-level navigation, carries it.
func (h *Handler) idpFlowCookie(value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: "tenantry_idp", Value: value, Path: "/signin/idp", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge, Secure: h.secure}
	if h.secure {
		c.Name = "__Secure-tenantry_idp"
	}
	return c
}

// idpStart sends the browser to the login's identity provider.
func (h *Handler) idpStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res, err := h.app.BeginIdPSignIn(r.Context(), q.Get("login"), safeNext(q.Get("next")))
	if err != nil {
		p := h.newPage(r, "Sign in", "")
		p.Bare = true
		p.Form.Set("login", q.Get("login"))
		p.Form.Set("next", safeNext(q.Get("next")))
		h.fail(w, r, "signin.html", p, err)
		return
	}
	http.SetCookie(w, h.idpFlowCookie(res.Flow, 600))
	http.Redirect(w, r, res.URL, http.StatusFound)
}

// idpCallback is where the identity provider sends the browser back.
func (h *Handler) idpCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	cb := app.IdPCallback{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description")}
	if c, err := r.Cookie(h.idpFlowCookie("", 0).Name); err == nil {
		cb.Flow = c.Value
	}
	http.SetCookie(w, h.idpFlowCookie("", -1))
	res, next, err := h.app.FinishIdPSignIn(ctx, cb, httpauth.SessionToken(ctx), httpauth.IP(ctx), httpauth.UserAgent(ctx))
	if err != nil {
		p := h.newPage(r, "Sign in", "")
		p.Bare, p.Path = true, "/signin" // the code stays off the page
		p.Form.Set("next", safeNext(next))
		h.fail(w, r, "signin.html", p, err)
		return
	}
	redirect(w, r, h.started(w, res, next))
}

func (h *Handler) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Two-factor sign-in", "")
	p.Bare = true
	who := httpauth.Actor(r.Context())
	if who == nil || !who.PendingMFA {
		redirect(w, r, "/signin")
		return
	}
	p.Form.Set("next", safeNext(r.URL.Query().Get("next")))
	h.render(w, r, http.StatusOK, "totp.html", p)
}

func (h *Handler) secondFactor(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Two-factor sign-in", "totp.html", func(p *page) (string, error) {
		who := httpauth.Actor(r.Context())
		if who == nil {
			return "/signin", nil
		}
		if err := h.app.VerifySecondFactor(r.Context(), who, totpCode(p.V("code")), strings.TrimSpace(p.V("recovery"))); err != nil {
			return "", err
		}
		return safeNext(p.V("next")), nil
	})
}

// totpCode is a code as typed, without the spaces apps show in it.
func totpCode(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if who := httpauth.Actor(r.Context()); who != nil {
		if err := h.app.SignOut(r.Context(), who); err != nil {
			h.log.ErrorContext(r.Context(), "sign out", "err", err)
		}
	}
	c := httpauth.Cookie("", time.Unix(0, 0), h.secure)
	http.SetCookie(w, &c)
	redirect(w, r, "/signin?done=signed-out")
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request) {
	h.linkForm(w, r, "Forgot your password?", "forgot.html")
}

// forgot always answers the same, so it tells nobody which logins exist.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Forgot your password?", "forgot.html", func(p *page) (string, error) {
		return "", h.app.ForgotPassword(r.Context(), strings.TrimSpace(p.V("login")), httpauth.IP(r.Context()))
	})
}

// strengthLabels name the zxcvbn scores 0 to 4.
var strengthLabels = [5]string{"Very weak", "Weak", "Fair", "Good", "Strong"}

// strengthView is what the strength meter shows.
type strengthView struct {
	Score                  int
	Label, Warning, Advice string
}

// passwordStrength answers the meter under a new password's field (htmx,
// on every pause in typing): the score in words and, below a good one,
// what makes the password easy to guess. The person's own words count as
// on submit: the signed-in person's, or those of the page's token.
func (h *Handler) passwordStrength(w http.ResponseWriter, r *http.Request) {
	pw := r.PostFormValue("password")
	if pw == "" {
		pw = r.PostFormValue("new_password")
	}
	if pw == "" {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK) // an emptied field shows no meter
		return
	}
	var names []string
	if first, last := strings.TrimSpace(r.PostFormValue("first_name")), strings.TrimSpace(r.PostFormValue("last_name")); first+last != "" {
		names = []string{first, last}
	}
	who := httpauth.Actor(r.Context())
	s, err := h.app.PasswordStrength(r.Context(), who, r.PostFormValue("token"), pw, httpauth.IP(r.Context()), names...)
	if err != nil {
		// The meter stays as it was (htmx swaps no error), and the form
		// still checks the password on submit.
		w.Header().Set("Cache-Control", "no-store")
		var e *tenantry.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		}
		w.WriteHeader(httperr.Status(tenantry.ErrorCode(err)))
		return
	}
	// A fragment in the page's language: no tabs or organizations to work
	// out on every pause in typing.
	p := &page{Tr: h.language(r, who),
		Data: strengthView{Score: s.Score, Label: strengthLabels[s.Score], Warning: s.Warning, Advice: app.PasswordAdvice}}
	h.render(w, r, http.StatusOK, "strength.html", p)
}

// passwordForm is the page behind activation and reset links.
func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	h.linkForm(w, r, "Set your password", "password.html", func(p *page) { h.passwordLink(r, p) })
}

func (h *Handler) passwordSet(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Set your password", "password.html", func(p *page) (string, error) {
		h.passwordLink(r, p)
		if p.V("password") != p.V("confirm") {
			return "", &tenantry.Error{Code: tenantry.Invalid, Message: p.T("The two passwords differ."),
				Fields: []tenantry.FieldError{{Field: "confirm", Message: p.T("The two passwords differ.")}}}
		}
		return "", h.app.SetPassword(r.Context(), p.V("token"), p.V("password"), httpauth.IP(r.Context()))
	})
}

// invitationForm shows the invitation page; for an address without a
// login it asks for a name and a password too ("new" in the form).
func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	h.linkForm(w, r, "Invitation", "invitation.html", func(p *page) { h.previewInvitation(r, p) })
}

// passwordLink readies the page of an activation or reset link for whom
// it is for.
func (h *Handler) passwordLink(r *http.Request, p *page) {
	code, err := h.app.LinkLanguage(r.Context(), p.V("token"))
	h.speakTo(r, p, "Set your password", code, err)
}

// speakTo puts the page of an e-mailed link in code, the language of whom
// it is for, as its e-mail was, unless the visitor chose one; a link that
// no longer works (err) gets its reason and no form (issue 17, item 2).
func (h *Handler) speakTo(r *http.Request, p *page, title, code string, err error) {
	if _, noChoice := r.Cookie(langCookie); noChoice != nil && lang.Known(code) {
		p.Tr = h.tr(code)
		p.Title = p.T(title)
	}
	if e := (*tenantry.Error)(nil); errors.As(err, &e) && e.Code == tenantry.TokenInvalid {
		p.Dead = true
		p.Error = p.message(e)
	}
}

// previewInvitation names, on the invitation's page, who invites and with
// which roles (issue 17, item 6), in the invited person's language, and
// asks for a name and password when the address has no login yet; one
// read of the invitation serves all of it.
func (h *Handler) previewInvitation(r *http.Request, p *page) {
	inv, err := h.app.PreviewInvitation(r.Context(), p.V("token"))
	code := ""
	if err == nil {
		p.Invitation, code = inv, inv.Language
		if inv.NeedsLogin {
			p.Form.Set("new", "1")
		}
	}
	h.speakTo(r, p, "Invitation", code, err)
}

func (h *Handler) invitationAccept(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Invitation", "invitation.html", func(p *page) (string, error) {
		h.previewInvitation(r, p) // its language, and the form again should it be wrong
		_, err := h.app.AcceptInvitation(r.Context(), p.V("token"), httpauth.IP(r.Context()),
			&app.NewPerson{FirstName: p.V("first_name"), LastName: p.V("last_name"), Password: p.V("password")})
		if tenantry.ErrorCode(err) == tenantry.Invalid {
			p.Form.Set("new", "1") // only a new login's fields can be wrong here
		}
		return "", err
	})
}

// linkForm shows one of the pages people open signed out, often from an
// e-mailed link whose token the form carries on.
func (h *Handler) linkForm(w http.ResponseWriter, r *http.Request, title, file string, prepare ...func(p *page)) {
	p := h.newPage(r, title, "")
	p.Bare = true
	if t := r.URL.Query().Get("token"); t != "" {
		p.Form.Set("token", t)
	}
	for _, f := range prepare {
		f(p)
	}
	h.render(w, r, http.StatusOK, file, p)
}

// linkPost runs the use case behind a signed-out page's form. On success
// it goes where act says, or, when act names no place, shows the page
// again as done (Data true); on failure it shows the page with the error
// at its field.
func (h *Handler) linkPost(w http.ResponseWriter, r *http.Request, title, file string, act func(p *page) (string, error)) {
	p := h.newPage(r, title, "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, file, p)
		return
	}
	target, err := act(p)
	if err != nil {
		p.Dead = p.Dead || tenantry.ErrorCode(err) == tenantry.TokenInvalid
		h.fail(w, r, file, p, err)
		return
	}
	if target != "" {
		redirect(w, r, target)
		return
	}
	p.Data = true
	h.render(w, r, http.StatusOK, file, p)
}
