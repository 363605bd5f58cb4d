package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
)

type signInInput struct {
	Body struct {
		Login    string `json:"login" minLength:"1" maxLength:"254" doc:"Login, usually the e-mail address"`
		Password string `json:"password" minLength:"1" maxLength:"4096"`
	}
}

type sessionOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      struct {
		User        User      `json:"user"`
		ExpiresAt   time.Time `json:"expires_at" doc:"When the session ends at the latest"`
		MFARequired bool      `json:"mfa_required" doc:"The password was right; send the authenticator code to POST /api/v1/session/totp to finish signing in"`
	}
}

type meOutput struct {
	Body User
}

type passwordInput struct {
	Body struct {
		Token    string `json:"token" minLength:"1" maxLength:"200" doc:"The one-time token from the e-mailed link"`
		Password string `json:"password" minLength:"12" maxLength:"1024" doc:"12 to 1,024 characters, not a common password"`
	}
}

type clearCookieOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) sessionRoutes() {
	signIn := op("signIn", http.MethodPost, "/api/v1/session", "Sign in", "Session")
	signIn.Security = publicSecurity
	signIn.Errors = append(signIn.Errors, 429)
	signIn.Description = "Checks the login and password and sets a new session cookie (HttpOnly, SameSite=Lax). " +
		"Any session the client held before ends."
	huma.Register(s.api, signIn, func(ctx context.Context, in *signInInput) (*sessionOutput, error) {
		res, err := s.app.SignIn(ctx, in.Body.Login, in.Body.Password, httpauth.SessionToken(ctx), httpauth.IP(ctx), httpauth.UserAgent(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &sessionOutput{SetCookie: s.cookie(res.Token, res.ExpiresAt)}
		out.Body.User = toUser(&app.UserView{User: res.Actor.User, Org: res.Actor.User.OrgID, Grants: res.Actor.Grants})
		out.Body.ExpiresAt, out.Body.MFARequired = res.ExpiresAt, res.MFARequired
		return out, nil
	})

	huma.Register(s.api, op("getSession", http.MethodGet, "/api/v1/session", "Who am I", "Session"),
		func(ctx context.Context, _ *struct{}) (*meOutput, error) {
			me, err := s.app.Me(ctx, actor(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &meOutput{Body: toUser(me)}, nil
		})

	signOut := op("signOut", http.MethodDelete, "/api/v1/session", "Sign out", "Session")
	signOut.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, signOut, func(ctx context.Context, _ *struct{}) (*clearCookieOutput, error) {
		if err := s.app.SignOut(ctx, actor(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &clearCookieOutput{SetCookie: s.cookie("", time.Unix(0, 0))}, nil
	})

	setPassword := op("setPassword", http.MethodPost, "/api/v1/password", "Set a password with a one-time token", "Session")
	setPassword.Security = publicSecurity
	setPassword.DefaultStatus = http.StatusNoContent
	setPassword.Description = "Redeems the token of an activation or password-reset link. " +
		"The token works once; a refused password leaves it usable."
	huma.Register(s.api, setPassword, func(ctx context.Context, in *passwordInput) (*struct{}, error) {
		if err := s.app.SetPassword(ctx, in.Body.Token, in.Body.Password, httpauth.IP(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// cookie returns the session cookie; an empty value with a past expiry
// deletes it.
func (s *Server) cookie(value string, expires time.Time) http.Cookie {
	return httpauth.Cookie(value, expires, s.secure)
}
