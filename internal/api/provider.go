package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// RelyingParty is one of the portal's applications that signs people in
// through Tenantry (OpenID Connect).
type RelyingParty struct {
	ClientID     string    `json:"client_id"`
	Name         string    `json:"name"`
	Public       bool      `json:"public" doc:"A browser or native app without a secret; PKCE with S256 is required"`
	RedirectURIs []string  `json:"redirect_uris"`
	LogoutURIs   []string  `json:"post_logout_redirect_uris"`
	CreatedAt    time.Time `json:"created_at"`
}

func toRelyingParty(rp *tenantry.RelyingParty) RelyingParty {
	out := RelyingParty{ClientID: rp.ClientID, Name: rp.Name, Public: rp.Public, RedirectURIs: rp.RedirectURIs,
		LogoutURIs: rp.LogoutURIs, CreatedAt: rp.CreatedAt}
	if out.LogoutURIs == nil {
		out.LogoutURIs = []string{}
	}
	return out
}

type createRelyingPartyInput struct {
	Body struct {
		Name         string   `json:"name" maxLength:"50" doc:"Lower-case letters, digits, dots, dashes; the client_id is platform_NAME"`
		Public       bool     `json:"public,omitempty"`
		RedirectURIs []string `json:"redirect_uris" minItems:"1" maxItems:"20" doc:"Exact; https (http only for localhost)"`
		LogoutURIs   []string `json:"post_logout_redirect_uris,omitempty" maxItems:"20"`
	}
}

type createRelyingPartyOutput struct {
	Body struct {
		RelyingParty
		ClientSecret string `json:"client_secret,omitempty" doc:"Shown once; none for a public client"`
	}
}

type changeRelyingPartyInput struct {
	ClientID string `path:"client_id"`
	Body     struct {
		RedirectURIs []string `json:"redirect_uris" minItems:"1" maxItems:"20" doc:"Exact; https (http only for localhost); replaces the list"`
		LogoutURIs   []string `json:"post_logout_redirect_uris,omitempty" maxItems:"20" doc:"Replaces the list"`
	}
}

type relyingPartyOutput struct {
	Body RelyingParty
}

type relyingPartiesOutput struct {
	Body struct {
		Items []RelyingParty `json:"items"`
	}
}

func (s *Server) providerRoutes() {
	create := op("createRelyingParty", http.MethodPost, "/api/v1/relying-parties", "Register an application that signs people in", "Applications")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "The operator registers one of the portal's applications with Tenantry's OpenID Provider " +
		"(discovery at /.well-known/openid-configuration): an API user of the platform with the role application, so the " +
		"same client id and secret also ask for decisions (AuthZEN), and the exact redirect URIs it may use."
	huma.Register(s.api, create, func(ctx context.Context, in *createRelyingPartyInput) (*createRelyingPartyOutput, error) {
		rp, secret, err := s.app.RegisterRelyingParty(ctx, actor(ctx), app.NewRelyingParty{Name: in.Body.Name,
			Public: in.Body.Public, RedirectURIs: in.Body.RedirectURIs, LogoutURIs: in.Body.LogoutURIs})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &createRelyingPartyOutput{}
		out.Body.RelyingParty, out.Body.ClientSecret = toRelyingParty(rp), secret
		return out, nil
	})

	change := op("changeRelyingParty", http.MethodPut, "/api/v1/relying-parties/{client_id}", "Change an application's redirect URIs", "Applications")
	change.Description = "Replaces the redirect and post-logout URIs; the next authorization request is checked against the new ones. The operator."
	huma.Register(s.api, change, func(ctx context.Context, in *changeRelyingPartyInput) (*relyingPartyOutput, error) {
		rp, err := s.app.ChangeRelyingParty(ctx, actor(ctx), in.ClientID, in.Body.RedirectURIs, in.Body.LogoutURIs)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &relyingPartyOutput{Body: toRelyingParty(rp)}, nil
	})

	huma.Register(s.api, op("listRelyingParties", http.MethodGet, "/api/v1/relying-parties", "The registered applications", "Applications"),
		func(ctx context.Context, _ *struct{}) (*relyingPartiesOutput, error) {
			rps, err := s.app.RelyingParties(ctx, actor(ctx))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &relyingPartiesOutput{}
			out.Body.Items = make([]RelyingParty, 0, len(rps))
			for _, rp := range rps {
				out.Body.Items = append(out.Body.Items, toRelyingParty(rp))
			}
			return out, nil
		})
}
