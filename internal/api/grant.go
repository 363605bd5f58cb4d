package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

type grantInput struct {
	UserID string `path:"user"`
	Body   struct {
		Role      string     `json:"role" maxLength:"100"`
		Service   string     `json:"service,omitempty" maxLength:"100" doc:"Limit the role to one service"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"The role ends by itself at this time"`
	}
}

type grantOutput struct {
	Body Grant
}

type revokeInput struct {
	UserID  string `path:"user"`
	GrantID string `path:"grant"`
}

func (s *Server) grantRoutes() {
	create := op("grantRole", http.MethodPost, "/api/v1/users/{user}/roles", "Give a user a role", "Users")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "You may give only roles you administer, to users you administer, and never to yourself."
	huma.Register(s.api, create, func(ctx context.Context, in *grantInput) (*grantOutput, error) {
		ng := app.NewGrant{Role: in.Body.Role, Service: in.Body.Service}
		if in.Body.ExpiresAt != nil {
			ng.ExpiresAt = *in.Body.ExpiresAt
		}
		g, err := s.app.GrantRole(ctx, actor(ctx), in.UserID, ng)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &grantOutput{Body: toGrant(*g)}, nil
	})

	del := op("revokeRole", http.MethodDelete, "/api/v1/users/{user}/roles/{grant}", "Take a role from a user", "Users")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, del, func(ctx context.Context, in *revokeInput) (*struct{}, error) {
		if err := s.app.RevokeRole(ctx, actor(ctx), in.UserID, in.GrantID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
