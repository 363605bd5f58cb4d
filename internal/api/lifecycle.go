package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

type orgSettingsInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Require2FA         *bool   `json:"require_2fa,omitempty" doc:"People of this organization must sign in with a second factor"`
		SelfManagedProfile *bool   `json:"self_managed_profile,omitempty" doc:"Set by the parent: the child's users get phone, job title and company contacts"`
		SessionHours       *int    `json:"session_hours,omitempty" minimum:"0" doc:"Sessions of the organization's people, and everyone's below, end this many hours after sign-in; 0 follows the parent. At most what the parent allows; shortening it shortens running sessions"`
		PasswordMinLength  *int    `json:"password_min_length,omitempty" minimum:"0" maximum:"64" doc:"New passwords here and below have at least this many characters; 0 follows the parent. At least what the parent requires"`
		RequireIdP         *bool   `json:"require_idp,omitempty" doc:"People here and below sign in only through an identity provider, but for break-glass accounts this organization names"`
		TimeZone           *string `json:"time_zone,omitempty" maxLength:"64" doc:"IANA name of the zone in which the organization's people read and give end and due dates, e.g. Europe/Berlin; empty follows the parent (UTC at the top)"`
	}
}

func (s *Server) lifecycleRoutes() {
	lock := op("lockUser", http.MethodPost, "/api/v1/users/{user}/lock", "Lock a user", "Users")
	lock.Description = "The user cannot sign in; every session and e-mailed link of theirs ends at once."
	huma.Register(s.api, lock, func(ctx context.Context, in *userInput) (*userOutput, error) {
		v, err := s.app.LockUser(ctx, actor(ctx), in.UserID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &userOutput{Body: toUser(v)}, nil
	})
	huma.Register(s.api, op("unlockUser", http.MethodPost, "/api/v1/users/{user}/unlock", "Unlock a user", "Users"),
		func(ctx context.Context, in *userInput) (*userOutput, error) {
			v, err := s.app.UnlockUser(ctx, actor(ctx), in.UserID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &userOutput{Body: toUser(v)}, nil
		})

	reset := op("resetPassword", http.MethodPost, "/api/v1/users/{user}/password-reset", "Make a user choose a new password", "Users")
	reset.DefaultStatus = http.StatusAccepted
	reset.Errors = append(reset.Errors, 409)
	reset.Description = "Ends the user's sessions and e-mails them a link; they must set a new password before anything else. " +
		"You never see or set it."
	huma.Register(s.api, reset, func(ctx context.Context, in *userInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.ResetPassword(ctx, actor(ctx), in.UserID))
	})

	resend := op("resendActivation", http.MethodPost, "/api/v1/users/{user}/activation", "E-mail a new activation link", "Users")
	resend.DefaultStatus = http.StatusAccepted
	resend.Errors = append(resend.Errors, 409)
	resend.Description = "For a user who has not set a password yet; the earlier link stops working."
	huma.Register(s.api, resend, func(ctx context.Context, in *userInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.ResendActivation(ctx, actor(ctx), in.UserID))
	})

	totpReset := op("resetTOTP", http.MethodPost, "/api/v1/users/{user}/totp-reset", "Reset a user's two-factor sign-in", "Users")
	totpReset.DefaultStatus = http.StatusNoContent
	totpReset.Errors = append(totpReset.Errors, 409)
	huma.Register(s.api, totpReset, func(ctx context.Context, in *userInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.ResetTOTP(ctx, actor(ctx), in.UserID))
	})

	huma.Register(s.api, op("updateOrgSettings", http.MethodPatch, "/api/v1/orgs/{org}/settings", "Change an organization's settings", "Organizations"),
		func(ctx context.Context, in *orgSettingsInput) (*orgOutput, error) {
			o, err := s.app.UpdateOrgSettings(ctx, actor(ctx), in.OrgID, app.OrgSettingsPatch{
				Require2FA: in.Body.Require2FA, SelfManagedProfile: in.Body.SelfManagedProfile,
				SessionHours: in.Body.SessionHours, PasswordMinLength: in.Body.PasswordMinLength, RequireIdP: in.Body.RequireIdP,
				TimeZone: in.Body.TimeZone})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &orgOutput{Body: toOrg(o)}, nil
		})
}
