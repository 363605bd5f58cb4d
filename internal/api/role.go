package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

type catalogueInput struct {
	Catalogue string `path:"catalogue" maxLength:"64" doc:"A catalogue name, as GET /api/v1/roles lists them"`
}

type cataloguesOutput struct {
	Body struct {
		Items []Catalogue `json:"items"`
	}
}

// Catalogue is a role catalogue as the API lists it.
type Catalogue struct {
	Name         string   `json:"name"`
	Roles        []string `json:"roles"`
	Services     []string `json:"services" doc:"The services a per-service grant may name; empty when grants apply to the whole organization"`
	AccountOwner string   `json:"account_owner" doc:"The role of the person an account is opened for"`
	Default      bool     `json:"default" doc:"Accounts opened without naming a catalogue get this one"`
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
	huma.Register(s.api, op("listRoleCatalogues", http.MethodGet, "/api/v1/roles", "The customer role catalogues this deployment offers", "Roles"),
		func(ctx context.Context, _ *struct{}) (*cataloguesOutput, error) {
			list, err := s.app.Catalogues(ctx, actor(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &cataloguesOutput{}
			out.Body.Items = []Catalogue{}
			for _, c := range list {
				out.Body.Items = append(out.Body.Items, Catalogue{Name: c.Name, Roles: c.Roles, Services: c.Services,
					AccountOwner: c.AccountOwner, Default: c.Default})
			}
			return out, nil
		})
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
