package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
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
	if r.URL.Query().Get("done") == "signed-out" {
		p.Flash = p.T("You are signed out.")
	}
	h.render(w, r, http.StatusOK, "signin.html", p)
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Sign in", "signin.html", func(p *page) (string, error) {
		ctx := r.Context()
		res, err := h.app.SignIn(ctx, strings.TrimSpace(p.V("login")), p.V("password"),
			httpauth.SessionToken(ctx), httpauth.IP(ctx), httpauth.UserAgent(ctx))
		if err != nil {
			return "", err
		}
		c := httpauth.Cookie(res.Token, res.ExpiresAt, h.secure)
		http.SetCookie(w, &c)
		next := safeNext(p.V("next"))
		if res.MFARequired {
			return "/signin/totp?next=" + url.QueryEscape(next), nil
		}
		return next, nil
	})
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

// passwordForm is the page behind activation and reset links.
func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	h.linkForm(w, r, "Set your password", "password.html")
}

func (h *Handler) passwordSet(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Set your password", "password.html", func(p *page) (string, error) {
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
	h.linkForm(w, r, "Invitation", "invitation.html", func(p *page) {
		if needs, err := h.app.InvitationNeedsLogin(r.Context(), p.V("token")); err == nil && needs {
			p.Form.Set("new", "1")
		}
	})
}

func (h *Handler) invitationAccept(w http.ResponseWriter, r *http.Request) {
	h.linkPost(w, r, "Invitation", "invitation.html", func(p *page) (string, error) {
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
