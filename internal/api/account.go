package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type createAccountInput struct {
	Body struct {
		Name    string `json:"name" maxLength:"200" doc:"The customer's name"`
		Channel string `json:"channel,omitempty" enum:"direct,marketplace" default:"direct" doc:"Marketplace accounts have no organization management"`
		// Catalogue has no enum: a deployment adds catalogues with --catalogue-dir.
		Catalogue string `json:"catalogue,omitempty" maxLength:"64" doc:"The account's role catalogue (GET /api/v1/roles lists them); empty for the deployment's default"`
		Owner     Person `json:"owner" doc:"The initial owner, who gets an activation link by e-mail and the catalogue's owner role"`
	}
}

type accountOutput struct {
	Body struct {
		Account Org  `json:"account"`
		Owner   User `json:"owner"`
	}
}

type listAccountsInput struct {
	After string `query:"after" doc:"List accounts after this account number"`
	Limit int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type accountsOutput struct {
	Body struct {
		Items []Org `json:"items"`
	}
}

func (s *Server) accountRoutes() {
	create := op("createAccount", http.MethodPost, "/api/v1/accounts", "Open a customer account (operators)", "Accounts")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "Creates a root organization with a new account number and its initial owner. " +
		"The account stays pending until the owner sets a password through the e-mailed link."
	huma.Register(s.api, create, func(ctx context.Context, in *createAccountInput) (*accountOutput, error) {
		org, owner, err := s.app.CreateAccount(ctx, actor(ctx), app.NewAccount{
			Name: in.Body.Name, Channel: tenantry.Channel(in.Body.Channel), Catalogue: in.Body.Catalogue,
			Owner: in.Body.Owner.toApp(nil)})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &accountOutput{}
		out.Body.Account, out.Body.Owner = toOrg(org), toUser(owner)
		return out, nil
	})

	huma.Register(s.api, op("listAccounts", http.MethodGet, "/api/v1/accounts", "List customer accounts (operators)", "Accounts"),
		func(ctx context.Context, in *listAccountsInput) (*accountsOutput, error) {
			orgs, err := s.app.Accounts(ctx, actor(ctx), in.After, in.Limit)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &accountsOutput{}
			out.Body.Items = toOrgs(orgs)
			return out, nil
		})
}
