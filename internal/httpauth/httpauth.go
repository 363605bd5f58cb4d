// Package httpauth owns who a request comes from: the session cookie, the
// bearer token, the peer address and user agent, resolved once per request
// into an app.Actor that the API and the portal both read from the context.
package httpauth

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
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
// and the use case then answers 401. It also resolves the client's
// address: the peer's, or, when the peer is one of proxies, the one the
// proxies name (see ClientAddr).
//
// When the credential cannot be checked at all (the database did not
// answer), the request goes to unavailable with an Unavailable error
// instead of on as signed out: a person mid-form must not be sent to sign
// in.
func Middleware(a *app.App, proxies []netip.Prefix, unavailable func(http.ResponseWriter, *http.Request, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ip := ClientAddr(r, proxies)
		ctx = context.WithValue(ctx, ipKey, ip)
		ctx = context.WithValue(ctx, uaKey, r.UserAgent())
		var who *app.Actor
		var err error
		if raw := Bearer(r); raw != "" {
			// An org's SCIM token opens /scim/ and nothing else.
			scim, scimPath := strings.HasPrefix(raw, app.SCIMTokenPrefix), strings.HasPrefix(r.URL.Path, "/scim/")
			switch {
			case scim && scimPath:
				who, err = a.AuthenticateSCIM(ctx, raw, ip)
			case scim || scimPath:
				err = tenantry.Errorf(tenantry.Unauthenticated, "this takes an organization's SCIM token")
			default:
				who, err = a.AuthenticateBearer(ctx, raw, ip)
			}
			if err != nil && tenantry.ErrorCode(err) == tenantry.Unauthenticated {
				ctx = context.WithValue(ctx, bearerRejectedKey, true)
			}
		} else if token := sessionCookie(r); token != "" {
			ctx = context.WithValue(ctx, tokenKey, token)
			who, err = a.Authenticate(ctx, token, ip)
		}
		if err != nil && tenantry.ErrorCode(err) != tenantry.Unauthenticated {
			if tenantry.ErrorCode(err).Kind() != tenantry.Unavailable {
				err = &tenantry.Error{Code: tenantry.Unavailable, Message: "your credentials could not be checked now; try again shortly", Err: err}
			}
			unavailable(w, r.WithContext(ctx), err)
			return
		}
		if who != nil {
			ctx = context.WithValue(ctx, actorKey, who)
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

// ClientIP is the client's address as Middleware resolved it, or the
// peer address for a request that did not pass it.
func ClientIP(r *http.Request) string {
	if ip := IP(r.Context()); ip != "" {
		return ip
	}
	return peer(r)
}

func peer(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// ClientAddr is the address a request comes from. Forwarded headers are
// the client's to forge, so they count only when the peer is a trusted
// proxy; then the addresses they list are read from the right (the
// nearest hop) and the first that is not itself a trusted proxy is the
// client. Forwarded (RFC 7239) is read when present, else X-Forwarded-For.
func ClientAddr(r *http.Request, proxies []netip.Prefix) string {
	p := peer(r)
	if !trusted(p, proxies) {
		return p
	}
	hops := forwardedFor(r.Header.Values("Forwarded"))
	if len(hops) == 0 {
		for _, h := range r.Header.Values("X-Forwarded-For") {
			for _, f := range strings.Split(h, ",") {
				hops = append(hops, strings.TrimSpace(f))
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.Trim(hops[i], "[]"))
		if err != nil {
			return p // a hop we cannot read: trust nothing beyond the proxy
		}
		if !trusted(addr.String(), proxies) || i == 0 {
			return addr.Unmap().String() // or, when every hop is a proxy, the farthest
		}
	}
	return p
}

func trusted(ip string, proxies []netip.Prefix) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, pr := range proxies {
		if pr.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedFor lists the for= addresses of Forwarded headers, in order;
// an IPv6 address is quoted and bracketed, a port follows a colon.
func forwardedFor(headers []string) []string {
	var out []string
	for _, h := range headers {
		for _, elem := range strings.Split(h, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(k, "for") {
					continue
				}
				v = strings.Trim(v, `"`)
				if strings.HasPrefix(v, "[") {
					v = v[1:strings.IndexByte(v+"]", ']')]
				} else if i := strings.LastIndexByte(v, ':'); i >= 0 && strings.Count(v, ":") == 1 {
					v = v[:i]
				}
				out = append(out, v)
			}
		}
	}
	return out
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
