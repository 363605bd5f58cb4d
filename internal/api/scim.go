package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// SCIMConnection is an organization's SCIM provisioning (B7), never with
// its token.
type SCIMConnection struct {
	OrgID       string    `json:"org_id"`
	BaseURL     string    `json:"base_url" doc:"The SCIM base URL to give the directory (Tenant URL in Microsoft Entra ID, SCIM connector base URL in Okta)"`
	Account     string    `json:"account" doc:"The login of the service account the directory acts as"`
	Role        string    `json:"role" doc:"The role the directory acts with: it manages the people and gives the roles this role administers"`
	DefaultRole string    `json:"default_role" doc:"Given to every person the directory creates"`
	IdP         string    `json:"idp" doc:"The identity provider the people it creates sign in with; empty for a password"`
	OnDelete    string    `json:"on_delete" enum:"deactivate,delete" doc:"What the directory's DELETE does: lock the person, or delete them"`
	Exclusive   bool      `json:"exclusive" doc:"People the directory manages change only over SCIM, not by hand"`
	TokenHint   string    `json:"token_hint" doc:"The last characters of the token, to tell tokens apart"`
	CreatedAt   time.Time `json:"created_at"`
	LastUsedAt  time.Time `json:"last_used_at" doc:"Zero until the directory first calls; updated at most once a minute"`
}

func (s *Server) toSCIM(v *app.SCIMView) SCIMConnection {
	return SCIMConnection{OrgID: v.OrgID, BaseURL: s.public + "/scim/v2", Account: v.Account, Role: v.Role,
		DefaultRole: v.DefaultRole, IdP: v.IdP, OnDelete: string(v.OnDelete), Exclusive: v.Exclusive,
		TokenHint: v.TokenHint, CreatedAt: v.CreatedAt, LastUsedAt: v.LastUsedAt}
}

// scimBody is what an administrator sets of a SCIM connection.
type scimBody struct {
	Role        string `json:"role,omitempty" maxLength:"100" doc:"Default: the catalogue's administrator role (admin)"`
	DefaultRole string `json:"default_role,omitempty" maxLength:"100" doc:"Default: read_only where the role may give it"`
	IdP         string `json:"idp,omitempty" maxLength:"100" doc:"An identity provider id the organization uses; empty for a password"`
	OnDelete    string `json:"on_delete,omitempty" enum:"deactivate,delete" doc:"Default: deactivate"`
	Exclusive   bool   `json:"exclusive,omitempty"`
}

func (b *scimBody) toApp() app.SCIMSettings {
	return app.SCIMSettings{Role: b.Role, DefaultRole: b.DefaultRole, IdP: b.IdP,
		OnDelete: tenantry.SCIMDelete(b.OnDelete), Exclusive: b.Exclusive}
}

type scimInput struct {
	OrgID string `path:"org"`
	Body  scimBody
}

type scimOutput struct {
	Body SCIMConnection
}

type scimTokenOutput struct {
	Body struct {
		SCIMConnection
		Token string `json:"token" doc:"Shown this once; Tenantry keeps only a hash of it"`
	}
}

func (s *Server) scimRoutes() {
	const tag = "SCIM provisioning"
	enable := op("enableSCIM", http.MethodPost, "/api/v1/orgs/{org}/scim", "Turn SCIM provisioning on", tag)
	enable.DefaultStatus = http.StatusCreated
	enable.Errors = append(enable.Errors, 409)
	enable.Description = "Gives the organization's directory (Microsoft Entra ID, Okta …) a SCIM 2.0 endpoint at /scim/v2 " +
		"and a bearer token, shown once. The directory acts as a service account with the chosen role. " +
		"Those who see and administer the organization's users; a session must have signed in recently."
	huma.Register(s.api, enable, func(ctx context.Context, in *scimInput) (*scimTokenOutput, error) {
		v, token, err := s.app.EnableSCIM(ctx, actor(ctx), in.OrgID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &scimTokenOutput{}
		out.Body.SCIMConnection, out.Body.Token = s.toSCIM(v), token
		return out, nil
	})

	huma.Register(s.api, op("getSCIM", http.MethodGet, "/api/v1/orgs/{org}/scim", "SCIM provisioning settings", tag),
		func(ctx context.Context, in *orgInput) (*scimOutput, error) {
			v, err := s.app.SCIM(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &scimOutput{Body: s.toSCIM(v)}, nil
		})

	update := op("updateSCIM", http.MethodPut, "/api/v1/orgs/{org}/scim", "Change SCIM provisioning settings", tag)
	update.Description = "The token stays; absent fields take their defaults."
	huma.Register(s.api, update, func(ctx context.Context, in *scimInput) (*scimOutput, error) {
		v, err := s.app.UpdateSCIM(ctx, actor(ctx), in.OrgID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &scimOutput{Body: s.toSCIM(v)}, nil
	})

	rotate := op("rotateSCIMToken", http.MethodPost, "/api/v1/orgs/{org}/scim/token", "Make a new SCIM token", tag)
	rotate.Description = "The old token stops working at once; give the new one to the directory."
	huma.Register(s.api, rotate, func(ctx context.Context, in *orgInput) (*scimTokenOutput, error) {
		v, token, err := s.app.RotateSCIMToken(ctx, actor(ctx), in.OrgID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &scimTokenOutput{}
		out.Body.SCIMConnection, out.Body.Token = s.toSCIM(v), token
		return out, nil
	})

	del := op("disableSCIM", http.MethodDelete, "/api/v1/orgs/{org}/scim", "Turn SCIM provisioning off", tag)
	del.DefaultStatus = http.StatusNoContent
	del.Description = "The token stops working; the people the directory made stay, and are changed by hand again."
	huma.Register(s.api, del, func(ctx context.Context, in *orgInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DisableSCIM(ctx, actor(ctx), in.OrgID))
	})
}
