package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/httpauth"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Invitation asks a person to take roles here: with their login from
// elsewhere, or with one they choose on accepting. It never names a user
// of another organization.
type Invitation struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Email     string    `json:"email"`
	Roles     []string  `json:"roles"`
	Status    string    `json:"status" enum:"pending,accepted,cancelled"`
	ExpiresAt time.Time `json:"expires_at" doc:"When the e-mailed link stops working"`
	// AccessUntil ends the roles the invitation gives.
	AccessUntil time.Time `json:"access_until,omitzero" doc:"When the roles it gives end by themselves (third-party access for a time)"`
	CreatedAt   time.Time `json:"created_at"`
}

func toInvitation(inv *tenantry.Invitation) Invitation {
	return Invitation{ID: inv.ID, OrgID: inv.OrgID, Email: inv.Email, Roles: inv.Roles,
		Status: string(inv.Status), ExpiresAt: inv.ExpiresAt, AccessUntil: inv.AccessUntil, CreatedAt: inv.CreatedAt}
}

type inviteInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Login string     `json:"login" maxLength:"254" doc:"The person's e-mail address: their login elsewhere, or the login they will choose a password for"`
		Roles []string   `json:"roles" minItems:"1" maxItems:"20" doc:"Role names; ROLE:SERVICE for a role in one service"`
		Until *time.Time `json:"until,omitempty" doc:"The roles end by themselves at this time (RFC 3339, with the offset of the organization's time zone); after the link runs out"`
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
		Token     string `json:"token" maxLength:"200" doc:"The token from the e-mailed link"`
		FirstName string `json:"first_name,omitempty" maxLength:"100" doc:"When the address has no login yet: the new login's first name"`
		LastName  string `json:"last_name,omitempty" maxLength:"100" doc:"When the address has no login yet: the new login's last name"`
		Password  string `json:"password,omitempty" maxLength:"1024" doc:"When the address has no login yet: its password"`
	}
}

func (s *Server) invitationRoutes() {
	create := op("invite", http.MethodPost, "/api/v1/orgs/{org}/invitations", "Invite a person who has a login elsewhere", "Invitations")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "The person gets an e-mail; once they accept, they hold the roles here. Users never move between organizations."
	huma.Register(s.api, create, func(ctx context.Context, in *inviteInput) (*invitationOutput, error) {
		ni := app.NewInvitation{Login: in.Body.Login, Roles: in.Body.Roles}
		if in.Body.Until != nil {
			ni.Until = *in.Body.Until
		}
		inv, err := s.app.Invite(ctx, actor(ctx), in.OrgID, ni)
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
	accept.Security = publicSecurity
	huma.Register(s.api, accept, func(ctx context.Context, in *acceptInput) (*invitationOutput, error) {
		inv, err := s.app.AcceptInvitation(ctx, in.Body.Token, httpauth.IP(ctx),
			&app.NewPerson{FirstName: in.Body.FirstName, LastName: in.Body.LastName, Password: in.Body.Password})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &invitationOutput{Body: toInvitation(inv)}, nil
	})
}
