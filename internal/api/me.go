package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/httpauth"
)

type secondFactorInput struct {
	Body struct {
		Code         string `json:"code,omitempty" maxLength:"10" doc:"The 6-digit code from the authenticator app"`
		RecoveryCode string `json:"recovery_code,omitempty" maxLength:"40" doc:"One of the recovery codes, instead of a code"`
	}
}

type reauthInput struct {
	Body struct {
		Password     string `json:"password" maxLength:"1024"`
		Code         string `json:"code,omitempty" maxLength:"10" doc:"Where two-factor sign-in is on: the code from the authenticator app"`
		RecoveryCode string `json:"recovery_code,omitempty" maxLength:"40" doc:"One of the recovery codes, instead of a code"`
	}
}

type changePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"4096"`
		NewPassword     string `json:"new_password" minLength:"12" maxLength:"1024" doc:"12 to 1,024 characters, not a common password"`
	}
}

type forgotInput struct {
	Body struct {
		Login string `json:"login" maxLength:"254" doc:"Your login, usually your e-mail address"`
	}
}

type forgotOutput struct {
	Body struct {
		Message string `json:"message"`
	}
}

type sessionBody struct {
	ID         string    `json:"id"`
	Current    bool      `json:"current" doc:"The session of this request"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Browser    string    `json:"browser,omitempty" doc:"The browser the User-Agent names (Chrome, Firefox, Safari, Edge …), when known"`
	OS         string    `json:"os,omitempty" doc:"The operating system the User-Agent names, when known"`
	Place      string    `json:"place,omitempty" doc:"Where the address is, in English (\"Munich, Germany\"), when the server has a place database (serve --geoip)"`
}

type endedOutput struct {
	Body struct {
		Ended int `json:"ended" doc:"How many sessions ended"`
	}
}

type sessionsOutput struct {
	Body struct {
		Items []sessionBody `json:"items"`
	}
}

type sessionIDInput struct {
	ID string `path:"id"`
}

type totpBeginOutput struct {
	Body struct {
		Secret     string `json:"secret" doc:"Base32 secret, for apps that cannot scan the QR code; shown once"`
		OTPAuthURI string `json:"otpauth_uri"`
		QRCodePNG  string `json:"qr_code_png" doc:"PNG of the otpauth URI, base64"`
	}
}

type totpConfirmInput struct {
	Body struct {
		Code string `json:"code" maxLength:"10" doc:"The current code from the app"`
	}
}

type recoveryCodesOutput struct {
	Body struct {
		RecoveryCodes []string `json:"recovery_codes" doc:"Ten single-use codes for when the phone is lost; shown once"`
	}
}

type passwordConfirmInput struct {
	Body struct {
		Password string `json:"password" maxLength:"4096"`
	}
}

func (s *Server) meRoutes() {
	mfa := op("verifySecondFactor", http.MethodPost, "/api/v1/session/totp", "Finish signing in with a TOTP or recovery code", "Session")
	mfa.DefaultStatus = http.StatusNoContent
	mfa.Errors = append(mfa.Errors, 429)
	huma.Register(s.api, mfa, func(ctx context.Context, in *secondFactorInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.VerifySecondFactor(ctx, actor(ctx), in.Body.Code, in.Body.RecoveryCode))
	})

	reauth := op("reauthenticate", http.MethodPost, "/api/v1/session/reauth", "Prove it is you again, before a sensitive change", "Session")
	reauth.DefaultStatus = http.StatusNoContent
	reauth.Errors = append(reauth.Errors, 429)
	reauth.Description = "Personal access tokens, enrolling or turning off two-factor sign-in, a new password, an e-mail change and " +
		"client-secret rotation need a session that proved its user in the last 10 minutes; otherwise they answer 403 " +
		"`reauthentication_required`. This proves it again: the password, and a TOTP or recovery code where enrolled."
	huma.Register(s.api, reauth, func(ctx context.Context, in *reauthInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.Reauthenticate(ctx, actor(ctx), in.Body.Password, in.Body.Code, in.Body.RecoveryCode))
	})

	forgot := op("forgotPassword", http.MethodPost, "/api/v1/password/forgot", "Ask for a password reset link", "Session")
	forgot.Security = publicSecurity
	forgot.DefaultStatus = http.StatusAccepted
	forgot.Description = "Always answers the same, whether or not the login exists; a person with that login gets a link by e-mail."
	huma.Register(s.api, forgot, func(ctx context.Context, in *forgotInput) (*forgotOutput, error) {
		if err := s.app.ForgotPassword(ctx, in.Body.Login, httpauth.IP(ctx)); err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &forgotOutput{}
		out.Body.Message = "If this login exists, its owner will receive an e-mail with a link to choose a new password."
		return out, nil
	})

	change := op("changePassword", http.MethodPost, "/api/v1/me/password", "Change your password", "Me")
	change.DefaultStatus = http.StatusNoContent
	change.Errors = append(change.Errors, 429)
	change.Description = "Needs the current password. Every other session of yours ends; you are told by e-mail."
	huma.Register(s.api, change, func(ctx context.Context, in *changePasswordInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.ChangePassword(ctx, actor(ctx), in.Body.CurrentPassword, in.Body.NewPassword))
	})

	huma.Register(s.api, op("listMySessions", http.MethodGet, "/api/v1/me/sessions", "List your sessions", "Me"),
		func(ctx context.Context, _ *struct{}) (*sessionsOutput, error) {
			list, err := s.app.MySessions(ctx, actor(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &sessionsOutput{}
			out.Body.Items = []sessionBody{}
			for _, se := range list {
				out.Body.Items = append(out.Body.Items, sessionBody{ID: se.ID, Current: se.Current, CreatedAt: se.CreatedAt,
					LastSeenAt: se.LastSeenAt, ExpiresAt: se.ExpiresAt, IP: se.IP, UserAgent: se.UserAgent, Browser: se.Browser, OS: se.OS,
					Place: se.Place.Name("en")})
			}
			return out, nil
		})

	others := op("endMyOtherSessions", http.MethodDelete, "/api/v1/me/sessions", "End all your sessions but this one", "Me")
	others.Description = "Signs you out on every other device; the session (or token) that asks stays. Says how many ended."
	huma.Register(s.api, others, func(ctx context.Context, _ *struct{}) (*endedOutput, error) {
		n, err := s.app.EndOtherSessions(ctx, actor(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &endedOutput{}
		out.Body.Ended = n
		return out, nil
	})

	end := op("endMySession", http.MethodDelete, "/api/v1/me/sessions/{id}", "End one of your sessions", "Me")
	end.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, end, func(ctx context.Context, in *sessionIDInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.EndSession(ctx, actor(ctx), in.ID))
	})

	begin := op("beginTOTP", http.MethodPost, "/api/v1/me/totp", "Start enrolling an authenticator app", "Me")
	begin.Errors = append(begin.Errors, 409)
	huma.Register(s.api, begin, func(ctx context.Context, _ *struct{}) (*totpBeginOutput, error) {
		e, err := s.app.BeginTOTP(ctx, actor(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &totpBeginOutput{}
		out.Body.Secret, out.Body.OTPAuthURI = e.Secret, e.URI
		out.Body.QRCodePNG = base64.StdEncoding.EncodeToString(e.QRCode)
		return out, nil
	})

	confirm := op("confirmTOTP", http.MethodPost, "/api/v1/me/totp/confirm", "Turn two-factor sign-in on with a first code", "Me")
	confirm.Errors = append(confirm.Errors, 409, 429)
	huma.Register(s.api, confirm, func(ctx context.Context, in *totpConfirmInput) (*recoveryCodesOutput, error) {
		codes, err := s.app.ConfirmTOTP(ctx, actor(ctx), in.Body.Code)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &recoveryCodesOutput{}
		out.Body.RecoveryCodes = codes
		return out, nil
	})

	disable := op("disableTOTP", http.MethodPost, "/api/v1/me/totp/disable", "Turn two-factor sign-in off (needs your password)", "Me")
	disable.DefaultStatus = http.StatusNoContent
	disable.Errors = append(disable.Errors, 409, 429)
	huma.Register(s.api, disable, func(ctx context.Context, in *passwordConfirmInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DisableTOTP(ctx, actor(ctx), in.Body.Password))
	})
}
