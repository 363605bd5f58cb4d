// Package httpauth owns who a request comes from: the session cookie, the
// bearer token, the peer address and user agent, resolved once per request
// into an app.Actor that the API and the portal both read from the context.
package httpauth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
)

// CookieName is the session cookie's name over plain HTTP; over TLS it
// carries the __Host- prefix, which pins it to this host and path "/".
const CookieName = "tenantry_session"

type ctxKey int

const (
	actorKey ctxKey = iota
	tokenKey
	ipKey
	uaKey
	bearerRejectedKey
)

// Middleware resolves the bearer token or the session cookie into an
// actor for the handlers; a missing or stale credential leaves no actor,
// and the use case then answers 401.
func Middleware(a *app.App, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ip := ClientIP(r)
		ctx = context.WithValue(ctx, ipKey, ip)
		ctx = context.WithValue(ctx, uaKey, r.UserAgent())
		if raw := Bearer(r); raw != "" {
			if who, err := a.AuthenticateBearer(ctx, raw, ip); err == nil {
				ctx = context.WithValue(ctx, actorKey, who)
			} else {
				ctx = context.WithValue(ctx, bearerRejectedKey, true)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if token := sessionCookie(r); token != "" {
			ctx = context.WithValue(ctx, tokenKey, token)
			if who, err := a.Authenticate(ctx, token, ip); err == nil {
				ctx = context.WithValue(ctx, actorKey, who)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// BearerRejected reports whether the request carried a bearer token that
// was invalid, expired or revoked (RFC 6750's invalid_token).
func BearerRejected(ctx context.Context) bool {
	rejected, _ := ctx.Value(bearerRejectedKey).(bool)
	return rejected
}

func sessionCookie(r *http.Request) string {
	for _, name := range []string{"__Host-" + CookieName, CookieName} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// Bearer returns the token of an Authorization: Bearer header, or "".
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// ClientIP is the peer address. Forwarded headers are not trusted: they
// are the client's to forge.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// Actor is the request's authenticated actor, or nil.
func Actor(ctx context.Context) *app.Actor {
	who, _ := ctx.Value(actorKey).(*app.Actor)
	return who
}

// SessionToken is the session secret the request presented, or "".
func SessionToken(ctx context.Context) string { return str(ctx, tokenKey) }

// IP is the request's peer address.
func IP(ctx context.Context) string { return str(ctx, ipKey) }

// UserAgent is the request's User-Agent header.
func UserAgent(ctx context.Context) string { return str(ctx, uaKey) }

func str(ctx context.Context, k ctxKey) string {
	s, _ := ctx.Value(k).(string)
	return s
}

// Cookie returns the session cookie (HttpOnly, SameSite=Lax, and Secure
// with the __Host- prefix when secure); an empty value deletes it.
func Cookie(value string, expires time.Time, secure bool) http.Cookie {
	c := http.Cookie{Name: CookieName, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: expires}
	if secure {
		c.Name, c.Secure = "__Host-"+CookieName, true
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}
