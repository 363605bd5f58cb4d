// Package web serves the pages people open from Tenantry's e-mails. For
// now that is the one page every new user needs: setting a password from
// an activation or reset link. Pages are server-rendered html/template,
// work without JavaScript and post forms to the same use cases the API
// calls.
package web

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Handler serves the pages.
type Handler struct {
	app   *app.App
	log   *slog.Logger
	pages *template.Template
}

// New parses the embedded templates, so a broken template stops the
// server before it serves, and registers the pages on mux.
func New(mux *http.ServeMux, a *app.App, log *slog.Logger) (*Handler, error) {
	pages, err := template.ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h := &Handler{app: a, log: log, pages: pages}
	mux.HandleFunc("GET /password", h.passwordForm)
	mux.HandleFunc("POST /password", h.passwordSet)
	mux.HandleFunc("GET /invitation", h.invitationForm)
	mux.HandleFunc("POST /invitation", h.invitationAccept)
	return h, nil
}

type passwordPage struct {
	Token  string
	Error  string
	Fields map[string]string
	Done   bool
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Referrer-Policy", "no-referrer") // the URL carries a token
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := h.pages.ExecuteTemplate(w, name, data); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "password.html", passwordPage{Token: r.URL.Query().Get("token")})
}

func (h *Handler) passwordSet(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.render(w, r, http.StatusBadRequest, "password.html", passwordPage{Error: "The form could not be read."})
		return
	}
	page := passwordPage{Token: r.PostForm.Get("token"), Fields: map[string]string{}}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("confirm") {
		page.Fields["confirm"] = "The two passwords differ."
		h.render(w, r, http.StatusUnprocessableEntity, "password.html", page)
		return
	}
	if err := h.app.SetPassword(r.Context(), page.Token, pw, clientIP(r)); err != nil {
		var e *tenantry.Error
		status := http.StatusUnprocessableEntity
		if tenantry.ErrorCode(err).Kind() == tenantry.Internal {
			h.log.ErrorContext(r.Context(), "set password", "err", err)
			status = http.StatusInternalServerError
		}
		page.Error = tenantry.ErrorMessage(err)
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				page.Fields[f.Field] = f.Message
			}
		}
		h.render(w, r, status, "password.html", page)
		return
	}
	h.render(w, r, http.StatusOK, "password.html", passwordPage{Done: true})
}

// clientIP is the peer address, without the port.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type invitationPage struct {
	Token string
	Error string
	Done  bool
}

func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "invitation.html", invitationPage{Token: r.URL.Query().Get("token")})
}

func (h *Handler) invitationAccept(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.render(w, r, http.StatusBadRequest, "invitation.html", invitationPage{Error: "The form could not be read."})
		return
	}
	page := invitationPage{Token: r.PostForm.Get("token")}
	if _, err := h.app.AcceptInvitation(r.Context(), page.Token, clientIP(r)); err != nil {
		status := http.StatusUnprocessableEntity
		if tenantry.ErrorCode(err).Kind() == tenantry.Internal {
			h.log.ErrorContext(r.Context(), "accept invitation", "err", err)
			status = http.StatusInternalServerError
		}
		page.Error = tenantry.ErrorMessage(err)
		h.render(w, r, status, "invitation.html", page)
		return
	}
	h.render(w, r, http.StatusOK, "invitation.html", invitationPage{Done: true})
}
