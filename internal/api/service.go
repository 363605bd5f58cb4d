package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

type servicesOutput struct {
	Body struct {
		Services  []string `json:"services" doc:"The services enabled for the organization's account"`
		Available []string `json:"available" doc:"Every service of the account's catalogue"`
	}
}

type orgServicesInput struct {
	Org string `path:"org" maxLength:"36"`
}

type setServicesInput struct {
	Account string `path:"account" maxLength:"36"`
	Body    struct {
		Services []string `json:"services" maxItems:"100" doc:"Exactly the services to enable; those left out are disabled, with every role limited to them"`
	}
}

func (s *Server) serviceRoutes() {
	huma.Register(s.api, op("getServices", http.MethodGet, "/api/v1/orgs/{org}/services",
		"The services enabled for an organization's account", "Organizations"),
		func(ctx context.Context, in *orgServicesInput) (*servicesOutput, error) {
			return s.services(ctx, in.Org, nil)
		})
	set := op("setServices", http.MethodPut, "/api/v1/accounts/{account}/services",
		"Enable exactly these services for a customer account (operators)", "Accounts")
	set.Description = "Seed 003's services: a per-service role names an enabled one. Disabling a service takes " +
		"every role limited to it in the account's tree; a role for every service reaches services enabled later."
	huma.Register(s.api, set, func(ctx context.Context, in *setServicesInput) (*servicesOutput, error) {
		list := in.Body.Services
		if list == nil {
			list = []string{}
		}
		return s.services(ctx, in.Account, list)
	})
}

// services answers both service routes: set, when not nil, is first
// made the account's list.
func (s *Server) services(ctx context.Context, org string, set []string) (*servicesOutput, error) {
	var got app.ServiceSet
	var err error
	if set != nil {
		got, err = s.app.SetServices(ctx, actor(ctx), org, set)
	} else {
		got, err = s.app.Services(ctx, actor(ctx), org)
	}
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	out := &servicesOutput{}
	out.Body.Services, out.Body.Available = got.Enabled, got.Available
	return out, nil
}
