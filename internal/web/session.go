package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/httpauth"
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
	p := h.newPage(r, "Sign in", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "signin.html", p)
		return
	}
	ctx := r.Context()
	res, err := h.app.SignIn(ctx, strings.TrimSpace(p.V("login")), p.V("password"),
		httpauth.SessionToken(ctx), httpauth.IP(ctx), httpauth.UserAgent(ctx))
	if err != nil {
		h.fail(w, r, "signin.html", p, err)
		return
	}
	c := httpauth.Cookie(res.Token, res.ExpiresAt, h.secure)
	http.SetCookie(w, &c)
	next := safeNext(p.V("next"))
	if res.MFARequired {
		redirect(w, r, "/signin/totp?next="+url.QueryEscape(next))
		return
	}
	redirect(w, r, next)
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
	p := h.newPage(r, "Two-factor sign-in", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "totp.html", p)
		return
	}
	who := httpauth.Actor(r.Context())
	if who == nil {
		redirect(w, r, "/signin")
		return
	}
	code := strings.ReplaceAll(strings.TrimSpace(p.V("code")), " ", "")
	if err := h.app.VerifySecondFactor(r.Context(), who, code, strings.TrimSpace(p.V("recovery"))); err != nil {
		h.fail(w, r, "totp.html", p, err)
		return
	}
	redirect(w, r, safeNext(p.V("next")))
}

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
	p := h.newPage(r, "Forgot your password?", "")
	p.Bare = true
	h.render(w, r, http.StatusOK, "forgot.html", p)
}

// forgot always answers the same, so it tells nobody which logins exist.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Forgot your password?", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "forgot.html", p)
		return
	}
	if err := h.app.ForgotPassword(r.Context(), strings.TrimSpace(p.V("login")), httpauth.IP(r.Context())); err != nil {
		h.fail(w, r, "forgot.html", p, err)
		return
	}
	p.Data = true
	h.render(w, r, http.StatusOK, "forgot.html", p)
}

// passwordForm is the page behind activation and reset links.
func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Set your password", "")
	p.Bare = true
	p.Form.Set("token", r.URL.Query().Get("token"))
	h.render(w, r, http.StatusOK, "password.html", p)
}

func (h *Handler) passwordSet(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Set your password", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "password.html", p)
		return
	}
	if p.V("password") != p.V("confirm") {
		p.Fields["confirm"] = p.T("The two passwords differ.")
		h.render(w, r, http.StatusUnprocessableEntity, "password.html", p)
		return
	}
	if err := h.app.SetPassword(r.Context(), p.V("token"), p.V("password"), httpauth.IP(r.Context())); err != nil {
		h.fail(w, r, "password.html", p, err)
		return
	}
	p.Data = true
	h.render(w, r, http.StatusOK, "password.html", p)
}

func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Invitation", "")
	p.Bare = true
	p.Form.Set("token", r.URL.Query().Get("token"))
	h.render(w, r, http.StatusOK, "invitation.html", p)
}

func (h *Handler) invitationAccept(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "Invitation", "")
	p.Bare = true
	if !form(w, r, p) {
		h.render(w, r, http.StatusBadRequest, "invitation.html", p)
		return
	}
	if _, err := h.app.AcceptInvitation(r.Context(), p.V("token"), httpauth.IP(r.Context())); err != nil {
		h.fail(w, r, "invitation.html", p, err)
		return
	}
	p.Data = true
	h.render(w, r, http.StatusOK, "invitation.html", p)
}
