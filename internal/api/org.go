package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

type orgInput struct {
	OrgID string `path:"org" doc:"Organization id"`
}

type orgOutput struct {
	Body Org
}

type orgsOutput struct {
	Body struct {
		Items []Org `json:"items"`
	}
}

func (s *Server) orgRoutes() {
	huma.Register(s.api, op("getOrg", http.MethodGet, "/api/v1/orgs/{org}", "Get an organization", "Organizations"),
		func(ctx context.Context, in *orgInput) (*orgOutput, error) {
			o, err := s.app.Org(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &orgOutput{Body: toOrg(o)}, nil
		})

	huma.Register(s.api, op("listChildOrgs", http.MethodGet, "/api/v1/orgs/{org}/children", "List sub-organizations", "Organizations"),
		func(ctx context.Context, in *orgInput) (*orgsOutput, error) {
			orgs, err := s.app.ChildOrgs(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &orgsOutput{}
			out.Body.Items = toOrgs(orgs)
			return out, nil
		})
}
