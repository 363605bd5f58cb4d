package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/httperr"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Problem is an RFC 9457 problem document with Tenantry's stable code and
// the fields at fault.
type Problem struct {
	retryAfter int    // seconds; sent as Retry-After
	challenge  string // sent as WWW-Authenticate

	Type   string                `json:"type,omitempty" doc:"A URI reference that names the problem type"`
	Title  string                `json:"title" doc:"Short summary of the HTTP status"`
	Status int                   `json:"status" doc:"The HTTP status code"`
	Detail string                `json:"detail,omitempty" doc:"What went wrong, for people"`
	Code   string                `json:"code" doc:"Stable machine-readable code, e.g. invalid, forbidden, not_found, conflict"`
	Errors []tenantry.FieldError `json:"errors,omitempty" doc:"The invalid fields, each with what is wrong"`
}

func (p *Problem) Error() string { return p.Detail }

// GetHeaders adds Retry-After to throttled answers.
func (p *Problem) GetHeaders() http.Header {
	h := http.Header{}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.challenge != "" {
		h.Set("WWW-Authenticate", p.challenge)
	}
	return h
}
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

func init() {
	// huma's documented hook for its own errors (malformed JSON, schema
	// violations, unknown fields): make them Problems too.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		if status == http.StatusBadRequest && msg == "validation failed" {
			msg = "the body is not valid JSON"
		}
		p := &Problem{Status: status, Title: http.StatusText(status), Detail: msg, Code: string(httperr.CodeOf(status))}
		// Only huma's own messages are shown: an error's text can quote
		// the request body, passwords included, and is never echoed.
		for _, e := range errs {
			var d *huma.ErrorDetail
			if !errors.As(e, &d) {
				continue
			}
			if d.Location != "" && d.Location != "body" {
				field := d.Location
				for _, prefix := range []string{"body.", "query.", "path.", "header.", "cookie."} {
					field = strings.TrimPrefix(field, prefix)
				}
				p.Errors = append(p.Errors, tenantry.FieldError{Field: field, Message: d.Message})
			} else if p.Detail == msg && d.Message != "" {
				p.Detail = msg + ": " + d.Message
			}
		}
		if len(p.Errors) > 0 {
			f := p.Errors[0]
			p.Detail = strings.TrimPrefix(f.Field+": "+f.Message, ": ")
		}
		return p
	}
}

// Refuse answers a request refused before its handler ran (bad input,
// an upload refused, a database that could not check the credentials)
// with err's problem document.
func (s *Server) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(w, s.problem(r.Context(), err).(*Problem))
}

// writeProblem writes p outside huma, as huma would.
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	for k, v := range p.GetHeaders() {
		w.Header()[k] = v
	}
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// problem turns a use case's error into a Problem (nil stays nil). Internal errors are
// logged in full and shown only as "internal error".
func (s *Server) problem(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if httperr.ClientGone(ctx, err) {
		s.log.InfoContext(ctx, "client closed the request")
		return &Problem{Status: httperr.StatusClientClosed, Title: "Client Closed Request", Detail: "the client went away", Code: "client_closed"}
	}
	var e *tenantry.Error
	if !errors.As(err, &e) || e.Code.Kind() == tenantry.Internal {
		s.log.ErrorContext(ctx, "internal error", slog.Any("err", err))
		return &Problem{Status: 500, Title: http.StatusText(500), Detail: "internal error", Code: string(tenantry.Internal)}
	}
	status := httperr.Status(e.Code)
	p := &Problem{Status: status, Title: http.StatusText(status), Detail: e.Message, Code: string(e.Code), Errors: tenantry.CappedFields(e.Fields),
		retryAfter: int(e.RetryAfter.Seconds())}
	if e.Code.Kind() == tenantry.Unavailable {
		s.log.ErrorContext(ctx, "unavailable", slog.Any("err", err))
		if p.retryAfter == 0 {
			p.retryAfter = httperr.RetryUnavailable
		}
	}
	if status == http.StatusUnauthorized {
		// RFC 6750 §3: name the error only when a token came and failed.
		p.challenge = `Bearer realm="tenantry"`
		if httpauth.BearerRejected(ctx) {
			p.challenge += `, error="invalid_token", error_description="the access token is invalid, expired or revoked"`
		}
	}
	return p
}
