package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Invitation asks a person with a login elsewhere to take roles here.
type Invitation struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	Roles     []string  `json:"roles"`
	Status    string    `json:"status" enum:"pending,accepted,cancelled"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

func toInvitation(inv *tenantry.Invitation) Invitation {
	return Invitation{ID: inv.ID, OrgID: inv.OrgID, UserID: inv.UserID, Email: inv.Email, Roles: inv.Roles,
		Status: string(inv.Status), ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt}
}

type inviteInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Login string   `json:"login" maxLength:"254" doc:"The person's existing login, usually their e-mail address"`
		Roles []string `json:"roles" minItems:"1" maxItems:"20"`
	}
}

type invitationOutput struct {
	Body Invitation
}

type invitationsOutput struct {
	Body struct {
		Items []Invitation `json:"items"`
	}
}

type invitationIDInput struct {
	ID string `path:"id"`
}

type acceptInput struct {
	Body struct {
		Token string `json:"token" maxLength:"200" doc:"The token from the e-mailed link"`
	}
}

func (s *Server) invitationRoutes() {
	create := op("invite", http.MethodPost, "/api/v1/orgs/{org}/invitations", "Invite a person who has a login elsewhere", "Invitations")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "The person gets an e-mail; once they accept, they hold the roles here. Users never move between organizations."
	huma.Register(s.api, create, func(ctx context.Context, in *inviteInput) (*invitationOutput, error) {
		inv, err := s.app.Invite(ctx, actor(ctx), in.OrgID, in.Body.Login, in.Body.Roles)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &invitationOutput{Body: toInvitation(inv)}, nil
	})

	huma.Register(s.api, op("listInvitations", http.MethodGet, "/api/v1/orgs/{org}/invitations", "List invitations", "Invitations"),
		func(ctx context.Context, in *orgInput) (*invitationsOutput, error) {
			list, err := s.app.Invitations(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &invitationsOutput{}
			out.Body.Items = []Invitation{}
			for _, inv := range list {
				out.Body.Items = append(out.Body.Items, toInvitation(inv))
			}
			return out, nil
		})

	cancel := op("cancelInvitation", http.MethodDelete, "/api/v1/invitations/{id}", "Cancel a pending invitation", "Invitations")
	cancel.DefaultStatus = http.StatusNoContent
	cancel.Errors = append(cancel.Errors, 409)
	huma.Register(s.api, cancel, func(ctx context.Context, in *invitationIDInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.CancelInvitation(ctx, actor(ctx), in.ID))
	})

	resend := op("resendInvitation", http.MethodPost, "/api/v1/invitations/{id}/resend", "E-mail a pending invitation again", "Invitations")
	resend.Errors = append(resend.Errors, 409)
	huma.Register(s.api, resend, func(ctx context.Context, in *invitationIDInput) (*invitationOutput, error) {
		inv, err := s.app.ResendInvitation(ctx, actor(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &invitationOutput{Body: toInvitation(inv)}, nil
	})

	accept := op("acceptInvitation", http.MethodPost, "/api/v1/invitations/accept", "Accept an invitation with its token", "Invitations")
	accept.Security = nil
	huma.Register(s.api, accept, func(ctx context.Context, in *acceptInput) (*invitationOutput, error) {
		inv, err := s.app.AcceptInvitation(ctx, in.Body.Token, httpauth.IP(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &invitationOutput{Body: toInvitation(inv)}, nil
	})
}
