package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

type catalogueInput struct {
	Catalogue string `path:"catalogue" enum:"1nce,platform"`
}

type catalogueOutput struct {
	Body struct {
		Catalogue string         `json:"catalogue"`
		Roles     []string       `json:"roles"`
		Rows      []catalogueRow `json:"rows" doc:"One row per area and action; allowed has one entry per role"`
	}
}

type catalogueRow struct {
	Action  string `json:"action"`
	Allowed []bool `json:"allowed"`
}

func (s *Server) roleRoutes() {
	huma.Register(s.api, op("getRoleCatalogue", http.MethodGet, "/api/v1/roles/{catalogue}", "The permission matrix of a role catalogue", "Roles"),
		func(ctx context.Context, in *catalogueInput) (*catalogueOutput, error) {
			m, err := s.app.RoleMatrix(ctx, actor(ctx), in.Catalogue)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &catalogueOutput{}
			out.Body.Catalogue, out.Body.Roles = m.Catalogue, m.Roles
			for _, r := range m.Rows {
				out.Body.Rows = append(out.Body.Rows, catalogueRow{Action: r.Action, Allowed: r.Allowed})
			}
			return out, nil
		})
}
