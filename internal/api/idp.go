package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

// IdentityProvider is an OpenID Connect provider people sign in with
// (U8), never with its client secret.
type IdentityProvider struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id" doc:"The organization that set it up; its subtree uses it unless a sub-organization sets up its own"`
	OrgName    string    `json:"org_name"`
	Inherited  bool      `json:"inherited" doc:"Set up by an ancestor of the organization asked about"`
	Name       string    `json:"name"`
	Issuer     string    `json:"issuer"`
	ClientID   string    `json:"client_id"`
	Scopes     []string  `json:"scopes" doc:"Asked for besides openid"`
	LoginClaim string    `json:"login_claim" doc:"The claim matched against each user's e-mail or external login"`
	Domains    []string  `json:"domains" doc:"The only e-mail domains the claim may carry; empty for any"`
	Active     bool      `json:"active"`
	TrustMFA   bool      `json:"trust_mfa" doc:"The provider's multi-factor sign-in (amr) satisfies the organization's two-factor rule"`
	Users      int       `json:"users" doc:"How many users sign in through it"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toIdP(v *app.IdPView) IdentityProvider {
	d := v.IdentityProvider
	out := IdentityProvider{ID: d.ID, OrgID: d.OrgID, Inherited: v.Inherited, Name: d.Name, Issuer: d.Issuer,
		ClientID: d.ClientID, Scopes: d.Scopes, LoginClaim: d.LoginClaim, Domains: d.Domains, Active: d.Active,
		TrustMFA: d.TrustMFA, Users: v.Users, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if v.Org != nil {
		out.OrgName = v.Org.Name
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if out.Domains == nil {
		out.Domains = []string{}
	}
	return out
}

// idpBody is an identity provider's settable fields; absent fields stay.
type idpBody struct {
	Name         *string   `json:"name,omitempty" maxLength:"100" doc:"Shown on the sign-in page and in the user form"`
	Issuer       *string   `json:"issuer,omitempty" maxLength:"500" doc:"The provider's issuer URL (https); discovery reads ISSUER/.well-known/openid-configuration"`
	ClientID     *string   `json:"client_id,omitempty" maxLength:"255"`
	ClientSecret *string   `json:"client_secret,omitempty" maxLength:"1024" doc:"Write-only; sealed at rest and never returned"`
	Scopes       *[]string `json:"scopes,omitempty" maxItems:"20" doc:"Asked for besides openid; default email, profile"`
	LoginClaim   *string   `json:"login_claim,omitempty" maxLength:"100" doc:"email (default), preferred_username, upn, or another claim's name"`
	Domains      *[]string `json:"domains,omitempty" maxItems:"50" doc:"Allowed e-mail domains of the login claim; empty for any"`
	Active       *bool     `json:"active,omitempty" doc:"Only active providers sign people in; switching one off ends its users' sessions"`
	TrustMFA     *bool     `json:"trust_mfa,omitempty" doc:"Let the provider's multi-factor sign-in (amr mfa, otp, hwk …) satisfy the two-factor rule"`
}

func (b *idpBody) toApp() app.IdPPatch {
	return app.IdPPatch{Name: b.Name, Issuer: b.Issuer, ClientID: b.ClientID, ClientSecret: b.ClientSecret,
		Scopes: b.Scopes, LoginClaim: b.LoginClaim, Domains: b.Domains, Active: b.Active, TrustMFA: b.TrustMFA}
}

type createIdPInput struct {
	OrgID string `path:"org"`
	Body  idpBody
}

type idpInput struct {
	IdPID string `path:"idp"`
}

type updateIdPInput struct {
	IdPID string `path:"idp"`
	Body  idpBody
}

type idpOutput struct {
	Body IdentityProvider
}

type idpsOutput struct {
	Body struct {
		Items []IdentityProvider `json:"items"`
	}
}

type idpTestOutput struct {
	Body struct {
		OK    bool     `json:"ok"`
		Found []string `json:"found" doc:"What the check found, in words"`
	}
}

func (s *Server) idpRoutes() {
	create := op("createIdentityProvider", http.MethodPost, "/api/v1/orgs/{org}/identity-providers", "Set up an identity provider", "Identity providers")
	create.DefaultStatus = http.StatusCreated
	create.Description = "An OpenID Connect provider the organization's people, and its subtree's, may sign in with (U8). " +
		"Register the redirect URI PUBLIC_URL/signin/idp/callback with the provider. Owners and Admins of the organization."
	huma.Register(s.api, create, func(ctx context.Context, in *createIdPInput) (*idpOutput, error) {
		v, err := s.app.CreateIdP(ctx, actor(ctx), in.OrgID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &idpOutput{Body: toIdP(v)}, nil
	})

	list := op("listIdentityProviders", http.MethodGet, "/api/v1/orgs/{org}/identity-providers", "Identity providers in use", "Identity providers")
	list.Description = "The organization's own identity providers or, where it has none, those of its nearest ancestor that has some."
	huma.Register(s.api, list, func(ctx context.Context, in *orgInput) (*idpsOutput, error) {
		vs, err := s.app.IdPs(ctx, actor(ctx), in.OrgID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &idpsOutput{}
		out.Body.Items = make([]IdentityProvider, 0, len(vs))
		for i := range vs {
			out.Body.Items = append(out.Body.Items, toIdP(&vs[i]))
		}
		return out, nil
	})

	huma.Register(s.api, op("getIdentityProvider", http.MethodGet, "/api/v1/identity-providers/{idp}", "Get an identity provider", "Identity providers"),
		func(ctx context.Context, in *idpInput) (*idpOutput, error) {
			v, err := s.app.IdP(ctx, actor(ctx), in.IdPID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &idpOutput{Body: toIdP(v)}, nil
		})

	update := op("updateIdentityProvider", http.MethodPatch, "/api/v1/identity-providers/{idp}", "Change an identity provider", "Identity providers")
	huma.Register(s.api, update, func(ctx context.Context, in *updateIdPInput) (*idpOutput, error) {
		v, err := s.app.UpdateIdP(ctx, actor(ctx), in.IdPID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &idpOutput{Body: toIdP(v)}, nil
	})

	del := op("deleteIdentityProvider", http.MethodDelete, "/api/v1/identity-providers/{idp}", "Remove an identity provider", "Identity providers")
	del.DefaultStatus = http.StatusNoContent
	del.Errors = append(del.Errors, 409)
	del.Description = "Refused (409) while users sign in through it."
	huma.Register(s.api, del, func(ctx context.Context, in *idpInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DeleteIdP(ctx, actor(ctx), in.IdPID))
	})

	test := op("testIdentityProvider", http.MethodPost, "/api/v1/identity-providers/{idp}/test", "Test the connection to an identity provider", "Identity providers")
	test.Errors = append(test.Errors, 503)
	test.Description = "Reads the provider's discovery document and key set as a sign-in would, and says what it found."
	huma.Register(s.api, test, func(ctx context.Context, in *idpInput) (*idpTestOutput, error) {
		found, err := s.app.TestIdP(ctx, actor(ctx), in.IdPID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &idpTestOutput{}
		out.Body.OK, out.Body.Found = true, found
		return out, nil
	})
}
